"""The care loop's grid, reading and flags on hand-made histories: the client whose ticks halved
from week two to week four (65% overall) is read and flagged as a drop-off, a steady client is
not, and days before the plan, still to come or after its end never count."""

from __future__ import annotations

from datetime import date, timedelta

from spa_app.homecare.loop.reading import (
    FlagKind,
    Routine,
    Tick,
    flags,
    grid,
    reading,
    weeks,
)
from spa_app.homecare.vocab import Area

START = date(2026, 11, 5)  # a Thursday: week 1 runs Thursday to Wednesday
DAILY = frozenset(range(7))
NECK = Routine(1, "Neck release", DAILY)
BACK = Routine(2, "Back roll", frozenset({0, 2, 4}))  # Monday, Wednesday, Friday


def day(n: int) -> date:
    """Day ``n`` of the plan, 0 the start."""
    return START + timedelta(days=n)


def ticks_by_week(routines, counts, discomfort=None) -> list[Tick]:
    """In each week, the first ``counts[w]`` planned (routine, day) slots ticked."""
    out = []
    for w, count in enumerate(counts):
        slots = [
            (r, day(7 * w + n))
            for n in range(7)
            for r in routines
            if day(7 * w + n).weekday() in r.weekdays
        ]
        out += [Tick(r.id, d, discomfort) for r, d in slots[:count]]
    return out


def kinds(found) -> list[FlagKind]:
    return [f.kind for f in found]


def test_the_halved_client_reads_65_percent_overall_but_is_flagged_and_read_as_dropped():
    routines = [Routine(n, f"Routine {n}", DAILY) for n in range(1, 5)]
    routines.append(Routine(5, "Routine 5", frozenset({0, 2, 4})))  # 31 planned a week
    ticks = ticks_by_week(routines, [26, 26, 16, 12])  # 80 of 124
    visit = day(28)
    g = grid(routines, ticks, START, visit - timedelta(days=1), today=visit)

    assert (g.total().done, g.total().planned, g.total().percent) == (80, 124, 65)
    assert [r.total.percent for r in g.rows] == [84, 84, 52, 39]
    assert reading(g) == "Down by half or more: 39% in week 4, from 84% in week 2."
    found = flags(g)
    assert kinds(found) == [FlagKind.DROP_OFF]
    assert found[0].week == 4
    assert found[0].text == ("Week 4: 39% of the planned routines, half or less of week 2 (84%).")


def test_kept_to_it_then_dropped_reads_as_two_runs_of_weeks():
    g = grid([NECK], ticks_by_week([NECK], [7, 6, 2, 3]), START, None, today=day(28))
    assert reading(g) == (
        "Kept to it in weeks 1-2 (93%), then down by half or more (36% in weeks 3-4)."
    )
    assert [(f.kind, f.week) for f in flags(g)] == [(FlagKind.DROP_OFF, 3), (FlagKind.DROP_OFF, 4)]


def test_a_steady_client_reads_steady_and_raises_no_flag():
    g = grid([NECK, BACK], ticks_by_week([NECK, BACK], [9, 8, 9, 10]), START, None, day(30))
    assert reading(g) == "Steady: about 90% every week."
    assert flags(g) == []


def test_two_weeks_falling_is_a_drop_off_even_above_half():
    g = grid([NECK], ticks_by_week([NECK], [7, 6, 4]), START, None, today=day(21))
    found = flags(g)
    assert [(f.kind, f.week) for f in found] == [(FlagKind.DROP_OFF, 3)]
    assert found[0].text == "Falling two weeks running: 100%, 86%, then 57% in week 3."


def test_before_the_start_the_plan_is_not_started():
    g = grid([NECK], [Tick(1, day(-1))], START, None, today=day(-1))
    assert (weeks(START, None, day(-1)), g.rows, g.ticks) == ([], (), ())
    assert reading(g) == "Not started yet."
    assert flags(g) == []


def test_on_the_first_day():
    assert reading(grid([NECK], [], START, None, START)) == (
        "Not started yet: the plan began today."
    )
    assert reading(grid([NECK], [Tick(1, START)], START, None, START)) == (
        "Too early to tell: 1 of 1 planned routine done (100%)."
    )
    assert reading(grid([NECK, BACK], [Tick(1, START)], START, None, day(1))) == (
        "Too early to tell: 1 of 3 planned routines done (33%)."
    )
    ended = grid([NECK], [], START, end=START, today=day(3))  # a visit the next day
    assert reading(ended) == "Too early to tell: 0 of 1 planned routine done (0%)."


def test_the_open_week_is_shown_but_never_read_as_a_drop_off():
    ticks = ticks_by_week([NECK], [7, 7]) + [Tick(1, day(14))]
    g = grid([NECK], ticks, START, None, today=day(19))  # week 3: 1 of 6 so far
    assert not g.rows[-1].span.over
    assert (g.rows[-1].total.done, g.rows[-1].total.planned) == (1, 6)
    assert flags(g) == []
    assert reading(g) == "Steady: about 100% every week."


def test_one_settled_week_only():
    g = grid([NECK], ticks_by_week([NECK], [5]), START, None, today=day(9))
    assert reading(g) == "One full week so far: 5 of 7 done in week 1 (71%)."


def test_nothing_done_in_the_last_two_weeks():
    g = grid([NECK], ticks_by_week([NECK], [7, 6, 0, 0]), START, None, today=day(28))
    assert reading(g) == "Nothing done in weeks 3-4, after 93% in weeks 1-2."
    g = grid([NECK], [], START, None, today=day(14))
    assert reading(g) == "Nothing done in weeks 1-2."


def test_a_rebound_is_uneven_not_a_drop_and_a_week_with_nothing_planned_is_not_read():
    saturday = Routine(3, "Calf stretch", frozenset({5}))
    ticks = [Tick(3, day(2)), Tick(3, day(16))]
    g = grid([saturday], ticks, START, day(20), today=day(30))
    # Saturdays: day 2, 9 and 16; the plan ended on day 20 (week 3 has 6 days, settled)
    assert [r.total.planned for r in g.rows] == [1, 1, 1]
    assert reading(g) == "Uneven: from 0% to 100% a week, 67% in all."
    g = grid([saturday], ticks, START, day(22), today=day(30))  # week 4: Thursday only
    assert (g.rows[-1].span.settled, g.rows[-1].total.planned) == (False, 0)
    assert reading(g) == "Uneven: from 0% to 100% a week, 67% in all."


def test_slipping_and_picking_up():
    g = grid([NECK], ticks_by_week([NECK], [7, 7, 5, 4]), START, None, today=day(28))
    assert reading(g) == "Slipping: 100% in weeks 1-2, 64% in weeks 3-4."
    g = grid([NECK], ticks_by_week([NECK], [3, 4, 6, 7]), START, None, today=day(28))
    assert reading(g) == "Picking up: 50% in weeks 1-2, 93% in weeks 3-4."


def test_a_short_last_week_before_the_visit_is_shown_not_read():
    g = grid([NECK], ticks_by_week([NECK], [7, 7, 0]), START, day(16), today=day(17))
    assert (g.rows[-1].span.days, g.rows[-1].span.over, g.rows[-1].span.settled) == (3, True, False)
    assert flags(g) == []
    assert reading(g) == "Steady: about 100% every week."


def test_days_before_the_start_still_to_come_or_after_the_end_never_count():
    ticks = [Tick(1, day(-1)), Tick(1, day(0)), Tick(1, day(3)), Tick(1, day(4)), Tick(1, day(9))]
    g = grid([NECK], ticks, START, end=day(5), today=day(3))
    assert [t.day for t in g.ticks] == [day(0), day(3)]
    assert (g.total().planned, g.total().done) == (4, 2)
    later = grid([NECK], ticks, START, end=day(3), today=day(40))
    assert (later.total().planned, later.total().done) == (4, 2)


def test_an_unplanned_tick_is_shown_as_extra_and_a_repeat_counts_once():
    tuesday = day(5)  # Tuesday: no back roll planned
    ticks = [Tick(2, tuesday, 2), Tick(2, day(1), 3), Tick(2, day(1), None), Tick(2, day(1), 5)]
    cell = grid([BACK], ticks, START, None, today=day(6)).rows[0].cells[0]
    assert (cell.planned, cell.done, cell.extra) == (3, 1, 1)  # Friday, Monday, Wednesday
    assert (cell.discomfort, cell.max_discomfort, cell.mean_discomfort) == ((5, 2), 5, 3.5)
    assert cell.share <= 1


def test_a_week_over_the_clock_change_has_seven_days():
    start = date(2026, 10, 22)  # week 1 holds Sunday 25 October, when the clocks go back
    g = grid([NECK], [], start, None, today=date(2026, 11, 5))
    assert [(r.span.days, r.total.planned) for r in g.rows[:2]] == [(7, 7), (7, 7)]
    assert g.rows[0].span.last == date(2026, 10, 28)


def test_low_comfort_in_the_last_two_weeks_only():
    ticks = [Tick(1, day(1), 9), Tick(1, day(20), 7), Tick(1, day(22), 7), Tick(2, day(21), 6)]
    found = flags(grid([NECK, BACK], ticks, START, None, today=day(27)))
    found = [f for f in found if f.kind is FlagKind.LOW_COMFORT]  # (few ticks: drop-offs too)
    assert [(f.kind, f.day, f.week) for f in found] == [(FlagKind.LOW_COMFORT, day(22), 4)]
    assert found[0].text == "Neck release: discomfort 7 out of 10 in the last two weeks."


def test_a_score_up_by_three_on_the_intake_or_the_visit_before():
    g = grid([NECK], ticks_by_week([NECK], [7]), START, None, today=day(7))
    scores = {
        Area.NECK: [(day(-1), 3), (day(6), 6)],
        "lower_back": [(day(-1), 5), (day(6), 2), (day(7), 5)],
        Area.SHOULDERS: [(day(-1), 4), (day(6), 6)],
        Area.UPPER_BACK: [(day(-1), 4)],
    }
    found = flags(g, scores=scores)
    assert [(f.kind, f.day) for f in found] == [
        (FlagKind.SCORE_UP, day(6)),
        (FlagKind.SCORE_UP, day(7)),
    ]
    assert [f.text for f in found] == [
        "Neck: 6 out of 10, up 3 since the intake.",
        "Lower back: 5 out of 10, up 3 since the visit before.",
    ]


def test_areas_moved_since_the_intake_either_way():
    from spa_app.homecare.loop.reading import score_moves

    d = date(2026, 3, 2)
    scores = {
        "neck": [(d, 6), (d + timedelta(days=7), 3)],  # better by 3
        "lower_back": [(d, 5), (d + timedelta(days=7), 7)],  # worse by 2: just moved
        "shoulders": [(d, 4), (d + timedelta(days=7), 5)],  # within one: not moved
        "upper_back": [(d, 7)],  # no check-in yet
    }
    assert score_moves(scores) == {"neck": (6, 3), "lower_back": (5, 7)}
