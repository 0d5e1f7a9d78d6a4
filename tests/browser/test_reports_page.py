"""The Reports page in the browser, as the owner reads it: on a phone without JavaScript and on
a wide screen; the revenue and open-hours charts drawn, their numbers in tables, axe on each
step."""

from __future__ import annotations

import pytest

from spa_app.accounts.models import User
from spa_app.booking.models import Booking
from spa_app.database import unit_of_work
from spa_app.extensions import db
from spa_app.feedback import service as feedback
from tests.browser.conftest import log_in
from tests.reports.conftest import database, spa, utc  # noqa: F401

pytestmark = pytest.mark.browser


def test_the_owner_reads_the_reports(live_server, walk, spa, monkeypatch):  # noqa: F811
    with unit_of_work():  # Cleo rates her first visit low
        visit = db.session.scalars(
            db.select(Booking).where(Booking.status == "completed").order_by(Booking.starts_at)
        ).all()[1]
        feedback.give(visit, 2, "Too rushed at the end.", utc("2027-05-01 10:00"))
    page = walk.page
    log_in(page, live_server, db.session.get(User, spa["staff"]))
    url = f"{live_server}/staff/reports?from=2027-03-01&to=2027-04-30"
    page.goto(url)
    assert page.get_by_role("heading", name="Reports", level=1).is_visible()
    for field in ("from", "to", "therapist", "service"):  # each label on its field's line
        label, box = page.locator(f"label[for={field}]").bounding_box(), page.locator(f"#{field}")
        box = box.bounding_box()
        assert box["y"] <= label["y"] + label["height"] / 2 <= box["y"] + box["height"], field
    assert page.get_by_text("No-shows: 17% of the 6 visits whose time came (1).").is_visible()
    revenue, hours = page.locator("#revenue rect.bar"), page.locator("#use-therapists rect.bar")
    assert revenue.count() == 2 and hours.count() == 2  # March and April; Anna and Ben
    assert page.locator("#use-rooms rect.bar").count() == 1
    assert page.get_by_role("table", name="Each therapist's open hours booked").is_visible()
    assert page.get_by_role("link", name="Download as CSV").count() == 10
    assert page.get_by_role("link", name="Cleo").is_visible()  # the low rating, to her record
    assert walk.step("reports") == []
    page.get_by_label("Therapist", exact=True).select_option(label="Ben")
    page.get_by_role("button", name="Show").click()
    assert page.get_by_text("No-shows: 33% of the 3 visits whose time came (1).").is_visible()
    assert walk.step("reports-one-therapist") == []
    # On 1 May 2027 Cleo's plan has had its eight weeks: the page charts them.
    monkeypatch.setattr("spa_app.reports.views.utcnow", lambda: utc("2027-05-01 12:00"))
    page.goto(url)
    assert page.locator("#home-care-weeks rect.bar").count() == 8
    assert page.get_by_role("table", name="Routines ticked, by week since the plan was published")
    assert walk.step("reports-weeks-since-publishing") == []
