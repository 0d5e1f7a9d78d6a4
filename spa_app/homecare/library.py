"""The technique library and the condition rules: loaded from library.json and conditions.json,
then data that staff can extend and edit."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from types import SimpleNamespace

from sqlalchemy.exc import IntegrityError

from spa_app.extensions import db
from spa_app.homecare.bodymap import check_spots
from spa_app.homecare.models import ConditionRule, Routine
from spa_app.homecare.safety import Rule, Technique
from spa_app.homecare.vocab import Area, Condition, Context, Goal, Kind, Pressure

LIBRARY_FILE = Path(__file__).with_name("library.json")
CONDITIONS_FILE = Path(__file__).with_name("conditions.json")
KNOWN = frozenset(Condition)
RULE_FIELDS = (
    "names_areas",
    "excludes_named_areas",
    "excludes_areas",
    "pauses_all",
    "pressure_cap",
    "therapist_note",
    "client_caution",
)


def load_library(path: Path = LIBRARY_FILE, conditions: Path = CONDITIONS_FILE) -> int:
    """Add the file's routines that the library lacks (by name), and the condition rules it
    lacks; staff edits are kept. Returns how many routines were added. Flushes."""
    have = set(db.session.execute(db.select(Routine.name)).scalars())
    added = 0
    for routine in _routines(path):
        if routine.name not in have:
            db.session.add(routine)
            added += 1
    ruled = set(db.session.execute(db.select(ConditionRule.condition)).scalars())
    db.session.add_all(r for r in _rules(conditions) if r.condition not in ruled)
    db.session.flush()
    return added


def from_files(
    path: Path = LIBRARY_FILE, conditions: Path = CONDITIONS_FILE
) -> tuple[list[Technique], dict[Condition, Rule]]:
    """The library files as the generator reads them, without the database (ids in file
    order, from 1): to check a library change before it is loaded."""
    entries = json.loads(path.read_text())
    rules = json.loads(conditions.read_text())
    return [as_technique(SimpleNamespace(id=n, **e)) for n, e in enumerate(entries, start=1)], {
        Condition(e["key"]): as_rule(SimpleNamespace(condition=e["key"], **e)) for e in rules
    }


def _routines(path: Path) -> list[Routine]:
    """The file's routines as new (unsaved) rows. Raises ValueError for a spot the body map
    does not know (a marker would land nowhere)."""
    entries = json.loads(path.read_text())
    for entry in entries:
        if unknown := check_spots(entry.get("spots", [])):
            raise ValueError(f"{entry['name']}: unknown body-map spots {unknown}")
    return [Routine(**{"active": True, **e, "steps": "\n".join(e["steps"])}) for e in entries]


def _rules(path: Path) -> list[ConditionRule]:
    return [
        ConditionRule(condition=entry["key"], **{f: entry[f] for f in RULE_FIELDS})
        for entry in json.loads(path.read_text())
    ]


class NameInUse(Exception):
    """Another routine already has that name."""


def save_routine(routine: Routine | None, values: dict) -> Routine:
    """Add a routine (``routine`` None) or change one, from a RoutineForm's values. Flushes;
    raises NameInUse (the caller's unit of work then keeps nothing of it)."""
    target = routine or Routine()
    try:
        with db.session.begin_nested():
            for name, value in values.items():
                setattr(target, name, value)
            db.session.add(target)
    except IntegrityError:
        raise NameInUse(values.get("name")) from None
    return target


def save_rule(condition: Condition, values: dict) -> ConditionRule:
    """Set what ticking ``condition`` does, from a ConditionRuleForm's values. Flushes."""
    row = db.session.get(ConditionRule, condition.value) or ConditionRule(condition=condition.value)
    for name, value in values.items():
        setattr(row, name, value)
    db.session.add(row)
    db.session.flush()
    return row


def routines_in_order() -> list[Routine]:
    """The whole library, by area then name (the staff list)."""
    rows = db.session.execute(db.select(Routine).order_by(Routine.area, Routine.name))
    return list(rows.scalars())


def active_routines() -> list[Routine]:
    """The routines offered in suggestions and the editor, by area then name."""
    rows = db.session.execute(
        db.select(Routine).where(Routine.active).order_by(Routine.area, Routine.name)
    )
    return list(rows.scalars())


def techniques() -> list[Technique]:
    """Every active routine, as the generator reads them (one query)."""
    rows = db.session.execute(db.select(Routine).where(Routine.active).order_by(Routine.id))
    return [as_technique(r) for r in rows.scalars()]


def rules() -> dict[Condition, Rule]:
    """Every condition's rule (one query): the database's (loaded, then edited by staff) over
    the shipped ones; a condition with no rule at all gets the strict default
    (safety.rules_for)."""
    rows = db.session.execute(db.select(ConditionRule)).scalars()
    stored = {Condition(r.condition): as_rule(r) for r in rows if r.condition in KNOWN}
    return shipped_rules() | stored


@cache
def shipped_rules() -> dict[Condition, Rule]:
    return from_files()[1]


def area_conditions() -> frozenset[str]:
    """The conditions whose rule asks the client which areas they affect."""
    return frozenset(c.value for c, rule in rules().items() if rule.names_areas)


def as_rule(row: ConditionRule | SimpleNamespace) -> Rule:
    return Rule(
        condition=Condition(row.condition),
        names_areas=row.names_areas,
        excludes_named_areas=row.excludes_named_areas,
        excludes_areas=frozenset(Area(a) for a in row.excludes_areas),
        pauses_all=row.pauses_all,
        pressure_cap=Pressure(row.pressure_cap),
        therapist_note=row.therapist_note,
        client_caution=row.client_caution,
    )


def as_technique(routine: Routine | SimpleNamespace) -> Technique:
    return Technique(
        id=routine.id,
        name=routine.name,
        kind=Kind(routine.kind),
        area=Area(routine.area),
        min_minutes=routine.min_minutes,
        minutes=routine.minutes,
        times_per_week=routine.times_per_week,
        pressure=Pressure(routine.pressure),
        goals=frozenset(Goal(g) for g in routine.goals),
        contexts=frozenset(Context(c) for c in routine.contexts),
        excluded_by=frozenset(Condition(c) for c in routine.excluded_by),
        also_areas=frozenset(Area(a) for a in routine.also_areas),
        deep_tool=routine.deep_tool,
        build_up=routine.build_up,
        time_of_day=routine.time_of_day,
    )
