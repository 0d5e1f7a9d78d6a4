"""The plan editor's guard-rails: what an edited plan breaks of the client's safety rules.

Pure functions: the same rules as the generator (safety.py), read for a plan as the therapist
has it now. A warning does not forbid anything: the therapist may go ahead once they confirm
it, and the confirmation is kept with the plan.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from spa_app.homecare.plans.generator import WEEK, Dose
from spa_app.homecare.safety import Needs, Rule, Technique, exclusion, label, pressure_cap
from spa_app.homecare.vocab import PRESSURE_LABELS, Area, Condition, Pressure

WEEKDAYS = (
    _l("Monday"), _l("Tuesday"), _l("Wednesday"), _l("Thursday"), _l("Friday"), _l("Saturday"),
    _l("Sunday"),
)  # fmt: skip


@dataclass(frozen=True)
class Entry:
    """A plan item as the checks read it."""

    name: str
    technique: Technique
    minutes: int
    days: tuple[int, ...]
    pressure: int


def day_totals(entries: Iterable[Entry], dose: Dose) -> list[int]:
    """Minutes on each weekday (Monday first), with the warm-up and rest on days with any."""
    totals = [0] * 7
    for entry in entries:
        for day in entry.days:
            totals[day] += entry.minutes
    return [t + dose.overhead if t else 0 for t in totals]


def warnings(
    entries: list[Entry], needs: Needs | None, rules: Mapping[Condition, Rule], dose: Dose
) -> list[str]:
    """Every rule the plan breaks, one sentence each: per item, then tool work, then per day."""
    found = [w for entry in entries for w in _item_warnings(entry, needs, rules)]
    found += _tool_warnings(entries)
    if needs is not None:
        over: dict[int, list[str]] = {}
        for day, total in zip(WEEK, day_totals(entries, dose), strict=True):
            if total > needs.minutes_per_day:
                over.setdefault(total, []).append(str(WEEKDAYS[day]))
        for total, days in over.items():
            found.append(
                _(
                    "%(days)s: %(total)s minutes with the warm-up and rest, more than the "
                    "%(budget)s the client has.",
                    days=", ".join(days),
                    total=total,
                    budget=needs.minutes_per_day,
                )
            )
    return list(dict.fromkeys(found))


def _item_warnings(entry: Entry, needs: Needs | None, rules) -> list[str]:
    t, found = entry.technique, []
    if needs is not None:
        if reason := exclusion(t, needs, rules):
            found.append(f"{entry.name}: {reason}")
        cap, why = pressure_cap(t, needs, rules)
        if entry.pressure > cap:
            # The reason from its third word on: "because of pregnancy", "while the pain is 8/10".
            because = f" ({why.split(' ', 2)[-1].rstrip('.')})" if why else ""
            above = _(
                "%(pressure)s pressure is above this client's cap of %(cap)s%(because)s.",
                pressure=str(PRESSURE_LABELS[Pressure(entry.pressure)]).lower(),
                cap=str(PRESSURE_LABELS[cap]).lower(),
                because=because,
            )
            found.append(f"{entry.name}: {_sentence(above)}")
    if entry.pressure > t.pressure:
        found.append(
            _(
                "%(routine)s: the routine calls for %(pressure)s pressure at most.",
                routine=entry.name,
                pressure=str(PRESSURE_LABELS[Pressure(t.pressure)]).lower(),
            )
        )
    if entry.minutes < t.min_minutes:
        found.append(
            _(
                "%(routine)s: %(minutes)s minutes is below the %(least)s that still help.",
                routine=entry.name,
                minutes=entry.minutes,
                least=t.min_minutes,
            )
        )
    return found


def _tool_warnings(entries: list[Entry]) -> list[str]:
    """Two deep-tool routines on one area on the same day."""
    found, first = [], {}
    for entry in (e for e in entries if e.technique.deep_tool):
        for day in entry.days:
            for area in sorted(entry.technique.areas, key=list(Area).index):
                other = first.setdefault((area, day), entry.name)
                if other != entry.name:
                    found.append(
                        _(
                            "%(day)s: %(first)s and %(second)s both press on the %(area)s with "
                            "a tool; one a day is enough.",
                            day=WEEKDAYS[day],
                            first=other,
                            second=entry.name,
                            area=label(area),
                        )
                    )
    return found


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]
