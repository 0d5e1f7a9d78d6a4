"""A client fills in the health intake on a phone, without JavaScript; the therapist reads it."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from spa_app.extensions import db
from spa_app.homecare.models import Intake
from tests import factories
from tests.browser.conftest import log_in, menu

pytestmark = pytest.mark.browser


def test_a_client_fills_in_the_intake_and_their_therapist_reads_it(
    live_server, phone, app, axe_check
):
    svc, (anna,), (room,) = factories.spa()
    me = factories.user()
    factories.booking(me, anna, room, svc, datetime.now(UTC) + timedelta(days=3))

    log_in(phone, live_server, me)
    menu(phone, "My bookings").click()
    phone.get_by_role("link", name="health intake", exact=True).click()  # the prompt
    tension = phone.get_by_role("group", name=re.compile("^Where do you feel tension"))
    tension.get_by_label("Neck").select_option("8")
    tension.get_by_label("Hands and wrists").select_option("4")
    phone.get_by_label("Less stress").check()
    phone.get_by_label("Desk work").check()
    phone.get_by_label("Pressure you like").select_option(label="Medium")
    phone.get_by_label("Minutes a day").fill("70")
    phone.get_by_role("button", name="Save my intake").click()
    assert phone.get_by_text("Between 5 and 60 minutes, please.").is_visible()
    phone.get_by_label("Minutes a day").fill("12")
    phone.get_by_label("Varicose veins").check()
    phone.get_by_role("button", name="Save my intake").click()
    assert phone.get_by_text("your health intake is saved").is_visible()
    intake_url = phone.url
    assert axe_check(intake_url, phone.context.cookies()) == []

    factories.fresh()
    intake = db.session.get(Intake, me.id)
    assert intake.severity == {"neck": 8, "hands_wrists": 4} and intake.minutes_per_day == 12

    menu(phone, re.compile("^Log out"), "button").click()
    log_in(phone, live_server, anna.user)
    phone.goto(f"{live_server}/clients/{me.id}/intake")
    assert phone.get_by_role("heading", name="Be careful of").is_visible()
    assert phone.get_by_text("Varicose veins").is_visible()
    assert axe_check(phone.url, phone.context.cookies()) == []
