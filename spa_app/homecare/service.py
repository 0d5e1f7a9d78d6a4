"""Reading and saving a client's intake, and turning it into what the generator needs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import DBAPIError

from spa_app.accounts.models import Role, User
from spa_app.database import lost_race
from spa_app.extensions import db
from spa_app.homecare.models import Intake, Plan, PlanStatus
from spa_app.homecare.safety import Needs
from spa_app.homecare.vocab import Area, Condition, Context, Goal, Pressure


def intake_for(client_id: int) -> Intake | None:
    return db.session.get(Intake, client_id)


def client_account(user_id: int) -> User | None:
    """The user if theirs is a client's account (the only kind with an intake), else None."""
    user = db.session.get(User, user_id)
    return user if user is not None and user.role is Role.CLIENT else None


def save_intake(client_id: int, answers: dict, now: datetime) -> Needs | None:
    """Create or replace the client's intake with ``answers`` (IntakeForm.answers); what the
    intake said before, for review.recheck (None for a first intake). Flushes.

    Two first saves at once (a double submit): the one that loses the insert updates instead.
    """
    existing = intake_for(client_id)
    before = needs_from(existing) if existing is not None else None
    if existing is None:
        try:
            with db.session.begin_nested():
                db.session.add(_fill(Intake(client_id=client_id), answers, now))
            return None
        except DBAPIError as exc:
            if not lost_race(exc):
                raise
            existing = db.session.get(Intake, client_id, populate_existing=True)
    _fill(existing, answers, now)
    db.session.flush()
    return before


def _fill(intake: Intake, answers: dict, now: datetime) -> Intake:
    for name, value in answers.items():
        setattr(intake, name, value)
    intake.updated_at = now
    return intake


def needs_from(intake: Intake) -> Needs:
    """What the generator and the editor's checks read from an intake ("somewhere else" names
    no area of ours, so it excludes nothing; the condition still asks for review)."""
    areas = set(Area)
    return Needs(
        severity={Area(a): int(s) for a, s in intake.severity.items()},
        goals=frozenset(Goal(g) for g in intake.goals),
        contexts=frozenset(Context(c) for c in intake.contexts),
        pressure=Pressure(intake.pressure),
        minutes_per_day=intake.minutes_per_day,
        conditions={
            Condition(c): frozenset(
                Area(a) for a in intake.condition_areas.get(c, ()) if a in areas
            )
            for c in intake.conditions
        },
        checklist_answered=bool(intake.conditions) or intake.no_conditions,
        medicines=intake.medicines,
        note=intake.condition_note,
    )


def current_plan(client_id: int) -> Plan | None:
    """The client's latest published plan, the one to follow now."""
    return db.session.execute(
        db.select(Plan)
        .where(Plan.client_id == client_id, Plan.status == PlanStatus.PUBLISHED)
        .order_by(Plan.published_at.desc(), Plan.id.desc())
        .limit(1)
    ).scalar_one_or_none()
