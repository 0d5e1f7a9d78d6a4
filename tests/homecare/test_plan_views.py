"""Plan pages over HTTP: the therapist's editor and the client's plan. Who may see a plan is in
tests/access/test_homecare_pages.py."""

from __future__ import annotations

import re
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest

from spa_app.extensions import db
from spa_app.homecare.library import load_library
from spa_app.homecare.models import AuditEntry, Completion, Intake, Plan, PlanItem, PlanStatus
from spa_app.homecare.plans.queries import HealthSummary, health_summary
from tests import factories

ALL_DAYS = [str(n) for n in range(7)]
#: The same digits in other scripts: ``int`` and ``str.isdecimal`` take them, ids must not.
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@pytest.fixture
def cast(app):
    load_library()
    db.session.commit()
    svc, (own, other), (r,) = factories.spa(therapists=2)
    a, b = factories.user(), factories.user()
    visit = factories.booking(a, own, r, svc, datetime.now(UTC) - timedelta(hours=3))
    factories.intake(a.id, **factories.DESK_WORKER)
    db.session.commit()
    return {"a": a, "b": b, "own": own.user, "other": other.user, "visit": visit}


def plan_row(plan_id: int) -> Plan:
    factories.fresh()
    return db.session.get(Plan, plan_id)


def editor_form(plan: Plan, **changes) -> dict:
    """The editor's fields for every item as they are, with ``changes`` on top."""
    data = {}
    for n, item in enumerate(plan.items):
        data |= {
            f"items-{n}-item_id": str(item.id),
            f"items-{n}-minutes": str(item.minutes),
            f"items-{n}-days": list(item.days),
            f"items-{n}-pressure": str(item.pressure),
            f"items-{n}-note": item.note,
        }
    return data | changes


def start(client, cast) -> Plan:
    factories.login(client, cast["own"])
    reply = client.post(f"/bookings/{cast['visit'].id}/plan", data={"start": "suggest"})
    assert reply.status_code == 302
    plan_id = int(re.search(r"/plans/(\d+)/edit", reply.location).group(1))
    return plan_row(plan_id)


def publish(client, plan: Plan, **extra) -> None:
    """Publish with every routine daily (which may be over the client's minutes on some days:
    the therapist confirms that warning)."""
    data = editor_form(plan, action="publish", confirm="y", **extra)
    for n in range(len(plan.items)):
        data[f"items-{n}-days"] = ALL_DAYS
    client.post(f"/plans/{plan.id}/edit", data=data)


def test_the_therapist_suggests_edits_and_publishes(client, cast):
    plan = start(client, cast)
    page = client.get(f"/plans/{plan.id}/edit").get_data(as_text=True)
    assert "Draft, version 1" in page and plan.items[0].name in page
    first = plan.items[0]
    reply = client.post(
        f"/plans/{plan.id}/edit",
        data=editor_form(plan, **{"items-0-minutes": "4", "items-0-note": "<b>evenings</b>"},
                         action="save"),
    )  # fmt: skip
    assert reply.status_code == 302
    assert plan_row(plan.id).items[0].minutes == 4
    count = len(plan.items)
    client.post(
        f"/plans/{plan.id}/edit", data=editor_form(plan_row(plan.id), action=f"remove-{first.id}")
    )
    assert len(plan_row(plan.id).items) == count - 1
    library_id = db.session.execute(db.select(PlanItem.routine_id)).scalars().first()
    client.post(
        f"/plans/{plan.id}/edit",
        data=editor_form(plan_row(plan.id), action="add", routine=str(library_id)),
    )
    assert len(plan_row(plan.id).items) == count
    publish(client, plan_row(plan.id))
    done = plan_row(plan.id)
    assert done.status is PlanStatus.PUBLISHED
    # Published: the editor now shows the plan instead, and a POST changes nothing.
    assert client.get(f"/plans/{plan.id}/edit").status_code == 302
    client.post(f"/plans/{plan.id}/edit", data=editor_form(done, **{"items-0-minutes": "9"}))
    assert plan_row(plan.id).items[0].minutes == done.items[0].minutes


@pytest.mark.parametrize(
    "changes,message",
    [
        ({"items-0-minutes": "0"}, "Between 1 and 30 minutes."),
        ({"items-0-minutes": "31"}, "Between 1 and 30 minutes."),
        ({"items-0-days": []}, "Pick at least one day."),
        ({"items-0-days": ["9"]}, "not a valid choice"),
        ({"items-0-pressure": "7"}, "Not a valid choice"),
        ({"items-0-note": "x" * 301}, "Field cannot be longer than 300"),
        ({"items-0-item_id": "abc"}, "Unknown routine."),
        ({"items-0-item_id": "١"}, "Unknown routine."),
        ({"items-0-item_id": "７"}, "Unknown routine."),
    ],
)
def test_bad_editor_input_gets_a_message_and_changes_nothing(client, cast, changes, message):
    plan = start(client, cast)
    before = [(i.minutes, i.days, i.pressure, i.note) for i in plan.items]
    data = editor_form(plan, **{"items-1-minutes": "3"}, **changes, action="save")
    reply = client.post(f"/plans/{plan.id}/edit", data=data)
    assert reply.status_code == 400 and message in reply.get_data(as_text=True)
    assert [(i.minutes, i.days, i.pressure, i.note) for i in plan_row(plan.id).items] == before


def test_an_item_of_another_plan_or_an_unknown_routine_is_refused(client, cast):
    plan = start(client, cast)
    reply = client.post(
        f"/plans/{plan.id}/edit",
        data=editor_form(plan, **{"items-0-item_id": "999999"}, action="save"),
        follow_redirects=True,
    )
    assert "no longer in this draft" in reply.get_data(as_text=True)
    reply = client.post(
        f"/plans/{plan.id}/edit", data=editor_form(plan, action="add", routine="999999"),
        follow_redirects=True,
    )  # fmt: skip
    assert reply.status_code == 400 and "Not a valid choice" in reply.get_data(as_text=True)
    assert len(plan_row(plan.id).items) == len(plan.items)


@pytest.mark.parametrize("script", [ARABIC_INDIC, FULLWIDTH], ids=["arabic-indic", "fullwidth"])
def test_an_id_in_other_digits_is_refused_and_nothing_is_saved(client, cast, script):
    plan = start(client, cast)
    first, count = plan.items[0], len(plan.items)
    minutes = [i.minutes for i in plan.items]
    # Each is the id of an item or a routine of this plan, written in other digits.
    for action in (f"remove-{first.id}", f"up-{plan.items[1].id}", f"down-{first.id}"):
        data = editor_form(plan, **{"items-0-minutes": "4"}, action=action.translate(script))
        reply = client.post(f"/plans/{plan.id}/edit", data=data, follow_redirects=True)
        text = reply.get_data(as_text=True)
        assert reply.status_code == 200 and "no longer in this draft" in text
    data = editor_form(plan, action="add", routine=str(first.routine_id).translate(script))
    assert client.post(f"/plans/{plan.id}/edit", data=data).status_code == 400
    after = plan_row(plan.id)
    assert [i.id for i in after.items] == [i.id for i in plan.items] and len(after.items) == count
    assert [i.minutes for i in after.items] == minutes
    publish(client, after)
    client.post("/logout")
    factories.login(client, cast["a"])
    other = str(first.id).translate(script)
    reply = client.post(f"/plans/{plan.id}/done", data={"item_id": other}, follow_redirects=True)
    assert reply.status_code == 200 and "Please pick a routine" in reply.get_data(as_text=True)
    client.post(f"/plans/{plan.id}/done", data={"item_id": str(first.id)})
    assert client.post(f"/plans/{plan.id}/undo", data={"item_id": other}).status_code == 302
    factories.fresh()
    (done,) = db.session.execute(db.select(Completion)).scalars()
    assert done.plan_item_id == first.id  # the tick in ASCII digits stays


def test_a_contraindication_needs_the_review_box(client, cast):
    intake = db.session.get(Intake, cast["a"].id)
    intake.conditions = ["blood_thinners"]
    db.session.commit()
    plan = start(client, cast)
    publish(client, plan)
    assert plan_row(plan.id).status is PlanStatus.DRAFT
    publish(client, plan_row(plan.id), reviewed="y")
    assert plan_row(plan.id).status is PlanStatus.PUBLISHED and plan_row(plan.id).reviewed


def test_the_client_follows_the_plan_with_a_body_map_and_ticks(client, cast):
    plan = start(client, cast)
    plan.items[0].note = "<script>alert(1)</script>"
    db.session.commit()
    publish(client, plan_row(plan.id))
    client.post("/logout")
    factories.login(client, cast["a"])
    assert client.get("/plan").location.endswith(f"/plans/{plan.id}")
    page = client.get(f"/plans/{plan.id}").get_data(as_text=True)
    assert '<svg class="body-map"' in page and 'role="img"' in page
    assert page.count('class="mark-area"') >= 2
    desc = page.split('<desc id="map-desc">')[1].split("</desc>")[0]
    assert "(neck)" in desc and "(lower back)" in desc  # the map in words, too
    assert "&lt;script&gt;" in page and "<script>alert" not in page
    assert "0 of " in page
    item = plan_row(plan.id).items[0]
    reply = client.post(f"/plans/{plan.id}/done", data={"item_id": item.id, "discomfort": "7"})
    assert reply.status_code == 302
    again = client.post(f"/plans/{plan.id}/done", data={"item_id": item.id}, follow_redirects=True)
    assert "Already marked today." in again.get_data(as_text=True)
    factories.fresh()
    (done,) = db.session.execute(db.select(Completion)).scalars()
    assert (done.plan_item_id, done.discomfort) == (item.id, 7)
    page = client.get(f"/plans/{plan.id}").get_data(as_text=True)
    assert "1 of " in page and "Done today" in page
    bad = client.post(
        f"/plans/{plan.id}/done",
        data={"item_id": item.id, "discomfort": "11"},
        follow_redirects=True,
    )
    assert "how it felt from 0 to 10" in bad.get_data(as_text=True)


def test_a_pressure_point_is_a_diamond_on_the_back(client, cast):
    plan = start(client, cast)
    point = (
        db.session.execute(
            db.text("SELECT id FROM routines WHERE kind = 'pressure_point' ORDER BY id")
        )
        .scalars()
        .first()
    )
    client.post(f"/plans/{plan.id}/edit", data=editor_form(plan, action="add", routine=str(point)))
    page = client.get(f"/plans/{plan.id}").get_data(as_text=True)
    assert 'class="mark-point"' in page and "a pressure point on the back" in page


def test_reads_by_staff_and_therapists_are_audited(client, cast):
    plan = start(client, cast)
    publish(client, plan)
    client.get(f"/plans/{plan.id}")
    client.post("/logout")
    factories.login(client, cast["a"])
    client.get(f"/plans/{plan.id}")  # the client's own read: not audited
    factories.fresh()
    rows = db.session.execute(db.select(AuditEntry).order_by(AuditEntry.id)).scalars().all()
    assert [(r.actor_id, r.action, r.subject) for r in rows] == [
        (cast["own"].id, "draft", f"plan {plan.id}"),
        (cast["own"].id, "publish", f"plan {plan.id}"),
        (cast["own"].id, "read", f"plan {plan.id}, check-ins"),  # its weeks and scores
    ]
    client.post("/logout")
    factories.login(client, cast["own"])
    client.post(f"/bookings/{cast['visit'].id}/plan", data={"start": "revise"})
    factories.fresh()
    draft = db.session.execute(db.select(Plan).where(Plan.status == PlanStatus.DRAFT)).scalar_one()
    assert client.get(f"/plans/{draft.id}/edit").status_code == 200
    factories.fresh()
    last = (
        db.session.execute(db.select(AuditEntry).order_by(AuditEntry.id.desc())).scalars().first()
    )
    assert (last.action, last.subject) == ("read", f"plan {draft.id}")


def test_the_therapist_sees_adherence_and_how_it_felt_before_the_next_visit(client, cast):
    plan = start(client, cast)
    publish(client, plan)  # every routine, every day
    plan = plan_row(plan.id)
    five_days_ago = datetime.now(UTC) - timedelta(days=5)
    plan.published_at = five_days_ago
    db.session.commit()
    first_day = five_days_ago.astimezone(factories.LONDON).date()
    for n, felt in ((0, 8), (1, None), (2, 3)):
        factories.completion(plan, first_day + timedelta(days=n), discomfort=felt)
    svc = cast["visit"].service
    therapist = cast["visit"].therapist
    next_visit = factories.booking(
        cast["a"], therapist, cast["visit"].room, svc, datetime.now(UTC) + timedelta(days=2)
    )
    page = client.get(f"/bookings/{next_visit.id}").get_data(as_text=True)
    days = (datetime.now(UTC).astimezone(factories.LONDON).date() - first_day).days + 1
    assert f"3 of {days * len(plan.items)} planned routines done" in page
    assert "8 / 10" in page and "3 / 10" in page
    assert "discomfort: 0 none, 10 the worst" in page
    factories.fresh()
    subjects = db.session.execute(db.select(AuditEntry.subject)).scalars().all()
    assert f"intake flag, adherence plan {plan.id}, check-ins" in subjects
    client.post("/logout")
    factories.login(client, cast["a"])  # the client's own booking page shows no such table
    assert "planned routines done" not in client.get(f"/bookings/{next_visit.id}").get_data(
        as_text=True
    )


def test_the_health_summary_reads_and_audits_only_what_there_is(app, cast):
    visit = cast["visit"]
    today, tz = datetime.now(UTC).astimezone(factories.LONDON).date(), factories.LONDON
    nothing = factories.booking(cast["b"], visit.therapist, visit.room, visit.service,
                                datetime.now(UTC) + timedelta(days=3))  # fmt: skip
    assert health_summary(cast["own"], nothing, today, tz) == HealthSummary(None, None)
    summary = health_summary(cast["own"], visit, today, tz)
    assert summary.flagged is False and summary.adherence is None
    factories.fresh()
    rows = db.session.execute(db.select(AuditEntry)).scalars().all()
    assert [(r.client_id, r.subject) for r in rows] == [(cast["a"].id, "intake flag")]


def test_two_routines_on_one_area_get_markers_side_by_side(app):
    from spa_app.homecare.bodymap import figure
    from spa_app.homecare.models import PlanItem as Item

    items = [Item(name=f"R{n}", area="neck", kind="routine", steps="", tools=[], caution="",
                  minutes=3, days="0", pressure=1) for n in range(2)]  # fmt: skip
    marks = figure(Plan(items=items))
    # The neck is worked from behind (never on the throat): both on the back figure, apart.
    assert {m.view for m in marks} == {"back"}
    left = [(m.x, m.y) for m in marks if m.side == "left"]
    assert len(left) == 2 and left[0] != left[1]


def test_a_weekday_sent_twice_is_kept_once(client, cast):
    plan = start(client, cast)
    data = editor_form(plan, action="save")
    data["items-0-days"] = ["2"] * 8
    assert client.post(f"/plans/{plan.id}/edit", data=data).status_code == 302
    assert plan_row(plan.id).items[0].days == "2"


def test_a_rejected_edit_that_shows_the_plan_again_is_audited(client, cast):
    plan = start(client, cast)
    before = len(db.session.execute(db.select(AuditEntry)).scalars().all())
    data = editor_form(plan, **{"items-0-minutes": "0"}, action="save")
    assert client.post(f"/plans/{plan.id}/edit", data=data).status_code == 400
    factories.fresh()
    assert len(db.session.execute(db.select(AuditEntry)).scalars().all()) == before + 1


@pytest.mark.postgres
def test_an_edit_waiting_on_a_publish_does_not_touch_the_published_plan(pg_app, pg_client):
    load_library()
    db.session.commit()
    svc, (own,), (r,) = factories.spa()
    a = factories.user()
    visit = factories.booking(a, own, r, svc, datetime.now(UTC) - timedelta(hours=3))
    factories.intake(a.id)
    factories.login(pg_client, own.user)
    reply = pg_client.post(f"/bookings/{visit.id}/plan", data={"start": "suggest"})
    plan = plan_row(int(re.search(r"/plans/(\d+)/edit", reply.location).group(1)))
    minutes = [i.minutes for i in plan.items]
    data = editor_form(plan, **{"items-0-minutes": "29"}, action="save")

    publisher = db.engine.connect()
    publisher.execute(
        db.text("UPDATE plans SET status = 'published', published_at = now() WHERE id = :id"),
        {"id": plan.id},
    )  # holds the row's lock, as a publish in another request would
    replies = []
    editor = threading.Thread(
        target=lambda: replies.append(pg_client.post(f"/plans/{plan.id}/edit", data=data))
    )
    editor.start()
    time.sleep(0.5)
    publisher.commit()
    publisher.close()
    editor.join(15)
    assert replies and replies[0].status_code == 302
    assert replies[0].location.endswith(f"/plans/{plan.id}")
    assert [i.minutes for i in plan_row(plan.id).items] == minutes
