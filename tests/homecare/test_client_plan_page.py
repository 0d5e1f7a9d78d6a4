"""The client's plan page and its printout: counts up to today, ticks undone the same day, how
it felt on the pain scale's own terms, a hold timer in plain text, a blank four-week sheet."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta

import pytest

from spa_app.extensions import db
from spa_app.homecare.models import Completion, Routine
from tests import factories
from tests.homecare.test_plan_views import ALL_DAYS, cast, editor_form, plan_row, start  # noqa: F401


@pytest.fixture
def published(client, cast):  # noqa: F811
    """The therapist's suggested plan with a pressure point added, every routine daily."""
    plan = start(client, cast)
    point = db.session.execute(
        db.select(Routine.id).where(Routine.name == "Base-of-the-spine pressure point")
    ).scalar_one()
    client.post(
        f"/plans/{plan.id}/edit",
        data=editor_form(plan, action="add", routine=str(point), confirm="y"),
    )
    plan = plan_row(plan.id)
    data = editor_form(plan, action="publish", confirm="y", reviewed="y")
    for n in range(len(plan.items)):
        data[f"items-{n}-days"] = ALL_DAYS
    client.post(f"/plans/{plan.id}/edit", data=data)
    client.post("/logout")
    factories.login(client, cast["a"])
    plan = plan_row(plan.id)
    assert plan.published_at is not None
    return plan


def page(client, plan) -> str:
    return html.unescape(client.get(f"/plans/{plan.id}").get_data(as_text=True))


def test_this_week_counts_only_up_to_today(client, published):
    text = page(client, published)
    count = len(published.items)
    match = re.search(r"(\d+) of (\d+)</strong> planned so far this week done", text)
    assert match and int(match.group(1)) == 0
    # Published today: only today's routines are due so far, the rest of the week is to come.
    assert int(match.group(2)) == count
    weekday = datetime.now(UTC).astimezone(factories.LONDON).weekday()
    if weekday < 6:
        assert f"({(6 - weekday) * count} more to come by Sunday)" in text


def test_a_tick_can_be_undone_the_same_day_only(client, published):
    item = published.items[0]
    client.post(f"/plans/{published.id}/done", data={"item_id": item.id})
    text = page(client, published)
    assert f'aria-label="Undo: {item.name} not done today"' in text
    reply = client.post(f"/plans/{published.id}/undo", data={"item_id": item.id})
    assert reply.status_code == 302
    factories.fresh()
    assert db.session.execute(db.select(Completion)).scalars().all() == []
    # An earlier day's tick is not touched by an undo today.
    yesterday = datetime.now(UTC).astimezone(factories.LONDON).date() - timedelta(days=1)
    factories.completion(published, yesterday, item=item)
    client.post(f"/plans/{published.id}/undo", data={"item_id": item.id})
    factories.fresh()
    assert len(db.session.execute(db.select(Completion)).scalars().all()) == 1


def test_how_it_felt_runs_like_the_intakes_pain_with_words(client, published):
    text = page(client, published)
    assert "How did it feel?" in text and "0 no discomfort, 10 the worst" in text
    assert "0 – no discomfort" in text and "10 – the worst" in text
    intake = html.unescape(client.get("/account/intake").get_data(as_text=True))
    assert "0 none, 10 the worst" in intake


def test_a_pressure_point_has_a_hold_timer_in_plain_text(client, published):
    text = page(client, published)
    assert "Hold:</strong> 60 seconds on each side, about 10 slow breaths" in text


def test_the_printout_is_a_blank_four_week_sheet_with_names_and_legend(app, client, published):
    factories.settings(address="1 High Street\nBath", phone="01225 000000")
    client.post(f"/plans/{published.id}/done", data={"item_id": published.items[0].id})
    text = page(client, published)
    sheet = text.split('<section class="tick-sheet print-only"')[1].split("</section>")[0]
    assert published.booking.client.name in sheet and "1 High Street, Bath" in sheet
    assert published.booking.therapist.display_name in sheet
    assert "How to use it:" in sheet and "☐" in sheet
    assert sheet.count("<table") == 4 and "✓" not in sheet  # no live ticks on paper
    assert sheet.count("<td>☐</td>") == 28 * len(published.items)  # every routine daily
    # The live week with its ticks is left off the printout.
    assert 'aria-labelledby="week-h" class="no-print"' in text
