"""Staff work the calendar in Chromium (phone-sized, JavaScript off): book a client from an
empty cell, move one booking and cancel another; axe checks the day view."""

from __future__ import annotations

import re

import pytest

from spa_app.accounts.models import Role
from spa_app.booking.models import Booking, BookingStatus
from spa_app.extensions import db
from tests import factories
from tests.browser.conftest import log_in, menu
from tests.factories import at

pytestmark = pytest.mark.browser


def test_staff_book_from_an_empty_cell_move_and_cancel(live_server, phone, app, axe_check):
    svc, (anna, ben), (r1, r2) = factories.spa(therapists=2, rooms=2)
    day = factories.next_weekday(2)
    start = at(day, "11:00")
    to_move = factories.booking(factories.user(name="Moving Mel"), ben, r2, svc, start)
    later = at(day, "15:00")
    to_cancel = factories.booking(factories.user(name="Cancel Cy"), ben, r2, svc, later)

    log_in(phone, live_server, factories.user(Role.STAFF))
    menu(phone, "Calendar").click()
    phone.get_by_label("Go to").fill(day.isoformat())
    phone.get_by_role("button", name="Show").click()
    calendar_url = phone.url
    assert axe_check(calendar_url, phone.context.cookies()) == []

    # An empty cell: Anna at 10:00.
    phone.get_by_role("link", name=f"Book {anna.display_name} at 10:00").click()
    assert phone.get_by_label("Start time").input_value() == "10:00"
    phone.get_by_label("Client e-mail").fill("walkin@example.com")
    phone.get_by_label("Client name (for a new client)").fill("Walk In")
    phone.get_by_label("Service").select_option(value=str(svc.id))
    phone.get_by_role("button", name="Book", exact=True).click()
    assert phone.get_by_role("status").filter(has_text="Booked Walk In").is_visible()

    # Move Mel from the calendar: her block opens the booking, then a new time.
    phone.goto(calendar_url)
    phone.get_by_role("link", name=re.compile("Moving Mel")).click()
    phone.get_by_role("link", name="Move to another time").click()
    assert phone.get_by_label("Date").input_value() == day.isoformat()  # the visit's own day
    phone.get_by_label("Therapist").select_option(label=ben.display_name)
    phone.get_by_role("button", name="Show free times").click()
    phone.get_by_role("link", name=re.compile(r"Move to .* at 13:00")).click()
    step = phone.get_by_role("heading", name=re.compile(r"^Move from .* to .*, 13:00\?$"))
    assert step.is_visible()
    phone.get_by_role("button", name="Confirm move").click()
    assert phone.get_by_text("The visit is moved.").is_visible()

    # Cancel Cy with a reason.
    phone.goto(calendar_url)
    phone.get_by_role("link", name=re.compile("Cancel Cy")).click()
    phone.get_by_role("link", name="Cancel this visit").click()
    phone.get_by_label("Reason (optional)").fill("Therapist unwell")
    phone.get_by_role("button", name="Cancel visit").click()
    assert phone.get_by_text("The visit is cancelled.").is_visible()

    factories.fresh()
    moved = db.session.get(Booking, to_move.id)
    assert moved.starts_at.astimezone(factories.LONDON).strftime("%H:%M") == "13:00"
    assert db.session.get(Booking, to_cancel.id).status is BookingStatus.CANCELLED
    walk_in = db.session.execute(
        db.select(Booking).where(Booking.therapist_id == anna.id)
    ).scalar_one()
    assert walk_in.starts_at.astimezone(factories.LONDON).strftime("%H:%M") == "10:00"
    phone.goto(calendar_url)
    assert "Walk In" in phone.content()
    # Cancelled: off the grid (the time is free again), listed apart.
    assert phone.locator(".cal-item", has_text="Cancel Cy").count() == 0
    assert phone.locator(".cal-cancelled").get_by_text(re.compile("Cancel Cy")).is_visible()
