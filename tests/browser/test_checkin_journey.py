"""A client opens the check-in link from her appointment reminder on a phone without
JavaScript (no log-in), rates her areas, and sees thanks; an old link says how to log in.
Screenshots in .artifacts/checkin-*.png (and the journey's own folder), axe on every page."""

from __future__ import annotations

from datetime import timedelta
from email import message_from_bytes, policy

import pytest
import sqlalchemy as sa

from spa_app.database import unit_of_work, utcnow
from spa_app.extensions import db
from spa_app.homecare.outcomes.models import CheckIn
from spa_app.notifications import visits
from spa_app.notifications.models import MessageKind
from tests import factories
from tests.browser.conftest import ARTIFACTS
from tests.notifications.conftest import deliver_all, mail_settings

pytestmark = pytest.mark.browser
LINE = "Before your visit, tell your therapist how your areas are: "


def _reminder_link(app, smtp) -> str:
    """The check-in link of a real appointment reminder, sent through the outbox."""
    svc, (anna,), (room,) = factories.spa()
    cora = factories.user(name="Cora Client")
    starts = utcnow().replace(microsecond=0) + timedelta(days=1)
    booking = factories.booking(cora, anna, room, svc, starts)
    factories.intake(cora.id, severity={"neck": 6, "lower_back": 3, "hands_wrists": 2},
                     goals=["pain_relief", "sleep"])  # fmt: skip
    with unit_of_work():
        visits.queue_notice(MessageKind.APPOINTMENT_REMINDER, booking, starts - timedelta(days=1))
    deliver_all(starts - timedelta(hours=23), mail_settings(app, smtp.port))
    (envelope,) = smtp.received
    text = message_from_bytes(envelope.content, policy=policy.default).get_body(("plain",))
    (line,) = [ln for ln in text.get_content().splitlines() if ln.startswith(LINE)]
    return line.removeprefix(LINE).removeprefix("http://127.0.0.1:5000")


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"checkin-{name}.png", full_page=True)


def test_a_client_rates_her_areas_from_the_reminder_on_a_phone(
    app, live_server, smtp, journey, axe_check
):
    link = _reminder_link(app, smtp)
    page = journey.page
    page.goto(live_server + link)
    assert page.get_by_role("heading", level=1).inner_text().startswith("Before your visit on")
    assert journey.step("form") == []
    _shot(page, "1-form")
    assert axe_check(live_server + link) == []
    neck = page.get_by_role("group", name="Neck")
    assert neck.get_by_text("(at your intake: 6)").is_visible()
    # Each choice is a big target: the whole label, at least 44 px high.
    box = neck.locator("label").nth(4).bounding_box()
    assert box["height"] >= 44 and box["width"] >= 36, box
    neck.get_by_label("4", exact=True).check()
    page.get_by_role("group", name="Lower back").get_by_label("2", exact=True).check()
    page.get_by_role("group", name="Trouble sleeping this week (optional)").get_by_label(
        "5", exact=True
    ).check()
    page.get_by_role("button", name="Save my answers").click()
    assert page.get_by_role("status").inner_text().startswith("Thank you")
    assert journey.step("thanks") == []
    _shot(page, "2-thanks")
    factories.fresh()
    (saved,) = db.session.execute(sa.select(CheckIn)).scalars().all()
    assert {s.area.value: s.score for s in saved.scores} == {"neck": 4, "lower_back": 2}
    assert saved.goal_score == 5
    # Back through the same link: her answers are chosen, ready to change.
    page.goto(live_server + link)
    assert page.get_by_role("group", name="Neck").get_by_label("4", exact=True).is_checked()


def test_nothing_chosen_says_so_and_an_old_link_says_how_to_log_in(app, live_server, smtp, journey):
    link = _reminder_link(app, smtp)
    page = journey.page
    page.goto(live_server + link)
    page.get_by_role("button", name="Save my answers").click()
    assert "at least one" in page.get_by_role("alert").inner_text()
    assert journey.step("nothing-chosen") == []
    _shot(page, "3-nothing-chosen")
    page.goto(live_server + link + "x")
    assert page.get_by_role("heading", level=1).inner_text() == "This link has expired"
    assert page.get_by_role("link", name="log in").is_visible()
    assert journey.step("expired") == []
    _shot(page, "4-expired")
