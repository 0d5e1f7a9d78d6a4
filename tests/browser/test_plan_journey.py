"""A therapist publishes a home-care plan; the client reads it with its body map and ticks a
routine off. Phone-sized Chromium, JavaScript off, axe checks on both pages."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from spa_app.extensions import db
from spa_app.homecare.library import load_library
from spa_app.homecare.models import Completion
from tests import factories
from tests.browser.conftest import log_in, menu

pytestmark = pytest.mark.browser


def test_a_therapist_publishes_a_plan_and_the_client_follows_it(live_server, phone, app, axe_check):
    load_library()
    db.session.commit()
    svc, (anna,), (room,) = factories.spa()
    me = factories.user()
    visit = factories.booking(me, anna, room, svc, datetime.now(UTC) - timedelta(hours=2))
    factories.intake(
        me.id,
        severity={"neck": 6, "lower_back": 4},
        goals=["stress"],
        contexts=["desk_work"],
        pressure=2,
        minutes_per_day=20,
        conditions=[],
    )
    db.session.commit()

    log_in(phone, live_server, anna.user)
    phone.goto(f"{live_server}/bookings/{visit.id}")
    phone.get_by_role("button", name="Suggest a plan").click()
    assert "/edit" in phone.url
    editor_url = phone.url
    first = phone.locator("section.plan-item").first
    for day in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"):
        first.get_by_label(day).check()
    first.get_by_label("Note for the client").fill("Slowly, after work.")
    assert axe_check(editor_url, phone.context.cookies()) == []
    phone.get_by_role("button", name="Publish to the client").click()
    assert phone.get_by_text("The plan is published").is_visible()

    menu(phone, re.compile("^Log out"), "button").click()
    log_in(phone, live_server, me)
    menu(phone, "My plan").click()
    assert phone.get_by_role("heading", name="Your home-care plan").is_visible()
    assert phone.locator("svg.body-map").is_visible()
    assert phone.get_by_text("Slowly, after work.").is_visible()
    plan_url = phone.url
    assert axe_check(plan_url, phone.context.cookies()) == []

    today = phone.locator("section", has=phone.get_by_role("heading", name=re.compile("^Today")))
    today.get_by_label("How did it feel?").first.select_option("7")
    today.get_by_role("button", name=re.compile("^Mark .* done for today$")).first.click()
    assert phone.get_by_text("Well done: marked as done for today.").is_visible()
    assert phone.get_by_text("Done today").first.is_visible()

    factories.fresh()
    (tick,) = db.session.execute(db.select(Completion)).scalars().all()
    assert tick.discomfort == 7
