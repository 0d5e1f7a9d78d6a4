"""The front desk books a phone client from a free calendar cell in Chromium (phone-sized and
desktop, JavaScript off): found by their phone number, or added with a name and a phone only,
then back on the calendar's day with the visit shown; the clicks are counted. Then a move into
another room without e-mailing the client, and a taken time's nearby times."""

from __future__ import annotations

import re

import pytest

from spa_app.accounts.models import Role, no_email_address
from spa_app.booking.models import Booking
from spa_app.extensions import db
from tests import factories
from tests.browser.conftest import log_in
from tests.factories import at

pytestmark = pytest.mark.browser

#: A phone booking from a free cell: the cell, (find and choose the client, or type a new
#: one's name and phone), Book.
MOST_CLICKS = 4


class Clicks:
    """Counts what the desk clicks (typing is not a click)."""

    def __init__(self):
        self.count = 0

    def __call__(self, locator) -> None:
        self.count += 1
        locator.click()


@pytest.fixture
def desk(app):
    svc, (anna, ben), (first, second) = factories.spa(therapists=2, rooms=2)
    pat = factories.user(name="Pat Phone", email=no_email_address())
    pat.phone = "07700 900123"
    db.session.commit()
    return svc, anna, ben, first, second, pat, factories.next_weekday(2)


def on_calendar(walk, base: str, day) -> None:
    walk.page.goto(f"{base}/staff/calendar?date={day.isoformat()}")
    walk.step("calendar")


def test_a_phone_client_found_by_number_is_booked_from_a_cell_in_four_clicks(
    live_server, walk, desk
):
    svc, anna, _ben, _first, _second, pat, day = desk
    page, click = walk.page, Clicks()
    log_in(page, live_server, factories.user(Role.STAFF))
    on_calendar(walk, live_server, day)

    click(page.get_by_role("link", name=f"Book {anna.display_name} at 10:00"))
    walk.step("cell-opened")
    assert page.get_by_label("Therapist").input_value() == str(anna.id)
    page.get_by_label("Find a client by name, e-mail or phone").fill("07700-900-123")
    click(page.get_by_role("button", name="Find", exact=True))
    walk.step("found-by-phone")
    # The cell survived the search.
    assert page.get_by_label("Therapist").input_value() == str(anna.id)
    assert page.get_by_label("Date").input_value() == day.isoformat()
    assert page.get_by_label("Start time").input_value() == "10:00"
    click(page.get_by_role("link", name="Book for Pat Phone"))
    walk.step("client-chosen")
    assert page.get_by_text("07700 900123, no e-mail").is_visible()
    click(page.get_by_role("button", name="Book", exact=True))
    walk.step("booked")

    assert page.url.endswith(f"/staff/calendar?date={day.isoformat()}")
    assert page.get_by_text(f"Booked Pat Phone for {svc.name}.").is_visible()
    assert page.get_by_text("No e-mail on file: tell them the time by phone.").is_visible()
    assert page.locator(".cal-booking", has_text="Pat Phone").count() == 1
    assert click.count <= MOST_CLICKS, click.count
    factories.fresh()
    (visit,) = db.session.scalars(db.select(Booking))
    assert (visit.client_id, visit.therapist_id, visit.starts_at) == (
        pat.id,
        anna.id,
        at(day, "10:00"),
    )


def test_a_new_client_with_a_name_and_phone_only_is_booked_from_a_cell(live_server, walk, desk):
    _svc, _anna, ben, _first, _second, _pat, day = desk
    page, click = walk.page, Clicks()
    log_in(page, live_server, factories.user(Role.STAFF))
    on_calendar(walk, live_server, day)

    click(page.get_by_role("link", name=f"Book {ben.display_name} at 11:30"))
    page.get_by_label("Client name (for a new client)").fill("Walk In")
    page.get_by_label("Client phone (for a new client)").fill("0161 496 0000")
    walk.step("new-client-typed")
    click(page.get_by_role("button", name="Book", exact=True))
    walk.step("new-client-booked")

    assert page.get_by_text("No e-mail on file: tell them the time by phone.").is_visible()
    assert page.locator(".cal-booking", has_text="Walk In").count() == 1
    assert click.count <= MOST_CLICKS, click.count


def test_a_taken_time_offers_nearby_times_and_the_desk_moves_a_visit_to_another_room(
    live_server, walk, desk
):
    svc, anna, ben, first, second, pat, day = desk
    factories.booking(factories.user(name="Already Here"), anna, first, svc, at(day, "10:00"))
    factories.booking(factories.user(name="Also Here"), ben, second, svc, at(day, "10:00"))
    page = walk.page
    log_in(page, live_server, factories.user(Role.STAFF))
    page.goto(f"{live_server}/staff/bookings/new?date={day}&time=10:00&therapist={anna.id}")
    page.get_by_label("Client name (for a new client)").fill("Walk In")
    page.get_by_label("Client phone (for a new client)").fill("0161 496 0000")
    page.get_by_role("button", name="Book", exact=True).click()
    walk.step("taken-nearby-times")
    nearby = page.get_by_role("button", name=re.compile(rf"11:00 with {anna.display_name}$"))
    nearby.click()
    walk.step("nearby-time-booked")
    assert page.locator(".cal-booking", has_text="Walk In").count() == 1

    # Move Pat's visit (booked by phone) into the second room at 14:00, without an e-mail.
    visit = factories.booking(pat, ben, first, svc, at(day, "13:00"))
    factories.fresh()
    db.session.get(type(pat), pat.id).email = "pat@example.com"
    db.session.commit()
    page.goto(f"{live_server}/bookings/{visit.id}/move")
    page.get_by_label("Room").select_option(label=second.name)
    page.get_by_role("button", name="Show free times").click()
    walk.step("move-in-a-room")
    page.get_by_role("link", name=re.compile(r"Move to .* at 14:00")).first.click()
    walk.step("move-confirm")
    box = page.get_by_label("Tell the client by e-mail")
    assert box.is_checked()
    box.uncheck()
    page.get_by_role("button", name="Confirm move").click()
    walk.step("moved")
    assert page.get_by_text("The visit is moved.").is_visible()
    factories.fresh()
    moved = db.session.get(Booking, visit.id)
    assert (moved.room_id, moved.starts_at) == (second.id, at(day, "14:00"))


def test_staff_limit_a_service_to_a_room(live_server, walk, desk):
    svc, *_ = desk
    page = walk.page
    log_in(page, live_server, factories.user(Role.STAFF))
    page.goto(f"{live_server}/staff/services/{svc.id}")
    walk.step("service-rooms")
    assert page.get_by_role("group", name="Rooms it may use").is_visible()
