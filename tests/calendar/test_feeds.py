"""Private iCalendar feeds: parse with icalendar, stable UIDs and SEQUENCE, revocable."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar

from spa_app.accounts.models import Role
from spa_app.booking import service
from spa_app.booking.models import Booking
from spa_app.database import unit_of_work
from spa_app.extensions import db
from tests import factories
from tests.factories import at


def link_of(client) -> str:
    page = client.get("/account/calendar-feed").get_data(as_text=True)
    start = page.index("http://localhost/feeds/")
    return page[start : page.index('"', start)].removeprefix("http://localhost")


def events(client, path) -> dict[str, object]:
    reply = client.get(path)
    assert reply.status_code == 200 and reply.mimetype == "text/calendar"
    return {str(e["uid"]): e for e in Calendar.from_ical(reply.data).walk("VEVENT")}


@pytest.fixture
def visit(app):
    svc, (anna,), (r, _) = factories.spa(therapists=1, rooms=2)
    me = factories.user(name="Dana Doe")
    start = at(factories.next_weekday(2), "10:00")
    b = factories.booking(me, anna, r, svc, start)
    return b, me, anna


def test_a_client_subscribes_and_the_feed_follows_moves_and_cancels(client, visit):
    b, me, anna = visit
    factories.login(client, me)
    assert "no calendar link" in client.get("/account/calendar-feed").get_data(as_text=True)
    client.post("/account/calendar-feed", data={"action": "new"})
    path = link_of(client)
    client.post("/logout")  # the feed needs no login
    uid = f"booking-{b.id}@spa.example"
    (event,) = events(client, path).values()
    assert str(event["uid"]) == uid and int(event["sequence"]) == 0
    first_start = b.starts_at
    assert event.decoded("dtstart") == first_start and str(event["status"]) == "CONFIRMED"
    with unit_of_work():
        booking = db.session.get(Booking, b.id)
        service.move(booking=booking, choice=service.Choice(b.service_id,
                     first_start + timedelta(hours=2)), actor=factories.user(Role.STAFF),
                     now=datetime.now(UTC))  # fmt: skip
    moved = events(client, path)[uid]
    assert int(moved["sequence"]) == 1
    assert moved.decoded("dtstart") == first_start + timedelta(hours=2)
    with unit_of_work():
        service.cancel(booking=db.session.get(Booking, b.id), actor=factories.user(Role.STAFF),
                       now=datetime.now(UTC))  # fmt: skip
    gone = events(client, path)[uid]
    assert int(gone["sequence"]) == 2 and str(gone["status"]) == "CANCELLED"


def test_a_therapists_feed_has_their_appointments_with_the_client_name(client, visit):
    b, me, anna = visit
    other = factories.booking(factories.user(), factories.therapist(), b.room, b.service,
                              b.starts_at)  # fmt: skip
    factories.login(client, anna.user)
    client.post("/account/calendar-feed", data={"action": "new"})
    found = events(client, link_of(client))
    assert list(found) == [f"booking-{b.id}@spa.example"]
    assert f"booking-{other.id}@spa.example" not in found
    assert "Dana Doe" in str(found[f"booking-{b.id}@spa.example"]["summary"])


def test_a_new_link_revokes_the_old_and_off_turns_it_off(client, visit):
    b, me, _ = visit
    factories.login(client, me)
    client.post("/account/calendar-feed", data={"action": "new"})
    old = link_of(client)
    client.post("/account/calendar-feed", data={"action": "new"})
    new = link_of(client)
    assert old != new
    assert client.get(old).status_code == 404 and client.get(new).status_code == 200
    client.post("/account/calendar-feed", data={"action": "off"})
    assert client.get(new).status_code == 404
    assert client.get("/feeds/" + "x" * 200 + ".ics").status_code == 404
