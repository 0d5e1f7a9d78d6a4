"""Plan e-mails through a real SMTP server: plan ready, and the daily routine reminder."""

from __future__ import annotations

from datetime import date, timedelta
from email import message_from_bytes, policy

import pytest
import sqlalchemy as sa

from spa_app.database import unit_of_work
from spa_app.extensions import db
from spa_app.homecare.intake.needs import needs_from
from spa_app.homecare.library import load_library
from spa_app.homecare.models import Completion, Intake, Plan
from spa_app.homecare.plans import review
from spa_app.homecare.plans import service as plans
from spa_app.homecare.plans.links import day_done_token
from spa_app.notifications import outbox, preferences, service
from spa_app.notifications.delivery import Outcome
from spa_app.notifications.models import MailOptOut, Message, MessageKind
from tests import factories
from tests.factories import LONDON, at
from tests.notifications.conftest import deliver_all, mail_settings


@pytest.fixture
def published(app):
    """A client whose plan (from a visit on Monday 1 March 2027) has routines Mon/Wed/Fri."""
    load_library()
    db.session.commit()
    svc, (t,), (r,) = factories.spa()
    client = factories.user(name="Dana Doe")
    visit = factories.booking(client, t, r, svc, at(date(2027, 3, 1), "09:00"))
    factories.intake(
        client.id,
        severity={"neck": 6},
        goals=["stress"],
        contexts=[],
        pressure=2,
        minutes_per_day=15,
        conditions=["other"],
        condition_note="migraines since March",
    )
    db.session.commit()
    return factories.plan(visit, days="024", now=at(date(2027, 3, 1), "11:00"))


def sweep(now) -> int:
    with unit_of_work():
        added = service.schedule_routine_reminders(now, LONDON)
    return added


def messages(kind):
    factories.fresh()
    query = db.select(Message).where(Message.kind == kind).order_by(Message.id)
    return db.session.execute(query).scalars().all()


def parse(envelope):
    return message_from_bytes(envelope.content, policy=policy.default)


def test_publishing_sends_plan_ready_without_health_details(app, published, smtp):
    (ready,) = messages(MessageKind.PLAN_READY)
    assert ready.plan_id == published.id and ready.user_id == published.client_id
    outcomes = deliver_all(at(date(2027, 3, 1), "11:01"), mail_settings(app, smtp.port))
    assert list(outcomes.values()) == [Outcome.SENT]
    mail = parse(smtp.received[0])
    assert mail["Subject"] == "Your home-care plan from Spa is ready"
    assert "List-Unsubscribe" not in mail  # it is about their plan: always sent
    text = mail.get_body(("plain",)).get_content()
    assert f"/plans/{published.id}" in text
    for private in ("migraines", "neck", "6/10", "pressure"):
        assert private not in mail.as_string().lower()


def test_one_reminder_at_the_clients_hour_on_planned_days(app, published):
    wednesday = date(2027, 3, 3)
    assert sweep(at(wednesday, "07:59")) == 0
    assert sweep(at(wednesday, "08:00")) == 1
    assert sweep(at(wednesday, "21:00")) == 0  # once a day
    assert sweep(at(date(2027, 3, 4), "09:00")) == 0  # Thursday: nothing planned
    with unit_of_work():
        preferences.set_routine_time(published.client_id, "18:30")
    friday = date(2027, 3, 5)
    assert sweep(at(friday, "08:00")) == 0 and sweep(at(friday, "18:30")) == 1
    keys = [m.idempotency_key for m in messages(MessageKind.ROUTINE_REMINDER)]
    client = published.client_id
    assert keys == [f"routine_reminder:client-{client}:{d}" for d in ("2027-03-03", "2027-03-05")]


@pytest.mark.parametrize("day", [date(2027, 3, 29), date(2027, 11, 1)])
def test_the_local_hour_holds_across_daylight_saving(app, published, day):
    """Weeks after each clock change (BST from 28 March, GMT from 31 October): 08:00 local."""
    published.published_at = at(day, "00:00") - timedelta(days=2)
    db.session.commit()
    assert sweep(at(day, "07:59")) == 0
    assert sweep(at(day, "08:00")) == 1
    assert at(day, "08:00").hour == (7 if day.month == 3 else 8)  # in UTC


def test_no_reminder_when_turned_off_or_the_plan_is_old(app, published):
    monday = date(2027, 3, 8)
    with unit_of_work():
        preferences.unsubscribe(published.client_id, MessageKind.ROUTINE_REMINDER)
    assert sweep(at(monday, "09:00")) == 0
    factories.fresh()
    db.session.execute(db.delete(MailOptOut))
    db.session.commit()
    assert sweep(at(monday, "09:00")) == 1
    assert sweep(at(monday + timedelta(weeks=13), "09:00")) == 0  # twelve weeks on: stops


def test_a_newer_plan_takes_over_the_reminders(app, published):
    visit = db.session.get(Plan, published.id).booking
    newer = factories.plan(visit, days="024", now=at(date(2027, 3, 2), "10:00"))
    assert sweep(at(date(2027, 3, 3), "09:00")) == 1
    (reminder,) = messages(MessageKind.ROUTINE_REMINDER)
    assert reminder.plan_id == newer.id
    stale = Message(**{k: getattr(reminder, k) for k in ("kind", "user_id", "booking_id")},
                    idempotency_key="old", plan_id=published.id, due_at=reminder.due_at,
                    created_at=reminder.created_at)  # fmt: skip
    assert outbox.is_pointless(stale, at(date(2027, 3, 3), "09:01"))
    assert not outbox.is_pointless(reminder, at(date(2027, 3, 3), "09:01"))
    assert outbox.is_pointless(reminder, at(date(2027, 3, 3), "22:00"))  # its day is over


def test_the_reminder_lists_the_days_routines_and_one_click_marks_them_done(
    app, published, smtp, client
):
    wednesday = date(2027, 3, 3)
    sweep(at(wednesday, "08:00"))
    outcomes = deliver_all(at(wednesday, "08:00"), mail_settings(app, smtp.port))
    assert set(outcomes.values()) == {Outcome.SENT}
    (mail,) = [parse(e) for e in smtp.received if "routines" in parse(e)["Subject"]]
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text = mail.get_body(("plain",)).get_content()
    plan = db.session.get(Plan, published.id)
    for item in plan.items:
        assert f"- {item.name}, {item.minutes} minutes" in text
    assert "migraines" not in mail.as_string()
    link = next(w for w in text.split() if "/day-done/" in w).removeprefix("http://127.0.0.1:5000")
    page = client.get(link)  # no login
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and plan.items[0].name in body
    assert "Untick any you skipped" in body and body.count('name="done"') == len(plan.items)
    assert client.post(link, data={"done": []}).status_code == 200  # nothing ticked: nothing
    factories.fresh()
    assert db.session.execute(db.select(Completion)).scalars().all() == []
    # The client did all but the first: only those count, however often the page is sent.
    did = [str(item.id) for item in plan.items[1:]]
    assert client.post(link, data={"done": did}).status_code == 200
    assert client.post(link, data={"done": did}).status_code == 200
    factories.fresh()
    ticks = db.session.execute(db.select(Completion)).scalars().all()
    assert sorted((c.plan_item_id, c.day) for c in ticks) == sorted(
        (item.id, wednesday) for item in plan.items[1:]
    )


def test_a_forged_or_borrowed_link_is_not_found(app, published, client):
    secret = app.config["SECRET_KEY"]
    day = date(2027, 3, 3)
    good = day_done_token(secret, published.id, published.client_id, day)
    assert client.get(f"/plans/{published.id}/day-done/{good}x").status_code == 404
    assert client.get(f"/plans/{published.id + 1}/day-done/{good}").status_code == 404
    wrong = day_done_token("another-secret", published.id, published.client_id, day)
    assert client.post(f"/plans/{published.id}/day-done/{wrong}").status_code == 404
    someone_else = day_done_token(secret, published.id, published.client_id + 1, day)
    assert client.post(f"/plans/{published.id}/day-done/{someone_else}").status_code == 404
    factories.fresh()
    assert db.session.execute(db.select(Completion)).first() is None


def test_ids_in_other_digits_mark_nothing_done(app, published, client):
    day = date(2027, 3, 3)  # a Wednesday: every routine is due
    token = day_done_token(app.config["SECRET_KEY"], published.id, published.client_id, day)
    other = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
    ids = [str(item.id).translate(other) for item in published.items]
    reply = client.post(f"/plans/{published.id}/day-done/{token}", data={"done": ids})
    assert reply.status_code == 200
    factories.fresh()
    assert db.session.execute(db.select(Completion)).first() is None


@pytest.mark.postgres
def test_plans_and_routine_reminders_on_postgresql(pg_app):
    load_library()
    db.session.commit()
    svc, (t,), (r,) = factories.spa()
    client = factories.user()
    visit = factories.booking(client, t, r, svc, at(date(2027, 3, 1), "09:00"))
    factories.intake(client.id)
    plan = factories.plan(visit, days="024", now=at(date(2027, 3, 1), "11:00"))
    with pytest.raises(plans.PlanError, match="never changed"):
        plans.edit(plan, [])
    with unit_of_work():
        preferences.set_routine_time(client.id, "07:15")
    assert sweep(at(date(2027, 3, 3), "07:14")) == 0
    assert sweep(at(date(2027, 3, 3), "07:15")) == 1 and sweep(at(date(2027, 3, 3), "23:00")) == 0
    assert [m.kind for m in messages(MessageKind.PLAN_READY)] == [MessageKind.PLAN_READY]
    # One draft per booking, held by the database too.
    with unit_of_work():
        plans.start_draft(visit, t.user, at(date(2027, 3, 2), "10:00"), suggested=False)
    duplicate = Plan(booking_id=visit.id, client_id=client.id, author_id=t.user.id, version=9)
    db.session.add(duplicate)
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_an_intake_change_e_mails_the_therapist_once_without_health_details(app, published, smtp):
    factories.fresh()
    intake = db.session.get(Intake, published.client_id)
    before = needs_from(intake)
    intake.conditions = ["other", "blood_thinners"]
    intake.medicines = "warfarin"
    changed = at(date(2027, 3, 4), "19:00")
    with unit_of_work():
        assert review.recheck(published.client_id, before, changed)
    (asked,) = messages(MessageKind.PLAN_NEEDS_REVIEW)
    therapist = db.session.get(Plan, published.id).booking.therapist
    assert asked.user_id == therapist.user_id and asked.plan_id == published.id
    outcomes = deliver_all(changed + timedelta(minutes=1), mail_settings(app, smtp.port))
    assert outcomes[asked.id] == Outcome.SENT
    (mail,) = [m for m in map(parse, smtp.received) if "look again" in m["Subject"]]
    assert mail["Subject"] == "Please look again at a client's home-care plan"
    assert therapist.user.email in mail["To"]
    text = mail.get_body(("plain",)).get_content()
    assert "Dana Doe changed their health intake" in text
    assert f"/bookings/{published.booking_id}" in text
    for private in ("migraines", "warfarin", "blood", "thinner", "neck", "pressure"):
        assert private not in mail.as_string().lower()
    # Already back in review: a further change asks nothing more of the outbox.
    with unit_of_work():
        assert not review.recheck(published.client_id, before, changed + timedelta(hours=1))
    assert len(messages(MessageKind.PLAN_NEEDS_REVIEW)) == 1


def test_the_review_e_mail_is_dropped_once_a_new_plan_replaces_the_old(app, published):
    factories.fresh()
    intake = db.session.get(Intake, published.client_id)
    before = needs_from(intake)
    intake.conditions = ["other", "pregnancy"]
    changed = at(date(2027, 3, 4), "19:00")
    with unit_of_work():
        review.recheck(published.client_id, before, changed)
    (asked,) = messages(MessageKind.PLAN_NEEDS_REVIEW)
    plan = db.session.get(Plan, published.id)
    factories.plan(plan.booking, days="024", now=changed + timedelta(minutes=5))
    factories.fresh()
    asked = db.session.get(Message, asked.id)
    assert outbox.is_pointless(asked, changed + timedelta(minutes=6))


def test_a_day_done_link_for_a_replaced_plan_is_refused_clearly(app, published, client):
    plan = db.session.get(Plan, published.id)
    day = date(2027, 3, 3)
    token = day_done_token(app.config["SECRET_KEY"], plan.id, plan.client_id, day)
    factories.plan(plan.booking, days="024", now=at(day, "07:00"))  # a newer plan
    reply = client.post(
        f"/plans/{published.id}/day-done/{token}", data={"done": [str(plan.items[0].id)]}
    )
    assert reply.status_code == 409
    assert "A newer plan has replaced this one" in reply.get_data(as_text=True)
    factories.fresh()
    assert db.session.execute(db.select(Completion)).scalars().all() == []
