"""The technique library: loaded from library.json once, then data that staff can extend."""

from __future__ import annotations

import json
from pathlib import Path

from spa_app.extensions import db
from spa_app.homecare.generator import Technique
from spa_app.homecare.models import Routine
from spa_app.homecare.vocab import Area, Condition, Context, Goal, Kind, Pressure

LIBRARY_FILE = Path(__file__).with_name("library.json")


def load_library(path: Path = LIBRARY_FILE) -> int:
    """Add the file's routines that the library lacks (by name); staff edits are kept.

    Returns how many were added. Flushes; the caller commits.
    """
    have = set(db.session.execute(db.select(Routine.name)).scalars())
    added = 0
    for entry in json.loads(path.read_text()):
        if entry["name"] in have:
            continue
        db.session.add(Routine(**{**entry, "steps": "\n".join(entry["steps"])}))
        added += 1
    db.session.flush()
    return added


def techniques() -> list[Technique]:
    """Every active routine, as the generator reads them (one query)."""
    rows = db.session.execute(db.select(Routine).where(Routine.active).order_by(Routine.id))
    return [as_technique(r) for r in rows.scalars()]


def as_technique(routine: Routine) -> Technique:
    return Technique(
        id=routine.id,
        name=routine.name,
        kind=Kind(routine.kind),
        area=Area(routine.area),
        minutes=routine.minutes,
        times_per_week=routine.times_per_week,
        pressure=Pressure(routine.pressure),
        goals=frozenset(Goal(g) for g in routine.goals),
        contexts=frozenset(Context(c) for c in routine.contexts),
        excluded_by=frozenset(Condition(c) for c in routine.excluded_by),
    )
