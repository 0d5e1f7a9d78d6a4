"""Finding a time in Chromium, as a new client on a phone (no JavaScript) and a desktop: the
page opens on the next day with free times when today has none left (as on an evening), and the
booking takes five clicks from the home page for a new client, three for a returning one."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta

import pytest

from spa_app.booking.models import Booking
from spa_app.clock import local_today
from spa_app.extensions import db
from tests import factories
from tests.browser.conftest import log_in
from tests.factories import LONDON

pytestmark = pytest.mark.browser


@pytest.fixture
def quiet_week(app):
    """A therapist who works one morning, three days from today: today (the evening, say) and
    the next two days have no free times at all."""
    today = local_today(datetime.now(UTC), LONDON)
    open_day = today + timedelta(days=3)
    anna = factories.therapist("Anna Berg", hours={open_day.weekday(): [(time(9), time(12))]})
    svc = factories.service("Deep tissue", therapists=[anna])
    factories.room()
    return svc, anna, open_day


class Clicks:
    """Counts what a person clicks on the way."""

    def __init__(self, page):
        self.page, self.count = page, 0

    def __call__(self, locator):
        self.count += 1
        locator.click()


def test_a_new_client_finds_the_next_free_day_and_books_it(live_server, device, quiet_week):
    svc, anna, open_day = quiet_week
    click = Clicks(device.page)
    device.page.goto(live_server + "/")
    click(device.page.get_by_role("link", name=f"Book {svc.name}"))
    heading = f"Free times on {open_day:%A %d %B %Y}"
    assert device.page.get_by_role("heading", name=heading).is_visible()  # not today: the next day
    strip = device.page.get_by_role("navigation", name="Days")
    assert strip.get_by_role("link", name=re.compile("no times")).count() >= 1
    assert strip.locator('a[aria-current="date"]').inner_text().split()[-2:] == ["9", "free"]
    assert device.page.get_by_role("heading", name="Morning").is_visible()
    device.step("1-next-free-day")

    click(device.page.get_by_role("link", name=re.compile(r"^09:00")))
    assert "/login" in device.page.url
    assert device.page.get_by_text(re.compile(f"You are booking: {svc.name}")).is_visible()
    click(device.page.get_by_role("link", name=re.compile("Create an account|Sign up", re.I)).last)
    device.page.get_by_label("Full name").fill("Nadia New")
    device.page.get_by_label("E-mail").fill("nadia@example.com")
    device.page.get_by_label("Password", exact=True).fill("long-enough-pw")
    device.page.get_by_label("Repeat password").fill("long-enough-pw")
    click(device.page.get_by_role("button", name="Create account"))
    assert "/confirm" in device.page.url
    assert device.page.get_by_text(anna.display_name).first.is_visible()
    device.step("2-summary")
    click(device.page.get_by_role("button", name="Confirm booking"))
    assert device.page.get_by_text("Your visit is booked.").is_visible()
    device.step("3-booked")
    assert click.count == 5  # Book, the time, Create an account, Create account, Confirm

    factories.fresh()
    (booking,) = db.session.execute(db.select(Booking)).scalars().all()
    assert booking.starts_at.astimezone(LONDON) == datetime.combine(
        open_day, time(9), tzinfo=LONDON
    )


def test_a_returning_client_books_in_three_clicks(live_server, device, quiet_week):
    svc, _, open_day = quiet_week
    me = factories.user(name="Regular Rae")
    log_in(device.page, live_server, me)
    click = Clicks(device.page)
    device.page.goto(live_server + "/")
    click(device.page.get_by_role("link", name=f"Book {svc.name}"))
    click(device.page.get_by_role("link", name=re.compile(r"^10:00")))
    click(device.page.get_by_role("button", name="Confirm booking"))
    assert device.page.get_by_text("Your visit is booked.").is_visible()
    assert click.count == 3


def test_with_scripts_a_day_in_the_strip_opens_in_place(live_server, chromium, quiet_week):
    """The strip's days swap the day's times in without reloading the page; the address follows
    (Back returns to the day before), and the page stays the same page."""
    svc, _, open_day = quiet_week
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server}/book/{svc.id}")
    page.evaluate("window.samePage = true")
    strip = page.get_by_role("navigation", name="Days")
    before = open_day - timedelta(days=1)
    strip.get_by_role("link", name=re.compile(f"{before:%a} {before:%d}")).click()
    page.get_by_role("heading", name=f"Free times on {before:%A %d %B %Y}").wait_for()
    assert page.evaluate("window.samePage === true")  # swapped in, not reloaded
    assert f"date={before.isoformat()}" in page.url
    assert page.evaluate("document.activeElement.tagName") == "H2"  # where a reader goes on
    page.go_back()
    page.get_by_role("heading", name=f"Free times on {open_day:%A %d %B %Y}").wait_for()
    assert page.evaluate("window.samePage === true")
    context.close()
