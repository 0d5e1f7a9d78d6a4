"""In Chromium at phone size with JavaScript off: a flag on the shortest card of the week view
stays in sight, and a client's body map puts each marker on the body, linked to its routine.
Each page passes axe and leaves screenshots in .artifacts/<test>/."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from spa_app.accounts.models import Role
from tests import factories
from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser

LONG_NAME = "Maximiliana Alexandrovna Featherstonehaugh-Cholmondeley"


def inside(inner: dict, outer: dict) -> bool:
    return (
        outer["x"] <= inner["x"]
        and outer["y"] <= inner["y"]
        and inner["x"] + inner["width"] <= outer["x"] + outer["width"]
        and inner["y"] + inner["height"] <= outer["y"] + outer["height"]
    )


def test_a_flag_on_a_short_visit_in_the_week_view_is_never_clipped(live_server, phone, journey):
    anna = factories.therapist()
    svc = factories.service(name="Express scalp massage", minutes=15, therapists=[anna])
    day = factories.next_weekday(2)
    client = factories.user(name=LONG_NAME)
    starts = datetime.combine(day, time(10), factories.LONDON).astimezone(UTC)
    factories.booking(client, anna, factories.room(), svc, starts)
    factories.intake(client.id, conditions=["blood_clots"])

    log_in(phone, live_server, factories.user(Role.STAFF))
    phone.goto(f"{live_server}/staff/calendar/week?therapist={anna.id}&date={day}")
    card = phone.locator("a.cal-booking")
    flag = card.locator(".marker.flag")
    card.scroll_into_view_if_needed()
    assert flag.is_visible()
    flag_box, card_box = flag.bounding_box(), card.bounding_box()
    assert card_box["height"] < 40  # one slot row: the shortest card there is
    assert inside(flag_box, card_box), (flag_box, card_box)
    # Nothing paints over it (not the card's clipping, not a neighbour): the flag is what a tap
    # at its centre lands on.
    centre = (flag_box["x"] + flag_box["width"] / 2, flag_box["y"] + flag_box["height"] / 2)
    assert flag.evaluate("(el, [x, y]) => document.elementFromPoint(x, y) === el", centre)
    # The name gives way instead: cut with an ellipsis inside the card.
    name = card.locator(".cal-client")
    assert name.evaluate("el => el.scrollWidth > el.clientWidth")
    assert name.evaluate("el => getComputedStyle(el).textOverflow") == "ellipsis"
    assert inside(name.bounding_box(), card_box)
    # One focus away: the link's name says the markers in words, then who.
    assert phone.get_by_role("link", name=f"Contraindication ticked, New client: {LONG_NAME}")
    journey.step("week-view")
    card.screenshot(path=journey.folder / "week-card.png")
    phone.locator(".cal-wrap").screenshot(path=journey.folder / "week-grid.png")

    phone.get_by_text("The 1 visit as a list").click()  # a details element: no JavaScript
    assert phone.get_by_text("Contraindication ticked", exact=True).is_visible()
    journey.step("week-list-open")
