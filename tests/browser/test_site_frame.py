"""The frame of every page: the spa's name, a menu that stays out of the way on a phone, and the
spa's details at the foot."""

from __future__ import annotations

import pytest

from spa_app.accounts.models import Role
from spa_app.database import unit_of_work
from spa_app.scheduling.queries import get_settings
from tests import factories
from tests.browser.conftest import PHONE, log_in, menu

pytestmark = pytest.mark.browser
DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture
def spa_details(app):
    with unit_of_work():
        row = get_settings()
        row.business_name = "Willow & Cedar"
        row.address = "14 Orchard Row\nLondon N1 7AB"
        row.phone = "+44 20 7946 0321"
        row.opening_hours = "Mon-Sat 09:00-18:00"
    factories.spa()


def test_on_a_phone_the_menu_is_one_button_and_content_comes_first(
    live_server, journey, spa_details
):
    phone = journey.page
    client = factories.user()
    log_in(phone, live_server, client)
    phone.goto(live_server + "/")
    heading = phone.get_by_role("heading", level=1)
    brand = phone.get_by_role("link", name="Willow & Cedar")
    button = phone.locator("#menu > summary")
    # One row: the spa's name and the button, then the page's own heading.
    assert abs(brand.bounding_box()["y"] - button.bounding_box()["y"]) < 20
    assert heading.bounding_box()["y"] < 120
    assert not phone.locator("#menu nav").get_by_role("link", name="My bookings").is_visible()
    journey.step("menu-closed")

    button.focus()  # by keyboard: the button takes Enter like any other
    phone.keyboard.press("Enter")
    assert phone.locator("#menu nav").get_by_role("link", name="My bookings").is_visible()
    journey.step("menu-open")
    menu(phone, "My bookings").click()
    assert phone.url.endswith("/bookings")

    footer = phone.locator("footer.site")
    assert "14 Orchard Row" in footer.inner_text() and "Mon-Sat 09:00-18:00" in footer.inner_text()
    assert footer.get_by_role("link", name="+44 20 7946 0321").get_attribute("href") == (
        "tel:+442079460321"
    )


@pytest.mark.parametrize("scripts", [True, False], ids=["with-js", "without-js"])
def test_on_a_wide_screen_the_whole_menu_shows_without_a_tap(
    live_server, chromium, spa_details, scripts
):
    context = chromium.new_context(viewport=DESKTOP, java_script_enabled=scripts)
    page = context.new_page()
    log_in(page, live_server, factories.user(Role.STAFF))
    page.goto(live_server + "/")
    assert not page.locator("#menu > summary").is_visible()
    for name in ("Calendar", "Bookings", "Book for a client", "Manage"):
        assert page.locator("#menu nav").get_by_role("link", name=name).is_visible(), name
    nav = page.locator("#menu nav").bounding_box()
    assert nav["height"] < 60  # one row beside the name
    context.close()


def test_the_phone_menu_keeps_its_button_when_the_page_is_narrower_still(
    live_server, chromium, spa_details
):
    context = chromium.new_context(viewport={"width": 320, "height": PHONE["height"]})
    page = context.new_page()
    page.goto(live_server + "/")
    assert page.locator("#menu > summary").is_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 320  # nothing sideways to scroll
    context.close()
