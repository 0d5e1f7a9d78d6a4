"""Booking rules on SQLite: book, move, cancel, idempotency and the cancellation window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from spa_app.accounts.models import Role
from spa_app.booking import service
from spa_app.booking.models import Booking, BookingStatus
from spa_app.database import serialized_writes, unit_of_work
from spa_app.extensions import db
from tests import factories
from tests.factories import at


@pytest.fixture
def day():
    return factories.next_weekday(0)


def book(client, svc, start, therapist=None, key=None, actor=None, now=None):
    with unit_of_work():
        b = service.book(
            client=client,
            choice=service.Choice(svc.id, start, therapist.id if therapist else None),
            actor=actor or client,
            now=now or datetime.now(UTC),
            request_key=key,
        )
    return b


def count_active():
    return db.session.scalar(
        db.select(db.func.count(Booking.id)).where(Booking.status != BookingStatus.CANCELLED)
    )


def test_booking_a_free_slot_holds_therapist_room_and_buffer(app, day):
    svc, (t,), (r,) = factories.spa(buffer=15)
    b = book(factories.user(), svc, at(day, "10:00"), t)
    assert (b.therapist_id, b.room_id, b.status) == (t.id, r.id, BookingStatus.BOOKED)
    assert b.ends_at == at(day, "11:00") and b.busy_until == at(day, "11:15")
    assert b.price_cents == svc.price_cents


def test_back_to_back_bookings_both_succeed(app, day):
    svc, (t,), _ = factories.spa()
    book(factories.user(), svc, at(day, "10:00"), t)
    book(factories.user(), svc, at(day, "11:00"), t)
    assert count_active() == 2


def test_the_same_slot_twice_is_refused_with_alternatives(app, day):
    svc, (t,), _ = factories.spa()
    book(factories.user(), svc, at(day, "10:00"), t)
    with pytest.raises(service.SlotUnavailable) as refused:
        book(factories.user(), svc, at(day, "10:30"), t)
    assert refused.value.alternatives
    assert all(s.starts_at != at(day, "10:30") for s in refused.value.alternatives)
    db.session.rollback()
    assert count_active() == 1


def test_two_therapists_sharing_one_room_cannot_overlap(app, day):
    svc, (a, b), _ = factories.spa(therapists=2, rooms=1)
    book(factories.user(), svc, at(day, "10:00"), a)
    with pytest.raises(service.SlotUnavailable):
        book(factories.user(), svc, at(day, "10:00"), b)
    db.session.rollback()
    factories.room()
    book(factories.user(), svc, at(day, "10:00"), b)
    assert count_active() == 2


def test_any_therapist_picks_the_least_busy(app, day):
    svc, (a, b), _ = factories.spa(therapists=2, rooms=2)
    book(factories.user(), svc, at(day, "09:00"), a)
    assert book(factories.user(), svc, at(day, "14:00")).therapist_id == b.id


def test_a_repeated_request_key_returns_the_same_booking(app, day):
    svc, (t,), _ = factories.spa()
    client = factories.user()
    first = book(client, svc, at(day, "10:00"), t, key="k" * 20)
    again = book(client, svc, at(day, "10:00"), t, key="k" * 20)
    assert again.id == first.id and count_active() == 1


def test_minimum_notice_binds_clients_not_staff(app, day):
    svc, (t,), _ = factories.spa()
    factories.settings(min_notice_min=24 * 60)
    early_that_morning = at(day, "07:00")
    with pytest.raises(service.SlotUnavailable):
        book(factories.user(), svc, at(day, "10:00"), t, now=early_that_morning)
    db.session.rollback()
    staff = factories.user(Role.STAFF)
    booked = book(factories.user(), svc, at(day, "10:00"), t, actor=staff, now=early_that_morning)
    assert booked.created_by_id == staff.id


def test_cancelling_frees_the_slot(app, day):
    svc, (t,), _ = factories.spa()
    client = factories.user()
    b = book(client, svc, at(day, "10:00"), t)
    service.cancel(booking=b, actor=client, now=datetime.now(UTC), reason="Away")
    db.session.commit()
    assert b.status is BookingStatus.CANCELLED and b.cancel_reason == "client: Away"
    book(factories.user(), svc, at(day, "10:00"), t)


def test_clients_cannot_change_inside_the_window_but_staff_can(app, day):
    svc, (t,), _ = factories.spa()
    client = factories.user()
    b = book(client, svc, at(day, "10:00"), t)
    just_before = at(day, "10:00") - timedelta(hours=23)
    with pytest.raises(service.ChangeNotAllowed, match="24 hours"):
        service.cancel(booking=b, actor=client, now=just_before)
    service.cancel(booking=b, actor=factories.user(Role.STAFF), now=just_before, reason="Ill")
    assert b.cancel_reason == "staff: Ill"


def test_a_cancelled_visit_cannot_change_again(app, day):
    svc, (t,), _ = factories.spa()
    client = factories.user()
    b = book(client, svc, at(day, "10:00"), t)
    service.cancel(booking=b, actor=client, now=datetime.now(UTC))
    assert "cancelled" in service.change_refusal(b, client, datetime.now(UTC))


def test_moving_keeps_the_booking_and_may_overlap_its_old_time(app, day):
    svc, (t,), _ = factories.spa()
    client = factories.user()
    b = book(client, svc, at(day, "10:00"), t)
    with unit_of_work():
        service.move(
            booking=b,
            choice=service.Choice(svc.id, at(day, "10:30"), t.id),
            actor=client,
            now=datetime.now(UTC),
        )
    assert b.starts_at == at(day, "10:30") and count_active() == 1


def test_moving_onto_another_booking_is_refused_and_changes_nothing(app, day):
    svc, (t,), _ = factories.spa()
    client = factories.user()
    b = book(client, svc, at(day, "10:00"), t)
    book(factories.user(), svc, at(day, "12:00"), t)
    with serialized_writes(), pytest.raises(service.SlotUnavailable):
        service.move(
            booking=b,
            choice=service.Choice(svc.id, at(day, "12:30"), t.id),
            actor=client,
            now=datetime.now(UTC),
        )
    db.session.rollback()
    assert db.session.get(Booking, b.id).starts_at == at(day, "10:00")


def test_visibility_of_a_booking(app, day):
    svc, (t, other), _ = factories.spa(therapists=2)
    owner, stranger = factories.user(), factories.user()
    b = book(owner, svc, at(day, "10:00"), t)
    assert service.visible_booking(owner, b.id) is b
    assert service.visible_booking(stranger, b.id) is None
    assert service.visible_booking(t.user, b.id) is b
    assert service.visible_booking(other.user, b.id) is None
    assert service.visible_booking(factories.user(Role.STAFF), b.id) is b


def test_a_sqlite_write_outside_serialized_writes_is_a_programming_error(app, day):
    svc, (t,), _ = factories.spa()
    client = factories.user()
    with pytest.raises(RuntimeError, match="serialized_writes"):
        service.book(
            client=client,
            choice=service.Choice(svc.id, at(day, "10:00"), t.id),
            actor=client,
            now=datetime.now(UTC),
        )
