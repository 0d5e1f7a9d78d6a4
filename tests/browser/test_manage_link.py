"""The visit's e-mail link in Chromium (JavaScript off, on a phone and on a wide screen): the
client opens the visit with no log-in, moves it, then cancels it; a broken link gets a clear
page. axe checks every step; nothing scrolls sideways."""

from __future__ import annotations

import re
import shutil

import pytest

from spa_app.booking import links
from spa_app.booking.models import Booking, BookingStatus
from spa_app.extensions import db
from tests import factories
from tests.browser.conftest import ARTIFACTS, Journey, _audit

pytestmark = pytest.mark.browser
DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture
def desktop_journey(request, chromium):
    """As the ``journey`` fixture, on a wide screen: screenshots and an axe audit per step."""
    from axe_playwright_python.sync_playwright import Axe

    context = chromium.new_context(viewport=DESKTOP, java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    auditor = chromium.new_context(viewport=DESKTOP)
    folder = ARTIFACTS / re.sub(r"[^\w.-]+", "_", request.node.name)
    shutil.rmtree(folder, ignore_errors=True)
    yield Journey(page, folder, lambda shown, headers: _audit(shown, headers, auditor, Axe()))
    auditor.close()
    context.close()


@pytest.fixture(params=["phone", "desktop"])
def walk(request):
    return request.getfixturevalue("journey" if request.param == "phone" else "desktop_journey")


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_the_client_moves_then_cancels_a_visit_from_its_link(live_server, app, walk):
    svc, (anna,), _ = factories.spa()
    visit = factories.booked_online(svc, anna, factories.next_weekday(0), "10:00")
    token = links.manage_token(app.config["SECRET_KEY"], visit.id, visit.client_id)
    page = walk.page

    page.goto(f"{live_server}/bookings/{visit.id}/manage/{token}")
    assert page.get_by_role("heading", name=f"Your {svc.name}").is_visible()
    assert page.get_by_role("link", name=re.compile("Add to Google Calendar")).is_visible()
    assert page.get_by_role("button", name=re.compile("Log out")).count() == 0  # not logged in
    walk.step("visit")
    assert no_sideways_scroll(page)

    page.get_by_role("link", name="Move to another time").click()
    assert page.get_by_role("heading", name=f"Move your {svc.name}").is_visible()
    walk.step("move")
    page.get_by_role("button", name=re.compile(r"Move to .* at 14:00")).click()
    assert page.get_by_text("Your visit is moved.").is_visible()
    assert "14:00" in page.content()
    walk.step("moved")

    page.get_by_role("button", name="Cancel my visit").click()
    assert page.get_by_text("Your visit is cancelled.").is_visible()
    assert page.get_by_role("link", name="Book another time").is_visible()
    walk.step("cancelled")
    factories.fresh()
    booking = db.session.get(Booking, visit.id)
    assert booking.status is BookingStatus.CANCELLED and booking.sequence == 2

    page.goto(f"{live_server}/bookings/{visit.id}/manage/{token[:-3]}")
    assert page.get_by_role("heading", name="This link cannot open a visit").is_visible()
    assert page.get_by_role("link", name="Log in to see your visits").is_visible()
    walk.step("refused")
    assert no_sideways_scroll(page)
