"""The client's own plan page shows their weeks so far (bars and a table) and, once they have
checked in, each area's line from the intake; the same for whoever may read the plan."""

from __future__ import annotations

import html
from datetime import UTC, datetime, timedelta

from spa_app.extensions import db
from spa_app.homecare.outcomes.models import CheckIn, CheckInScore
from spa_app.homecare.vocab import Area
from tests import factories
from tests.homecare.watch.conftest import follow, local_today
from tests.sqlcount import count_statements


def page(client, plan) -> str:
    return html.unescape(client.get(f"/plans/{plan.id}").get_data(as_text=True))


def test_the_client_sees_her_weeks_so_far(client, clients):
    halved = clients["halved"]
    factories.login(client, halved.booking.client)
    shown = page(client, halved)
    assert "Your weeks so far" in shown
    assert '<th scope="row">Week 1</th>' in shown and '<th scope="row">Week 4</th>' in shown
    assert '<td data-label="Share">100%</td>' in shown  # weeks 1-2
    assert '<td data-label="Share">29%</td>' in shown  # weeks 3-4: 2 of 7 days
    assert "Week 5 (so far)" in shown  # today's week, open
    # No check-in yet: no line, but she is told where one comes from.
    assert "Each area's score, from the intake" not in shown
    assert "your answers draw a line here from your intake" in shown
    # Nothing of the therapist's reading or flags.
    assert "care-flag" not in shown and "down by half" not in shown


def test_after_a_check_in_her_areas_have_a_line(client, clients):
    halved = clients["halved"]
    now = datetime.now(UTC)
    monday = local_today() - timedelta(days=local_today().weekday())
    neck = [CheckInScore(area=Area.NECK, score=3)]
    db.session.add(CheckIn(client_id=halved.client_id, period=f"week:{monday}", created_at=now,
                           updated_at=now, scores=neck))  # fmt: skip
    db.session.commit()
    factories.login(client, halved.booking.client)
    shown = page(client, halved)
    assert "Each area's score, from the intake (0 none, 10 the worst)" in shown
    # The intake's 6 for the neck, then today's 3.
    assert '<td data-label="Neck">6</td>' in shown and '<td data-label="Neck">3</td>' in shown


def test_a_plan_replaced_since_ends_the_day_before_the_next(client, clients):
    """The halved plan, replaced by one published today: its weeks stop yesterday."""
    halved = clients["halved"]
    was = halved.booking
    visit = factories.booking(was.client, was.therapist, was.room, was.service,
                              factories.at(local_today(), "09:00"))  # fmt: skip
    factories.plan(visit, [i.routine for i in halved.items])
    factories.login(client, was.client)
    shown = page(client, halved)
    assert '<th scope="row">Week 4</th>' in shown and "Week 5" not in shown


def test_a_plan_published_today_shows_no_weeks_chart_yet_beyond_today(client, clients):
    fresh_plan = follow(*clients["spa"], name="New Today", kept=[])
    factories.login(client, fresh_plan.booking.client)
    shown = page(client, fresh_plan)
    assert "Week 1 (so far)" in shown


def test_the_weeks_cost_four_statements(client, clients):
    """The next plan's date, the ticks and the scores (intake, check-ins): the same whatever
    the weeks."""
    short = follow(*clients["spa"], name="Two Weeks", kept=[7, 7])
    long = clients["steady"]
    counts = []
    for plan in (short, long):
        factories.login(client, plan.booking.client)
        client.get(f"/plans/{plan.id}")
        with count_statements() as sent:
            client.get(f"/plans/{plan.id}")
        counts.append(len(sent))
        client.post("/logout")
    assert counts[0] == counts[1]
