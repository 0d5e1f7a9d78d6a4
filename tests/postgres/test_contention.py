"""Busy moments on real PostgreSQL, through the HTTP stack: a booking that loses its room or
therapist to a concurrent one takes the next free one, and a refusal is only for a time that
really has gone."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest
import sqlalchemy as sa

from spa_app.booking.models import Booking, BookingStatus
from spa_app.booking.service import NOT_FREE, TAKEN
from spa_app.extensions import db
from tests import factories
from tests.concurrency import race
from tests.postgres.test_races import active_at, form, logged_in_clients, slot_starts

pytestmark = pytest.mark.postgres

N = 10


def codes(replies):
    return Counter(code for code, _ in replies)


def placed_at(start):
    """(therapist, room) of every active booking at ``start``."""
    db.session.expire_all()
    return db.session.execute(
        sa.select(Booking.therapist_id, Booking.room_id).where(
            Booking.starts_at == start, Booking.status != BookingStatus.CANCELLED
        )
    ).all()


def test_n_clients_asking_n_different_therapists_at_one_time_all_get_booked(pg_app):
    svc, therapists, _ = factories.spa(therapists=N, rooms=N)
    browsers = logged_in_clients(pg_app, N)
    url = f"/book/{svc.id}/confirm"
    for start in slot_starts(5):
        replies = race(browsers, url, [form(start, str(t.id)) for t in therapists])
        assert codes(replies) == Counter({302: N}), (start, codes(replies))
        placed = placed_at(start)
        assert len({t for t, _ in placed}) == N and len({r for _, r in placed}) == N


def test_n_any_therapist_bookings_with_n_free_therapists_all_get_booked(pg_app):
    svc, _, _ = factories.spa(therapists=N, rooms=N)
    browsers = logged_in_clients(pg_app, N)
    url = f"/book/{svc.id}/confirm"
    for start in slot_starts(5):
        replies = race(browsers, url, [form(start, "any") for _ in browsers])
        assert codes(replies) == Counter({302: N}), (start, codes(replies))
        assert active_at(start) == N


def test_more_any_bookings_than_rooms_fill_every_room_and_the_rest_hear_it_was_just_taken(
    pg_app,
):
    """Twenty "any therapist" clients, ten therapists, four rooms: four bookings, one per
    room, and sixteen refusals, each only once every room had gone."""
    svc, _, rooms = factories.spa(therapists=N, rooms=4)
    browsers = logged_in_clients(pg_app, 2 * N)
    start = slot_starts(1)[0]
    replies = race(browsers, f"/book/{svc.id}/confirm", [form(start, "any") for _ in browsers])
    assert codes(replies) == Counter({302: 4, 409: 2 * N - 4})
    assert sorted(r for _, r in placed_at(start)) == sorted(r.id for r in rooms)
    assert all(said_gone(page) for code, page in replies if code == 409)


def test_bookings_that_overlap_without_sharing_a_start_do_not_refuse_free_rooms(pg_app):
    """Ordinary traffic: different therapists at starts fifteen minutes apart all need a room
    at once; every one is booked while rooms are free."""
    svc, therapists, _ = factories.spa(therapists=6, rooms=6)
    browsers = logged_in_clients(pg_app, 6)
    first = slot_starts(1)[0]
    starts = [first + timedelta(minutes=15 * i) for i in range(6)]
    forms = [form(s, str(t.id)) for s, t in zip(starts, therapists, strict=True)]
    replies = race(browsers, f"/book/{svc.id}/confirm", forms)
    assert codes(replies) == Counter({302: 6}), codes(replies)


def test_a_time_already_gone_says_not_free_and_racers_lose_only_to_the_winner(pg_app):
    svc, (anna,), (room,) = factories.spa(therapists=1, rooms=1)
    start = slot_starts(1)[0]
    factories.booking(factories.user(), anna, room, svc, start)
    (browser,) = logged_in_clients(pg_app, 1)
    ((code, page),) = race([browser], f"/book/{svc.id}/confirm", [form(start, str(anna.id))])
    assert code == 409 and str(NOT_FREE) in page and "just taken" not in page

    later = start + timedelta(hours=2)
    replies = race(
        logged_in_clients(pg_app, 8),
        f"/book/{svc.id}/confirm",
        [form(later, str(anna.id)) for _ in range(8)],
    )
    assert codes(replies) == Counter({302: 1, 409: 7})
    assert all(said_gone(page) for code, page in replies if code == 409)


def said_gone(page):
    """A refusal reads "just taken" when the time went during the request, "not free" when it
    had gone before (a request that started after the winner committed)."""
    return (str(TAKEN) in page) != (str(NOT_FREE) in page)


def test_n_visits_moved_onto_one_time_with_n_therapists_all_move(pg_app):
    """The front desk moves six visits (six therapists, each visit in the same room today) to
    one new time at once: each lands in a free room, none is refused."""
    svc, therapists, rooms = factories.spa(therapists=6, rooms=6)
    first, target = slot_starts(2)
    visits = [
        factories.booking(factories.user(), t, rooms[0], svc, first + timedelta(days=7 * i)).id
        for i, t in enumerate(therapists)
    ]
    therapist_ids = [t.id for t in therapists]
    desks = logged_in_clients(pg_app, 6)
    staff = factories.user(factories.Role.STAFF).get_id()
    for desk in desks:
        with desk.session_transaction() as session:
            session["_user_id"] = staff
    barrier = threading.Barrier(6)
    status = {}

    def move(i):
        barrier.wait()
        status[i] = (
            desks[i]
            .post(
                f"/bookings/{visits[i]}/move",
                data={"start": target.isoformat(), "therapist": str(therapist_ids[i])},
            )
            .status_code
        )

    threads = [threading.Thread(target=move, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert Counter(status.values()) == Counter({302: 6}), status
    assert len({room for _, room in placed_at(target)}) == 6
