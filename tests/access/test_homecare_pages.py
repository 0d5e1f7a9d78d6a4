"""Who may see a client's home-care data: their plan (published and draft), their health intake,
the technique library and the condition rules, and their ticks; in the access tests' world
(client A's visit with their own therapist, who makes the plan; client B, another therapist, a
therapist whose visit with A was cancelled, and staff)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from spa_app.accounts.models import Role
from spa_app.booking.models import BookingStatus
from spa_app.extensions import db
from spa_app.homecare.library import load_library
from spa_app.homecare.models import AuditEntry, Completion, Routine
from tests import factories
from tests.access.world import build_cast
from tests.homecare.test_routine_views import NEW as NEW_ROUTINE


def audits() -> list[tuple[int, int, str]]:
    factories.fresh()
    rows = db.session.execute(db.select(AuditEntry).order_by(AuditEntry.id)).scalars()
    return [(a.actor_id, a.client_id, a.subject) for a in rows]


def login(client, world, who: str) -> None:
    """Log in as ``who`` (a key of world.people), or stay anonymous."""
    if who != "anonymous":
        factories.login(client, world.people[who])


# The plan -----------------------------------------------------------------------------------


@pytest.fixture
def planned(app):
    """The cast, and A's visit with their own therapist three hours ago, after an intake."""
    load_library()
    db.session.commit()
    world = build_cast()
    a = world.people["client_a"]
    visit = factories.booking(a, world.therapists["own"], world.rooms[0], world.service,
                              datetime.now(UTC) - timedelta(hours=3))  # fmt: skip
    factories.intake(a.id, **factories.DESK_WORKER)
    return world, visit


@pytest.mark.parametrize(
    "who,published,draft",
    [
        ("client_a", 200, 404),
        ("client_b", 404, 404),
        ("own_therapist", 200, 200),
        ("other_therapist", 404, 404),
        ("staff", 200, 404),
        ("anonymous", 302, 302),
    ],
)
def test_who_may_see_a_plan(client, planned, who, published, draft):
    world, visit = planned
    first = factories.plan(visit)
    revision = factories.plan(visit, published=False)  # the next version, a draft
    login(client, world, who)
    assert client.get(f"/plans/{first.id}").status_code == published
    assert client.get(f"/plans/{revision.id}").status_code == draft
    editable = 200 if who == "own_therapist" else (302 if who == "anonymous" else 404)
    assert client.get(f"/plans/{revision.id}/edit").status_code == editable
    if who not in ("own_therapist", "anonymous"):
        assert client.post(f"/bookings/{visit.id}/plan").status_code == 404


def test_someone_else_cannot_undo_a_tick(client, planned):
    world, visit = planned
    plan = factories.plan(visit)
    today = datetime.now(UTC).astimezone(factories.LONDON).date()
    tick = factories.completion(plan, today)  # A did the first routine today
    factories.login(client, world.people["client_b"])
    reply = client.post(f"/plans/{plan.id}/undo", data={"item_id": tick.plan_item_id})
    assert reply.status_code == 404
    factories.fresh()
    assert db.session.get(Completion, tick.id) is not None  # A's tick stays


# The health intake --------------------------------------------------------------------------


@pytest.fixture
def intake(app):
    """The cast, with A's intake (a condition, and a note that is markup) and A's visit with
    their own therapist in two days; A's visit with the "gone" therapist was cancelled."""
    world = build_cast()
    a, (room, _) = world.people["client_a"], world.rooms
    soon = datetime.now(UTC) + timedelta(days=2)
    factories.booking(a, world.therapists["own"], room, world.service, soon)
    factories.booking(a, world.therapists["gone"], room, world.service, soon + timedelta(days=1),
                      status=BookingStatus.CANCELLED)  # fmt: skip
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
    return world


@pytest.mark.parametrize(
    "who,status",
    [
        ("client_a", 200),
        ("client_b", 404),
        ("own_therapist", 200),
        ("other_therapist", 404),
        ("staff", 200),
        ("anonymous", 302),
    ],
)
def test_who_may_read_a_clients_intake(client, intake, who, status):
    login(client, intake, who)
    reply = client.get(f"/clients/{intake.people['client_a'].id}/intake")
    assert reply.status_code == status
    page = reply.get_data(as_text=True)
    if status == 200:
        assert "Be careful of" in page and "&lt;script&gt;" in page and "<script>alert" not in page
    else:
        # Nothing of the intake (the note's script, the areas); the site's own script tag is not it.
        assert "alert(" not in page and "&lt;script" not in page and "Neck" not in page


def test_a_therapist_whose_only_visit_was_cancelled_may_not_read_it(client, intake):
    factories.login(client, intake.people["gone_therapist"])
    assert client.get(f"/clients/{intake.people['client_a'].id}/intake").status_code == 404
    assert audits() == []


def test_the_intake_of_a_staff_account_or_of_nobody_is_not_found(client, intake):
    factories.login(client, intake.people["staff"])
    assert client.get(f"/clients/{intake.people['own_therapist'].id}/intake").status_code == 404
    assert client.get("/clients/999999/intake").status_code == 404


# The library and the condition rules ----------------------------------------------------------


@pytest.fixture
def world(app):
    return build_cast()


@pytest.mark.parametrize("role", [Role.CLIENT, Role.THERAPIST])
def test_only_staff_keep_the_library(client, world, role):
    factories.login(client, world.person(role))
    assert client.get("/staff/routines/").status_code == 404
    assert client.post("/staff/routines/new", data=NEW_ROUTINE).status_code == 404
    factories.fresh()
    named = db.select(Routine).where(Routine.name == NEW_ROUTINE["name"])
    assert db.session.execute(named).scalar_one_or_none() is None


def test_only_staff_and_only_known_conditions(client, world):
    assert client.get("/staff/conditions/").status_code in (302, 404)
    factories.login(client, world.person(Role.CLIENT))
    assert client.get("/staff/conditions/pregnancy").status_code == 404
    client.post("/logout")
    factories.login(client, world.person(Role.STAFF))
    assert client.get("/staff/conditions/flu").status_code == 404
