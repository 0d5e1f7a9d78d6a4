"""Commit knowingly, undo easily, in Chromium on a phone (no JavaScript) and a desktop: a client
books a time inside the notice window and cancels it within the grace period; a client moves a
visit through the "from X to Y?" step. axe checks every page on the way."""

from __future__ import annotations

import re
from datetime import time, timedelta

import pytest

from spa_app.booking.models import Booking, BookingStatus
from spa_app.extensions import db
from tests import factories
from tests.browser.conftest import log_in
from tests.factories import LONDON, at

pytestmark = pytest.mark.browser

ALL_DAY = [(time(0), time(23, 45))]


def test_a_client_cancels_within_the_grace_period_inside_the_notice_window(
    live_server, device, app
):
    anna = factories.therapist("Anna Berg", hours={d: ALL_DAY for d in range(7)})
    svc = factories.service(name="Deep tissue", therapists=[anna])
    factories.room()
    factories.settings(min_notice_min=0, cancel_window_hours=24, grace_min=10,
                       address="12 Willow Lane\nLondon N1 2AB", phone="020 7946 0000")  # fmt: skip
    me = factories.user(name="Quick Quinn")

    log_in(device.page, live_server, me)
    device.page.goto(f"{live_server}/book/{svc.id}")  # the first day with times: within the day
    device.page.locator("ul.slots a").first.click()
    assert device.page.get_by_role("heading", name="Confirm your booking").is_visible()
    summary = device.page.get_by_role("region", name="Your visit")  # the footer has them too
    assert summary.get_by_text("within 10 minutes of booking it whenever it is").is_visible()
    assert summary.get_by_text("12 Willow Lane").is_visible()
    device.step("1-summary")
    device.page.get_by_role("button", name="Confirm booking").click()
    assert device.page.get_by_text("Your visit is booked.").is_visible()
    # Inside the 24-hour window, yet changeable: the page says until when.
    until = re.compile(r"you can still move or cancel it online until \d\d:\d\d")
    assert device.page.get_by_text(until).is_visible()
    device.step("2-booked")
    device.page.get_by_role("link", name="Cancel this visit").click()
    question = device.page.get_by_role(
        "heading", name=re.compile(r"^Cancel your Deep tissue on .*\?$")
    )
    assert question.is_visible()
    until = re.compile(r"you can still cancel it online until \d\d:\d\d")
    assert device.page.get_by_text(until).is_visible()
    device.step("3-cancel-step")
    device.page.get_by_label("Reason (optional)").fill("Booked the wrong day")
    device.page.get_by_role("button", name="Cancel visit").click()
    assert device.page.get_by_text("The visit is cancelled.").is_visible()
    device.step("4-cancelled")

    factories.fresh()
    (visit,) = db.session.scalars(db.select(Booking)).all()
    assert visit.status is BookingStatus.CANCELLED
    assert visit.starts_at - visit.created_at < timedelta(hours=24)  # it was inside the window


def test_a_moved_visit_shows_the_from_to_step(live_server, device, app):
    svc, (anna, ben), (room, _) = factories.spa(therapists=2, rooms=2)
    day = factories.next_weekday(2)
    me = factories.user(name="Moving Mo")
    visit = factories.booking(me, anna, room, svc, at(day, "10:00"))

    log_in(device.page, live_server, me)
    device.page.goto(f"{live_server}/bookings/{visit.id}")
    device.page.get_by_role("link", name="Move to another time").click()
    device.page.get_by_label("Therapist").select_option(label=ben.display_name)
    device.page.get_by_role("button", name="Show free times").click()
    device.step("1-times")
    device.page.get_by_role("link", name=re.compile(r"Move to .* at 15:00")).click()
    when = f"{day:%a} {day.day} {day:%b}"
    step = device.page.get_by_role("heading", name=f"Move from {when}, 10:00 to {when}, 15:00?")
    assert step.is_visible()
    assert device.page.get_by_text(f"10:00 to 11:00, with {anna.display_name}").is_visible()
    assert device.page.get_by_text("15:00 to 16:00").is_visible()
    device.step("2-from-to")
    factories.fresh()
    assert db.session.get(Booking, visit.id).starts_at == at(day, "10:00")  # nothing yet
    device.page.get_by_role("button", name="Confirm move").click()
    assert device.page.get_by_text("The visit is moved.").is_visible()
    device.step("3-moved")

    factories.fresh()
    moved = db.session.get(Booking, visit.id)
    assert (moved.starts_at.astimezone(LONDON).strftime("%H:%M"), moved.therapist_id) == (
        "15:00", ben.id)  # fmt: skip
