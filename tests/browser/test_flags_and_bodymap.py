"""In Chromium at phone size with JavaScript off: a flag on the shortest card of the week view
stays in sight, and a client's body map puts each marker on the body, linked to its routine.
Each page passes axe and leaves screenshots in .artifacts/<test>/."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from spa_app.accounts.models import Role
from spa_app.extensions import db
from spa_app.homecare.library import load_library
from tests import factories
from tests.browser.conftest import log_in
from tests.factories import at

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
    starts = at(day, "10:00")
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
    assert journey.step("week-view") == []  # axe: nothing at all, not even minor
    card.screenshot(path=journey.folder / "week-card.png")
    phone.locator(".cal-wrap").screenshot(path=journey.folder / "week-grid.png")

    phone.get_by_text("The 1 visit as a list").click()  # a details element: no JavaScript
    listed = phone.locator(".cal-list")  # the card's details say it too, shown on hover
    assert listed.get_by_text("Contraindication ticked", exact=True).is_visible()
    assert journey.step("week-list-open") == []


#: The plan's routines and the spots each works on (set on the items, as the library will).
ROUTINES = {
    "Neck release with the fingertips": ["neck_back", "neck_sides"],
    "Top-of-the-shoulders pressure point": ["top_of_shoulders"],
    "Lower back on a massage ball": ["beside_lower_spine"],
    "Base-of-the-spine pressure point": ["base_of_spine_points"],
    "Wrist circles and palm roll": ["wrists", "palms"],
    "Foot arch and ankle massage": ["arches", "ankles"],
}


def published_plan():
    """A client and their published plan of ROUTINES, every day."""
    load_library()
    db.session.commit()
    svc, (anna,), (room,) = factories.spa()
    me = factories.user()
    visit = factories.booking(me, anna, room, svc, datetime.now(UTC) - timedelta(hours=2))
    factories.intake(me.id, conditions=[])
    plan = factories.plan(visit, routines=list(ROUTINES))
    plan.cautions = ["Stop if anything hurts."]
    for item, spots in zip(plan.items, ROUTINES.values(), strict=True):
        item.why, item.spots = "For desk days.", spots
    db.session.commit()
    return me, plan


def test_a_clients_body_map_puts_markers_on_the_body_linked_to_the_steps(
    live_server, phone, journey
):
    me, plan = published_plan()
    log_in(phone, live_server, me)
    phone.goto(f"{live_server}/plans/{plan.id}")
    assert journey.step("plan") == []  # axe: nothing at all, not even minor
    body_map = phone.locator("svg.body-map")
    body_map.scroll_into_view_if_needed()
    body_map.screenshot(path=journey.folder / "body-map.png")
    markers = body_map.locator("a.mark-link")
    assert markers.count() == 2 * sum(len(spots) for spots in ROUTINES.values())
    map_box = body_map.bounding_box()
    for n in range(markers.count()):
        assert inside(markers.nth(n).bounding_box(), map_box)
    # The text alternative says where each routine works, in words.
    listed = phone.locator("ul.map-list li")
    assert listed.count() == len(ROUTINES)
    assert "the back of the neck, beside the spine (back figure)" in listed.first.inner_text()

    # A tap on a marker goes to that routine's steps (a plain link: no JavaScript).
    phone.get_by_role(
        "link", name="5. Wrist circles and palm roll: the palms and fingers, left side."
        " Go to its steps"
    ).click()  # fmt: skip
    assert phone.url.endswith("#item-5")
    card = phone.locator("#item-5")
    assert card.get_by_role("heading", name="5. Wrist circles and palm roll").is_visible()
    assert card.locator("svg.closeup").count() == 2  # each hand on its own close-up
    assert card.get_by_text("Left side, from the front").is_visible()
    journey.step("marker-followed")
    card.screenshot(path=journey.folder / "routine-card.png")
    phone.locator("#item-1").screenshot(path=journey.folder / "neck-card.png")
