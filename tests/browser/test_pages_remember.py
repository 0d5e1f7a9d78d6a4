"""A signed-out client picks a time, is asked to log in, sees the pick, signs up instead and
lands on the confirm page of that time; on a phone and on a wide screen, without JavaScript."""

from __future__ import annotations

import re

import pytest

from tests import factories
from tests.browser.conftest import log_in
from tests.waitlist.helpers import entries

pytestmark = pytest.mark.browser


def test_a_signed_out_client_signs_up_and_is_back_at_the_time_they_picked(live_server, app, walk):
    svc, (anna, _), _ = factories.spa(therapists=2)
    saturday = factories.next_weekday(5)
    page = walk.page
    picked = (
        f"{svc.name}, {saturday:%A} {saturday.day} {saturday:%B}, 10:00, with {anna.display_name}"
    )

    page.goto(f"{live_server}/book/{svc.id}?therapist={anna.id}&date={saturday}")
    walk.step("free-times")
    page.get_by_role("link", name="10:00").click()

    assert "/login" in page.url  # booking needs an account
    box = page.get_by_role("group", name="Your pick")
    assert f"You are booking: {picked}" in " ".join(box.inner_text().split())
    walk.step("log-in-shows-the-pick")

    page.get_by_role("link", name="Create an account").click()
    assert "/register" in page.url
    assert f"You are booking: {picked}" in " ".join(
        page.get_by_role("group", name="Your pick").inner_text().split()
    )
    walk.step("sign-up-shows-the-pick")
    page.get_by_label("Full name").fill("Dana Doe")
    page.get_by_label("E-mail").fill("dana@example.com")
    page.get_by_label("Password", exact=True).fill("long-enough-pw")
    page.get_by_label("Repeat password").fill("long-enough-pw")
    page.get_by_role("button", name="Create account").click()

    assert re.search(rf"/book/{svc.id}/confirm\?", page.url)
    assert page.get_by_role("heading", name="Confirm your booking").is_visible()
    details = page.locator("main dl").inner_text()
    assert svc.name in details and anna.display_name in details and "10:00" in details
    walk.step("back-at-the-confirm-page")
    page.get_by_role("button", name="Confirm booking").click()
    assert page.get_by_text("Your visit is booked.").is_visible()


def test_the_waitlist_form_starts_from_the_day_being_browsed(live_server, app, walk):
    svc, (anna, _), _ = factories.spa(therapists=2)
    saturday = factories.next_weekday(5)
    page = walk.page
    log_in(page, live_server, factories.user())
    page.goto(f"{live_server}/book/{svc.id}?therapist={anna.id}&date={saturday}")
    page.get_by_role("link", name="Join the waitlist").click()

    assert page.get_by_label("From").input_value() == str(saturday)
    assert page.get_by_label("Therapist").input_value() == str(anna.id)
    assert page.get_by_label("Time of day").input_value() == "any"
    page.get_by_label("Time of day").select_option(label="Morning (before 12:00)")
    walk.step("waitlist-from-the-day-browsed")
    page.get_by_role("button", name="Join the waitlist").click()
    assert page.get_by_text("You are on the waitlist").is_visible()
    (entry,) = entries()
    assert (entry.first_day, entry.therapist_id) == (saturday, anna.id)
