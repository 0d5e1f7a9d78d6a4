"""The care loop's grid, reading and flags over generated plans, tick histories and scores: a
halving is always flagged, a steady client never is, days still to come, after the plan's end or
before its start never count, a week is seven days over a clock change, and the reading never
gives a number that is not in the grid."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

from hypothesis import example, given, settings
from hypothesis import strategies as st

from spa_app.homecare.loop.grid import last_day
from spa_app.homecare.loop.reading import (
    SCORE_RISE,
    FlagKind,
    Routine,
    Tick,
    flags,
    grid,
    reading,
    weeks,
)
from spa_app.homecare.vocab import Area

starts = st.dates(date(2025, 1, 1), date(2028, 12, 31))
notes = st.none() | st.integers(0, 10)


@st.composite
def routine_sets(draw) -> tuple[Routine, ...]:
    size = draw(st.integers(1, 3))
    return tuple(
        Routine(n, f"Routine {n}", draw(st.frozensets(st.integers(0, 6), min_size=1)))
        for n in range(1, size + 1)
    )


@st.composite
def loose(draw):
    """Any plan and any ticks, near it or not (some of unknown routines): (routines, ticks,
    start, end, today)."""
    start, routines = draw(starts), draw(routine_sets())
    today = start + timedelta(days=draw(st.integers(-3, 60)))
    end = draw(st.none() | st.integers(-3, 60).map(lambda n: start + timedelta(days=n)))
    tick = st.builds(
        Tick,
        routine_id=st.integers(1, 4),
        day=st.integers(-10, 70).map(lambda n: start + timedelta(days=n)),
        discomfort=notes,
    )
    return routines, draw(st.lists(tick, max_size=60)), start, end, today


def slots(routines, first: date) -> list[tuple[int, date]]:
    days = [first + timedelta(days=n) for n in range(7)]
    return [(r.id, d) for d in days for r in routines if d.weekday() in r.weekdays]


@st.composite
def histories(draw, counts):
    """Whole weeks then an open one: ``counts(planned, weeks)`` draws how many of each whole
    week's planned routines were done (which ones is drawn too). (routines, ticks, start,
    today)."""
    start, routines = draw(starts), draw(routine_sets())
    whole = draw(st.integers(2, 6))
    today = start + timedelta(days=7 * whole + draw(st.integers(0, 6)))
    planned = sum(len(r.weekdays) for r in routines)
    ticks = []
    for w, done in enumerate(draw(counts(planned, whole))):
        chosen = draw(st.permutations(slots(routines, start + timedelta(days=7 * w))))[:done]
        ticks += [Tick(rid, day, draw(notes)) for rid, day in chosen]
    open_week = [s for s in slots(routines, start + timedelta(days=7 * whole)) if s[1] <= today]
    ticks += [
        Tick(rid, day)
        for rid, day in draw(st.lists(st.sampled_from(open_week)) if open_week else st.just([]))
    ]
    return routines, ticks, start, today


def any_counts(planned, whole):
    return st.lists(st.integers(0, planned), min_size=whole, max_size=whole)


def steady_counts(planned, whole):
    return st.lists(st.integers(-(-4 * planned // 5), planned), min_size=whole, max_size=whole)


@st.composite
def halving_counts(draw, planned, whole):
    """Any counts, with a week at 60% or more and a later one at half of it or less."""
    counts = draw(any_counts(planned, whole))
    earlier = draw(st.integers(0, whole - 2))
    later = draw(st.integers(earlier + 1, whole - 1))
    counts[earlier] = draw(st.integers(-(-3 * planned // 5), planned))
    counts[later] = draw(st.integers(0, counts[earlier] // 2))
    return counts


def read_weeks(g):
    return [r for r in g.rows if r.span.settled and r.total.planned]


def drop_weeks(g) -> set[int]:
    return {f.week for f in flags(g) if f.kind is FlagKind.DROP_OFF}


@settings(max_examples=150, deadline=None)
@given(histories(halving_counts))
def test_a_halving_is_always_flagged_and_read(history):
    routines, ticks, start, today = history
    g = grid(routines, ticks, start, None, today)
    rows, halved = read_weeks(g), set()
    for i, row in enumerate(rows):
        for before in rows[:i]:
            if before.total.share >= Fraction(3, 5) and row.total.share * 2 <= before.total.share:
                halved.add(row.span.number)
    assert halved  # the strategy always makes one
    assert halved <= drop_weeks(g)
    if rows[-1].span.number in halved:
        assert reading(g).startswith(("Kept to it", "Down by half", "Nothing done"))


@settings(max_examples=150, deadline=None)
@given(histories(steady_counts))
def test_a_steady_client_is_never_flagged_as_dropping_off(history):
    routines, ticks, start, today = history
    g = grid(routines, ticks, start, None, today)
    assert all(r.total.share >= Fraction(4, 5) for r in read_weeks(g))
    assert drop_weeks(g) == set()
    assert reading(g).startswith(("Steady", "Slipping", "Picking up"))


@settings(max_examples=120, deadline=None)
@given(loose(), st.data())
def test_a_day_still_to_come_or_before_the_start_never_counts(plan, data):
    routines, ticks, start, end, today = plan
    last = last_day(end, today)
    outside = st.one_of(
        st.integers(1, 30).map(lambda n: last + timedelta(days=n)),
        st.integers(1, 30).map(lambda n: start - timedelta(days=n)),
    )
    more = data.draw(st.lists(st.builds(Tick, st.integers(1, 4), outside, notes), min_size=1))
    g, with_more = (
        grid(routines, ticks, start, end, today),
        grid(routines, ticks + more, start, end, today),
    )
    assert with_more == g
    assert (reading(with_more), flags(with_more)) == (reading(g), flags(g))
    assert all(start <= t.day <= last for t in g.ticks)


@settings(max_examples=120, deadline=None)
@given(loose())
def test_cells_never_count_more_than_planned(plan):
    g = grid(*plan)
    for row in g.rows:
        for routine, cell in zip(g.routines, row.cells, strict=True):
            days = row.span.dates()
            assert cell.planned == sum(1 for d in days if d.weekday() in routine.weekdays)
            assert 0 <= cell.done <= cell.planned
            assert cell.done + cell.extra == sum(
                1 for t in g.ticks if t.routine_id == routine.id and t.day in days
            )


@settings(max_examples=200, deadline=None)
@given(starts, st.integers(-3, 90), st.none() | st.integers(-3, 90))
@example(date(2026, 10, 22), 20, None)  # Sunday 25 October 2026: the clocks go back
@example(date(2027, 3, 25), 20, None)  # Sunday 28 March 2027: they go forward
def test_weeks_are_seven_local_days_from_the_start_over_any_clock_change(start, ahead, stop):
    today = start + timedelta(days=ahead)
    end = None if stop is None else start + timedelta(days=stop)
    spans = weeks(start, end, today)
    last = last_day(end, today)
    assert [s.number for s in spans] == list(range(1, len(spans) + 1))
    assert [s.first for s in spans] == [start + timedelta(days=7 * n) for n in range(len(spans))]
    assert all(s.days == 7 for s in spans[:-1])
    assert not spans or (spans[-1].last == last and 1 <= spans[-1].days <= 7)
    daily = grid([Routine(1, "Daily", frozenset(range(7)))], [], start, end, today)
    assert [r.total.planned for r in daily.rows] == [s.days for s in spans]
    madrid = ZoneInfo("Europe/Madrid")
    for s in spans[:-1]:  # seven local days, though not always 7 x 24 hours
        midnights = [datetime.combine(d, time(), madrid) for d in (s.first, s.last + timedelta(1))]
        assert abs(midnights[1] - midnights[0] - timedelta(days=7)) <= timedelta(hours=1)


@settings(max_examples=150, deadline=None)
@given(loose() | histories(any_counts).map(lambda h: (h[0], h[1], h[2], None, h[3])))
def test_the_reading_gives_only_numbers_in_the_grid(plan):
    g = grid(*plan)
    known = {r.span.number for r in g.rows}
    for i, first in enumerate(g.rows):
        for row in g.rows[i:]:
            t = g.total(first.span.number, row.span.number)
            known |= {t.planned, t.done} | ({t.percent} if t.planned else set())
    said = {int(n) for n in re.findall(r"\d+", reading(g))}
    assert said <= known


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(list(Area)),
        st.lists(st.tuples(starts, st.integers(0, 10)), max_size=5),
    )
)
def test_a_score_up_by_three_on_the_intake_or_the_score_before_is_flagged_once(scores):
    g = grid([], [], date(2026, 1, 1), None, date(2026, 1, 1))
    found = flags(g, scores)
    expected = {
        area
        for area, h in scores.items()
        if len(h) >= 2 and (h[-1][1] - h[0][1] >= SCORE_RISE or h[-1][1] - h[-2][1] >= SCORE_RISE)
    }
    assert sorted(f.area for f in found) == sorted(expected)
    assert all(f.kind is FlagKind.SCORE_UP and f.day == scores[f.area][-1][0] for f in found)
