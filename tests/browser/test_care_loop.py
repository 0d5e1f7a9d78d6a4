"""The care loop in the browser: before the next visit the therapist sees how the client kept
to the plan week by week (the reading, the flags, the bars and the grid), on a phone without
JavaScript and on a wide screen, axe on each."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from spa_app.extensions import db
from spa_app.homecare.library import load_library
from spa_app.homecare.outcomes.models import CheckIn, CheckInScore
from spa_app.homecare.vocab import Area
from tests import factories
from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser


def test_the_therapist_sees_the_weeks_before_the_next_visit(live_server, walk, app):
    load_library()
    db.session.commit()
    svc, (anna,), (room,) = factories.spa()
    me = factories.user()
    factories.intake(me.id, severity={"neck": 6, "lower_back": 4}, conditions=[])
    first_day = datetime.now(UTC).astimezone(factories.LONDON).date() - timedelta(days=35)
    done = factories.booking(me, anna, room, svc, factories.at(first_day, "10:00"))
    plan = factories.plan(done, now=factories.at(first_day, "12:00"))
    for item in plan.items:
        item.days = "0123456"
    db.session.commit()
    for n in range(35):
        week = n // 7
        for item in plan.items[: 1 if week >= 3 else None]:
            if week < 3 or n % 7 < 3:
                felt = 8 if n == 30 else None
                factories.completion(plan, first_day + timedelta(days=n), item=item,
                                     discomfort=felt)  # fmt: skip
    coming = factories.booking(me, anna, room, svc, datetime.now(UTC) + timedelta(days=1))
    for weeks_ago, neck, back in ((3, 5, 4), (2, 6, 3), (1, 8, 3), (0, 9, 2)):
        at = datetime.now(UTC) - timedelta(weeks=weeks_ago)
        scores = [CheckInScore(area=Area.NECK, score=neck),
                  CheckInScore(area=Area.LOWER_BACK, score=back)]  # fmt: skip
        db.session.add(CheckIn(client_id=me.id, period=f"week:{weeks_ago}", created_at=at,
                               updated_at=at, scores=scores))  # fmt: skip
    db.session.commit()

    page = walk.page
    log_in(page, live_server, anna.user)
    page.goto(f"{live_server}/bookings/{coming.id}")
    assert page.get_by_text("then down by half or more").is_visible()
    assert page.locator("li.care-flag").count() >= 2
    assert page.locator("svg.chart rect").count() >= 5
    assert page.get_by_text("Neck: 9 out of 10, up 3 since the intake.").is_visible()
    assert page.locator("svg.chart polyline").count() >= 2
    walk.step("visit-with-the-weeks")
    page.get_by_text("Each routine, week by week").click()
    assert page.get_by_role("table").last.is_visible()
    walk.step("routine-grid-open")
