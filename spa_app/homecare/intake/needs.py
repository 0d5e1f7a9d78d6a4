"""What the generator and the editor's checks need from an intake (safety.Needs): from a
client's saved intake, or from intake JSON (what ``flask spa suggest-plan`` reads).

The JSON: {"areas": {"neck": 6}, "goals": [...], "contexts": [...], "pressure": "medium",
"minutes_per_day": 15, "conditions": {"recent_injury": ["lower_back"]}, "medicines": ""}.
Only "areas" is required.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from spa_app.homecare.safety import Needs
from spa_app.homecare.vocab import MINUTES_RANGE, Area, Condition, Context, Goal, Pressure

KEYS = {"areas", "goals", "contexts", "pressure", "minutes_per_day", "conditions", "medicines"}
#: Medicines and allergies are text ("" for none); true stands for "some, not said which".
PRESSURE_NAMES = {p.name.lower(): p for p in Pressure}

if TYPE_CHECKING:
    from spa_app.homecare.models import Intake


def needs_from(intake: Intake) -> Needs:
    """What the generator and the editor's checks read from an intake ("somewhere else" names
    no area of ours, so it excludes nothing; the condition still asks for review)."""
    areas = set(Area)
    return Needs(
        severity={Area(a): int(s) for a, s in intake.severity.items()},
        goals=frozenset(Goal(g) for g in intake.goals),
        contexts=frozenset(Context(c) for c in intake.contexts),
        pressure=Pressure(intake.pressure),
        minutes_per_day=intake.minutes_per_day,
        conditions={
            Condition(c): frozenset(
                Area(a) for a in intake.condition_areas.get(c, ()) if a in areas
            )
            for c in intake.conditions
        },
        checklist_answered=bool(intake.conditions) or intake.no_conditions,
        medicines=intake.medicines,
        note=intake.condition_note,
    )


class IntakeError(ValueError):
    """The JSON is not an intake we understand; the message says what to fix, in one line."""


def _one_of(kind, value, where: str):
    try:
        return kind(value)
    except (ValueError, TypeError):
        names = ", ".join(v.value for v in kind)
        raise IntakeError(f"{where}: unknown value {value!r} (expected one of: {names})") from None


def _list_of(kind, values, where: str) -> frozenset:
    if not isinstance(values, list):
        raise IntakeError(f"{where}: expected a list")
    return frozenset(_one_of(kind, v, where) for v in values)


def _whole(value, low: int, high: int, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise IntakeError(f"{where}: expected a whole number from {low} to {high}, got {value!r}")
    return value


def parse_intake(text: str) -> Needs:
    """The generator's input from intake JSON. Raises IntakeError."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise IntakeError(f"not valid JSON: {exc.msg} (line {exc.lineno})") from None
    if not isinstance(data, dict):
        raise IntakeError('expected a JSON object with at least an "areas" key')
    if unknown := sorted(set(data) - KEYS):
        raise IntakeError(f"unknown key {unknown[0]!r} (known: {', '.join(sorted(KEYS))})")
    areas = data.get("areas")
    if not isinstance(areas, dict):
        raise IntakeError('"areas": expected an object such as {"neck": 6}')
    pressure = data.get("pressure", "medium")
    if not isinstance(pressure, str) or pressure not in PRESSURE_NAMES:
        raise IntakeError(f'"pressure": expected light, medium or firm, got {pressure!r}')
    conditions = data.get("conditions", {})
    if not isinstance(conditions, dict):
        raise IntakeError('"conditions": expected an object such as {"pregnancy": []}')
    medicines = data.get("medicines", "")
    if not isinstance(medicines, str | bool):
        raise IntakeError('"medicines": expected text')
    return Needs(
        severity={
            _one_of(Area, a, '"areas"'): _whole(s, 0, 10, f'"areas"."{a}"')
            for a, s in areas.items()
        },
        goals=_list_of(Goal, data.get("goals", []), '"goals"'),
        contexts=_list_of(Context, data.get("contexts", []), '"contexts"'),
        pressure=PRESSURE_NAMES[pressure],
        minutes_per_day=_whole(
            data.get("minutes_per_day", 15), *MINUTES_RANGE, '"minutes_per_day"'
        ),  # fmt: skip
        conditions={
            _one_of(Condition, c, '"conditions"'): _list_of(Area, named, f'"conditions"."{c}"')
            for c, named in conditions.items()
        },
        medicines=("listed" if medicines is True else medicines or ""),
    )
