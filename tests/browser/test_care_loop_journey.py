"""The care loop end to end in the browser: a client whose routines halved re-rates her areas
from her appointment reminder's link on a phone (no log-in, no JavaScript); her therapist sees
the marker on tomorrow's day, the visit's reading, flags and chart with her new score, starts
the next plan from the last one and reads what changed. Screenshots in the journeys' folders."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from spa_app.extensions import db
from spa_app.homecare.library import load_library
from tests import factories
from tests.browser.conftest import log_in
from tests.browser.test_checkin_journey import LINE
from tests.notifications.conftest import deliver_all, mail_settings

pytestmark = pytest.mark.browser


def _halved_client(app, smtp):
    """Cora's plan, published four weeks ago, every routine daily: all done in weeks 1-2, the
    first routine only on two days a week since; her next visit tomorrow, and the reminder's
    check-in link from a real e-mail."""
    from email import message_from_bytes, policy

    from spa_app.database import unit_of_work
    from spa_app.notifications import visits
    from spa_app.notifications.models import MessageKind

    load_library()
    db.session.commit()
    svc, (anna,), (room,) = factories.spa()
    cora = factories.user(name="Cora Client")
    first_day = datetime.now(UTC).astimezone(factories.LONDON).date() - timedelta(days=28)
    factories.intake(cora.id, severity={"neck": 6, "lower_back": 4}, conditions=[],
                     updated_at=factories.at(first_day - timedelta(days=2), "18:00"))  # fmt: skip
    done = factories.booking(cora, anna, room, svc, factories.at(first_day, "10:00"),
                             status=factories.BookingStatus.COMPLETED)  # fmt: skip
    plan = factories.plan(done, now=factories.at(first_day, "12:00"))
    for item in plan.items:
        item.days = "0123456"
    db.session.commit()
    for n in range(28):
        for item in plan.items[: None if n < 14 else 1]:
            if n < 14 or n % 7 < 2:
                factories.completion(plan, first_day + timedelta(days=n), item=item)
    starts = (datetime.now(UTC) + timedelta(days=1)).replace(microsecond=0)
    coming = factories.booking(cora, anna, room, svc, starts)
    smtp.received.clear()
    with unit_of_work():
        visits.queue_notice(MessageKind.APPOINTMENT_REMINDER, coming, starts - timedelta(days=1))
    deliver_all(starts - timedelta(hours=23), mail_settings(app, smtp.port))
    (envelope,) = [e for e in smtp.received if e.rcpt_tos == [cora.email]][-1:]
    text = message_from_bytes(envelope.content, policy=policy.default).get_body(("plain",))
    (line,) = [ln for ln in text.get_content().splitlines() if ln.startswith(LINE)]
    return anna, coming, line.removeprefix(LINE).removeprefix("http://127.0.0.1:5000")


def test_a_client_re_rates_and_her_therapist_carries_the_plan_forward(
    app, live_server, smtp, journey, desktop_journey
):
    anna, coming, link = _halved_client(app, smtp)

    # Cora, on her phone, from the e-mail: her neck is worse, her back better.
    phone = journey.page
    phone.goto(live_server + link)
    phone.get_by_role("group", name="Neck").get_by_label("9", exact=True).check()
    phone.get_by_role("group", name="Lower back").get_by_label("2", exact=True).check()
    assert journey.step("client-re-rates") == []
    phone.get_by_role("button", name="Save my answers").click()
    assert phone.get_by_role("status").inner_text().startswith("Thank you")
    assert journey.step("client-thanked") == []

    # Anna, at her desk: tomorrow's day marks Cora's visit.
    page = desktop_journey.page
    log_in(page, live_server, anna.user)
    tomorrow = coming.starts_at.astimezone(factories.LONDON).date()
    page.goto(f"{live_server}/schedule/day?date={tomorrow.isoformat()}")
    card = page.locator(".cal-item", has_text="Cora Client")
    assert card.locator(".marker.care").count() == 1
    assert "Home care needs a look" in card.inner_text()
    assert desktop_journey.step("therapist-day-marker") == []

    # The visit: the halving read and flagged, and the neck's new score on its line.
    page.goto(f"{live_server}/bookings/{coming.id}")
    assert page.get_by_text("then down by half or more").first.is_visible()
    assert page.get_by_text("Neck: 9 out of 10, up 3 since the intake.").is_visible()
    assert page.locator("li.care-flag.drop_off").count() >= 1
    line = page.locator("svg.chart", has=page.locator("polyline"))
    assert line.count() == 1 and line.locator("polyline").count() == 2  # neck, lower back
    scores = page.locator("table.chart-data").last
    assert "9" in scores.inner_text() and "Intake" in scores.inner_text()
    assert desktop_journey.step("therapist-visit-chart-and-flags") == []

    # The next plan, from the last one: each routine carries advice on what changed.
    page.get_by_role("button", name="Start from the last plan").click()
    body = page.locator("main").inner_text()
    assert "Changes from the plan of" in body and "No changes yet" in body
    assert "Neck worse since the intake: 6, now 9 out of 10." in body
    assert "Not kept up lately" in body
    assert desktop_journey.step("therapist-carried-draft") == []
    # She takes the advice: fewer days for the first routine; the changes say so.
    first = page.locator("section.plan-item").first
    name = first.get_by_role("heading").inner_text().split(". ", 1)[1]
    for day in ("Tuesday", "Thursday", "Saturday", "Sunday"):
        first.get_by_role("checkbox", name=day).uncheck()
    page.get_by_role("button", name="Save the draft").click()
    changes = page.locator("ul.plan-changes").inner_text()
    assert f"Changed: {name} (days Mo Tu We Th Fr Sa Su → Mo We Fr)" in changes, changes
    assert desktop_journey.step("therapist-draft-with-its-changes") == []
