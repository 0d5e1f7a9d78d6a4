"""The plan editor's guard-rails over HTTP: what breaks a rule asks for a confirmation that the
plan keeps; added routines start capped and spread; the "why" follows edits; an intake change
after publishing sends the plan back to review."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta

import pytest

from spa_app.extensions import db
from spa_app.homecare.intake.needs import needs_from
from spa_app.homecare.library import load_library
from spa_app.homecare.models import Intake, Plan, Routine
from spa_app.homecare.plans import review
from spa_app.notifications.models import Message, MessageKind
from tests import factories
from tests.homecare.test_plan_views import editor_form, plan_row, start


@pytest.fixture
def cast(app):
    """A pregnant client with a sore neck and upper back, 20 minutes a day, firm liked."""
    load_library()
    db.session.commit()
    svc, (own,), (r,) = factories.spa()
    a = factories.user()
    visit = factories.booking(a, own, r, svc, datetime.now(UTC) - timedelta(hours=3))
    factories.intake(
        a.id,
        severity={"neck": 6, "upper_back": 4},
        goals=["pain_relief"],
        contexts=["desk_work"],
        pressure=3,
        minutes_per_day=20,
        conditions=["pregnancy"],
    )
    return {"a": a, "own": own.user, "visit": visit}


def routine(name: str) -> Routine:
    return db.session.execute(db.select(Routine).where(Routine.name == name)).scalar_one()


def add(client, plan: Plan, name: str, **extra):
    data = editor_form(plan, action="add", routine=str(routine(name).id), **extra)
    return client.post(f"/plans/{plan.id}/edit", data=data)


def test_adding_an_excluded_routine_asks_for_confirmation_and_keeps_it(client, cast):
    plan = start(client, cast)
    count = len(plan.items)
    reply = add(client, plan, "Top-of-the-shoulders pressure point")
    page = html.unescape(reply.get_data(as_text=True))
    assert reply.status_code == 409 and "Nothing is saved yet" in page
    assert "Top-of-the-shoulders pressure point: Left out because of pregnancy." in page
    assert len(plan_row(plan.id).items) == count  # nothing saved
    confirmed = add(client, plan_row(plan.id), "Top-of-the-shoulders pressure point", confirm="y")
    assert confirmed.status_code == 302
    after = plan_row(plan.id)
    assert len(after.items) == count + 1
    confirmed = [o["warning"] for o in after.overrides]
    assert "Top-of-the-shoulders pressure point: Left out because of pregnancy." in confirmed
    assert all(w in page for w in confirmed)  # exactly what the therapist was shown
    # Confirmed once: saving again does not ask again.
    again = client.post(f"/plans/{plan.id}/edit", data=editor_form(after, action="save"))
    assert again.status_code == 302


def test_an_added_routine_takes_the_capped_pressure_and_spread_days(client, cast):
    plan = start(client, cast)
    assert add(client, plan, "Upper back on a tennis ball").status_code == 302
    added = plan_row(plan.id).items[-1]
    assert added.pressure == 2  # pregnancy caps at medium; the routine's own is medium too
    assert len(added.days) == 3 and not re.search(r"01|12|23|34|45|56", added.days)
    assert added.why.startswith("Added by your therapist.")


def test_pressure_above_the_cap_asks_and_the_why_follows_the_edit(client, cast):
    plan = start(client, cast)
    first = plan.items[0]
    data = editor_form(plan, **{"items-0-pressure": "3", "items-0-minutes": "4"}, action="save")
    reply = client.post(f"/plans/{plan.id}/edit", data=data)
    assert reply.status_code == 409
    page = html.unescape(reply.get_data(as_text=True))
    assert f"{first.name}: Firm pressure is above this client's cap of medium." in page
    assert plan_row(plan.id).items[0].pressure == first.pressure
    data["confirm"] = "y"
    assert client.post(f"/plans/{plan.id}/edit", data=data).status_code == 302
    item = plan_row(plan.id).items[0]
    assert item.pressure == 3 and "Firm pressure, set by your therapist." in item.why
    assert item.why.split("\n")[0] == first.why.split("\n")[0]  # the reason stays
    # Back to the cap and the typical minutes: the words follow again.
    data = editor_form(plan_row(plan.id), **{"items-0-pressure": "1"}, action="save")
    assert client.post(f"/plans/{plan.id}/edit", data=data).status_code == 302
    assert "Firm pressure" not in plan_row(plan.id).items[0].why


def test_a_day_over_the_clients_minutes_is_named(client, cast):
    plan = start(client, cast)
    data = editor_form(plan, **{"items-0-minutes": "25"}, action="save")
    data["items-0-days"] = ["0"]
    reply = client.post(f"/plans/{plan.id}/edit", data=data)
    page = html.unescape(reply.get_data(as_text=True))
    assert reply.status_code == 409
    assert "Monday: " in page and "more than the 20 the client has" in page


def test_the_editor_shows_the_intake_summary_totals_and_what_was_left_out(client, cast):
    plan = start(client, cast)
    page = html.unescape(client.get(f"/plans/{plan.id}/edit").get_data(as_text=True))
    assert "Review needed before publishing" in page and "The client ticked: Pregnancy" in page
    assert "Neck 6/10, Upper back 4/10" in page and "Minutes each day" in page
    assert "What the suggestion left out, and why" in page
    assert "Upper back on a foam roller: Left out because of pregnancy." in page
    assert 'class="days-row"' in page and '<span class="visually-hidden">Monday</span>' in page


def test_publishing_needs_the_review_and_an_intake_change_sends_the_plan_back(client, cast):
    plan = start(client, cast)
    data = editor_form(plan, action="publish")
    client.post(f"/plans/{plan.id}/edit", data=data)
    assert plan_row(plan.id).published_at is None  # the review box was not ticked
    client.post(f"/plans/{plan.id}/edit", data={**data, "reviewed": "y"})
    published = plan_row(plan.id)
    assert published.published_at is not None and published.review_needed_at is None

    # The client adds osteoporosis and a neck injury: the plan goes back into review.
    factories.login(client, cast["a"])
    intake = {
        "pain_neck": "6", "pain_shoulders": "0", "pain_upper_back": "4", "pain_lower_back": "0",
        "pain_hands_wrists": "0", "pain_lower_legs_feet": "0", "goals": ["pain_relief"],
        "contexts": ["desk_work"], "pressure": "3", "minutes_per_day": "20",
        "conditions": ["pregnancy", "recent_injury", "osteoporosis"],
        "areas_recent_injury": ["neck"], "condition_note": "", "medicines": "",
    }  # fmt: skip
    reply = client.post("/account/intake", data=intake, follow_redirects=True)
    assert "Your therapist will look at your home-care plan again" in reply.get_data(as_text=True)
    again = plan_row(plan.id)
    assert again.review_needed_at is not None
    message = db.session.execute(
        db.select(Message).where(Message.kind == MessageKind.PLAN_NEEDS_REVIEW)
    ).scalar_one()
    assert message.user_id == cast["own"].id and message.plan_id == plan.id
    page = html.unescape(client.get(f"/plans/{plan.id}").get_data(as_text=True))
    neck = next(i for i in again.items if i.area == "neck")
    assert "Your therapist is checking this plan again" in page
    assert "Pause this one until your therapist has checked it." in page
    assert neck.name in page
    # Saving the same intake again changes nothing more: one e-mail per change.
    client.post("/account/intake", data=intake)
    assert db.session.execute(db.select(db.func.count(Message.id))).scalar_one() >= 1
    kinds = db.session.execute(
        db.select(Message.kind).where(Message.kind == MessageKind.PLAN_NEEDS_REVIEW)
    ).all()
    assert len(kinds) == 1


def test_an_intake_change_that_asks_nothing_new_leaves_the_plan_alone(client, cast):
    plan = start(client, cast)
    client.post(f"/plans/{plan.id}/edit", data=editor_form(plan, action="publish", reviewed="y"))
    factories.fresh()
    row = db.session.get(Intake, cast["a"].id)
    before = needs_from(row)  # as it was, before the client's change
    row.goals = ["pain_relief", "sleep"]
    db.session.flush()
    assert review.recheck(cast["a"].id, before, datetime.now(UTC)) is False
    # A medicine added to what they wrote does ask for a look.
    row.medicines = "warfarin"
    db.session.flush()
    assert review.recheck(cast["a"].id, before, datetime.now(UTC)) is True
    db.session.commit()
    assert plan_row(plan.id).review_needed_at is not None


def test_an_unanswered_checklist_asks_for_review(client, cast):
    factories.fresh()
    row = db.session.get(Intake, cast["a"].id)
    row.conditions, row.no_conditions = [], False  # filled in before the checklist changed
    db.session.commit()
    plan = start(client, cast)
    page = html.unescape(client.get(f"/plans/{plan.id}/edit").get_data(as_text=True))
    assert "has not answered the contraindication checklist since it changed" in page
    client.post(f"/plans/{plan.id}/edit", data=editor_form(plan, action="publish", confirm="y"))
    assert plan_row(plan.id).published_at is None
