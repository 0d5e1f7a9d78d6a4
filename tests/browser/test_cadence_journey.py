"""Clients in Chromium (phone-sized, JavaScript off): book the next visit from the suggestions,
and take a freed time from the waitlist e-mail; axe checks the pages on the way."""

from __future__ import annotations

import re
from email import message_from_bytes, policy

import pytest

from spa_app.booking.models import Booking, BookingStatus
from spa_app.database import utcnow
from spa_app.extensions import db
from tests import factories
from tests.browser.conftest import log_in, menu
from tests.factories import at
from tests.notifications.conftest import deliver_all, mail_settings

pytestmark = pytest.mark.browser


def test_a_client_books_their_next_visit_from_the_suggestions(live_server, phone, app, axe_check):
    me, anna, _, svc, visit = factories.regular()
    log_in(phone, live_server, me)
    menu(phone, "My bookings").click()
    assert phone.get_by_role("heading", name="Your next visit").is_visible()
    assert axe_check(phone.url, phone.context.cookies()) == []
    first = phone.get_by_role("link", name=re.compile(f"^Book .* with {anna.display_name}$"))
    label = first.first.get_attribute("aria-label")
    first.first.click()
    # The suggestion opens its summary, with the policy; nothing is booked until Confirm.
    assert phone.get_by_role("heading", name="Confirm your booking").is_visible()
    assert phone.get_by_role("heading", name="If your plans change").is_visible()
    assert axe_check(phone.url, phone.context.cookies()) == []
    phone.get_by_role("button", name="Confirm booking").click()
    assert phone.get_by_text("Your visit is booked.").is_visible()

    factories.fresh()
    (booked,) = db.session.scalars(
        db.select(Booking).where(Booking.status == BookingStatus.BOOKED)
    ).all()
    local = booked.starts_at.astimezone(factories.LONDON)
    assert label == f"Book {local:%A %d %B at %H:%M} with {anna.display_name}"
    assert (
        booked.therapist_id == anna.id
        and local.weekday() == visit.starts_at.astimezone(factories.LONDON).weekday()
    )
    menu(phone, "My bookings").click()
    assert phone.get_by_role("heading", name="Your next visit").count() == 0


def test_a_client_joins_the_waitlist_and_takes_the_freed_time(
    live_server, phone, app, axe_check, smtp
):
    svc, (anna,), (room,) = factories.spa()
    day = factories.next_weekday(2)
    start = at(day, "10:00")
    visit = factories.booking(factories.user(), anna, room, svc, start)
    me = factories.user(name="Waiting Wren")

    log_in(phone, live_server, me)
    phone.goto(f"{live_server}/book/{svc.id}?date={day.isoformat()}")
    phone.get_by_role("link", name="Join the waitlist").click()
    assert axe_check(phone.url, phone.context.cookies()) == []
    phone.get_by_label("Therapist").select_option(label=anna.display_name)
    phone.get_by_label("From").fill(day.isoformat())
    phone.get_by_label("To").fill(day.isoformat())
    phone.get_by_role("button", name="Join the waitlist").click()
    assert phone.get_by_text("You are on the waitlist").is_visible()
    assert phone.get_by_role("heading", name="Waiting for a time").is_visible()

    # Someone cancels; the e-mail goes out and its link leads to the offer.
    canceller = app.test_client()
    factories.login(canceller, visit.client)
    assert canceller.post(f"/bookings/{visit.id}/cancel").status_code == 302
    deliver_all(utcnow(), mail_settings(app, smtp.port))
    (email,) = [
        message_from_bytes(e.content, policy=policy.default)
        for e in smtp.received
        if b"freed up" in e.content
    ]
    link = re.search(r"/waitlist/offers/\d+", email.get_body(("plain",)).get_content())[0]
    phone.goto(live_server + link)
    assert phone.get_by_text(f"{day:%A} {day.day} {day:%B %Y}, 10:00 to").is_visible()
    assert axe_check(phone.url, phone.context.cookies()) == []
    phone.get_by_role("button", name="Book this time").click()
    assert phone.get_by_text("That time is yours").is_visible()

    factories.fresh()
    taken = db.session.scalars(
        db.select(Booking).where(Booking.client_id == me.id, Booking.starts_at == start)
    ).one()
    assert taken.status is BookingStatus.BOOKED
