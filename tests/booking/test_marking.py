"""Staff and the visit's therapist mark it arrived, completed or no-show, in a sensible order."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from spa_app.accounts.models import Role, User
from spa_app.booking import service
from spa_app.booking.models import Booking, BookingStatus
from spa_app.cadence.models import NextVisit
from spa_app.extensions import db
from tests import factories


@pytest.fixture
def visit(app):
    svc, (own, other), (r,) = factories.spa(therapists=2)
    client = factories.user()
    b = factories.booking(client, own, r, svc, datetime.now(UTC) + timedelta(minutes=30))
    return b, own, other, client


def status_of(b):
    factories.fresh()
    return db.session.get(Booking, b.id).status


def mark(client, b, status):
    return client.post(f"/bookings/{b.id}/status", data={"status": status}, follow_redirects=True)


def test_staff_mark_arrived_then_completed(client, visit):
    b, *_ = visit
    factories.login(client, factories.user(Role.STAFF))
    page = client.get(f"/bookings/{b.id}").get_data(as_text=True)
    assert "Mark arrived" in page and "Mark no-show" in page
    assert "Marked arrived" in mark(client, b, "arrived").get_data(as_text=True)
    assert status_of(b) is BookingStatus.ARRIVED
    mark(client, b, "completed")
    assert status_of(b) is BookingStatus.COMPLETED
    refused = mark(client, b, "no_show").get_data(as_text=True)
    assert "cannot become no-show" in refused and status_of(b) is BookingStatus.COMPLETED


def test_the_visits_own_therapist_may_mark_it_others_may_not(client, visit):
    b, own, other, owner = visit
    factories.login(client, other.user)
    assert client.post(f"/bookings/{b.id}/status", data={"status": "completed"}).status_code == 404
    client.post("/logout")
    factories.login(client, owner)
    assert "Only the front desk" in mark(client, b, "completed").get_data(as_text=True)
    client.post("/logout")
    factories.login(client, own.user)
    mark(client, b, "completed")
    assert status_of(b) is BookingStatus.COMPLETED


def test_a_visit_cannot_be_marked_hours_before_it_starts(client, app):
    svc, (t,), (r,) = factories.spa()
    b = factories.booking(factories.user(), t, r, svc, datetime.now(UTC) + timedelta(hours=5))
    factories.login(client, factories.user(Role.STAFF))
    assert "not started yet" in mark(client, b, "completed").get_data(as_text=True)
    assert status_of(b) is BookingStatus.BOOKED


def test_the_page_offers_only_the_marks_that_would_work(client, app):
    """Hours ahead, none (pressing one would only be refused); an arrived visit, completed
    alone; the client, none at all."""
    svc, (t,), (r,) = factories.spa()
    later = factories.booking(factories.user(), t, r, svc, datetime.now(UTC) + timedelta(hours=5))
    soon = factories.booking(factories.user(), t, r, svc, datetime.now(UTC) + timedelta(minutes=20))
    staff = factories.user(Role.STAFF)
    factories.login(client, staff)
    assert "Mark " not in client.get(f"/bookings/{later.id}").get_data(as_text=True)
    mark(client, soon, "arrived")
    page = client.get(f"/bookings/{soon.id}").get_data(as_text=True)
    assert "Mark completed" in page and "Mark arrived" not in page and "Mark no-show" not in page
    factories.fresh()
    visit = db.session.get(Booking, soon.id)
    assert service.actions_for(visit, visit.client, datetime.now(UTC)).marks == ()
    assert service.actions_for(visit, staff, datetime.now(UTC)).marks == (BookingStatus.COMPLETED,)


@pytest.mark.parametrize("status", ["booked", "cancelled", "bogus", ""])
def test_only_the_three_marks_exist(client, visit, status):
    b, *_ = visit
    factories.login(client, factories.user(Role.STAFF))
    assert client.post(f"/bookings/{b.id}/status", data={"status": status}).status_code == 400
    assert status_of(b) is BookingStatus.BOOKED


@pytest.mark.postgres
@pytest.mark.parametrize("attempt", range(3))
def test_no_show_and_completed_at_once_one_wins_on_postgresql(pg_app, attempt):
    """Two people mark one visit at the same moment: one wins, the other is told; a next-visit
    window exists only if 'completed' won."""
    svc, (t,), (r,) = factories.spa()
    b = factories.booking(factories.user(), t, r, svc, datetime.now(UTC) - timedelta(hours=1))
    staff_ids = [factories.user(Role.STAFF).id for _ in range(2)]
    barrier = threading.Barrier(2)
    outcomes = {}

    def run(status, staff_id):
        with pg_app.app_context():
            booking = db.session.get(Booking, b.id)
            actor = db.session.get(User, staff_id)
            barrier.wait()
            try:
                service.mark(booking=booking, status=status, actor=actor, now=datetime.now(UTC))
                db.session.commit()
                outcomes[status] = "marked"
            except service.ChangeNotAllowed as exc:
                db.session.rollback()
                outcomes[status] = str(exc)

    threads = [
        threading.Thread(target=run, args=(status, staff_id))
        for status, staff_id in zip(
            (BookingStatus.NO_SHOW, BookingStatus.COMPLETED), staff_ids, strict=True
        )
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(15)
    winners = [status for status, outcome in outcomes.items() if outcome == "marked"]
    assert len(winners) == 1 and len(outcomes) == 2, outcomes
    (loser,) = set(outcomes) - set(winners)
    assert "just now" in outcomes[loser] or "cannot become" in outcomes[loser]
    assert status_of(b) is winners[0]
    window = db.session.get(NextVisit, b.client_id)
    assert (window is not None) == (winners[0] is BookingStatus.COMPLETED)
