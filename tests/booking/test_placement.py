"""The order in which a booking tries the therapists and rooms free at its start."""

from __future__ import annotations

from datetime import UTC, date, datetime

from spa_app.booking.placement import candidates
from spa_app.scheduling.availability import Slot
from spa_app.scheduling.queries import Availability

START = datetime(2026, 12, 14, 10, tzinfo=UTC)


def availability(load):
    return Availability(None, None, date(2026, 12, 14), date(2026, 12, 14), [], {}, load)


def test_any_therapist_tries_the_least_booked_first_then_the_lowest_id():
    slot = Slot(START, (1, 2, 3), (10,))
    pairs = candidates(availability({1: 120, 2: 0, 3: 0}), slot)
    assert [t for t, _ in pairs] == [2, 3, 1]


def test_each_therapist_starts_on_a_different_room_and_tries_them_all():
    slot = Slot(START, (1, 2, 3), (10, 11, 12))
    pairs = candidates(availability({}), slot)
    first_rooms = [pairs[i][1] for i in (0, 3, 6)]
    assert len(set(first_rooms)) == 3
    for therapist in (1, 2, 3):
        assert sorted(r for t, r in pairs if t == therapist) == [10, 11, 12]


def test_a_moved_visit_keeps_its_room_when_that_room_is_free():
    slot = Slot(START, (4,), (10, 11, 12))
    assert candidates(availability({}), slot, prefer_room=12)[0] == (4, 12)
    assert candidates(availability({}), slot, prefer_room=99)[0][1] in (10, 11, 12)
