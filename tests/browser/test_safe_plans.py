"""In Chromium at phone size with JavaScript off: a therapist builds a plan for a pregnant
client (the editor warns, asks and keeps the confirmation), and the client reads it on screen
and on paper. Each step is screenshotted and checked with axe."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from spa_app.extensions import db
from spa_app.homecare.library import load_library
from spa_app.homecare.models import Plan, PlanStatus
from tests import factories
from tests.browser.conftest import log_in


def test_a_plan_for_a_pregnant_client_warns_asks_and_prints(live_server, phone, journey, app):
    load_library()
    db.session.commit()
    factories.settings(address="1 High Street\nBath", phone="01225 000000")
    svc, (anna,), (room,) = factories.spa()
    pia = factories.user(name="Pia Pregnant")
    factories.intake(
        pia.id,
        severity={"neck": 6, "shoulders": 5, "lower_back": 4},
        goals=["pain_relief", "stress"],
        contexts=["desk_work"],
        minutes_per_day=20,
        conditions=["pregnancy"],
    )
    visit = factories.booking(pia, anna, room, svc, datetime.now(UTC) - timedelta(hours=3))

    log_in(phone, live_server, anna.user)
    phone.goto(f"{live_server}/bookings/{visit.id}")
    phone.get_by_role("button", name="Suggest a plan").click()
    alert = phone.get_by_role("alert").filter(has_text="Review needed before publishing")
    assert alert.get_by_text("The client ticked: Pregnancy").is_visible()
    assert phone.get_by_text("Minutes each day").is_visible()
    names = phone.locator("section.plan-item h2").all_inner_texts()
    assert not any("Top-of-the-shoulders" in n or "Base-of-the-spine" in n for n in names)
    phone.get_by_text("What the suggestion left out, and why").click()
    assert phone.get_by_text("Top-of-the-shoulders pressure point: Left out because of pregnancy.")
    journey.step("editor")

    # The point to avoid in pregnancy, added by hand: a warning, nothing saved until confirmed.
    library = phone.get_by_label("Add a routine from the library")
    library.select_option(label="Shoulders: Top-of-the-shoulders pressure point")
    phone.get_by_role("button", name="Add this routine").click()
    warning = phone.locator("#warnings")
    assert warning.get_by_text("Nothing is saved yet").is_visible()
    assert warning.get_by_text("Left out because of pregnancy.").first.is_visible()
    assert phone.locator("section.plan-item").count() == len(names)
    journey.step("editor-warning")
    warning.get_by_label("I have read these warnings and want to go ahead").check()
    warning.get_by_role("button", name="Go ahead with the change").click()
    assert phone.get_by_text("Saved.").is_visible()
    assert phone.locator("section.plan-item").count() == len(names) + 1
    phone.get_by_text("Warnings you confirmed").click()
    journey.step("editor-confirmed")

    phone.get_by_label("I have reviewed this plan against the client's contraindications").check()
    phone.get_by_role("button", name="Publish to the client").click()
    assert phone.get_by_text("The plan is published").is_visible()
    factories.fresh()
    (plan,) = db.session.scalars(db.select(Plan).where(Plan.booking_id == visit.id)).all()
    assert plan.status is PlanStatus.PUBLISHED and plan.overrides

    # The client reads it: how it felt in words, the hold timer as text, then the printout.
    phone.context.clear_cookies()
    log_in(phone, live_server, pia)
    phone.goto(f"{live_server}/plans/{plan.id}")
    assert phone.get_by_text("0 no discomfort, 10 the worst").first.is_visible()
    assert phone.get_by_text("90 seconds on each side").is_visible()
    journey.step("client-plan")
    phone.emulate_media(media="print")
    sheet = phone.locator("section.tick-sheet")
    assert sheet.is_visible() and sheet.locator("table").count() == 4
    assert sheet.get_by_text("Pia Pregnant, with").is_visible()
    assert sheet.get_by_text("1 High Street, Bath").is_visible()
    assert not phone.locator("section[aria-labelledby=week-h]").is_visible()
    journey.step("client-plan-print")
    phone.emulate_media(media="screen")
