"""The front desk in Chromium (JavaScript off, on a phone and on a wide screen) with a client
on the phone: find them in the directory by their number, open their record, tag them and
correct their phone; axe checks every step."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from spa_app.accounts.models import Role, User
from spa_app.booking.models import BookingStatus
from spa_app.clients.models import ClientTag
from spa_app.extensions import db
from tests import factories
from tests.browser.conftest import log_in, menu
from tests.factories import LONDON, at

pytestmark = pytest.mark.browser


def test_the_desk_finds_a_caller_by_phone_tags_them_and_corrects_their_number(
    live_server, app, walk
):
    svc, (anna,), (room,) = factories.spa()
    people = [factories.user(name=f"Other Client {n}") for n in range(3)]
    cara = factories.user(name="Cara Lind", email="cara.lind@example.com")
    for n, person in enumerate(people):
        person.phone = f"0161 496 000{n}"
    cara.phone = "07700 900123"
    db.session.add(ClientTag(client_id=cara.id, tag="Prefers mornings"))
    db.session.commit()
    last_week = datetime.now(UTC).astimezone(LONDON).date() - timedelta(days=7)
    factories.booking(cara, anna, room, svc, at(last_week, "10:00"),
                      status=BookingStatus.COMPLETED)  # fmt: skip
    factories.booking(cara, anna, room, svc, at(factories.next_weekday(2), "11:00"))
    page = walk.page

    log_in(page, live_server, factories.user(Role.STAFF, name="Dee Desk"))
    menu(page, "Clients").click()
    assert page.get_by_role("heading", name="Clients", level=1).is_visible()
    walk.step("directory")

    page.get_by_label("Name, e-mail or phone").fill("07700-900-123")
    page.get_by_role("button", name="Find").click()
    rows = page.locator("table.directory tbody tr")
    assert rows.count() == 1 and "Prefers mornings" in rows.first.inner_text()
    assert page.get_by_role("link", name="Call Cara Lind on 07700 900123").is_visible()
    walk.step("found-by-phone")

    page.get_by_role("link", name="Cara Lind", exact=True).click()
    assert page.get_by_role("heading", name="Cara Lind", level=1).is_visible()
    assert page.get_by_text("1 completed visit", exact=True).is_visible()
    walk.step("profile")

    page.get_by_label("New tag").fill("VIP")
    page.get_by_role("button", name="Add tag").click()
    assert page.get_by_text("Tagged “VIP”.").is_visible()
    assert page.get_by_role("button", name="Remove the tag VIP").is_visible()
    walk.step("tagged")

    page.get_by_role("link", name="Edit contact details").click()
    assert page.get_by_label("Phone").input_value() == "07700 900123"
    page.get_by_label("Phone").fill("call me")
    page.get_by_role("button", name="Save").click()
    assert page.get_by_text("Use digits, spaces and + ( ) - . only.").is_visible()
    walk.step("phone-refused")
    page.get_by_label("Phone").fill("+44 7700 900999")
    page.get_by_role("button", name="Save").click()
    assert page.get_by_text("Contact details saved.").is_visible()
    assert page.get_by_role("link", name="+44 7700 900999").is_visible()
    walk.step("phone-saved")

    factories.fresh()
    saved = db.session.get(User, cara.id)
    assert saved.phone == "+44 7700 900999"
    tags = db.session.scalars(db.select(ClientTag.tag).where(ClientTag.client_id == cara.id))
    assert sorted(tags) == ["Prefers mornings", "VIP"]


def test_the_desk_deletes_the_account_of_a_client_who_asked(live_server, app, walk):
    svc, (anna,), (room,) = factories.spa()
    gail = factories.user(name="Gail Quinn", email="gail@example.com")
    factories.booking(gail, anna, room, svc, at(factories.next_weekday(3), "10:00"))
    page = walk.page

    log_in(page, live_server, factories.user(Role.STAFF, name="Dee Desk"))
    page.goto(f"{live_server}/clients/{gail.id}")
    page.get_by_role("link", name="Delete their account…").click()
    assert page.get_by_text("their 1 visit ahead is cancelled").is_visible()
    page.get_by_label("Type the client's name to confirm").fill("Gail")
    page.get_by_role("button", name="Delete the account").click()
    assert page.get_by_text("nothing was deleted").is_visible()
    walk.step("wrong-name")
    page.get_by_label("Type the client's name to confirm").fill("gail quinn")
    page.get_by_role("button", name="Delete the account").click()
    assert page.get_by_text("The account is deleted; 1 visit ahead was cancelled.").is_visible()
    assert "Gail Quinn" not in page.content()
    walk.step("deleted")
