"""Staff and the visit's therapist mark it arrived, completed or no-show, in a sensible order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from spa_app.accounts.models import Role
from spa_app.booking.models import Booking, BookingStatus
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


@pytest.mark.parametrize("status", ["booked", "cancelled", "bogus", ""])
def test_only_the_three_marks_exist(client, visit, status):
    b, *_ = visit
    factories.login(client, factories.user(Role.STAFF))
    assert client.post(f"/bookings/{b.id}/status", data={"status": status}).status_code == 400
    assert status_of(b) is BookingStatus.BOOKED
