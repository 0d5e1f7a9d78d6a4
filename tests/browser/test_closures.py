"""Staff close a day over booked visits in Chromium (JavaScript off, on a phone and on a wide
screen): they see the visits, tell one client with a note and the rest at once, and the client
reads on their bookings that the visit needs a new time; axe checks every step."""

from __future__ import annotations

import re

import pytest

from spa_app.accounts.models import Role
from spa_app.extensions import db
from spa_app.notifications.models import Message, MessageKind
from tests import factories
from tests.browser.conftest import log_in, menu
from tests.factories import at

pytestmark = pytest.mark.browser


def test_staff_close_a_day_see_the_visits_and_tell_the_clients(live_server, app, walk):
    svc, (anna,), (room,) = factories.spa()
    day = factories.next_weekday(3)
    mia = factories.user(name="Mia Early")
    factories.booking(mia, anna, room, svc, at(day, "10:00"))
    factories.booking(factories.user(name="Noah Later"), anna, room, svc, at(day, "15:00"))
    page = walk.page

    log_in(page, live_server, factories.user(Role.STAFF))
    menu(page, "Manage").click()
    page.get_by_role("link", name="Closures").click()
    page.get_by_label("Day").fill(day.isoformat())
    page.get_by_label("Reason (optional)").fill("Staff training")
    page.get_by_role("button", name="Close on this day").click()

    assert page.get_by_role("heading", name="Visits that need a new time").is_visible()
    assert page.get_by_text("2 booked visits fall in that time").is_visible()
    rows = page.locator("table.affected tbody tr")
    assert rows.count() == 2 and "Mia Early" in rows.nth(0).inner_text()
    assert "10:00" in rows.nth(0).inner_text()  # the spa's local time
    walk.step("visits-on-the-closed-day")

    page.get_by_label("A note for the clients (optional)").fill("We are training that day.")
    page.get_by_role("button", name=re.compile("^Tell Mia Early")).click()
    assert page.get_by_text("E-mail queued to the client").is_visible()
    assert "E-mail queued" in page.locator("table.affected tbody tr").nth(0).inner_text()
    walk.step("one-client-told")

    page.get_by_role("button", name="Tell the client not yet told").click()
    assert page.get_by_text("Every client here has been told.").is_visible()
    walk.step("every-client-told")
    assert (
        page.get_by_role("link", name=re.compile("^Move Mia Early"))
        .get_attribute("href")
        .endswith("/move")
    )

    page.get_by_role("link", name="Back to closures").click()
    assert page.get_by_role("link", name=re.compile("2 visits need a new time")).is_visible()
    walk.step("closures-list")

    factories.fresh()
    told = db.session.execute(
        db.select(Message.user_id, Message.reason).where(
            Message.kind == MessageKind.VISIT_NEEDS_NEW_TIME
        )
    ).all()
    assert len(told) == 2 and (mia.id, "We are training that day.") in told

    menu(page, "Log out", role="button").click()
    log_in(page, live_server, mia)
    page.goto(live_server + "/bookings")
    assert page.get_by_text("The spa is closed then – please").is_visible()
    walk.step("client-sees-the-visit-needs-a-new-time")
    page.get_by_role("link", name=re.compile("^View, move or cancel")).click()
    assert page.get_by_text("The spa is closed then – please choose a new time.").is_visible()
    walk.step("the-visit-says-so-too")
    page.get_by_role("link", name="choose a new time", exact=True).click()
    assert page.url.endswith("/move")
