"""The suggested plan: a minimum effective dose, deterministic and explained.

Pure functions over plain values (safety.py says what is allowed), so the rules are easy to test
and to read:

1. Leave out what the intake rules out (safety.exclusion), and say why for each routine.
2. Take the painful areas worst first and give each one routine, the best-suited one that fits
   at its minimum dose, before any area gets a second; stop at the first area that does not fit,
   so a milder area is never served while a worse one waits. The plan stays small
   (``Dose.max_items``); every area left out is listed with the reason.
3. Every day's minutes include the warm-up and the rest afterwards. At most one deep-tool
   routine works an area on any day; days are spread (Mon-Wed-Fri for three a week) to the
   least busy ones.
4. Then lengthen items towards their typical minutes while the day allows.
5. Each item says why it is there and why its pressure is capped; general cautions follow.

The words are written in the current language (the plan's service sets the client's); they
are stored with the plan, so every text here is a plain str.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from functools import reduce

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from spa_app.homecare.plans import findings as found
from spa_app.homecare.safety import (
    MODERATE_PAIN,
    Needs,
    Rule,
    Technique,
    client_cautions,
    exclusion,
    label,
    pain_of,
    pressure_cap,
    review_reasons,
    rules_for,
)
from spa_app.homecare.vocab import (
    CONTEXT_LABELS,
    GOAL_LABELS,
    MINUTES_RANGE,
    PRESSURE_LABELS,
    TIME_OF_DAY_LABELS,
    Area,
    Condition,
    Kind,
    Pressure,
    TimeOfDay,
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


@dataclass(frozen=True)
class Dose:
    """The plan-wide settings: how many items at most, and the minutes every session starts
    and ends with (they count against the client's minutes a day)."""

    max_items: int = 5
    warm_up: int = 1
    rest: int = 2

    @property
    def overhead(self) -> int:
        return self.warm_up + self.rest


DEFAULT_DOSE = Dose()

GENERAL_CAUTIONS = (
    _l(
        "Begin each session with a minute of warming up: rub your hands together and move the "
        "area gently. It is counted in your minutes."
    ),
    _l("Start gently and build up over the days; pressing hard too soon can make things worse."),
    _l("Stop at once if you feel sharp pain, tingling or numbness, and tell your therapist."),
    _l("Breathe slowly while you work, and keep the rest of your body relaxed."),
    _l(
        "Afterwards, drink a glass of water and rest lying down for a couple of minutes; that is "
        "counted in your minutes too."
    ),
)
REVIEWED_CAUTION = _l(
    "You told us about something to be careful of, and your therapist has checked this plan "
    "for it. Keep to the pressure and minutes shown for each routine."
)


def general_cautions() -> list[str]:
    """The cautions of every plan, in the current language."""
    return [str(c) for c in GENERAL_CAUTIONS]


def _and(words: Iterable[str]) -> str:
    """The words joined by "and" ("desk work and sport"), in the current language."""
    return reduce(lambda a, b: _("%(first)s and %(second)s", first=a, second=b), words)


def _sentence(text: str) -> str:
    """``text`` with its first letter a capital."""
    return text[:1].upper() + text[1:]


@dataclass(frozen=True)
class Item:
    technique_id: int
    area: Area
    minutes: int
    days: tuple[int, ...]
    pressure: Pressure
    why: str
    build_up: bool = False


@dataclass(frozen=True)
class LeftOut:
    area: Area
    technique_id: int | None  # None: the whole area
    reason: str


@dataclass(frozen=True)
class Draft:
    items: tuple[Item, ...]
    left_out: tuple[LeftOut, ...]
    cautions: tuple[str, ...]
    review_reasons: tuple[str, ...]

    @property
    def needs_review(self) -> bool:
        return bool(self.review_reasons)

    @property
    def empty_reason(self) -> str:
        """Why nothing was suggested ("" when something was)."""
        if self.items:
            return ""
        if not self.left_out:
            return _("No area was scored above 0 on the intake, so there is nothing to target.")
        reasons = " ".join(
            dict.fromkeys(f"{label(x.area).capitalize()}: {x.reason}" for x in self.left_out)
        )
        return _("Nothing could be suggested: %(reasons)s", reasons=reasons)


class _Week:
    """The minutes already given on each day, and the days each area has deep-tool work."""

    def __init__(self, budget: int):
        self.budget = budget
        self.load = dict.fromkeys(WEEK, 0)
        self.deep: set[tuple[Area, int]] = set()

    def free(self, days: Iterable[int]) -> int:
        return min(self.budget - self.load[d] for d in days)

    def place(self, technique: Technique, minutes: int) -> tuple[int, ...] | None:
        """The rotation of the routine's day pattern that fits ``minutes`` on every day, keeps
        deep-tool work on an area to one a day, and leaves the busiest day least busy."""
        best = None
        for shift in WEEK:
            days = tuple(sorted((d + shift) % 7 for d in DAY_PATTERNS[technique.times_per_week]))
            if technique.deep_tool and any(
                (a, d) in self.deep for a in technique.areas for d in days
            ):
                continue
            if self.free(days) < minutes:
                continue
            busiest = max(self.load[d] for d in days) + minutes
            if best is None or busiest < best[0]:
                best = (busiest, days)
        return None if best is None else best[1]

    def take(self, technique: Technique, minutes: int, days: tuple[int, ...]) -> None:
        for day in days:
            self.load[day] += minutes
            if technique.deep_tool:
                self.deep.update((a, day) for a in technique.areas)


def suggest(
    needs: Needs,
    library: Iterable[Technique],
    rules: Mapping[Condition, Rule],
    dose: Dose = DEFAULT_DOSE,
    findings: Iterable[found.Finding] = (),
) -> Draft:
    """The draft plan for ``needs`` and the therapist's latest ``findings`` (findings.py: they
    move areas up, down or out, never past a safety rule): the same input gives the same
    draft."""
    library = sorted(library, key=lambda t: t.id)
    seen_at_visit = found.by_area(findings)
    ranked = found.ranks(needs.severity, seen_at_visit)
    areas = found.order(ranked, needs.severity)
    left_out = [
        LeftOut(area, None, found.area_left_out(f))
        for area, f in found.avoided(seen_at_visit).items()
        if needs.severity.get(area, 0) > 0
    ]
    candidates = _candidates(areas, library, needs, rules, seen_at_visit, left_out)
    week = _Week(needs.minutes_per_day - dose.overhead)
    chosen = _choose(areas, candidates, ranked, week, dose, left_out)
    chosen = [(t, _lengthen(t, minutes, days, week), days) for t, minutes, days in chosen]
    # "Your worst area" is the intake's worst, whatever a finding moved.
    scored = [a for a in areas if needs.severity.get(a, 0) > 0]
    worst = min(scored, key=lambda a: (-needs.severity[a], list(Area).index(a)), default=None)
    seen, items = set(), []
    for t, minutes, days in chosen:
        again = t.area in seen
        item = _item(t, minutes, days, needs, rules, worst=t.area == worst, again=again)
        if moved := found.note(t.area, needs.severity, seen_at_visit):
            first, _nl, rest = item.why.partition("\n")
            item = replace(item, why=f"{first} {moved}\n{rest}".strip())
        items.append(item)
        seen.add(t.area)
    return Draft(
        tuple(items),
        tuple(left_out),
        tuple(cautions(needs, rules)),
        tuple(review_reasons(needs, rules)),
    )


def _candidates(areas, library, needs, rules, seen_at_visit, left_out: list) -> dict:
    """Each area's allowed routines, best first; a LeftOut for each one ruled out (the safety
    rules' reason first, then an area the therapist asked to avoid) and for an area with none
    left."""
    avoid = found.avoided(seen_at_visit)
    candidates: dict[Area, list[Technique]] = {}
    for area in areas:
        fits = []
        for technique in (t for t in library if t.area == area):
            reason = exclusion(technique, needs, rules) or found.technique_left_out(
                technique, avoid
            )
            if reason:
                left_out.append(LeftOut(area, technique.id, reason))
            else:
                fits.append(technique)
        candidates[area] = sorted(fits, key=lambda t: _rank(t, needs))
        if not fits:
            left_out.append(LeftOut(area, None, _nothing_suitable(area, library)))
    return candidates


def _choose(areas, candidates, ranked, week: _Week, dose: Dose, left_out: list) -> list:
    """One routine per area, worst first, at its minimum dose; from the first area that does
    not fit (time or plan size), the rest are left out with that reason. If every area got
    one, a second for the areas at moderate pain or worse, while the plan has room."""
    chosen: list[tuple[Technique, int, tuple[int, ...]]] = []
    stop = ""
    for area in (a for a in areas if candidates[a]):
        if not stop and len(chosen) >= dose.max_items:
            stop = ngettext(
                "The plan is kept to %(num)d item; more painful areas came first.",
                "The plan is kept to %(num)d items; more painful areas came first.",
                dose.max_items,
            )
        if not stop and not _add(candidates[area], week, chosen):
            stop = _no_time(candidates[area], week, dose, week.budget + dose.overhead)
        if stop:
            left_out.append(LeftOut(area, None, stop))
    if stop:
        return chosen
    for area in areas:
        if ranked[area] >= MODERATE_PAIN and len(chosen) < dose.max_items:
            taken = {t.id for t, _minutes, _days in chosen}
            _add([t for t in candidates[area] if t.id not in taken], week, chosen)
    return chosen


def cautions(needs: Needs, rules) -> list[str]:
    """The plan's cautions for this client: each ticked condition's, then the general ones;
    only the conditions' when one pauses every routine."""
    if any(r.pauses_all for r in rules_for(needs, rules)):
        return client_cautions(needs, rules)
    if needs.conditions:
        return [*client_cautions(needs, rules), str(REVIEWED_CAUTION), *general_cautions()]
    return general_cautions()


def fit(
    technique: Technique,
    planned: Iterable,
    needs: Needs | None,
    rules: Mapping[Condition, Rule],
    dose: Dose = DEFAULT_DOSE,
) -> tuple[int, tuple[int, ...], Pressure]:
    """Minutes, days and pressure for a routine the therapist adds beside ``planned`` (items
    with .technique, .minutes and .days): the capped pressure, its days spread to the least
    busy ones and apart from the area's other tool work, its typical minutes as far as the
    days allow and never below its minimum. Days that cannot hold it are still given (the
    editor then warns that the day is over budget)."""
    budget = (needs.minutes_per_day if needs else max(MINUTES_RANGE)) - dose.overhead
    week = _Week(budget)
    for entry in planned:
        week.take(entry.technique, entry.minutes, tuple(entry.days))
    days = week.place(technique, technique.min_minutes)
    if days is None:  # over budget whatever the days: the least busy rotation
        week.budget = 10**6
        days = (
            week.place(technique, technique.min_minutes) or DAY_PATTERNS[technique.times_per_week]
        )
    minutes = max(technique.min_minutes, min(technique.minutes, week.free(days)))
    pressure = pressure_cap(technique, needs, rules)[0] if needs else technique.pressure
    return minutes, tuple(days), Pressure(pressure)


def _rank(technique: Technique, needs: Needs) -> tuple:
    """Hands-only work before a ball or roller (a therapist starts there), then most of the
    client's goals, then daily contexts, then the smallest minimum dose."""
    return (
        technique.deep_tool,
        -len(technique.goals & needs.goals),
        -len(technique.contexts & needs.contexts),
        technique.min_minutes,
        technique.id,
    )


def _add(candidates, week: _Week, chosen: list) -> bool:
    """Place the best candidate that fits at its minimum dose; False if none fits."""
    for technique in candidates:
        if (days := week.place(technique, technique.min_minutes)) is not None:
            week.take(technique, technique.min_minutes, days)
            chosen.append((technique, technique.min_minutes, days))
            return True
    return False


def _lengthen(technique: Technique, minutes: int, days: tuple[int, ...], week: _Week) -> int:
    extra = max(0, min(technique.minutes - minutes, week.free(days)))
    for day in days:
        week.load[day] += extra
    return minutes + extra


def _nothing_suitable(area: Area, library: list[Technique]) -> str:
    if not any(t.area == area for t in library):
        return _("The library has no routine for this area yet.")
    return _("Nothing suitable: every routine for this area is left out (see each one's reason).")


def _no_time(candidates, week: _Week, dose: Dose, budget: int) -> str:
    shortest = min(candidates, key=lambda t: (t.min_minutes, t.id))
    pattern = DAY_PATTERNS[shortest.times_per_week]
    free = max(week.free(tuple((d + shift) % 7 for d in pattern)) for shift in WEEK)
    return _(
        "No time left: the shortest suitable routine needs %(needs)s minutes on each of its "
        "days, and at most %(free)s of the %(budget)s minutes a day remain there after the "
        "warm-up and rest (%(overhead)s minutes) and any more painful areas.",
        needs=shortest.min_minutes,
        free=max(0, free),
        budget=budget,
        overhead=dose.overhead,
    )


def _item(technique, minutes, days, needs, rules, *, worst: bool, again: bool) -> Item:
    pressure, _why = pressure_cap(technique, needs, rules)
    return Item(
        technique_id=technique.id,
        area=technique.area,
        minutes=minutes,
        days=days,
        pressure=pressure,
        why=f"{reason(technique, needs, worst=worst, again=again)}\n"
        f"{dose_note(technique, needs, rules, minutes, pressure)}".strip(),
        build_up=technique.build_up,
    )


def reason(technique: Technique, needs: Needs, *, worst: bool = False, again: bool = False) -> str:
    """Why the routine is in the plan: the area and its pain, the goals and days it serves."""
    pain, area = pain_of(technique, needs), label(technique.area)
    point = technique.kind is Kind.PRESSURE_POINT
    if not again:
        what = _("A pressure point") if point else _("A routine")
    elif worst:
        what = _("A second pressure point") if point else _("A second routine")
    else:
        what = _("Another pressure point") if point else _("Another routine")
    if not pain:  # an area the intake did not score, raised by the therapist's finding
        first = _("%(what)s for your %(area)s.", what=what, area=area)
    elif worst:
        first = _("%(what)s for your %(area)s (%(pain)s/10, your worst area).", what=what,
                  area=area, pain=pain)  # fmt: skip
    else:
        first = _("%(what)s for your %(area)s (%(pain)s/10).", what=what, area=area, pain=pain)
    parts = [first]
    if goals := [GOAL_LABELS[g].lower() for g in sorted(technique.goals & needs.goals)]:
        parts.append(_("It serves your goals: %(goals)s.", goals=", ".join(goals)))
    if contexts := [CONTEXT_LABELS[c].lower() for c in sorted(technique.contexts & needs.contexts)]:
        parts.append(_("It suits %(contexts)s.", contexts=_and(contexts)))
    return " ".join(parts)


def dose_note(
    technique: Technique, needs: Needs, rules: Mapping[Condition, Rule], minutes: int, pressure
) -> str:
    """What the item's dose means, for the values it has now (the editor calls this after each
    change, so the words never contradict the numbers)."""
    cap, capped = pressure_cap(technique, needs, rules)
    parts = []
    if pressure > cap:
        name = str(PRESSURE_LABELS[Pressure(pressure)]).lower()
        parts.append(_sentence(_("%(pressure)s pressure, set by your therapist.", pressure=name)))
    elif pressure == cap and capped:
        parts.append(capped)
    if minutes < technique.min_minutes or minutes > technique.minutes:
        parts.append(_("%(minutes)s minutes, set by your therapist.", minutes=minutes))
    elif minutes == technique.min_minutes < technique.minutes:
        parts.append(
            _("%(minutes)s minutes, the least that still helps, to fit your day.", minutes=minutes)
        )
    if technique.build_up:
        parts.append(_("Go gently the first week, then build up."))
    if technique.time_of_day:
        when = TIME_OF_DAY_LABELS[TimeOfDay(technique.time_of_day)].lower()
        parts.append(_("Best %(when)s.", when=when))
    return " ".join(parts)
