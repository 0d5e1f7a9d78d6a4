"""Calendar cards put their markers first, so a long name or a short visit cannot hide them, and
say everything in words to whoever focuses or opens them."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta

import pytest

from spa_app.accounts.models import Role
from spa_app.booking.models import BookingStatus
from spa_app.calendar.service import day_view
from tests import factories
from tests.factories import at

LONG_NAME = "Maximiliana Alexandrovna Featherstonehaugh-Cholmondeley"
#: A card: its place on the grid, its link, and its details (the tooltip) after the link.
CARD = re.compile(r'<div class="cal-item[^"]*"[^>]*>.*?</span>\s*</div>', re.S)


@pytest.fixture
def short_flagged_visit(app):
    """A first-time client with a long name and a ticked contraindication, on a 15-minute visit
    (the shortest service) next Wednesday at 10:00."""
    anna = factories.therapist()
    svc = factories.service(minutes=15, therapists=[anna])
    room = factories.room()
    day = factories.next_weekday(2)
    client = factories.user(name=LONG_NAME)
    starts = at(day, "10:00")
    visit = factories.booking(client, anna, room, svc, starts)
    factories.intake(client.id, conditions=["blood_clots"])
    return anna, svc, day, visit


def cards(page: str) -> list[str]:
    return CARD.findall(page)


@pytest.mark.parametrize("who", ["staff", "therapist"])
@pytest.mark.parametrize("view", ["day", "week"])
def test_markers_come_before_the_name_on_a_short_visit(client, short_flagged_visit, who, view):
    anna, svc, day, visit = short_flagged_visit
    urls = {
        ("staff", "day"): f"/staff/calendar?date={day}",
        ("staff", "week"): f"/staff/calendar/week?therapist={anna.id}&date={day}",
        ("therapist", "day"): f"/schedule/day?date={day}",
        ("therapist", "week"): f"/schedule/week?date={day}",
    }
    factories.login(client, factories.user(Role.STAFF) if who == "staff" else anna.user)
    page = client.get(urls[who, view]).get_data(as_text=True)
    (card,) = cards(page)
    assert "gs-1" in card  # one slot row: the shortest card there is
    link = card[card.index("<a ") :]
    body = link[link.index(">") : link.index("</a>")]  # the card's own words
    flag, new = body.index('aria-hidden="true">!<'), body.index('aria-hidden="true">N<')
    name = body.index(f'<strong class="cal-client">{LONG_NAME}</strong>')
    assert flag < new < name
    markers = body[:name]
    assert 'class="cal-markers"' in markers  # the box that never shrinks holds them
    # In words, for whoever cannot see the glyphs: before the name, and in the tooltip.
    assert re.search(r'class="skip">Contraindication ticked, New client: </span>', markers)
    # And in its details, tied to the link for screen readers (not only a title attribute).
    assert f'aria-describedby="tip-{visit.id}"' in card and "title=" not in card
    tip = card[card.index(f'role="tooltip" id="tip-{visit.id}"') :]
    words = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", tip[tip.index(">") + 1 :])).strip()
    assert words == (
        f"{LONG_NAME} 10:00–10:15, {svc.name} With {anna.display_name}, in {visit.room.name} "
        "Status: booked Contraindication ticked New client"
    )
    assert f'href="/bookings/{visit.id}"' in card


def test_the_visit_list_says_every_marker_in_words(client, short_flagged_visit):
    anna, svc, day, visit = short_flagged_visit
    factories.login(client, anna.user)
    page = client.get(f"/schedule/day?date={day}").get_data(as_text=True)
    listed = page[page.index('<details class="cal-list">') :]
    assert "The 1 visit as a list" in listed
    assert f"10:00–10:15 {LONG_NAME}</a>, {svc.name}, booked." in listed
    assert "<strong>Contraindication ticked</strong>" in listed
    assert "<strong>New client</strong>" in listed and "No health intake yet" not in listed


def test_a_card_without_markers_has_no_marker_box(client, app):
    anna = factories.therapist()
    svc = factories.service(minutes=15, therapists=[anna])
    day = factories.next_weekday(2)
    regular = factories.user(name="Regular Rae")
    earlier = at(day - timedelta(days=28), "10:00")
    factories.booking(regular, anna, factories.room(), svc, earlier,
                      status=BookingStatus.COMPLETED)  # fmt: skip
    factories.intake(regular.id, conditions=[])
    starts = at(day, "11:00")
    factories.booking(regular, anna, factories.room(), svc, starts)
    (block,) = day_view(day).columns[0].blocks
    assert block.markers == [] and block.details.endswith(", booked.")
    factories.login(client, anna.user)
    (card,) = cards(client.get(f"/schedule/day?date={day}").get_data(as_text=True))
    assert "cal-markers" not in card and "Regular Rae" in card


def test_markers_are_ordered_most_urgent_first(app, short_flagged_visit):
    anna, svc, day, visit = short_flagged_visit
    (block,) = day_view(day).columns[0].blocks
    assert [m.symbol for m in block.markers] == ["!", "N"]
    missing = replace(block, no_intake=True)
    assert [m.words for m in missing.markers] == [
        "Contraindication ticked",
        "No health intake yet",
        "New client",
    ]
