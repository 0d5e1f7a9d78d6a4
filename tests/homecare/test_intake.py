"""The health intake: clients fill it in, and each read by staff or a therapist is audited. Who
may read it is in tests/access/test_homecare_pages.py."""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime, timedelta

import pytest

from spa_app.accounts.models import Role
from spa_app.extensions import db
from spa_app.homecare.models import AuditEntry, Intake
from tests import factories


def form(**overrides) -> dict:
    data = {
        "pain_neck": "7",
        "pain_shoulders": "0",
        "pain_upper_back": "0",
        "pain_lower_back": "3",
        "pain_hands_wrists": "0",
        "pain_lower_legs_feet": "0",
        "goals": ["pain_relief", "sleep"],
        "contexts": ["desk_work"],
        "pressure": "2",
        "minutes_per_day": "15",
        "conditions": ["none"],
        "condition_note": "",
    }
    data.update(overrides)
    return data


def saved(client_id: int) -> Intake | None:
    factories.fresh()
    return db.session.get(Intake, client_id)


def audits() -> list[tuple[int, int, str]]:
    factories.fresh()
    rows = db.session.execute(db.select(AuditEntry).order_by(AuditEntry.id)).scalars()
    return [(a.actor_id, a.client_id, a.subject) for a in rows]


@pytest.fixture
def me(client):
    user = factories.user()
    factories.login(client, user)
    return user


def test_a_client_fills_in_the_intake_and_edits_it(client, me):
    page = client.get("/account/intake").get_data(as_text=True)
    assert "<legend>Where do you feel tension" in page and 'for="pain_neck"' in page
    reply = client.post("/account/intake", data=form())
    assert reply.status_code == 302
    intake = saved(me.id)
    assert intake.severity == {"neck": 7, "lower_back": 3}
    assert (intake.goals, intake.contexts) == (["pain_relief", "sleep"], ["desk_work"])
    assert (intake.pressure, intake.minutes_per_day, intake.conditions) == (2, 15, [])
    again = client.get("/account/intake").get_data(as_text=True)
    assert 'value="15"' in again and "Last updated" in again
    client.post("/account/intake", data=form(conditions=["pregnancy"], minutes_per_day="10"))
    assert saved(me.id).conditions == ["pregnancy"] and saved(me.id).flagged


def test_the_checklist_names_areas_asks_for_medicines_and_says_none_explicitly(client, me):
    page = client.get("/account/intake").get_data(as_text=True)
    for label in (
        "Diabetes, or reduced feeling in the feet or hands",
        "Cancer treatment now or in the past year, or lymph nodes removed",
        "A flare of inflammatory arthritis",
        "Numbness or tingling that spreads",
        "None of these",
        "Medicines you take, and any allergies",
    ):
        assert label in page
    assert 'name="areas_recent_injury"' in page and 'name="areas_pregnancy"' not in page
    reply = client.post(
        "/account/intake",
        data=form(
            conditions=["recent_injury", "skin_condition"],
            areas_recent_injury=["lower_back", "elsewhere"],
            areas_skin_condition=["hands_wrists"],
            areas_pregnancy=["neck"],  # pregnancy names no area: ignored
            medicines="Warfarin; allergic to almond oil",
        ),
    )
    assert reply.status_code == 302
    intake = saved(me.id)
    assert intake.conditions == ["recent_injury", "skin_condition"] and not intake.no_conditions
    assert intake.condition_areas == {
        "recent_injury": ["elsewhere", "lower_back"],
        "skin_condition": ["hands_wrists"],
    }
    assert intake.medicines == "Warfarin; allergic to almond oil"
    again = client.get("/account/intake").get_data(as_text=True)
    assert re.search(r'<input checked[^>]*name="areas_recent_injury"[^>]*value="lower_back"', again)
    client.post("/account/intake", data=form())
    intake = saved(me.id)
    assert intake.no_conditions and intake.conditions == [] and intake.condition_areas == {}


@pytest.mark.parametrize(
    "bad,message",
    [
        ({"minutes_per_day": "61"}, "Between 5 and 60 minutes"),
        ({"minutes_per_day": "4"}, "Between 5 and 60 minutes"),
        ({"minutes_per_day": "ten"}, "Not a valid integer value"),
        ({"pain_neck": "11"}, "Not a valid choice"),
        ({"pain_neck": "-1"}, "Not a valid choice"),
        ({"goals": ["world_peace"]}, "not a valid choice"),
        ({"pressure": "9"}, "Not a valid choice"),
        ({"conditions": ["other"]}, "Please say what else"),
        ({"conditions": ["skin_condition"]}, "Please tick where: a skin condition"),
        ({"conditions": ["recent_injury"]}, "Please tick where: a recent injury"),
        ({"conditions": []}, "Please tick what applies, or “None of these”"),
        ({"conditions": ["none", "pregnancy"]}, "You ticked “None of these” and something else"),
        ({"areas_recent_injury": ["knee"], "conditions": ["recent_injury"]}, "not a valid choice"),
        ({"medicines": "y" * 501}, "Field cannot be longer than 500"),
        ({"condition_note": "x" * 501}, "Field cannot be longer than 500"),
        ({"condition_note": "bad\x00byte"}, "plain text"),
    ],
)
def test_bad_input_gets_a_clear_message_and_changes_nothing(client, me, bad, message):
    client.post("/account/intake", data=form())
    before = saved(me.id).severity
    reply = client.post("/account/intake", data=form(pain_lower_back="9", **bad))
    assert reply.status_code == 400 and message in reply.get_data(as_text=True)
    assert saved(me.id).severity == before


def test_the_client_is_asked_for_the_intake_before_a_booked_visit(client, me):
    svc, (t,), (r,) = factories.spa()
    factories.booking(me, t, r, svc, datetime.now(UTC) + timedelta(days=3))
    assert "please fill in your" in client.get("/bookings").get_data(as_text=True)
    client.post("/account/intake", data=form())
    assert "please fill in your" not in client.get("/bookings").get_data(as_text=True)


@pytest.fixture
def cast(app):
    """A client with an intake and a visit with one therapist; another client, another therapist."""
    svc, (own, other), (r,) = factories.spa(therapists=2)
    a, b = factories.user(), factories.user()
    factories.booking(a, own, r, svc, datetime.now(UTC) + timedelta(days=2))
    factories.intake(
        a.id,
        severity={"neck": 6},
        goals=[],
        contexts=[],
        pressure=1,
        minutes_per_day=10,
        conditions=["other"],
        condition_note="<script>alert('x')</script>",
    )
    db.session.commit()
    return {"a": a, "b": b, "own": own.user, "other": other.user}


def test_every_read_by_staff_or_a_therapist_is_audited_and_the_clients_own_is_not(client, cast):
    a, own = cast["a"], cast["own"]
    staff = factories.user(Role.STAFF)
    for reader in (a, own, staff):
        factories.login(client, reader)
        assert client.get(f"/clients/{a.id}/intake").status_code == 200
        client.post("/logout")
    assert audits() == [(own.id, a.id, "intake"), (staff.id, a.id, "intake")]


def test_a_therapist_sees_the_intake_and_its_flag_on_the_booking(client, cast):
    factories.login(client, cast["own"])
    booking = db.session.execute(db.select(factories.Booking)).scalars().first()
    page = client.get(f"/bookings/{booking.id}").get_data(as_text=True)
    assert f"/clients/{cast['a'].id}/intake" in page and "Contraindication ticked" in page
    assert audits() == [(cast["own"].id, cast["a"].id, "intake flag")]
    client.post("/logout")
    factories.login(client, cast["a"])  # the client's own page: no flag, no audit
    assert "Contraindication ticked" not in client.get(f"/bookings/{booking.id}").get_data(
        as_text=True
    )
    assert len(audits()) == 1


@pytest.mark.postgres
def test_a_double_submitted_first_intake_saves_once_on_postgresql(pg_app):
    email = factories.user().email
    barrier = threading.Barrier(4)
    statuses = []

    def submit():
        with pg_app.test_client() as browser:
            browser.post("/login", data={"email": email, "password": factories.PASSWORD})
            barrier.wait()
            statuses.append(browser.post("/account/intake", data=form()).status_code)

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert statuses == [302] * 4
    factories.fresh()
    assert db.session.execute(db.select(db.func.count()).select_from(Intake)).scalar() == 1
