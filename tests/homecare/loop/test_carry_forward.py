"""Carrying the last plan forward to the next visit: the same routines in a new draft, those
not kept up lately saying so, and the editor showing what changed since."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from spa_app.extensions import db
from spa_app.homecare.models import Completion, Plan, PlanItem
from spa_app.homecare.plans.diff import changes
from tests import factories
from tests.homecare.loop.test_on_the_visit_page import halved  # noqa: F401
from tests.homecare.test_plan_views import cast, plan_row  # noqa: F401


def _carry(client, booking_id: int) -> Plan:
    reply = client.post(f"/bookings/{booking_id}/plan", data={"start": "carry"})
    assert reply.status_code == 302, reply.status_code
    return plan_row(int(re.search(r"/plans/(\d+)/edit", reply.location).group(1)))


def test_the_next_visit_offers_to_start_from_the_last_plan(client, halved):  # noqa: F811
    plan, next_visit = halved
    page = client.get(f"/bookings/{next_visit.id}").get_data(as_text=True)
    assert 'value="carry">Start from the last plan (' in page
    _carry(client, next_visit.id)
    page = client.get(f"/bookings/{next_visit.id}").get_data(as_text=True)
    assert 'value="carry"' not in page  # a version exists now: revise it instead


def test_a_carried_plan_keeps_the_routines_and_says_which_were_not_kept_up(client, halved):  # noqa: F811
    plan, next_visit = halved
    draft = _carry(client, next_visit.id)
    assert [(i.routine_id, i.minutes, i.days) for i in draft.items] == [
        (i.routine_id, i.minutes, i.days) for i in plan.items
    ]
    first, *rest = draft.items
    # Weeks 3-4: the first routine done 4 times of 14, the others never.
    assert first.advice.startswith("Not kept up lately: done 4 of 14 times in the last two weeks.")
    assert all(i.advice.startswith("Not kept up lately: done 0 of 14") for i in rest)
    # The reasons the routines were chosen stay as they were: the advice is for the therapist.
    assert [i.why for i in draft.items] == [i.why for i in plan.items]


def test_a_routine_kept_up_is_carried_without_a_note(client, halved):  # noqa: F811
    plan, next_visit = halved
    first = plan.items[0]
    ticked = set(db.session.scalars(db.select(Completion.day).filter_by(plan_item_id=first.id)))
    start = min(ticked)
    for day in (start + timedelta(days=n) for n in range(14, 28)):
        if day not in ticked:
            factories.completion(plan, day, item=first)
    draft = _carry(client, next_visit.id)
    assert draft.items[0].advice == ""
    assert "Not kept up" in draft.items[1].advice


def test_the_editor_shows_what_changed_since_the_carried_plan(client, halved):  # noqa: F811
    plan, next_visit = halved
    draft = _carry(client, next_visit.id)
    page = client.get(f"/plans/{draft.id}/edit").get_data(as_text=True)
    assert "Changes from the plan of" in page and "No changes yet" in page
    factories.fresh()
    gone, longer = db.session.get(Plan, draft.id).items[:2]
    longer.minutes = plan.items[1].minutes + 1
    db.session.delete(gone)
    db.session.commit()
    page = client.get(f"/plans/{draft.id}/edit").get_data(as_text=True)
    assert f"<strong>Removed:</strong> {plan.items[0].name}" in page
    assert f"{longer.name} ({plan.items[1].minutes} → {longer.minutes} minutes)" in page


def _item(routine_id: int, name: str, minutes=5, days="0123456", pressure=2) -> PlanItem:
    return PlanItem(routine_id=routine_id, name=name, minutes=minutes, days=days,
                    pressure=pressure)  # fmt: skip


@pytest.mark.usefixtures("app")
def test_changes_match_routines_and_name_each_dose_change():
    before = [_item(1, "Neck"), _item(2, "Back", days="024"), _item(3, "Feet")]
    after = [_item(2, "Back", days="0246", pressure=3), _item(1, "Neck"), _item(4, "Hands")]
    found = changes(before, after)
    assert found.added == ("Hands",) and found.removed == ("Feet",)
    (back,) = found.changed
    assert back.name == "Back"
    assert back.what == ("days Mo We Fr → Mo We Fr Su", "pressure Medium → Firm")
    assert not changes(before, before)


def test_a_carried_plan_says_which_areas_got_better_or_worse(client, cast, halved):  # noqa: F811
    """The desk worker's intake: neck 6, lower back 5. A check-in since: neck 3, lower back 8."""
    from datetime import UTC, datetime

    from spa_app.homecare.outcomes.models import CheckIn, CheckInScore
    from spa_app.homecare.vocab import Area

    plan, next_visit = halved
    now = datetime.now(UTC)
    scores = [CheckInScore(area=Area.NECK, score=3), CheckInScore(area=Area.LOWER_BACK, score=8)]
    db.session.add(CheckIn(client_id=cast["a"].id, period="week:2026-01-05", created_at=now,
                           updated_at=now, scores=scores))  # fmt: skip
    db.session.commit()
    draft = _carry(client, next_visit.id)
    by_area = {i.area.value: i.advice for i in draft.items}
    assert by_area["neck"].startswith("Neck better since the intake: 6, now 3 out of 10.")
    assert by_area["lower_back"].startswith(
        "Lower back worse since the intake: 5, now 8 out of 10."
    )
    # The area's news first, then the dose's.
    assert ". Not kept up lately" in by_area["neck"]
    page = client.get(f"/plans/{draft.id}/edit").get_data(as_text=True)
    assert "Since the last plan:</strong> Neck better since the intake" in page


def test_the_client_never_reads_the_advice(client, cast, halved):  # noqa: F811
    """Published as carried, the plan shows the client the routines and why, not the advice."""
    from tests.homecare.test_plan_views import editor_form

    plan, next_visit = halved
    draft = _carry(client, next_visit.id)
    assert draft.items[0].advice
    client.post(f"/plans/{draft.id}/edit", data=editor_form(draft, action="publish",
                                                           confirm="y", reviewed="y"))  # fmt: skip
    assert plan_row(draft.id).published_at is not None
    client.post("/logout")
    factories.login(client, cast["a"])
    page = client.get(f"/plans/{draft.id}").get_data(as_text=True)
    assert "Not kept up" not in page and "since the intake" not in page
