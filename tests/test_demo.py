"""The demo spa that ``make run`` loads: logins printed, and a nudge waiting for the first sweep."""

from __future__ import annotations

from spa_app.accounts.service import authenticate, find_by_email
from spa_app.cadence.models import NextVisit
from spa_app.database import unit_of_work, utcnow
from spa_app.extensions import db
from spa_app.homecare.intake.service import intake_for
from spa_app.homecare.plans.queries import current_plan
from spa_app.notifications import service
from spa_app.notifications.models import Message, MessageKind
from tests import factories


def test_demo_data_loads_once_and_prints_the_logins(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["spa", "demo-data"])
    assert "Demo data loaded." in first.output
    assert "client@example.com" in first.output and "demo-password" in first.output
    again = runner.invoke(args=["spa", "demo-data"])
    assert "already present; nothing changed" in again.output
    factories.fresh()
    assert authenticate("staff@example.com", "demo-password") is not None


def test_the_demo_client_is_due_a_next_visit_nudge(app):
    app.test_cli_runner().invoke(args=["spa", "demo-data"])
    factories.fresh()
    (window,) = db.session.execute(db.select(NextVisit)).scalars()
    assert window.opens_at <= utcnow() < window.closes_at
    with unit_of_work():
        assert service.schedule_nudges(utcnow()) == 1
    (nudge,) = db.session.execute(
        db.select(Message).where(Message.kind == MessageKind.REBOOK_WINDOW_OPEN)
    ).scalars()
    assert nudge.user.email == "client@example.com"


def test_the_demo_client_has_an_intake_and_a_published_plan(app):
    app.test_cli_runner().invoke(args=["spa", "demo-data"])
    factories.fresh()
    client = find_by_email("client@example.com")
    plan = current_plan(client.id)
    assert plan is not None and plan.items and intake_for(client.id) is not None
    (ready,) = db.session.execute(
        db.select(Message).where(Message.kind == MessageKind.PLAN_READY)
    ).scalars()
    assert ready.plan_id == plan.id
