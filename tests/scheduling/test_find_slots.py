"""find_slots against the database: what it reads, and in how many statements."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from spa_app.booking.models import BookingStatus
from spa_app.extensions import db
from spa_app.scheduling.models import Closure, TimeOff
from spa_app.scheduling.queries import UnknownService, find_slots
from tests import factories
from tests.sqlcount import count_statements


@pytest.fixture
def busy_spa(app):
    """Eight therapists, three rooms, bookings and time off over four weeks."""
    svc, therapists, rooms = factories.spa(therapists=8, rooms=3, buffer=15)
    client = factories.user()
    monday = factories.next_weekday(0)
    for week in range(4):
        for i, t in enumerate(therapists[:3]):
            day = monday + timedelta(days=7 * week + i)
            start = datetime.combine(day, time(10 + i), UTC)
            factories.booking(client, t, rooms[i], svc, start)
    db.session.add(
        TimeOff(
            therapist_id=therapists[4].id,
            starts_at=datetime.combine(monday, time(9), UTC),
            ends_at=datetime.combine(monday, time(18), UTC),
        )
    )
    db.session.add(Closure(day=monday + timedelta(days=5), reason="Holiday"))
    db.session.commit()
    return svc, therapists, monday


@pytest.mark.parametrize("days", [1, 28])
@pytest.mark.parametrize("one_therapist", [True, False])
def test_any_range_for_one_or_all_therapists_takes_two_statements(busy_spa, days, one_therapist):
    svc, therapists, monday = busy_spa
    now = datetime.now(UTC)
    service_id, therapist_id = svc.id, therapists[0].id if one_therapist else None
    with count_statements() as statements:
        result = find_slots(
            service_id=service_id,
            now=now,
            first_day=monday,
            last_day=monday + timedelta(days=days - 1),
            therapist_id=therapist_id,
        )
    assert result.slots
    assert len(statements) <= 2, statements


def test_bookings_time_off_and_closures_are_honoured(busy_spa):
    svc, therapists, monday = busy_spa
    now = datetime.now(UTC)
    first = find_slots(service_id=svc.id, now=now, first_day=monday, therapist_id=therapists[0].id)
    booked = datetime.combine(monday, time(10), UTC)
    assert all(
        not (booked - timedelta(minutes=60) < s.starts_at < booked + timedelta(minutes=75))
        for s in first.slots
    )
    off = find_slots(service_id=svc.id, now=now, first_day=monday, therapist_id=therapists[4].id)
    assert off.slots == []
    closed = find_slots(service_id=svc.id, now=now, first_day=monday + timedelta(days=5))
    assert closed.slots == []


def test_cancelled_bookings_free_their_time(app):
    svc, (t,), (r,) = factories.spa()
    day = factories.next_weekday(0)
    start = datetime.combine(day, time(10), UTC)
    b = factories.booking(factories.user(), t, r, svc, start)
    now = datetime.now(UTC)
    assert find_slots(service_id=svc.id, now=now, first_day=day).slot_at(start) is None
    b.status = BookingStatus.CANCELLED
    db.session.commit()
    assert find_slots(service_id=svc.id, now=now, first_day=day).slot_at(start) is not None


def test_inactive_rooms_and_therapists_offer_nothing(app):
    svc, (t,), (r,) = factories.spa()
    day = factories.next_weekday(0)
    now = datetime.now(UTC)
    r.active = False
    db.session.commit()
    assert find_slots(service_id=svc.id, now=now, first_day=day).slots == []
    r.active, t.active = True, False
    db.session.commit()
    assert find_slots(service_id=svc.id, now=now, first_day=day).slots == []


def test_unknown_or_inactive_service(app):
    svc, _, _ = factories.spa()
    with pytest.raises(UnknownService):
        find_slots(service_id=svc.id + 1, now=datetime.now(UTC))
    svc.active = False
    db.session.commit()
    with pytest.raises(UnknownService):
        find_slots(service_id=svc.id, now=datetime.now(UTC))


@pytest.mark.parametrize(
    "query",
    [
        "therapist={t}&date={d}",
        "therapist=any&date={d}",
    ],
)
def test_the_booking_page_for_a_logged_in_client_takes_at_most_five_statements(
    client, busy_spa, query
):
    svc, therapists, monday = busy_spa
    factories.login(client, factories.user())
    url = f"/book/{svc.id}?" + query.format(t=therapists[0].id, d=monday.isoformat())
    with count_statements() as statements:
        page = client.get(url)
    assert page.status_code == 200
    assert ">11:15<" in page.get_data(as_text=True)
    # The client, the spa's details (the header and footer), then find_slots' two, and one
    # more for "Who you can see": the therapists' photos and bios (find_slots reads only their
    # names), all of them at once.
    assert len(statements) <= 5, statements


@pytest.mark.parametrize("therapist", ["first", "any"])
def test_the_api_for_28_days_takes_at_most_two_statements(client, busy_spa, therapist):
    svc, therapists, monday = busy_spa
    factories.login(client, factories.user())
    who = therapists[0].id if therapist == "first" else "any"
    url = (
        f"/api/availability?service={svc.id}&therapist={who}&from={monday}"
        f"&to={monday + timedelta(days=27)}"
    )
    with count_statements() as statements:
        answer = client.get(url)
    assert answer.status_code == 200 and len(answer.json["slots"]) > 100
    assert len(statements) <= 2, statements


@pytest.mark.parametrize(
    "day,first_utc,count",
    [
        (date(2027, 3, 28), datetime(2027, 3, 28, 8, tzinfo=UTC), 33),  # clocks go forward
        (date(2027, 10, 31), datetime(2027, 10, 31, 9, tzinfo=UTC), 33),  # clocks go back
    ],
)
def test_daylight_saving_days_read_from_the_database(app, day, first_utc, count):
    sundays = {6: [(time(9), time(18))]}
    t = factories.therapist(hours=sundays)
    svc = factories.service(therapists=[t])
    factories.room()
    factories.settings(horizon_days=365)
    before = datetime(2027, 3, 1, tzinfo=UTC)
    found = find_slots(service_id=svc.id, now=before, first_day=day).slots
    assert found[0].starts_at == first_utc and len(found) == count
    # A booking stored in UTC blocks the same local hour it was made for.
    factories.booking(factories.user(), t, factories.room(), svc, first_utc)
    again = find_slots(service_id=svc.id, now=before, first_day=day).slots
    assert again[0].starts_at == first_utc + timedelta(hours=1)


@pytest.mark.postgres
def test_closures_and_bookings_in_the_one_occupancy_read_on_postgresql(pg_app):
    svc, (t,), (room,) = factories.spa(therapists=1, rooms=1)
    monday = factories.next_weekday(0)
    factories.booking(factories.user(), t, room, svc, datetime.combine(monday, time(10), UTC))
    db.session.add(Closure(day=monday + timedelta(days=1), reason="Holiday"))
    db.session.commit()
    now, service_id = datetime.now(UTC), svc.id
    with count_statements() as statements:
        week = find_slots(
            service_id=service_id, now=now, first_day=monday, last_day=monday + timedelta(days=2)
        )
    days = {s.starts_at.date() for s in week.slots}
    assert days == {monday, monday + timedelta(days=2)}  # the closed Tuesday has none
    assert datetime.combine(monday, time(10), UTC) not in {s.starts_at for s in week.slots}
    assert len(statements) <= 2, statements
