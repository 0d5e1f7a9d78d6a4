"""The desk's changes at the service: a late cancellation is marked, staff may choose not to
e-mail the client, and a no-show or completion marked by mistake is undone the same day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from spa_app.accounts.models import Role
from spa_app.booking import service
from spa_app.booking.models import Booking, BookingStatus
from spa_app.cadence.models import NextVisit
from spa_app.database import unit_of_work
from spa_app.extensions import db
from spa_app.notifications.models import Message, MessageKind
from spa_app.scheduling.models import Closure
from tests import factories


@pytest.fixture
def spa(app):
    svc, (own, other), (room,) = factories.spa(therapists=2)
    return svc, own, other, room, factories.user(), factories.user(Role.STAFF)


def _visit(spa, starts_in: timedelta, status=BookingStatus.BOOKED) -> Booking:
    svc, own, _other, room, client, _staff = spa
    return factories.booking(client, own, room, svc, datetime.now(UTC) + starts_in, status)


def _notices(kind: MessageKind) -> list[Message]:
    factories.fresh()
    return list(db.session.scalars(db.select(Message).where(Message.kind == kind)))


def _cancel(booking_id: int, actor_id: int, **options) -> Booking:
    with unit_of_work():
        booking = db.session.get(Booking, booking_id)
        actor = db.session.get(type(booking.client), actor_id)
        return service.cancel(booking=booking, actor=actor, now=datetime.now(UTC), **options)


def test_a_cancellation_inside_the_window_is_late_one_before_it_is_not(spa):
    *_, client, staff = spa
    soon, later = _visit(spa, timedelta(hours=3)), _visit(spa, timedelta(days=3))
    _cancel(soon.id, staff.id)
    _cancel(later.id, client.id)
    factories.fresh()
    assert db.session.get(Booking, soon.id).late_cancel is True
    assert db.session.get(Booking, later.id).late_cancel is False


def test_staff_may_waive_the_late_mark_for_a_client_who_rang_in_time(spa):
    *_, staff = spa
    soon = _visit(spa, timedelta(hours=3))
    _cancel(soon.id, staff.id, late=False)
    factories.fresh()
    assert db.session.get(Booking, soon.id).late_cancel is False


def test_a_visit_on_a_closed_day_is_never_a_late_cancellation(spa):
    *_, staff = spa
    soon = _visit(spa, timedelta(hours=3))
    tz = factories.LONDON
    db.session.add(Closure(day=soon.starts_at.astimezone(tz).date(), reason="Burst pipe"))
    db.session.commit()
    _cancel(soon.id, staff.id)
    factories.fresh()
    assert db.session.get(Booking, soon.id).late_cancel is False


def test_staff_may_cancel_without_telling_the_client_and_the_client_always_is(spa):
    *_, client, staff = spa
    quiet, own = _visit(spa, timedelta(days=3)), _visit(spa, timedelta(days=5))
    _cancel(quiet.id, staff.id, tell_client=False)
    assert _notices(MessageKind.BOOKING_CANCELLED) == []
    # A client cancelling their own visit gets their confirmation whatever is asked.
    _cancel(own.id, client.id, tell_client=False)
    assert [m.booking_id for m in _notices(MessageKind.BOOKING_CANCELLED)] == [own.id]


def test_staff_may_move_without_telling_the_client(spa):
    svc, own, _other, room, client, staff = spa
    # A weekday at ten, so the day has other free times whatever day the test runs.
    visit = factories.booking(
        client, own, room, svc, factories.at(factories.next_weekday(2), "10:00")
    )
    with unit_of_work():
        booking = db.session.get(Booking, visit.id)
        day = booking.starts_at.astimezone(factories.LONDON).date()
        free = service.find_slots(service_id=svc.id, first_day=day, now=datetime.now(UTC),
                                  therapist_id=own.id, min_notice=False)  # fmt: skip
        target = next(s for s in free.slots if s.starts_at != booking.starts_at)
        choice = service.Choice(svc.id, target.starts_at, own.id)
        actor = db.session.get(type(booking.client), staff.id)
        service.move(booking=booking, choice=choice, actor=actor, now=datetime.now(UTC),
                     tell_client=False)  # fmt: skip
    assert _notices(MessageKind.BOOKING_MOVED) == []
    factories.fresh()
    assert db.session.get(Booking, visit.id).starts_at == target.starts_at


#: A visit's day, and the moment on it when the desk notices the mistake.
DAY = factories.next_weekday(2)
TEN = factories.at(DAY, "10:00")
HALF_PAST = TEN + timedelta(minutes=30)


def _at_ten(spa, status=BookingStatus.BOOKED, day_offset: int = 0) -> Booking:
    svc, own, _other, room, client, _staff = spa
    return factories.booking(client, own, room, svc, TEN + timedelta(days=day_offset), status)


def _unmark(booking_id: int, actor_id: int, now: datetime = HALF_PAST) -> Booking:
    with unit_of_work():
        booking = db.session.get(Booking, booking_id)
        actor = db.session.get(type(booking.client), actor_id)
        return service.unmark(booking=booking, actor=actor, now=now)


def _complete(booking_id: int, actor_id: int) -> None:
    with unit_of_work():
        booking = db.session.get(Booking, booking_id)
        actor = db.session.get(type(booking.client), actor_id)
        service.mark(booking=booking, status=BookingStatus.COMPLETED, actor=actor, now=HALF_PAST)


def test_a_no_show_marked_by_mistake_is_booked_again_the_same_day(spa):
    *_, staff = spa
    visit = _at_ten(spa, BookingStatus.NO_SHOW)
    _unmark(visit.id, staff.id)
    factories.fresh()
    assert db.session.get(Booking, visit.id).status is BookingStatus.BOOKED


def test_undoing_a_completion_goes_back_to_the_clients_visit_before(spa):
    _svc, own, _other, _room, client, _staff = spa
    earlier, today = _at_ten(spa, day_offset=-35), _at_ten(spa)
    for visit in (earlier, today):
        with unit_of_work():
            booking = db.session.get(Booking, visit.id)
            service.mark(booking=booking, status=BookingStatus.COMPLETED, actor=own.user,
                         now=booking.starts_at + timedelta(minutes=30))  # fmt: skip
    factories.fresh()
    assert db.session.get(NextVisit, client.id).booking_id == today.id
    _unmark(today.id, own.user.id)
    factories.fresh()
    row = db.session.get(NextVisit, client.id)
    assert row is not None and row.booking_id == earlier.id
    assert row.last_visit_at == earlier.starts_at


def test_undoing_the_only_completion_leaves_no_window(spa):
    *_, client, staff = spa
    today = _at_ten(spa)
    _complete(today.id, staff.id)
    factories.fresh()
    assert db.session.get(NextVisit, client.id) is not None
    _unmark(today.id, staff.id)
    factories.fresh()
    assert db.session.get(NextVisit, client.id) is None


def test_a_mark_cannot_be_undone_the_next_day_nor_by_someone_else(spa):
    _svc, _own, other, _room, client, staff = spa
    visit = _at_ten(spa, BookingStatus.NO_SHOW)
    with pytest.raises(service.ChangeNotAllowed, match="only on the day of the visit"):
        _unmark(visit.id, staff.id, now=HALF_PAST + timedelta(days=1))
    for who in (client.id, other.user.id):
        with pytest.raises(service.ChangeNotAllowed, match="Only the front desk"):
            _unmark(visit.id, who)
    booked = _at_ten(spa, day_offset=1)
    with pytest.raises(service.ChangeNotAllowed, match="Only a no-show or a completed"):
        _unmark(booked.id, staff.id)
    factories.fresh()
    assert db.session.get(Booking, visit.id).status is BookingStatus.NO_SHOW
