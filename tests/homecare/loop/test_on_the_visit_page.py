"""The care loop on the visit's page: the therapist sees, before the visit and after it is
completed, the reading of the plan week by week, its flags, the bars and the grid."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree

import pytest

from spa_app.booking.models import BookingStatus
from spa_app.extensions import db
from spa_app.homecare.models import AuditEntry
from spa_app.homecare.outcomes.models import CheckIn, CheckInScore
from spa_app.homecare.vocab import Area
from tests import factories
from tests.homecare.test_plan_views import cast, plan_row, publish, start  # noqa: F401


@pytest.fixture
def halved(client, cast):  # noqa: F811
    """A plan published four weeks ago, every routine every day: all done in weeks 1-2, the
    first routine only on two days a week in weeks 3-4; the next visit in two days."""
    plan = start(client, cast)
    publish(client, plan)
    plan = plan_row(plan.id)
    first_day = datetime.now(UTC).astimezone(factories.LONDON).date() - timedelta(days=28)
    plan.published_at = factories.at(first_day, "12:00")
    db.session.commit()
    for n in range(14):
        for item in plan.items:
            factories.completion(plan, first_day + timedelta(days=n), item=item)
    for n in (14, 17, 21, 24):
        factories.completion(plan, first_day + timedelta(days=n), discomfort=8 if n == 24 else 2)
    visit = cast["visit"]
    next_visit = factories.booking(cast["a"], visit.therapist, visit.room, visit.service,
                                   datetime.now(UTC) + timedelta(days=2))  # fmt: skip
    return plan, next_visit


def _weekly_bars(page: str) -> list[str]:
    svg = page[page.index("<svg") : page.index("</svg>") + len("</svg>")]
    root = ElementTree.fromstring(svg)
    return [t.text for t in root.iter("{http://www.w3.org/2000/svg}title")]


def test_the_therapist_reads_a_halving_and_its_flag_before_the_visit(client, halved):
    plan, next_visit = halved
    page = client.get(f"/bookings/{next_visit.id}").get_data(as_text=True)
    items = len(plan.items)
    assert "Kept to it in weeks 1-2 (100%), then down by half or more" in page
    assert 'class="care-flag drop_off"' in page
    assert 'class="care-flag low_comfort"' in page  # the 8 of ten days ago
    # The bars carry each week's share; the table the same numbers.
    assert any("Week 3" in (t or "") and f"{round(200 / (7 * items))}%" in t
               for t in _weekly_bars(page))  # fmt: skip
    assert f'<td data-label="Planned">{7 * items}</td>' in page
    assert '<td data-label="Share">100%</td>' in page
    assert "Each routine, week by week" in page
    assert "Each area, from the intake" not in page  # no check-in yet: no line to draw


def test_the_reading_stays_on_the_visit_once_it_is_completed(client, halved):
    _plan, next_visit = halved
    next_visit.starts_at -= timedelta(days=2, hours=1)
    next_visit.ends_at -= timedelta(days=2, hours=1)
    next_visit.status = BookingStatus.COMPLETED
    db.session.commit()
    page = client.get(f"/bookings/{next_visit.id}").get_data(as_text=True)
    assert "Home plan since the last visit" in page
    assert "then down by half or more" in page


def test_the_client_never_sees_the_reading(client, cast, halved):  # noqa: F811
    _plan, next_visit = halved
    client.post("/logout")
    factories.login(client, cast["a"])
    page = client.get(f"/bookings/{next_visit.id}").get_data(as_text=True)
    assert "down by half" not in page and "care-flag" not in page


def test_the_plan_editor_says_how_the_last_plan_went_and_audits_it(client, halved):
    plan, next_visit = halved
    draft = factories.plan(next_visit, published=False)
    page = client.get(f"/plans/{draft.id}/edit").get_data(as_text=True)
    assert "How the last plan went" in page
    assert "then down by half or more" in page and 'class="care-flag drop_off"' in page
    factories.fresh()
    subjects = db.session.execute(db.select(AuditEntry.subject)).scalars().all()
    assert f"plan {draft.id}, adherence plan {plan.id}, check-ins" in subjects


def test_a_first_plan_has_nothing_to_say_about_a_last_one(client, cast):  # noqa: F811
    factories.login(client, cast["own"])
    draft = factories.plan(cast["visit"], published=False)
    page = client.get(f"/plans/{draft.id}/edit").get_data(as_text=True)
    assert "How the last plan went" not in page


def test_a_check_in_up_by_three_since_the_intake_is_flagged_on_the_visit(client, cast, halved):  # noqa: F811
    _plan, next_visit = halved
    now = datetime.now(UTC)
    week = (now.astimezone(factories.LONDON).date() - timedelta(days=now.weekday())).isoformat()
    scores = [CheckInScore(area=Area.NECK, score=9), CheckInScore(area=Area.LOWER_BACK, score=6)]
    db.session.add(CheckIn(client_id=cast["a"].id, period=f"week:{week}", created_at=now,
                           updated_at=now, scores=scores))  # fmt: skip
    db.session.commit()
    page = client.get(f"/bookings/{next_visit.id}").get_data(as_text=True)
    # The desk worker's intake said neck 6, lower back 5: only the neck rose by three.
    assert 'class="care-flag score_up"' in page
    assert "Neck: 9 out of 10, up 3 since the intake." in page
    assert "Lower back: 6 out of 10" not in page
    # Each area's line, from the intake's score to the check-in's, with the numbers in a table.
    svg = page[page.index("<svg", page.index("Each area, from the intake") - 400) :]
    root = ElementTree.fromstring(svg[: svg.index("</svg>") + len("</svg>")])
    tips = [t.text for t in root.iter("{http://www.w3.org/2000/svg}title")]
    assert any("Neck" in t and "9" in t for t in tips if t)
    assert '<td data-label="Neck">6</td>' in page and '<td data-label="Neck">9</td>' in page
