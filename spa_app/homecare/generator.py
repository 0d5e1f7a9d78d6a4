"""The suggested plan: a deterministic, explainable draft from a client's intake and the library.

Pure functions over plain values, so the rules are easy to test and to read:

1. Leave out what the intake rules out: routines whose conditions the client has, routines for
   an area with a skin condition, and everything while there is a fever or infection.
2. Cap the pressure: the client's preference, the routine's own, light when the area's pain is
   7 or more (medium from 4), and light whenever a contraindication is ticked.
3. Take the areas worst first; in rounds, give each area its best remaining routine (most goals
   served, then most daily contexts suited, then shortest) while every scheduled day stays
   within the minutes the client has. A routine that does not fit at its usual length may run
   at half; its days are spread to the least busy ones.
4. Say, for every item, why it is there; add the general cautions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from spa_app.homecare.vocab import (
    AREA_LABELS,
    CONTEXT_LABELS,
    GOAL_LABELS,
    Area,
    Condition,
    Context,
    Goal,
    Kind,
    Pressure,
)

WEEK = range(7)  # Monday = 0
#: Which weekdays a routine done n times a week falls on, before spreading (rotation).
DAY_PATTERNS = {
    7: (0, 1, 2, 3, 4, 5, 6),
    6: (0, 1, 2, 3, 4, 5),
    5: (0, 1, 2, 3, 4),
    4: (0, 1, 3, 4),
    3: (0, 2, 4),
    2: (1, 4),
    1: (2,),
}
HIGH_PAIN, MODERATE_PAIN = 7, 4
SHORTEST = 2  # minutes: a routine is never cut below this

GENERAL_CAUTIONS = (
    "Warm the area up first: rub your hands together or move the joint gently for a minute.",
    "Start gently and build up over the days; deep pressure too soon can make things worse.",
    "Stop at once if you feel sharp pain, tingling or numbness, and tell your therapist.",
    "Breathe slowly and deeply while you work, and keep the rest of your body relaxed.",
    "Drink plenty of water, and rest lying down for a few minutes afterwards.",
)
REVIEWED_CAUTION = (
    "You told us about something to be careful of: your therapist has checked this plan for "
    "it. Keep to light pressure."
)
FEVER_CAUTION = (
    "Please wait until the fever or infection has passed before starting these routines, and "
    "ask your therapist for a fresh plan if you are unsure."
)


@dataclass(frozen=True)
class Needs:
    """What the generator reads from an intake."""

    severity: Mapping[Area, int]
    goals: frozenset[Goal]
    contexts: frozenset[Context]
    pressure: Pressure
    minutes_per_day: int
    conditions: frozenset[Condition]
    skin_areas: frozenset[Area] = frozenset()


@dataclass(frozen=True)
class Technique:
    """What the generator reads from a library routine."""

    id: int
    name: str
    kind: Kind
    area: Area
    minutes: int
    times_per_week: int
    pressure: Pressure
    goals: frozenset[Goal]
    contexts: frozenset[Context]
    excluded_by: frozenset[Condition]


@dataclass(frozen=True)
class Item:
    technique_id: int
    minutes: int
    days: tuple[int, ...]
    pressure: Pressure
    why: str


@dataclass(frozen=True)
class Draft:
    items: tuple[Item, ...]
    cautions: tuple[str, ...]
    needs_review: bool  # a contraindication is ticked: the therapist must confirm a review


def excluded(technique: Technique, needs: Needs) -> bool:
    """Whether the intake rules ``technique`` out."""
    if Condition.FEVER_INFECTION in needs.conditions:
        return True
    if technique.excluded_by & needs.conditions:
        return True
    return Condition.SKIN_CONDITION in needs.conditions and technique.area in needs.skin_areas


def pressure_cap(technique: Technique, needs: Needs) -> Pressure:
    """The most pressure ``technique`` may use for this client."""
    cap = min(needs.pressure, technique.pressure)
    pain = needs.severity.get(technique.area, 0)
    if pain >= HIGH_PAIN or needs.conditions:
        cap = Pressure.LIGHT
    elif pain >= MODERATE_PAIN:
        cap = min(cap, Pressure.MEDIUM)
    return Pressure(cap)


def suggest(needs: Needs, library: Iterable[Technique]) -> Draft:
    """The draft plan for ``needs`` from ``library``: the same input gives the same draft."""
    areas = sorted(
        (area for area, pain in needs.severity.items() if pain > 0),
        key=lambda area: (-needs.severity[area], list(Area).index(area)),
    )
    candidates = {
        area: sorted(
            (t for t in library if t.area == area and not excluded(t, needs)),
            key=lambda t: (
                -len(t.goals & needs.goals),
                -len(t.contexts & needs.contexts),
                t.minutes,
                t.id,
            ),
        )  # fmt: skip
        for area in areas
    }
    load = dict.fromkeys(WEEK, 0)
    items: list[Item] = []
    rank = 0
    while any(rank < len(c) for c in candidates.values()):
        for area in areas:
            if rank >= len(candidates[area]):
                continue
            technique = candidates[area][rank]
            if (placed := _place(technique, load, needs.minutes_per_day)) is None:
                continue
            minutes, days = placed
            for day in days:
                load[day] += minutes
            worst = area == areas[0]
            items.append(
                Item(
                    technique_id=technique.id,
                    minutes=minutes,
                    days=days,
                    pressure=pressure_cap(technique, needs),
                    why=_why(technique, needs, minutes, worst=worst),
                )
            )
        rank += 1
    cautions = list(GENERAL_CAUTIONS)
    if needs.conditions:
        cautions.insert(0, REVIEWED_CAUTION)
    if Condition.FEVER_INFECTION in needs.conditions:
        cautions.insert(0, FEVER_CAUTION)
    return Draft(tuple(items), tuple(cautions), needs_review=bool(needs.conditions))


def _place(technique: Technique, load: dict[int, int], budget: int):
    """(minutes, days) for ``technique`` within ``budget`` minutes a day, or None.

    Tries the usual length, then half; of the pattern's seven rotations, the one whose busiest
    day ends up least busy (the earliest rotation on a tie).
    """
    pattern = DAY_PATTERNS[technique.times_per_week]
    lengths = dict.fromkeys((technique.minutes, max(SHORTEST, technique.minutes // 2)))
    for minutes in lengths:
        best = None
        for shift in WEEK:
            days = tuple(sorted((day + shift) % 7 for day in pattern))
            busiest = max(load[day] for day in days) + minutes
            if busiest <= budget and (best is None or busiest < best[0]):
                best = (busiest, days)
        if best is not None:
            return minutes, best[1]
    return None


def _why(technique: Technique, needs: Needs, minutes: int, *, worst: bool) -> str:
    area = AREA_LABELS[technique.area].lower()
    pain = needs.severity[technique.area]
    what = "A pressure point" if technique.kind is Kind.PRESSURE_POINT else "A routine"
    parts = [f"{what} for your {area} ({pain}/10{', your worst area' if worst else ''})."]
    goals = [GOAL_LABELS[g].lower() for g in sorted(technique.goals & needs.goals)]
    if goals:
        parts.append(f"It serves your goals: {', '.join(goals)}.")
    contexts = [CONTEXT_LABELS[c].lower() for c in sorted(technique.contexts & needs.contexts)]
    if contexts:
        parts.append(f"It suits {' and '.join(contexts)}.")
    cap = pressure_cap(technique, needs)
    if needs.conditions:
        parts.append("Light pressure, because of what you told us to be careful of.")
    elif pain >= HIGH_PAIN:
        parts.append("Light pressure while the pain is high.")
    elif cap < min(needs.pressure, technique.pressure):
        parts.append("Medium pressure at most while the pain is moderate.")
    if minutes < technique.minutes:
        parts.append(f"Shortened to {minutes} minutes to fit your day.")
    return " ".join(parts)
