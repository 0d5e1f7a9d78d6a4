"""A client's health intake: reading it, and saving it (the client's answers)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import DBAPIError

from spa_app.accounts.models import Role, User
from spa_app.database import lost_race
from spa_app.extensions import db
from spa_app.homecare.intake.needs import needs_from
from spa_app.homecare.models import Intake
from spa_app.homecare.safety import Needs


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
