"""The four-to-six-week cadence: the next-visit window on My bookings with suggested times, a
per-client interval set by the therapist, and the staff list of clients due to rebook."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from spa_app.accounts.models import Role
from spa_app.booking.models import Booking, BookingStatus
from spa_app.cadence.models import NextVisit
from spa_app.extensions import db
from spa_app.notifications.models import Message, MessageKind
from tests import factories
from tests.factories import LONDON


@pytest.fixture
def regular(app):
    return factories.regular()


def test_my_bookings_shows_the_window_and_a_suggestion_opens_its_summary(client, regular):
    me, anna, ben, svc, visit = regular
    factories.login(client, me)
    page = client.get("/bookings").get_data(as_text=True)
    assert "Your next visit" in page and f"Free times with {anna.display_name}" in page
    assert 'name="start"' not in page  # no time books on one tap
    links = re.findall(rf'href="(/book/{svc.id}/confirm\?[^"]+)"', page)
    assert 1 <= len(links) <= 5
    queries = [parse_qs(urlsplit(html.unescape(link)).query) for link in links]
    starts = [q["start"][0] for q in queries]
    assert all(q["therapist"] == [str(anna.id)] for q in queries)
    local = [datetime.fromisoformat(s).astimezone(LONDON) for s in starts]
    weekday = visit.starts_at.astimezone(LONDON).weekday()
    assert any(t.weekday() == weekday and t.strftime("%H:%M") == "10:00" for t in local)
    assert all(t.weekday() == weekday for t in local)  # plenty of free times that weekday
    summary = client.get(html.unescape(links[0]))
    text = summary.get_data(as_text=True)
    assert summary.status_code == 200 and "Confirm booking" in text
    assert anna.display_name in text and "If your plans change" in text
    factories.fresh()
    assert db.session.scalar(db.select(db.func.count(Booking.id)).where(
        Booking.status == BookingStatus.BOOKED)) == 0  # fmt: skip
    key = text.split('name="request_key" type="hidden" value="')[1].split('"')[0]
    form = {"start": starts[0], "therapist": anna.id, "request_key": key}
    reply = client.post(f"/book/{svc.id}/confirm", data=form)
    assert reply.status_code == 302
    factories.fresh()
    booked = db.session.execute(
        db.select(Booking).where(Booking.status == BookingStatus.BOOKED)
    ).scalar_one()
    assert booked.therapist_id == anna.id and booked.starts_at == datetime.fromisoformat(starts[0])
    assert "Your next visit" not in client.get("/bookings").get_data(as_text=True)


def test_the_therapist_sets_another_interval_for_the_client(client, regular):
    me, anna, ben, svc, visit = regular
    factories.login(client, anna.user)
    page = client.get(f"/bookings/{visit.id}").get_data(as_text=True)
    assert 'name="min_weeks"' in page and 'value="4"' in page
    back = f"/bookings/{visit.id}"
    reply = client.post(f"/clients/{me.id}/visit-interval",
                        data={"min_weeks": "2", "max_weeks": "3", "back": back})  # fmt: skip
    assert reply.status_code == 302 and reply.location == back
    factories.fresh()
    window = db.session.get(NextVisit, me.id)
    local = visit.starts_at.astimezone(LONDON)
    assert window.opens_at == (local + timedelta(weeks=2)).astimezone(UTC)
    assert window.closes_at == (local + timedelta(weeks=3)).astimezone(UTC)
    for bad in (
        {"min_weeks": "0", "max_weeks": "3"},
        {"min_weeks": "5", "max_weeks": "4"},
        {"min_weeks": "x", "max_weeks": "4"},
        {"min_weeks": "3", "max_weeks": "17"},
    ):
        reply = client.post(f"/clients/{me.id}/visit-interval", data=bad, follow_redirects=True)
        assert reply.status_code == 200  # fmt: skip
    factories.fresh()
    assert db.session.get(NextVisit, me.id).opens_at == window.opens_at  # unchanged


def test_staff_see_who_is_due_and_send_a_nudge_now(client, regular):
    me, anna, ben, svc, visit = regular
    booked_ahead = factories.user(name="Booked Ben")
    factories.booking(booked_ahead, anna, visit.room, svc, visit.starts_at - timedelta(days=7),
                      status=BookingStatus.COMPLETED)  # fmt: skip
    factories.login(client, factories.user(Role.STAFF))
    page = client.get("/staff/rebook-due").get_data(as_text=True)
    assert "Regular Rae" in page and anna.display_name in page
    first = client.post(f"/staff/rebook-due/{me.id}/nudge", follow_redirects=True)
    assert "Nudge queued" in first.get_data(as_text=True)
    again = client.post(f"/staff/rebook-due/{me.id}/nudge", follow_redirects=True)
    assert "already sent today" in again.get_data(as_text=True)
    factories.fresh()
    (nudge,) = db.session.execute(db.select(Message)).scalars()
    assert (nudge.kind, nudge.user_id, nudge.booking_id) == (
        MessageKind.REBOOK_WINDOW_OPEN, me.id, visit.id)  # fmt: skip
