"""The no-double-booking guarantee on real PostgreSQL, through the whole HTTP stack."""

from __future__ import annotations

import secrets
import threading
from collections import Counter
from datetime import timedelta

import pytest
import sqlalchemy as sa

from spa_app.booking.models import Booking, BookingStatus
from spa_app.extensions import db
from tests import factories
from tests.factories import at

pytestmark = pytest.mark.postgres

THREADS = 50
ROUNDS = 20


def logged_in_clients(app, n):
    clients = []
    for _ in range(n):
        user = factories.user()
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
        clients.append(client)
    return clients


def storm(clients, url, forms):
    """POST every form at once, one thread per client; return the status codes."""
    barrier = threading.Barrier(len(clients))
    codes = [None] * len(clients)

    def run(i):
        barrier.wait()
        codes[i] = clients[i].post(url, data=forms[i]).status_code

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(clients))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return Counter(codes)


def active_at(start):
    return db.session.scalar(
        sa.select(sa.func.count(Booking.id)).where(
            Booking.starts_at == start, Booking.status != BookingStatus.CANCELLED
        )
    )


def slot_starts(rounds):
    """Distinct on-the-hour starts across next week's Monday..Friday, 09:00-16:00 local."""
    monday = factories.next_weekday(0)
    starts = []
    for d in range(5):
        for hour in range(9, 17):
            starts.append(at(monday + timedelta(days=d), f"{hour:02d}:00"))
    return starts[:rounds]


def form(start, therapist="any"):
    return {
        "start": start.isoformat(),
        "therapist": therapist,
        "request_key": secrets.token_urlsafe(18),
    }


def test_fifty_clients_racing_for_one_slot_make_exactly_one_booking(pg_app):
    svc, (t,), _ = factories.spa(therapists=1, rooms=3)
    clients = logged_in_clients(pg_app, THREADS)
    url = f"/book/{svc.id}/confirm"
    for start in slot_starts(ROUNDS):
        codes = storm(clients, url, [form(start, str(t.id)) for _ in clients])
        assert codes == Counter({302: 1, 409: THREADS - 1}), (start, codes)
        db.session.expire_all()
        assert active_at(start) == 1


def test_two_therapists_sharing_one_room_never_double_book_it(pg_app):
    svc, (a, b), (room,) = factories.spa(therapists=2, rooms=1)
    clients = logged_in_clients(pg_app, THREADS)
    url = f"/book/{svc.id}/confirm"
    for start in slot_starts(ROUNDS):
        forms = [form(start, str((a if i % 2 else b).id)) for i in range(THREADS)]
        codes = storm(clients, url, forms)
        assert codes == Counter({302: 1, 409: THREADS - 1}), (start, codes)
        db.session.expire_all()
        assert active_at(start) == 1


def test_a_double_submitted_form_makes_one_booking(pg_app):
    svc, _, _ = factories.spa(therapists=2, rooms=2)
    client = logged_in_clients(pg_app, 1)[0]
    start = slot_starts(1)[0]
    same = form(start, "any")
    codes = storm([client] * 10, f"/book/{svc.id}/confirm", [same] * 10)
    assert codes == Counter({302: 10})
    db.session.expire_all()
    assert active_at(start) == 1


def test_back_to_back_bookings_both_succeed(pg_app):
    svc, (t,), _ = factories.spa(therapists=1, rooms=1)
    client = logged_in_clients(pg_app, 1)[0]
    ten = slot_starts(2)[1]
    eleven = ten + timedelta(hours=1)
    for start in (ten, eleven):
        reply = client.post(f"/book/{svc.id}/confirm", data=form(start, str(t.id)))
        assert reply.status_code == 302
    assert active_at(ten) == 1 and active_at(eleven) == 1


@pytest.mark.parametrize("column", ["therapist_id", "room_id"])
def test_the_database_itself_refuses_overlaps(pg_app, column):
    """Bypass the service: only the exclusion constraint stands in the way."""
    svc, (a, b), (r1, r2) = factories.spa(therapists=2, rooms=2)
    start = slot_starts(1)[0]
    factories.booking(factories.user(), a, r1, svc, start)
    other_therapist, other_room = (a, r2) if column == "therapist_id" else (b, r1)
    # Another client each time: only the therapist's or the room's constraint is in the way.
    with pytest.raises(sa.exc.IntegrityError, match=f"ex_bookings_{column}_overlap"):
        factories.booking(
            factories.user(), other_therapist, other_room, svc, start + timedelta(minutes=30)
        )
    db.session.rollback()
    # Cancelled bookings do not hold time, and half-open ranges let visits touch.
    factories.booking(
        factories.user(), other_therapist, other_room, svc, start + timedelta(minutes=60)
    )
    cancelled = factories.booking(factories.user(), a, r2, svc, start - timedelta(hours=2))
    cancelled.status = BookingStatus.CANCELLED
    db.session.commit()
    factories.booking(factories.user(), b, r2, svc, start - timedelta(hours=2))


def test_exclusion_constraints_exist_after_upgrade(pg_app):
    rows = db.session.execute(
        sa.text(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype = 'x' AND conrelid = 'bookings'::regclass ORDER BY conname"
        )
    ).all()
    assert [name for name, _ in rows] == [
        "ex_bookings_client_id_overlap",
        "ex_bookings_room_id_overlap",
        "ex_bookings_therapist_id_overlap",
    ]
    for name, definition in rows:
        # The client is busy for the visit; the buffer holds only the therapist and the room.
        until = "ends_at" if name == "ex_bookings_client_id_overlap" else "busy_until"
        assert f"tstzrange(starts_at, {until}, '[)'" in definition
        assert "<> 'cancelled'" in definition


def test_a_staff_move_racing_a_client_booking_for_one_slot_one_wins(pg_app):
    """Staff move a visit onto a time while a client books the same time with the same
    therapist (one room): exactly one gets it, the other a clear 409, every round."""
    svc, (anna,), (room,) = factories.spa(therapists=1, rooms=1)
    staff_login, service_id, anna_id = (
        factories.user(factories.Role.STAFF).get_id(),
        svc.id,
        anna.id,
    )
    outcomes = Counter()
    for start in slot_starts(10):
        elsewhere = start + timedelta(days=14)
        moving_id = factories.booking(factories.user(), anna, room, svc, elsewhere).id
        desk, visitor = logged_in_clients(pg_app, 2)
        with desk.session_transaction() as session:
            session["_user_id"] = staff_login
        codes = race(
            move=lambda desk=desk, moving_id=moving_id, start=start: desk.post(
                f"/bookings/{moving_id}/move",
                data={"start": start.isoformat(), "therapist": str(anna_id)},
            ),
            book=lambda visitor=visitor, start=start: visitor.post(
                f"/book/{service_id}/confirm", data=form(start, str(anna_id))
            ),
        )
        factories.fresh()
        assert active_at(start) == 1, codes
        assert sorted(codes.values()) == [302, 409], codes
        outcomes["move" if codes["move"] == 302 else "book"] += 1
    assert sum(outcomes.values()) == 10


def race(**requests) -> dict[str, int]:
    """Start each request at the same moment, one thread each; their status codes by name."""
    barrier = threading.Barrier(len(requests))
    codes = {}

    def run(name, request):
        barrier.wait()
        codes[name] = request().status_code

    threads = [threading.Thread(target=run, args=item) for item in requests.items()]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return codes
