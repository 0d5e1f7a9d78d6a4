"""Plans: drafted from the generator, edited, published as versions, then followed."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from spa_app.database import unit_of_work
from spa_app.extensions import db
from spa_app.homecare.library import load_library
from spa_app.homecare.models import Intake, Plan, PlanStatus
from spa_app.homecare.plans import queries
from spa_app.homecare.plans import service as plans
from spa_app.homecare.plans.queries import current_plan
from tests import factories
from tests.factories import LONDON

NOW = datetime(2027, 3, 1, 12, tzinfo=UTC)


@pytest.fixture
def visit(app):
    """A completed visit with its therapist, a client with an intake, and the library."""
    load_library()
    db.session.commit()
    svc, (t,), (r,) = factories.spa()
    client = factories.user()
    b = factories.booking(client, t, r, svc, NOW - timedelta(hours=2))
    factories.intake(
        client.id,
        severity={"neck": 7, "hands_wrists": 3},
        goals=["pain_relief"],
        contexts=["desk_work"],
        pressure=3,
        minutes_per_day=15,
        conditions=[],
    )
    db.session.commit()
    return b, t.user


def draft(b, author, suggested=True) -> Plan:
    with unit_of_work():
        plan = plans.start_draft(b, author, NOW, suggested=suggested)
    return plan


def test_a_suggested_draft_comes_from_the_generator_with_reasons(visit):
    b, author = visit
    plan = draft(b, author)
    assert (plan.version, plan.status) == (1, PlanStatus.DRAFT) and plan.items
    assert plan.items[0].area == "neck" and plan.items[0].why.startswith("A ")
    assert plan.items[0].name == plan.items[0].routine.name  # the words are copied in
    assert [i.position for i in plan.items] == list(range(len(plan.items)))
    assert draft(b, author).id == plan.id  # one draft at a time


def test_edit_reorder_remove_add_then_publish(visit):
    b, author = visit
    plan = draft(b, author)
    first, second = plan.items[0], plan.items[1]
    plans.edit(plan, [plans.ItemEdit(first.id, 3, "024", 1, "Only evenings")])
    plans.move(plan, second.id, -1)
    assert [i.id for i in plan.items[:2]] == [second.id, first.id]
    plans.remove(plan, second.id)
    added = plans.add_routine(plan, first.routine_id + 1)
    assert added.position == len(plan.items) - 1
    plans.publish(plan, reviewed=False, now=NOW)
    db.session.commit()
    assert plan.status is PlanStatus.PUBLISHED and plan.published_at == NOW
    assert (first.minutes, first.days, first.pressure, first.note) == (3, "024", 1, "Only evenings")
    with pytest.raises(plans.PlanError, match="never changed"):
        plans.edit(plan, [plans.ItemEdit(first.id, 5, "0", 1, "")])
    with pytest.raises(plans.PlanError, match="never changed"):
        plans.publish(plan, reviewed=False, now=NOW)


def test_a_revision_is_a_new_version_and_the_latest_published_is_current(visit):
    b, author = visit
    first = draft(b, author)
    plans.publish(first, reviewed=False, now=NOW)
    db.session.commit()
    revision = draft(b, author, suggested=False)
    assert revision.version == 2 and len(revision.items) == len(first.items)
    assert current_plan(b.client_id).id == first.id
    plans.remove(revision, revision.items[0].id)
    plans.publish(revision, reviewed=False, now=NOW + timedelta(minutes=5))
    db.session.commit()
    assert current_plan(b.client_id).id == revision.id
    factories.fresh()
    assert len(db.session.get(Plan, first.id).items) == len(revision.items) + 1  # untouched


def test_a_contraindication_needs_the_therapists_review_to_publish(visit):
    b, author = visit
    intake = db.session.get(Intake, b.client_id)
    intake.conditions = ["varicose_veins"]
    db.session.commit()
    plan = draft(b, author)
    with pytest.raises(plans.PlanError, match="confirm you reviewed"):
        plans.publish(plan, reviewed=False, now=NOW)
    plans.publish(plan, reviewed=True, now=NOW)
    assert plan.reviewed and plan.status is PlanStatus.PUBLISHED


def test_no_intake_no_suggestion_but_an_empty_draft_cannot_be_published(visit):
    b, author = visit
    db.session.delete(db.session.get(Intake, b.client_id))
    db.session.commit()
    with pytest.raises(plans.PlanError, match="not filled in the health intake"):
        draft(b, author)
    plan = draft(b, author, suggested=False)
    with pytest.raises(plans.PlanError, match="at least one routine"):
        plans.publish(plan, reviewed=False, now=NOW)


def test_ticking_off_counts_this_week_and_the_streak(visit):
    b, author = visit
    plan = draft(b, author)
    for item in plan.items:
        item.days = "0123456"
    plans.publish(plan, reviewed=False, now=NOW)  # Monday 1 March 2027
    db.session.commit()
    wednesday = date(2027, 3, 3)
    for day in (date(2027, 3, 1), date(2027, 3, 2), wednesday):
        for item in plan.items:
            assert plans.tick(plan, item.id, day, discomfort=6)
    assert not plans.tick(plan, plan.items[0].id, wednesday, discomfort=None)  # once a day
    result = queries.progress(plan, wednesday, LONDON)
    # Only the days up to today count; Thursday to Sunday are still to come.
    assert (result.done, result.scheduled, result.streak, result.to_come) == (
        3 * len(plan.items),
        3 * len(plan.items),
        3,
        4 * len(plan.items),
    )
    assert queries.progress(plan, date(2027, 3, 5), LONDON).streak == 0  # Thursday was missed


def test_a_tick_for_an_unscheduled_day_or_a_draft_is_refused(visit):
    b, author = visit
    plan = draft(b, author)
    with pytest.raises(plans.PlanError):
        plans.tick(plan, plan.items[0].id, date(2027, 3, 1), None)
    plan.items[0].days = "0"
    plans.publish(plan, reviewed=False, now=NOW)
    with pytest.raises(plans.PlanError, match="not scheduled"):
        plans.tick(plan, plan.items[0].id, date(2027, 3, 2), None)


def test_editing_the_library_does_not_change_a_published_plan(visit):
    b, author = visit
    plan = draft(b, author)
    plans.publish(plan, reviewed=False, now=NOW)
    db.session.commit()
    item = plan.items[0]
    words = (item.name, item.steps, item.tools, item.caution, item.area, item.kind)
    item.routine.name, item.routine.steps = "Renamed", "Something else entirely"
    item.routine.area = "lower_legs_feet"
    db.session.commit()
    factories.fresh()
    again = db.session.get(Plan, plan.id).items[0]
    assert (again.name, again.steps, again.tools, again.caution, again.area, again.kind) == words


def test_a_replaced_plan_can_no_longer_be_ticked(visit):
    b, author = visit
    first = draft(b, author)
    for item in first.items:
        item.days = "0123456"
    plans.publish(first, reviewed=False, now=NOW)
    db.session.commit()
    second = draft(b, author, suggested=False)
    plans.publish(second, reviewed=False, now=NOW + timedelta(hours=1))
    db.session.commit()
    with pytest.raises(plans.PlanError, match="newer plan has replaced"):
        plans.tick(first, first.items[0].id, date(2027, 3, 2), None)
    assert plans.tick(second, second.items[0].id, date(2027, 3, 2), None)


def test_this_week_counts_from_the_local_day_of_publishing(visit):
    b, author = visit
    plan = draft(b, author)
    for item in plan.items:
        item.days = "0123456"
    # Published on Wednesday 3 March at 23:30 in New York: already Thursday in UTC.
    new_york = ZoneInfo("America/New_York")
    plans.publish(plan, reviewed=False, now=datetime(2027, 3, 4, 4, 30, tzinfo=UTC))
    db.session.commit()
    wednesday = date(2027, 3, 3)
    plans.tick(plan, plan.items[0].id, wednesday, None)
    result = queries.progress(plan, wednesday, new_york)
    assert result.scheduled == len(plan.items)  # Wednesday, today
    assert result.to_come == 4 * len(plan.items)  # Thursday to Sunday
    assert result.done == 1


def test_the_week_of_the_spring_clock_change_counts_whole_days(visit):
    b, author = visit
    plan = draft(b, author)
    for item in plan.items:
        item.days = "0123456"
    # Published Monday 22 March 2027; the clocks go forward on Sunday 28 March in London.
    plans.publish(plan, reviewed=False, now=datetime(2027, 3, 22, 8, 0, tzinfo=UTC))
    db.session.commit()
    sunday = date(2027, 3, 28)
    for n in range(7):
        plans.tick(plan, plan.items[0].id, date(2027, 3, 22) + timedelta(days=n), None)
    result = queries.progress(plan, sunday, LONDON)
    assert (result.scheduled, result.to_come) == (7 * len(plan.items), 0)
    assert result.done == 7
