"""The download of everything we hold about a client: complete, theirs alone, and cheap."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import jsonschema
import pytest
import sqlalchemy as sa

from spa_app.accounts.models import Role
from spa_app.booking.models import BookingStatus
from spa_app.calendar.models import CalendarFeed
from spa_app.database import utcnow
from spa_app.extensions import db
from spa_app.homecare.access import audit
from spa_app.homecare.models import AuditEntry, Completion, Plan
from spa_app.notifications.models import Message, MessageKind
from spa_app.privacy import export
from tests import factories
from tests.factories import at
from tests.privacy import cast as casting
from tests.privacy.cast import export_statements

SCHEMA = json.loads((Path(export.__file__).parent / "export.schema.json").read_text())
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


@pytest.fixture
def cast(app):
    return casting.build()


def download(client, user) -> tuple[object, dict]:
    factories.login(client, user)
    reply = client.get("/account/data/download")
    assert reply.status_code == 200, reply.status_code
    return reply, json.loads(reply.get_data(as_text=True))


def test_the_download_is_a_json_attachment_in_the_documented_shape(client, cast):
    reply, data = download(client, cast.me)
    assert reply.mimetype == "application/json"
    assert reply.headers["Content-Disposition"].startswith('attachment; filename="spa-my-data-')
    assert reply.headers["Cache-Control"] == "no-store"
    jsonschema.validate(data, SCHEMA)
    assert data["format"] == export.FORMAT == SCHEMA["properties"]["format"]["const"]
    assert data["timezone"] == "Europe/London"
    profile = data["profile"]
    assert (profile["name"], profile["email"], profile["phone"]) == (
        "Regular Rae", cast.me.email, "07700 900123",
    )  # fmt: skip


def test_bookings_have_utc_and_local_times_and_only_the_clients_own_reason(client, cast):
    reply, data = download(client, cast.me)
    by_id = {b["id"]: b for b in data["bookings"]}
    assert set(by_id) == {cast.past.id, cast.ahead.id, cast.cancelled_own.id,
                          cast.cancelled_by_staff.id}  # fmt: skip
    ahead = by_id[cast.ahead.id]
    assert ahead["starts_at"] == cast.ahead.starts_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert ahead["starts_at_local"].startswith(f"{cast.day.isoformat()}T10:00:00+0")
    assert ahead["ends_at_local"].startswith(f"{cast.day.isoformat()}T11:00:00+0")
    assert (ahead["service"], ahead["therapist"], ahead["room"]) == (
        cast.svc.name, cast.anna.display_name, cast.past.room.name,
    )  # fmt: skip
    assert (ahead["status"], ahead["price_cents"], ahead["booked_by"]) == ("booked", 6000, "client")
    own, staff = by_id[cast.cancelled_own.id], by_id[cast.cancelled_by_staff.id]
    assert (own["cancelled_by"], own["cancel_reason"]) == ("client", casting.OWN_REASON)
    assert (staff["cancelled_by"], staff["cancel_reason"]) == ("staff", None)
    assert casting.STAFF_NOTE not in reply.get_data(as_text=True)
    assert by_id[cast.past.id]["status"] == "completed"


def test_health_data_holds_every_answer_plan_version_and_tick(client, cast):
    _, data = download(client, cast.me)
    intake = data["health_intake"]
    assert (intake["tension_by_area"], intake["goals"]) == ({"neck": 6}, ["pain_relief"])
    assert (intake["conditions"], intake["condition_note"]) == (
        ["recent_injury"], casting.INTAKE_NOTE,
    )  # fmt: skip
    assert (intake["pressure"], intake["minutes_per_day"]) == ("medium", 15)
    (plan,) = data["plans"]
    factories.fresh()
    stored = db.session.get(Plan, cast.plan.id)
    assert (plan["booking_id"], plan["version"], plan["status"]) == (cast.past.id, 1, "published")
    assert (plan["author"], plan["cautions"]) == (cast.anna.user.name, list(stored.cautions))
    assert [i["name"] for i in plan["items"]] == [i.name for i in stored.items]
    first = plan["items"][0]
    assert first["why"] == stored.items[0].why != ""
    assert first["steps"] == stored.items[0].step_list
    assert first["days"] == [WEEKDAYS[d] for d in stored.items[0].weekdays]
    tick = db.session.execute(sa.select(Completion)).scalar_one()
    assert [(d["day"], d["discomfort"]) for d in first["done"]] == [(tick.day.isoformat(), 7)]
    assert all(i["done"] == [] for i in plan["items"][1:])


def test_mail_cadence_waitlist_feed_and_audit_sections(client, cast):
    reply, data = download(client, cast.me)
    assert sorted(m["kind"] for m in data["messages"]) == [
        "appointment_reminder", "booking_cancelled", "booking_cancelled", "booking_confirmed",
        "plan_ready",
    ]  # fmt: skip
    assert "mailbox full" not in reply.get_data(as_text=True)
    settings = data["email_settings"]
    assert [o["kind"] for o in settings["turned_off"]] == ["appointment_reminder"]
    assert (settings["routine_reminder_time"], settings["routine_reminder_time_chosen"]) == (
        "07:30", True,
    )  # fmt: skip
    window = data["next_visit"]["window"]
    assert (window["after_booking_id"], window["therapist"]) == (
        cast.past.id, cast.anna.display_name,
    )  # fmt: skip
    interval = data["next_visit"]["interval_weeks"]
    assert (interval["min"], interval["max"], interval["set_by"]) == (3, 5, cast.anna.user.name)
    (entry,) = data["waitlist"]
    (offer,) = entry["offers"]
    assert (entry["therapist"], offer["therapist"]) == (None, cast.ben.display_name)
    assert offer["starts_at_local"].startswith(f"{cast.day.isoformat()}T14:00:00")
    assert data["calendar_feed"]["exists"] is True
    assert db.session.get(CalendarFeed, cast.me.id).token not in reply.get_data(as_text=True)
    assert [(a["by"], a["action"], a["subject"]) for a in data["audit_log"]] == [
        ({"role": "therapist", "name": cast.anna.user.name}, "read", "intake"),
        ({"role": "staff", "name": "Desk Dee"}, "read", f"plan {cast.plan.id}"),
    ]


def test_nothing_about_anyone_else(client, cast):
    reply, data = download(client, cast.me)
    body = reply.get_data(as_text=True)
    for words in ("Other Olive", cast.other.email, casting.OTHER_NOTE, "freed"):
        assert words not in body
    assert cast.other_visit.id not in {b["id"] for b in data["bookings"]}


def test_the_owners_own_reading_is_not_audited(client, cast):
    count = sa.select(sa.func.count()).select_from(AuditEntry)
    before = db.session.execute(count).scalar_one()
    download(client, cast.me)
    factories.fresh()
    assert db.session.execute(count).scalar_one() == before


def test_a_new_client_gets_the_same_shape_with_empty_sections(client, app):
    _, data = download(client, factories.user())
    jsonschema.validate(data, SCHEMA)
    assert data["health_intake"] is None and data["next_visit"]["window"] is None
    assert data["bookings"] == data["plans"] == data["waitlist"] == data["audit_log"] == []
    assert data["next_visit"]["interval_weeks"] == {
        "min": 4, "max": 6, "set_by": None, "set_at": None,
    }  # fmt: skip
    assert data["calendar_feed"] == {"exists": False, "created_at": None}


def test_the_number_of_statements_does_not_grow_with_the_data(app, cast):
    first = export_statements(cast.me.id)
    assert first <= 17, first
    _more_of_everything(cast)
    assert export_statements(cast.me.id) == first


def _more_of_everything(cast) -> None:
    """Five more visits and messages, another plan version with its items, more audit entries."""
    factories.fresh()
    for n in range(5):
        start = at(cast.day + timedelta(days=14 + n), "09:00")
        b = factories.booking(cast.me, cast.ben, cast.past.room, cast.svc, start,
                              status=BookingStatus.CANCELLED)  # fmt: skip
        db.session.add(Message(kind=MessageKind.BOOKING_CANCELLED, idempotency_key=f"x-{b.id}",
                               user_id=cast.me.id, booking_id=b.id, due_at=utcnow()))  # fmt: skip
    staff = factories.user(Role.STAFF)
    for _ in range(5):
        audit(staff, cast.me.id, "read", "intake")
    db.session.commit()
    plan = casting._published_plan(cast.past)
    assert plan.version == 2 and len(plan.items) > 1
