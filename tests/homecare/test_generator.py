"""The suggested plan: examples that show each rule, and properties that hold for any input."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from spa_app.homecare.generator import (
    FEVER_CAUTION,
    GENERAL_CAUTIONS,
    REVIEWED_CAUTION,
    Needs,
    Technique,
    excluded,
    pressure_cap,
    suggest,
)
from spa_app.homecare.library import LIBRARY_FILE
from spa_app.homecare.vocab import MINUTES_RANGE, Area, Condition, Context, Goal, Kind, Pressure

LIBRARY = tuple(
    Technique(
        id=n,
        name=e["name"],
        kind=Kind(e["kind"]),
        area=Area(e["area"]),
        minutes=e["minutes"],
        times_per_week=e["times_per_week"],
        pressure=Pressure(e["pressure"]),
        goals=frozenset(map(Goal, e["goals"])),
        contexts=frozenset(map(Context, e["contexts"])),
        excluded_by=frozenset(map(Condition, e["excluded_by"])),
    )
    for n, e in enumerate(json.loads(LIBRARY_FILE.read_text()), start=1)
)
BY_ID = {t.id: t for t in LIBRARY}


def needs(**overrides) -> Needs:
    values = {
        "severity": {Area.NECK: 7, Area.LOWER_BACK: 4},
        "goals": frozenset({Goal.PAIN_RELIEF}),
        "contexts": frozenset({Context.DESK_WORK}),
        "pressure": Pressure.FIRM,
        "minutes_per_day": 15,
        "conditions": frozenset(),
        "skin_areas": frozenset(),
    }
    return Needs(**{**values, **overrides})


def daily_minutes(draft) -> dict[int, int]:
    load = dict.fromkeys(range(7), 0)
    for item in draft.items:
        for day in item.days:
            load[day] += item.minutes
    return load


def test_the_worst_area_comes_first_and_each_item_says_why():
    draft = suggest(needs(), LIBRARY)
    areas = [BY_ID[i.technique_id].area for i in draft.items]
    assert areas[0] is Area.NECK and Area.LOWER_BACK in areas
    first = draft.items[0]
    assert first.why.startswith("A routine for your neck (7/10, your worst area).")
    assert "Light pressure while the pain is high." in first.why
    assert all(item.why for item in draft.items)
    assert draft.cautions == GENERAL_CAUTIONS and not draft.needs_review


def test_pressure_is_light_for_high_pain_and_at_most_medium_for_moderate():
    draft = suggest(needs(), LIBRARY)  # neck 7/10, lower back 4/10, firm preferred
    by_area = {}
    for item in draft.items:
        by_area.setdefault(BY_ID[item.technique_id].area, set()).add(item.pressure)
    assert by_area[Area.NECK] == {Pressure.LIGHT}
    assert by_area[Area.LOWER_BACK] and max(by_area[Area.LOWER_BACK]) == Pressure.MEDIUM


def test_a_contraindication_caps_everything_light_excludes_routines_and_asks_for_review():
    draft = suggest(needs(conditions=frozenset({Condition.PREGNANCY})), LIBRARY)
    names = {BY_ID[i.technique_id].name for i in draft.items}
    assert "Base-of-the-spine pressure point" not in names
    assert {i.pressure for i in draft.items} == {Pressure.LIGHT}
    assert draft.needs_review and draft.cautions[0] == REVIEWED_CAUTION


def test_a_skin_condition_leaves_that_area_out():
    draft = suggest(
        needs(conditions=frozenset({Condition.SKIN_CONDITION}), skin_areas=frozenset({Area.NECK})),
        LIBRARY,
    )
    assert draft.items and Area.NECK not in {BY_ID[i.technique_id].area for i in draft.items}


def test_a_fever_means_no_routines_until_it_has_passed():
    draft = suggest(needs(conditions=frozenset({Condition.FEVER_INFECTION})), LIBRARY)
    assert draft.items == () and draft.cautions[0] == FEVER_CAUTION


def test_a_short_day_gets_fewer_or_shortened_routines():
    draft = suggest(needs(minutes_per_day=5), LIBRARY)
    assert draft.items and max(daily_minutes(draft).values()) <= 5


def test_no_tension_no_routines():
    assert suggest(needs(severity={}), LIBRARY).items == ()


areas = st.dictionaries(st.sampled_from(list(Area)), st.integers(0, 10), max_size=6)
needs_strategy = st.builds(
    Needs,
    severity=areas,
    goals=st.frozensets(st.sampled_from(list(Goal))),
    contexts=st.frozensets(st.sampled_from(list(Context))),
    pressure=st.sampled_from(list(Pressure)),
    minutes_per_day=st.integers(*MINUTES_RANGE),
    conditions=st.frozensets(st.sampled_from(list(Condition))),
    skin_areas=st.frozensets(st.sampled_from(list(Area))),
)
library_strategy = st.lists(st.sampled_from(LIBRARY), unique=True).map(tuple)


@settings(max_examples=300, deadline=None)
@given(needs_strategy, library_strategy)
def test_properties_hold_for_any_intake_and_library(n, library):
    draft = suggest(n, library)
    # Never more minutes on any day than the client has.
    assert max(daily_minutes(draft).values()) <= n.minutes_per_day
    # Never an excluded routine, never one twice, never an area without tension.
    chosen = [BY_ID[i.technique_id] for i in draft.items]
    assert not any(excluded(t, n) for t in chosen)
    assert len({t.id for t in chosen}) == len(chosen)
    assert all(n.severity.get(t.area, 0) > 0 for t in chosen)
    # Never more pressure than the cap, never more than the client likes.
    for item, t in zip(draft.items, chosen, strict=True):
        assert item.pressure <= pressure_cap(t, n) <= n.pressure
        assert len(item.days) == t.times_per_week and item.minutes <= t.minutes
    # Same input, same plan, whatever order the library comes in.
    assert suggest(n, library) == draft
    assert suggest(n, tuple(reversed(library))) == draft
