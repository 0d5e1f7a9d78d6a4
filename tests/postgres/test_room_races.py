"""Rooms as choices on real PostgreSQL, through the HTTP stack: the front desk moving a visit
into a room while another desk books that room at the same time (one wins, the other is told
clearly, never a 500), and a service limited to one room under contention."""

from __future__ import annotations

import secrets
import threading
from collections import Counter

import pytest
import sqlalchemy as sa

from spa_app.accounts.models import Role
from spa_app.booking.models import Booking, BookingStatus
from spa_app.booking.service import NOT_FREE, TAKEN
from spa_app.catalog.models import Room, Service
from spa_app.extensions import db
from tests import factories
from tests.postgres.test_races import form, logged_in_clients, slot_starts

pytestmark = pytest.mark.postgres

ROUNDS = 10


def staff_browsers(app, n: int):
    browsers = []
    for _ in range(n):
        user = factories.user(Role.STAFF)
        browser = app.test_client()
        with browser.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
        browsers.append(browser)
    return browsers


def at_once(*requests):
    """Send each (browser, url, form) at the same instant; (status, body) of each, in order."""
    barrier = threading.Barrier(len(requests))
    replies = [None] * len(requests)

    def run(i):
        browser, url, data = requests[i]
        barrier.wait()
        reply = browser.post(url, data=data)
        replies[i] = (reply.status_code, reply.get_data(as_text=True))

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(requests))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return replies


def in_room(room_id: int, start) -> list[Booking]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(Booking).where(
                Booking.room_id == room_id,
                Booking.starts_at == start,
                Booking.status != BookingStatus.CANCELLED,
            )
        )
    )


def test_a_move_into_a_room_racing_a_booking_into_it_one_wins_the_other_is_told(pg_app):
    svc, (anna, ben), (wanted, other) = factories.spa(therapists=2, rooms=2)
    mover, booker = staff_browsers(pg_app, 2)
    clear = (str(NOT_FREE), str(TAKEN))
    winners = Counter()
    for start in slot_starts(ROUNDS):
        visit = factories.booking(factories.user(), anna, other, svc, start)
        moving = {"start": start.isoformat(), "therapist": str(anna.id), "room": str(wanted.id),
                  "tell_asked": "1"}  # fmt: skip
        local = start.astimezone(factories.LONDON)
        booking = {"client_name": "Walk In", "client_phone": "0161 496 0000",
                   "service": str(svc.id), "therapist": str(ben.id), "room": str(wanted.id),
                   "date": local.date().isoformat(), "time": f"{local:%H:%M}",
                   "request_key": secrets.token_urlsafe(18)}  # fmt: skip
        moved, booked = at_once(
            (mover, f"/bookings/{visit.id}/move", moving),
            (booker, "/staff/bookings/new", booking),
        )
        assert sorted([moved[0], booked[0]]) == [302, 409], (start, moved[0], booked[0])
        loser = moved if moved[0] == 409 else booked
        assert any(words in loser[1] for words in clear), loser[1]
        (held,) = in_room(wanted.id, start)
        winners["move" if held.id == visit.id else "booking"] += 1
        factories.fresh()
        after = db.session.get(Booking, visit.id)
        # The visit is in the room it asked for or, having lost, still where it was.
        assert after.room_id == (wanted.id if held.id == visit.id else other.id)
        assert after.starts_at == start
    assert sum(winners.values()) == ROUNDS, winners


def test_a_service_limited_to_one_room_is_booked_there_once_under_contention(pg_app):
    svc, therapists, (_, only) = factories.spa(therapists=4, rooms=2)
    factories.fresh()
    db.session.get(Service, svc.id).rooms = [db.session.get(Room, only.id)]
    db.session.commit()
    browsers = logged_in_clients(pg_app, len(therapists))
    url = f"/book/{svc.id}/confirm"
    for start in slot_starts(5):
        asks = [(b, url, form(start, str(t.id))) for b, t in zip(browsers, therapists, strict=True)]
        replies = at_once(*asks)
        codes = Counter(code for code, _ in replies)
        assert codes == Counter({302: 1, 409: len(browsers) - 1}), (start, codes)
        assert len(in_room(only.id, start)) == 1
        db.session.expire_all()
        others = db.session.scalar(
            sa.select(sa.func.count(Booking.id)).where(
                Booking.starts_at == start, Booking.room_id != only.id
            )
        )
        assert others == 0
