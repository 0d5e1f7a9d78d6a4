"""The pages this round added or changed, on a phone and a wide screen without JavaScript,
axe on each: the therapist's e-mail settings, the client's weeks so far on her plan, the
client record's feedback, and a series past the booking horizon."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from spa_app.database import unit_of_work
from spa_app.extensions import db
from spa_app.feedback import service as feedback
from tests import factories
from tests.browser.conftest import log_in
from tests.homecare.watch.conftest import clients  # noqa: F401

pytestmark = pytest.mark.browser


def test_the_new_care_pages(live_server, walk, clients):  # noqa: F811
    page = walk.page
    halved = clients["halved"]
    log_in(page, live_server, clients["own"])
    page.goto(f"{live_server}/schedule/emails")
    assert page.get_by_role("checkbox", name="A daily list of your clients").is_checked()
    assert walk.step("therapist-email-settings") == []
    with unit_of_work():
        feedback.give(db.session.get(type(halved.booking), halved.booking_id), 2,
                      "The room was cold.", datetime.now(UTC))  # fmt: skip
    page.goto(f"{live_server}/clients/{halved.client_id}")
    assert page.get_by_text("The room was cold.").is_visible()
    assert walk.step("client-record-feedback") == []
    page.goto(f"{live_server}/plans/{halved.id}")
    assert page.get_by_role("heading", name="The weeks so far").is_visible()
    assert page.locator("svg.chart rect.bar").count() >= 4
    assert walk.step("plan-weeks-so-far") == []


def test_a_series_past_the_horizon(live_server, walk, app):
    svc, (anna,), (room,) = factories.spa()
    me = factories.user()
    b = factories.booking(me, anna, room, svc, factories.at(factories.next_weekday(2), "10:00"))
    page = walk.page
    log_in(page, live_server, me)
    page.goto(f"{live_server}/bookings/{b.id}/series?every=6&visits=6")
    assert page.get_by_text("beyond the booking horizon").first.is_visible()
    assert walk.step("series-past-horizon") == []
