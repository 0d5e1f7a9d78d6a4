"""Rooms as choices: the front desk picks the room (or any free one) when booking and moving,
a service may be limited to the rooms that suit it, and staff may book any free minute."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from spa_app.accounts.models import Role
from spa_app.booking import service
from spa_app.booking.models import Booking, BookingStatus
from spa_app.database import unit_of_work
from spa_app.extensions import db
from spa_app.scheduling.queries import find_slots
from tests import factories
from tests.factories import at
from tests.sqlcount import count_statements


@pytest.fixture
def spa(app):
    """Two therapists, two rooms (a first and a second), a staff login and a client."""
    svc, therapists, rooms = factories.spa(therapists=2, rooms=2)
    return svc, therapists, rooms, factories.user(Role.STAFF), factories.user()


@pytest.fixture
def day():
    return factories.next_weekday(1)


def book(client, svc, start, *, actor, therapist=None, room=None) -> Booking:
    factories.fresh()
    with unit_of_work():
        return service.book(
            client=client,
            choice=service.Choice(
                svc.id, start, therapist.id if therapist else None, room.id if room else None
            ),
            actor=actor,
            now=datetime.now(UTC),
        )


def move(booking_id, start, *, actor_id, therapist_id=None, room_id=None) -> Booking:
    factories.fresh()
    with unit_of_work():
        booking = db.session.get(Booking, booking_id)
        actor = db.session.get(type(booking.client), actor_id)
        choice = service.Choice(booking.service_id, start, therapist_id, room_id)
        return service.move(booking=booking, choice=choice, actor=actor, now=datetime.now(UTC))


def active() -> list[Booking]:
    factories.fresh()
    query = db.select(Booking).where(Booking.status != BookingStatus.CANCELLED)
    return list(db.session.scalars(query.order_by(Booking.id)))


def limit(svc, *rooms) -> None:
    factories.fresh()
    db.session.get(type(svc), svc.id).rooms = [db.session.get(type(r), r.id) for r in rooms]
    db.session.commit()


def test_the_desk_books_the_room_it_chose(spa, day):
    svc, (anna, _), (_first, second), staff, client = spa
    booked = book(client, svc, at(day, "10:00"), actor=staff, therapist=anna, room=second)
    assert booked.room_id == second.id


def test_a_chosen_room_that_is_taken_is_not_free_though_another_is(spa, day):
    svc, (anna, ben), (first, second), staff, client = spa
    book(factories.user(), svc, at(day, "10:00"), actor=staff, therapist=anna, room=second)
    with pytest.raises(service.SlotUnavailable) as refused:
        book(client, svc, at(day, "10:00"), actor=staff, therapist=ben, room=second)
    # The nearest times offered are free in that room: none overlaps the visit in it.
    assert refused.value.alternatives
    assert all(
        not at(day, "09:15") <= s.starts_at <= at(day, "10:45") for s in refused.value.alternatives
    )
    db.session.rollback()
    assert [b.room_id for b in active()] == [second.id]
    # Any free room still has the first.
    assert book(client, svc, at(day, "10:00"), actor=staff, therapist=ben).room_id == first.id


@pytest.mark.parametrize("which", ["unknown", "closed", "not for the service"])
def test_a_room_that_cannot_be_booked_is_refused_saying_why(spa, day, which):
    svc, (anna, _), (first, second), staff, client = spa
    room_id, words = {
        "unknown": (999_999, "There is no such room"),
        "closed": (second.id, f"{second.name} is closed for bookings"),
        "not for the service": (second.id, f"{svc.name} does not use {second.name}"),
    }[which]
    factories.fresh()
    if which == "closed":
        db.session.get(type(second), second.id).active = False
        db.session.commit()
    if which == "not for the service":
        limit(svc, first)
    with pytest.raises(service.RoomRefused, match=words), unit_of_work():
        service.book(
            client=client,
            choice=service.Choice(svc.id, at(day, "10:00"), anna.id, room_id),
            actor=staff,
            now=datetime.now(UTC),
        )
    assert active() == []


def test_clients_never_pick_rooms(spa, day):
    svc, (anna, _), (_first, second), _staff, client = spa
    with pytest.raises(service.RoomRefused, match="Only the front desk"):
        book(client, svc, at(day, "10:00"), actor=client, therapist=anna, room=second)
    assert active() == []


def test_a_service_limited_to_a_room_is_free_only_when_that_room_is(spa, day):
    svc, (anna, ben), (first, second), staff, client = spa
    limit(svc, second)
    book(factories.user(), svc, at(day, "10:00"), actor=staff, therapist=anna)
    (held,) = active()
    assert held.room_id == second.id
    # Ben is free and so is the first room, but the service uses only the second.
    slots = find_slots(service_id=svc.id, now=datetime.now(UTC), first_day=day, therapist_id=ben.id)
    assert slots.slot_at(at(day, "10:00")) is None and slots.slot_at(at(day, "11:00"))
    assert slots.rooms == (second.id,)
    with pytest.raises(service.SlotUnavailable):
        book(client, svc, at(day, "10:00"), actor=client, therapist=ben)
    db.session.rollback()
    # Another service, with no rooms named, may use any active room.
    other = factories.service(therapists=[db.session.get(type(ben), ben.id)])
    assert book(client, other, at(day, "10:00"), actor=client).room_id == first.id


@pytest.mark.parametrize("chosen_room", [False, True])
def test_find_slots_stays_two_statements_with_service_rooms(spa, day, chosen_room):
    svc, _, (first, second), _staff, _client = spa
    limit(svc, first, second)
    now, service_id, wanted = datetime.now(UTC), svc.id, second.id if chosen_room else None
    expected = {second.id} if chosen_room else {first.id, second.id}
    with count_statements() as statements:
        slots = find_slots(
            service_id=service_id,
            now=now,
            first_day=day,
            last_day=day,
            room_id=wanted,
            with_rooms=True,
        )
    assert len(statements) == 2, statements
    assert {r for s in slots.slots for r in s.room_ids} == expected


def test_the_desk_may_book_any_free_minute_clients_stay_on_the_step(spa, day):
    svc, (anna, _), _rooms, staff, client = spa
    off_grid = at(day, "10:10")
    with pytest.raises(service.SlotUnavailable):
        book(client, svc, off_grid, actor=client, therapist=anna)
    db.session.rollback()
    booked = book(client, svc, off_grid, actor=staff, therapist=anna)
    assert booked.starts_at == off_grid
    # Still not over another visit, nor past the end of the working day.
    with pytest.raises(service.SlotUnavailable):
        book(factories.user(), svc, at(day, "10:40"), actor=staff, therapist=anna)
    db.session.rollback()
    with pytest.raises(service.SlotUnavailable):
        book(factories.user(), svc, at(day, "17:10"), actor=staff, therapist=anna)


def test_a_move_keeps_its_room_when_free_or_goes_where_the_desk_says(spa, day):
    svc, (anna, ben), (first, second), staff, client = spa
    visit = book(client, svc, at(day, "10:00"), actor=staff, therapist=anna, room=second)
    kept = move(visit.id, at(day, "12:00"), actor_id=client.id)
    assert kept.room_id == second.id
    changed = move(visit.id, at(day, "12:00"), actor_id=staff.id, room_id=first.id)
    assert (changed.room_id, changed.starts_at) == (first.id, at(day, "12:00"))
    # Into a room that is taken then: refused, the visit as it was.
    book(factories.user(), svc, at(day, "14:00"), actor=staff, therapist=ben, room=second)
    with pytest.raises(service.SlotUnavailable):
        move(visit.id, at(day, "14:00"), actor_id=staff.id, therapist_id=anna.id, room_id=second.id)
    factories.fresh()
    after = db.session.get(Booking, visit.id)
    assert (after.room_id, after.starts_at) == (first.id, at(day, "12:00"))


def test_a_client_moving_cannot_choose_a_room(spa, day):
    svc, (anna, _), (first, second), staff, client = spa
    visit = book(client, svc, at(day, "10:00"), actor=staff, therapist=anna, room=second)
    with pytest.raises(service.RoomRefused):
        move(visit.id, at(day, "12:00"), actor_id=client.id, room_id=first.id)
