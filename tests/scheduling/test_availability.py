"""The availability engine, on plain values: rules, daylight saving, and a brute-force check."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spa_app.scheduling.availability import Busy, Request, Rules, Window, free_slots
from tests.factories import LONDON, at

RULES = Rules(LONDON, timedelta(minutes=15), timedelta(0), 90)
MONDAY = date(2026, 6, 1)
NOW = datetime(2026, 5, 25, 12, tzinfo=UTC)
SPRING_FORWARD = date(2026, 3, 29)  # a Sunday: 01:00 GMT jumps to 02:00 BST
FALL_BACK = date(2026, 10, 25)  # a Sunday: 02:00 BST falls back to 01:00 GMT
BEFORE_DST = datetime(2026, 3, 1, tzinfo=UTC)
YEAR = Rules(LONDON, timedelta(minutes=15), timedelta(0), 365)


def slots(
    day=MONDAY,
    minutes=60,
    buffer=0,
    windows=None,
    busy=(),
    rooms=(1,),
    now=NOW,
    rules=RULES,
    closed=(),
    last=None,
):
    windows = windows or [Window(1, day.weekday(), time(9), time(18))]
    request = Request(day, last or day, timedelta(minutes=minutes), timedelta(minutes=buffer))
    return free_slots(
        rules=rules,
        now=now,
        request=request,
        windows=windows,
        busy=busy,
        room_ids=rooms,
        closed=closed,
    )


def local_times(found) -> list[str]:
    return [s.starts_at.astimezone(LONDON).strftime("%H:%M") for s in found]


def test_a_free_day_offers_every_step_that_fits():
    times = local_times(slots())
    assert times[0] == "09:00" and times[-1] == "17:00" and len(times) == 33


def test_the_clean_up_buffer_must_fit_in_the_window():
    assert local_times(slots(buffer=15))[-1] == "16:45"


def test_a_booking_blocks_overlapping_starts_but_not_back_to_back_ones():
    busy = [Busy.between(at(MONDAY, "10:00"), at(MONDAY, "11:00"), therapist_id=1, room_id=1)]
    times = local_times(slots(busy=busy))
    assert "09:00" in times and "11:00" in times
    assert not {"09:15", "09:45", "10:00", "10:45"} & set(times)


def test_a_room_taken_by_another_therapist_blocks_the_slot():
    busy = [Busy.between(at(MONDAY, "10:00"), at(MONDAY, "11:00"), therapist_id=2, room_id=1)]
    assert "10:00" not in local_times(slots(busy=busy))
    assert "10:00" in local_times(slots(busy=busy, rooms=(1, 2)))


def test_no_room_no_slot():
    assert slots(rooms=()) == []


def test_any_therapist_lists_everyone_free_and_the_rooms_free():
    windows = [Window(1, 0, time(9), time(18)), Window(2, 0, time(9), time(18))]
    busy = [Busy.between(at(MONDAY, "09:00"), at(MONDAY, "10:00"), therapist_id=1, room_id=1)]
    found = {s.starts_at: s for s in slots(windows=windows, busy=busy, rooms=(1, 2))}
    assert found[at(MONDAY, "09:00")].therapist_ids == (2,)
    assert found[at(MONDAY, "09:00")].room_ids == (2,)
    assert found[at(MONDAY, "10:00")].therapist_ids == (1, 2)


def test_time_off_blocks_the_therapist():
    busy = [Busy.between(at(MONDAY, "12:00"), at(MONDAY, "14:00"), therapist_id=1)]
    times = local_times(slots(busy=busy))
    assert "11:00" in times and "14:00" in times and "12:30" not in times and "11:15" not in times


def test_minimum_notice_rounds_up_to_the_next_step():
    now = at(MONDAY, "08:07")
    rules = Rules(LONDON, timedelta(minutes=15), timedelta(hours=2), 90)
    assert local_times(slots(now=now, rules=rules))[0] == "10:15"


def test_past_days_closures_and_days_beyond_the_horizon_have_no_slots():
    assert slots(now=at(MONDAY, "20:00")) == []
    assert slots(closed={MONDAY}) == []
    rules = Rules(LONDON, timedelta(minutes=15), timedelta(0), 3)
    assert slots(rules=rules) == []  # Monday is 7 days after NOW
    assert slots(rules=Rules(LONDON, timedelta(minutes=15), timedelta(0), 7)) != []


def test_touching_windows_join_into_one_span():
    windows = [Window(1, 0, time(9), time(13)), Window(1, 0, time(13), time(18))]
    assert "12:30" in local_times(slots(windows=windows))


def test_a_lunch_break_splits_the_day():
    windows = [Window(1, 0, time(9), time(13)), Window(1, 0, time(14), time(18))]
    times = local_times(slots(windows=windows))
    assert "12:00" in times and "12:15" not in times and "14:00" in times


def test_spring_forward_day_keeps_local_quarter_hours():
    day = SPRING_FORWARD
    found = slots(
        day=day, windows=[Window(1, day.weekday(), time(9), time(18))], now=BEFORE_DST, rules=YEAR
    )
    assert local_times(found)[0] == "09:00" and len(found) == 33
    assert found[0].starts_at == datetime(2026, 3, 29, 8, tzinfo=UTC)


def test_a_window_across_the_spring_gap_is_three_real_hours():
    day = SPRING_FORWARD
    found = slots(
        day=day, windows=[Window(1, day.weekday(), time(0), time(4))], now=BEFORE_DST, rules=YEAR
    )
    # 00:00 GMT to 04:00 BST is three real hours: starts every 15 min for the first two.
    assert len(found) == 9
    assert "01:30" not in local_times(found)  # that wall-clock time never happens


def test_a_window_across_the_autumn_repeat_is_five_real_hours():
    day = FALL_BACK
    found = slots(
        day=day, windows=[Window(1, day.weekday(), time(0), time(4))], now=BEFORE_DST, rules=YEAR
    )
    assert len(found) == 17
    assert local_times(found).count("01:15") == 2  # once in BST, once in GMT


def test_windows_ending_inside_the_spring_gap_merge_in_real_time():
    # 01:15 never happens that day; it counts as 01:15 GMT, later than 02:00 BST (01:00 GMT).
    day = SPRING_FORWARD
    windows = [
        Window(1, day.weekday(), time(0), time(1, 15)),
        Window(1, day.weekday(), time(0), time(2)),
    ]
    found = slots(day=day, minutes=15, windows=windows, now=BEFORE_DST, rules=YEAR)
    assert len(found) == 5  # 00:00 to 01:15 GMT is 75 real minutes


def test_a_multi_day_range_covers_each_day():
    windows = [Window(1, d, time(9), time(10)) for d in range(7)]
    found = slots(windows=windows, last=MONDAY + timedelta(days=6))
    assert len({s.starts_at.date() for s in found}) == 7


# --- property: the engine agrees with a minute-by-minute brute force -----------------------


def reference(rules, now, request, windows, busy, rooms, closed):
    """Straight from the rules, one minute at a time, with no merging or bisecting."""
    minute = timedelta(minutes=1)
    today = now.astimezone(rules.tz).date()
    found: dict[datetime, list[int]] = {}
    day = request.first_day
    while day <= request.last_day:
        if today <= day <= today + timedelta(days=rules.horizon_days) and day not in closed:
            for tid in sorted({w.therapist_id for w in windows}):
                covered = set()
                for w in windows:
                    if w.therapist_id == tid and w.weekday == day.weekday():
                        t = datetime.combine(day, w.starts, rules.tz).astimezone(UTC)
                        end = datetime.combine(day, w.ends, rules.tz).astimezone(UTC)
                        while t < end:
                            covered.add(t)
                            t += minute
                span_start = None
                for t in sorted(covered):
                    if t - minute not in covered:
                        span_start = t
                    hold_end = t + request.hold
                    if (
                        (t - span_start) % rules.step == timedelta(0)
                        and t >= now + rules.min_notice
                        and all(
                            t + k * minute in covered for k in range(int(request.hold / minute))
                        )
                        and not any(
                            b.therapist_id == tid and b.starts_at < hold_end and t < b.ends_at
                            for b in busy
                        )
                        and any(
                            not any(
                                b.room_id == r and b.starts_at < hold_end and t < b.ends_at
                                for b in busy
                            )
                            for r in rooms
                        )
                    ):
                        found.setdefault(t, []).append(tid)
        day += timedelta(days=1)
    return {t: tuple(sorted(ids)) for t, ids in found.items()}


days = st.sampled_from([SPRING_FORWARD, FALL_BACK, MONDAY, MONDAY + timedelta(days=2)])
quarter = st.integers(0, 95).map(lambda q: time(q // 4, (q % 4) * 15))


@st.composite
def scenarios(draw):
    day = draw(days)
    therapists = draw(st.integers(1, 3))
    windows = []
    for tid in range(1, therapists + 1):
        for _ in range(draw(st.integers(0, 3))):
            a, b = sorted(draw(st.lists(quarter, min_size=2, max_size=2, unique=True)))
            windows.append(Window(tid, day.weekday(), a, b))
    base = at(day, "00:00")
    busy = []
    for _ in range(draw(st.integers(0, 6))):
        start = base + timedelta(minutes=5 * draw(st.integers(0, 24 * 12)))
        length = timedelta(minutes=5 * draw(st.integers(1, 36)))
        busy.append(
            Busy.between(
                start,
                start + length,
                therapist_id=draw(st.none() | st.integers(1, therapists)),
                room_id=draw(st.none() | st.integers(1, 2)),
            )
        )
    rules = Rules(
        LONDON,
        timedelta(minutes=draw(st.sampled_from([15, 30]))),
        timedelta(minutes=draw(st.sampled_from([0, 120]))),
        400,
    )
    now = base - timedelta(hours=draw(st.sampled_from([24, 0, -6])))
    request = Request(
        day,
        day,
        timedelta(minutes=draw(st.sampled_from([15, 30, 60, 90]))),
        timedelta(minutes=draw(st.sampled_from([0, 10, 15]))),
    )
    rooms = tuple(range(1, draw(st.integers(1, 2)) + 1))
    return rules, now, request, windows, busy, rooms, frozenset(draw(st.sets(days, max_size=1)))


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_engine_matches_brute_force(scenario):
    rules, now, request, windows, busy, rooms, closed = scenario
    got = free_slots(
        rules=rules,
        now=now,
        request=request,
        windows=windows,
        busy=busy,
        room_ids=rooms,
        closed=closed,
    )
    assert {s.starts_at: s.therapist_ids for s in got} == reference(*scenario)
