"""Each role's main journey in Chromium, without JavaScript, on a phone-sized screen."""

from __future__ import annotations

import re

import pytest

from spa_app.accounts.models import Role
from spa_app.booking.models import Booking, BookingStatus
from spa_app.extensions import db
from tests import factories
from tests.browser.conftest import menu

pytestmark = pytest.mark.browser


@pytest.fixture
def spa(app):
    svc, therapists, rooms = factories.spa(therapists=2, rooms=2)
    return svc, therapists, factories.next_weekday(0)


def test_a_visitor_books_then_cancels_a_massage(live_server, phone, spa, axe_check):
    svc, (anna, _), monday = spa
    visited = []

    phone.goto(live_server + "/")
    visited.append(phone.url)
    phone.get_by_role("link", name=f"Book {svc.name}").click()
    phone.get_by_label("Therapist").select_option(label=anna.display_name)
    phone.get_by_label("Date").fill(monday.isoformat())
    phone.get_by_role("button", name="Show free times").click()
    visited.append(phone.url)
    phone.get_by_role("link", name="09:00").click()

    assert "/login" in phone.url  # booking needs an account
    phone.get_by_role("link", name="Create an account").click()
    phone.get_by_label("Full name").fill("Dana Doe")
    phone.get_by_label("E-mail").fill("dana@example.com")
    phone.get_by_label("Password", exact=True).fill("long-enough-pw")
    phone.get_by_label("Repeat password").fill("long-enough-pw")
    phone.get_by_role("button", name="Create account").click()

    assert "/confirm" in phone.url
    visited.append(phone.url)
    assert anna.display_name in phone.content()
    phone.get_by_role("button", name="Confirm booking").click()
    assert phone.get_by_text("Your visit is booked.").is_visible()
    visited.append(phone.url)

    menu(phone, "My bookings").click()
    assert svc.name in phone.content()
    visited.append(phone.url)
    phone.get_by_role("link", name=re.compile("View, move or cancel")).click()
    phone.get_by_role("link", name="Cancel this visit").click()
    visited.append(phone.url)
    phone.get_by_label("Reason (optional)").fill("Plans changed")
    phone.get_by_role("button", name="Cancel visit").click()
    assert phone.get_by_text("The visit is cancelled.").is_visible()

    factories.fresh()
    (booking,) = db.session.execute(db.select(Booking)).scalars().all()
    assert booking.status is BookingStatus.CANCELLED and booking.therapist_id == anna.id

    cookies = phone.context.cookies()
    for url in visited:
        assert axe_check(url, cookies) == [], url


def test_staff_book_a_walk_in_client(live_server, phone, spa, axe_check):
    svc, _, monday = spa
    staff = factories.user(Role.STAFF)
    phone.goto(live_server + "/login")
    phone.get_by_label("E-mail").fill(staff.email)
    phone.get_by_label("Password").fill(factories.PASSWORD)
    phone.get_by_role("button", name="Log in").click()
    phone.get_by_role("link", name="Book for a client").first.click()
    new_url = phone.url
    phone.get_by_label("Client e-mail").fill("walkin@example.com")
    phone.get_by_label("Client name (for a new client)").fill("Walk In")
    phone.get_by_label("Service").select_option(value=str(svc.id))
    phone.get_by_label("Date").fill(monday.isoformat())
    phone.get_by_label("Start time").fill("11:00")
    phone.get_by_role("button", name="Book", exact=True).click()
    # The message says so (the calendar the desk lands on may name the visit too).
    assert phone.get_by_role("status").filter(has_text="Booked Walk In").is_visible()
    assert "11:00" in phone.content()
    cookies = phone.context.cookies()
    assert axe_check(phone.url, cookies) == []
    assert axe_check(new_url, cookies) == []
