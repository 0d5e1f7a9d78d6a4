"""The generator with the therapist's findings, over random intakes, libraries, rules and
findings: "avoid" always leaves the area out, raising an area never drops another unless the
plan's size or the day's minutes do, and no finding ever lifts a safety exclusion or a cap."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from spa_app.homecare.plans import findings as found
from spa_app.homecare.plans.checks import Entry, warnings
from spa_app.homecare.plans.findings import Finding
from spa_app.homecare.plans.generator import suggest
from spa_app.homecare.safety import exclusion, pressure_cap
from spa_app.homecare.vocab import Area
from tests.homecare.test_generator_properties import (
    CROWDED_OUT,
    doses,
    intakes,
    libraries,
    rule_sets,
)

DAY = date(2026, 12, 3)
REASON = "bruised-after-a-fall"

finding_lists = st.lists(
    st.builds(
        Finding,
        area=st.sampled_from(list(Area)),
        tension=st.none() | st.integers(0, 10),
        day=st.just(DAY),
        avoid=st.sampled_from([False, False, False, True]),
        reason=st.just(REASON),
    ),
    unique_by=lambda f: f.area,
    max_size=6,
)


def served(draft) -> set[Area]:
    return {i.area for i in draft.items}


def whole_area_reasons(draft) -> dict[Area, str]:
    return {x.area: x.reason for x in draft.left_out if x.technique_id is None}


def lost_to_an_avoided_area(draft, area: Area) -> bool:
    """Every routine for ``area`` is left out, at least one because it also works an area the
    therapist asked to leave alone (the rest for a safety rule)."""
    theirs = [x.reason for x in draft.left_out if x.area == area and x.technique_id]
    return any("asked to leave alone" in why for why in theirs)


# Drawing a library is most of each example's time, so the two properties of the same inputs
# share one test (and its examples) rather than each drawing its own.
@settings(max_examples=150, deadline=None)
@given(intakes, libraries(), rule_sets, doses, finding_lists)
def test_findings_keep_every_safety_rule_and_move_only_their_areas(
    n, library, rules, dose, findings
):
    findings_never_lift_a_safety_rule_and_avoid_always_excludes(n, library, rules, dose, findings)
    a_moved_area_never_drops_another_unless_the_dose_limits_do(n, library, rules, dose, findings)


def findings_never_lift_a_safety_rule_and_avoid_always_excludes(n, library, rules, dose, findings):
    draft = suggest(n, library, rules, dose, findings)
    by_id = {t.id: t for t in library}
    avoid = {f.area for f in findings if f.avoid}
    for item in draft.items:
        t = by_id[item.technique_id]
        # No routine works an area to avoid, not even as a second area of a sequence.
        assert not t.areas & avoid
        # Safety exactly as without findings: nothing excluded comes in, no cap is lifted.
        assert exclusion(t, n, rules) is None
        assert item.pressure == pressure_cap(t, n, rules)[0] <= n.pressure
        assert t.min_minutes <= item.minutes <= t.minutes
    # Each area to avoid that the intake scored is listed as left out with the therapist's
    # reason; each routine left out by a safety rule still says the safety rule's reason.
    reasons = whole_area_reasons(draft)
    for area in avoid:
        if n.severity.get(area, 0) > 0:
            assert REASON in reasons[area] and area not in served(draft)
    listed = {x.technique_id: x.reason for x in draft.left_out if x.technique_id}
    for t in library:
        if t.area in served(draft) and (why := exclusion(t, n, rules)):
            assert listed[t.id] == why
    # The budget and the size hold; the editor's guard-rails find nothing to warn about.
    assert len(draft.items) <= dose.max_items
    for day in range(7):
        minutes = sum(i.minutes for i in draft.items if day in i.days)
        assert minutes == 0 or minutes + dose.overhead <= n.minutes_per_day
    entries = [Entry(by_id[i.technique_id].name, by_id[i.technique_id], i.minutes, i.days,
                     int(i.pressure)) for i in draft.items]  # fmt: skip
    assert warnings(entries, n, rules, dose) == []
    # The same input, the same draft.
    assert suggest(n, list(reversed(library)), rules, dose, list(reversed(findings))) == draft


def a_moved_area_never_drops_another_unless_the_dose_limits_do(n, library, rules, dose, findings):
    """Compared with the same intake and no findings: every area served before and not to be
    avoided now is served still, or left out because the plan is full or the day has no
    minutes left (a raised area came first), or because its routines also work an area to
    avoid; a raised area is served or crowded out, never
    behind an area ranked lower."""
    before = suggest(n, library, rules, dose)
    after = suggest(n, library, rules, dose, findings)
    avoid = {f.area for f in findings if f.avoid}
    reasons = whole_area_reasons(after)
    for area in served(before) - avoid:
        assert (
            area in served(after)
            or reasons[area].startswith(CROWDED_OUT)
            or lost_to_an_avoided_area(after, area)
        ), area
    seen = found.by_area(findings)
    ranked = found.ranks(n.severity, seen)
    for area in (a for a in ranked if found.change(a, n.severity, seen) == "raised"):
        if area in served(after) or not reasons.get(area, "").startswith(CROWDED_OUT):
            continue
        # Crowded out: then every area served ranks at least as high.
        assert all(ranked[b] >= ranked[area] for b in served(after))
    # Areas come in rank order (each area's first item), and each moved one says so.
    firsts = list(dict.fromkeys(i.area for i in after.items))
    assert firsts == [a for a in found.order(ranked, n.severity) if a in firsts]
    for area in firsts:
        first = next(i for i in after.items if i.area == area).why.split("\n")[0]
        moved = found.change(area, n.severity, seen)
        assert ("Raised: your therapist found" in first) == (moved == "raised")
        assert ("Lowered: your therapist found" in first) == (moved == "lowered")


@settings(max_examples=80, deadline=None)
@given(intakes, libraries(), rule_sets, doses, st.data())
def test_a_finding_that_moves_nothing_changes_nothing(n, library, rules, dose, data):
    """A finding between "easy" and "tense", or no higher or lower than the intake said, and
    not to avoid, leaves the draft exactly as it was."""
    area = data.draw(st.sampled_from(list(Area)))
    said = n.severity.get(area, 0)
    # Drawn from the scores that move nothing (never empty: the intake's own score is one),
    # rather than filtered, so no example is thrown away.
    still = [t for t in range(11) if not (t >= found.RAISE_AT and t > said)
             and not (t <= found.LOWER_AT and t < said)]  # fmt: skip
    tension = data.draw(st.sampled_from(still))
    finding = Finding(area, tension, DAY)
    assert suggest(n, library, rules, dose, [finding]) == suggest(n, library, rules, dose)
