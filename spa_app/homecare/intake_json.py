"""An intake and a draft as JSON: what ``flask spa suggest-plan`` reads and prints.

In: {"areas": {"neck": 6}, "goals": [...], "contexts": [...], "pressure": "medium",
"minutes_per_day": 15, "conditions": {"recent_injury": ["lower_back"]}, "medicines": ""}.
Only "areas" is required. Out: the draft's items, what was left out and why, and whether the
therapist must review it (see ``draft_json``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from spa_app.homecare.generator import Dose, Draft
from spa_app.homecare.safety import Needs, Technique
from spa_app.homecare.vocab import MINUTES_RANGE, Area, Condition, Context, Goal, Pressure

KEYS = {"areas", "goals", "contexts", "pressure", "minutes_per_day", "conditions", "medicines"}
#: Medicines and allergies are text ("" for none); true stands for "some, not said which".
PRESSURE_NAMES = {p.name.lower(): p for p in Pressure}


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


def draft_json(draft: Draft, library: Mapping[int, Technique], dose: Dose) -> dict:
    """The draft as the README documents it (Monday = 0; pressure by name)."""
    return {
        "items": [
            {
                "routine": library[i.technique_id].name,
                "area": i.area.value,
                "kind": library[i.technique_id].kind.value,
                "minutes": i.minutes,
                "days": list(i.days),
                "pressure": i.pressure.name.lower(),
                "why": i.why.replace("\n", " "),
                "build_up": i.build_up,
            }
            for i in draft.items
        ],
        "left_out": [
            {
                "area": x.area.value,
                "routine": library[x.technique_id].name if x.technique_id else None,
                "reason": x.reason,
            }
            for x in draft.left_out
        ],
        "needs_review": draft.needs_review,
        "review_reasons": list(draft.review_reasons),
        "empty_reason": draft.empty_reason,
        "cautions": list(draft.cautions),
        "session": {"warm_up_minutes": dose.warm_up, "rest_minutes": dose.rest},
    }
