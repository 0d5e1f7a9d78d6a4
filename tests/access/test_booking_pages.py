"""Who may open the booking pages: every role against every page and visit, checked against one
table, in the access tests' world (its people, service and rooms; the visit is made per page)."""

from __future__ import annotations

import pytest

from spa_app.booking.models import Booking, BookingStatus
from spa_app.extensions import db
from spa_app.notifications.models import Message, MessageAttempt
from tests import factories
from tests.access.world import A_NAME, build_cast
from tests.factories import at

ROLES = ["anonymous", "client_a", "client_b", "own_therapist", "other_therapist", "staff"]
LOGIN = "login"  # a redirect to the login page

# (method, url template) -> expected answer per role, in ROLES order.
TABLE = {
    ("GET", "/bookings/{booking}"): [LOGIN, 200, 404, 200, 404, 200],
    ("GET", "/bookings/{booking}/move"): [LOGIN, 200, 404, 302, 404, 200],
    ("GET", "/bookings/{booking}/cancel"): [LOGIN, 200, 404, 302, 404, 200],
    ("GET", "/bookings/{booking}/move/confirm"): [LOGIN, 302, 404, 302, 404, 302],
    ("POST", "/bookings/{booking}/cancel"): [LOGIN, 302, 404, 302, 404, 302],
    ("POST", "/bookings/{booking}/move"): [LOGIN, 200, 404, 302, 404, 200],
    ("POST", "/bookings/{booking}/status"): [LOGIN, 400, 404, 400, 404, 400],
    ("GET", "/bookings"): [LOGIN, 200, 200, 404, 404, 404],
    ("GET", "/schedule"): [LOGIN, 404, 404, 200, 200, 404],
    ("GET", "/book/{service}/confirm"): [LOGIN, 200, 200, 404, 404, 404],
    ("GET", "/staff/"): [LOGIN, 404, 404, 404, 404, 200],
    ("GET", "/staff/bookings/"): [LOGIN, 404, 404, 404, 404, 200],
    ("GET", "/staff/bookings/new"): [LOGIN, 404, 404, 404, 404, 200],
    ("GET", "/book/{service}"): [200, 200, 200, 200, 200, 200],
    ("GET", "/"): [200, 200, 200, 200, 200, 200],
}

# Whether the client's booking may end up cancelled after each role's POST to /cancel.
CANCELS = {"client_a": True, "staff": True}


@pytest.fixture
def world(app):
    cast = build_cast()
    return cast.service, cast.therapists["own"], cast.rooms[0], cast.people


def new_booking(svc, therapist, room, client):
    day = factories.next_weekday(1)
    start = at(day, "10:00")
    return factories.booking(client, therapist, room, svc, start)


@pytest.mark.parametrize("role", ROLES)
def test_every_page_answers_each_role_as_the_table_says(app, world, role):
    svc, own, room, people = world
    mismatches = []
    for (method, template), expected_by_role in TABLE.items():
        factories.fresh()
        db.session.execute(db.delete(MessageAttempt))
        db.session.execute(db.delete(Message))
        db.session.execute(db.delete(Booking))
        db.session.commit()
        booking = new_booking(svc, own, room, people["client_a"])
        client = app.test_client()
        if role != "anonymous":
            factories.login(client, people[role])
        url = template.format(booking=booking.id, service=svc.id)
        reply = client.open(url, method=method, data={"reason": "test"})
        expected = expected_by_role[ROLES.index(role)]
        to_login = reply.status_code == 302 and "/login" in (reply.location or "")
        got = LOGIN if to_login else reply.status_code
        if got != expected:
            mismatches.append((method, url, expected, got))
        if method == "POST" and template.endswith("/cancel"):
            factories.fresh()
            cancelled = db.session.get(Booking, booking.id).status is BookingStatus.CANCELLED
            if cancelled != CANCELS.get(role, False):
                mismatches.append((method, url, "cancelled" if not cancelled else "kept", got))
    assert mismatches == []


def test_lists_show_only_what_is_yours(app, world):
    svc, own, room, people = world
    new_booking(svc, own, room, people["client_a"])
    for role, hidden in [("client_b", A_NAME), ("other_therapist", A_NAME)]:
        client = app.test_client()
        factories.login(client, people[role])
        page = client.get("/bookings" if role == "client_b" else "/schedule")
        assert page.status_code == 200 and hidden not in page.get_data(as_text=True)
    client = app.test_client()
    factories.login(client, own.user)
    assert A_NAME in client.get("/schedule").get_data(as_text=True)
