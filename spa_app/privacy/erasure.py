"""Deleting a client's account: health data erased, visits ahead cancelled, the rest anonymised.

All in the caller's one transaction, so a failure anywhere leaves everything as it was. The
user row stays (past visits, with their prices, belong in the spa's accounts) but no longer
names anyone: "Deleted client", an e-mail address at a domain that can never receive mail (and
that the sign-up and booking forms refuse, so nobody can take it), no phone, no password, no
language setting.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from spa_app.accounts.models import DELETED_DOMAIN, Role, User
from spa_app.booking import service as booking_service
from spa_app.booking.models import Booking, BookingStatus
from spa_app.cadence.models import NextVisit, VisitInterval
from spa_app.calendar.models import CalendarFeed
from spa_app.database import require_serialized
from spa_app.extensions import db
from spa_app.feedback.models import Feedback
from spa_app.homecare.models import Completion, Intake, Plan, PlanItem, RoutineReminderTime
from spa_app.homecare.notes.models import SessionAmendment, SessionFinding, SessionNote
from spa_app.homecare.outcomes.models import CheckIn, CheckInScore
from spa_app.homecare.watch.models import FlagNotice
from spa_app.notifications.models import MailOptOut, Message, MessageAttempt, MessageState
from spa_app.waitlist.models import WaitlistEntry

DELETED_NAME = "Deleted client"
#: Kept with each visit the deletion cancels, for the spa (the client is told nothing).
CANCEL_REASON = "account deleted"


class ErasureRefused(Exception):
    """The account cannot be deleted now; the message is for the person, and ``visit`` is the
    visit in the way, if one is."""

    def __init__(self, message: str, visit: Booking | None = None):
        super().__init__(message)
        self.visit = visit


class WrongPassword(ErasureRefused):
    """The password given is not the account's (asked so a borrowed session cannot delete)."""


def visits_ahead(client_id: int, now: datetime) -> list[Booking]:
    """The client's booked visits that have not started, soonest first (deletion cancels them)."""
    return list(
        db.session.execute(
            sa.select(Booking)
            .where(
                Booking.client_id == client_id,
                Booking.status == BookingStatus.BOOKED,
                Booking.starts_at > now,
            )
            .options(db.joinedload(Booking.service), db.joinedload(Booking.therapist))
            .order_by(Booking.starts_at)
        ).scalars()
    )


def blocking_visit(client: User, visits: list[Booking], now: datetime) -> ErasureRefused | None:
    """Why the account cannot be deleted online now (naming the visit), or None.

    The visits ahead are cancelled as the client would cancel them, under the same policy: a
    visit inside the cancellation window must be sorted out with the spa first.
    """
    for visit in visits:
        if (why := booking_service.change_refusal(visit, client, now)) is not None:
            return ErasureRefused(why, visit)
    return None


def erase_account(client: User, password: str, now: datetime) -> int:
    """Delete ``client``'s account; how many visits ahead were cancelled.

    Checks the password first (WrongPassword changes nothing) and that every visit ahead may be
    cancelled online (ErasureRefused). Then: waitlist requests closed; visits ahead cancelled
    through the booking service, so their times are offered to the waitlist; health data
    erased; e-mail settings and the calendar link removed; the client's own cancellation
    reasons and what their messages quoted cleared; every unsent message to them dropped
    (the cancellation notices included); the user row anonymised. Flushes; the caller commits
    once. On SQLite, call inside unit_of_work().
    """
    _begin(client)
    if not client.check_password(password):
        raise WrongPassword(_("That password is not right; nothing was changed."))
    return _erase(client, client, now)


def erase_for_client(client: User, *, actor: User, now: datetime) -> int:
    """The same erasure, done by staff (``actor``) for a client who asked in person or by
    phone; how many visits ahead were cancelled. No password: staff confirm who is asking.
    Staff may cancel inside the window, and a visit cancelled because the account goes is not
    a late cancellation. Raises ErasureRefused (not a client account). Flushes; the caller
    commits once. On SQLite, call inside unit_of_work()."""
    _begin(client)
    return _erase(client, actor, now)


def _begin(client: User) -> None:
    require_serialized(db.session)
    if client.role is not Role.CLIENT:
        raise ErasureRefused(_("Only a client account can be deleted here."))
    _lock(client)


def _erase(client: User, actor: User, now: datetime) -> int:
    visits = visits_ahead(client.id, now)
    if (refused := blocking_visit(actor, visits, now)) is not None:
        raise refused
    _close_waitlist(client.id, now)
    _clear_own_reasons(client.id)
    late = None if actor.id == client.id else False
    for visit in visits:
        booking_service.cancel(booking=visit, actor=actor, now=now, reason=CANCEL_REASON, late=late)
    erase_health_data(client.id)
    _forget_settings(client.id)
    _silence_messages(client.id)
    _anonymise(client)
    db.session.flush()
    return len(visits)


def _lock(client: User) -> None:
    """Hold the user row to the end (PostgreSQL; SQLite's writes are serialized already) and
    read it afresh: a second delete sent at the same moment (a double click) waits, then finds
    no password and changes nothing, instead of cancelling the same visits twice."""
    db.session.execute(
        sa.select(User)
        .where(User.id == client.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()


def erase_health_data(client_id: int) -> None:
    """Delete the intake, every plan (items and ticks with them), every session note (findings
    and amendments with them), every check-in (scores with them), the flags told to the
    therapist, the visits' feedback, the routine reminder time, the visit interval and the
    next-visit window.
    Messages that named a plan keep their row but no longer point at it."""
    plans = sa.select(Plan.id).where(Plan.client_id == client_id)
    items = sa.select(PlanItem.id).where(PlanItem.plan_id.in_(plans))
    _run(sa.delete(Completion).where(Completion.plan_item_id.in_(items)))
    _run(sa.delete(PlanItem).where(PlanItem.plan_id.in_(plans)))
    _run(sa.update(Message).where(Message.plan_id.in_(plans)).values(plan_id=None))
    _run(sa.delete(Plan).where(Plan.client_id == client_id))
    notes = sa.select(SessionNote.id).where(SessionNote.client_id == client_id)
    _run(sa.delete(SessionAmendment).where(SessionAmendment.note_id.in_(notes)))
    _run(sa.delete(SessionFinding).where(SessionFinding.note_id.in_(notes)))
    _run(sa.delete(SessionNote).where(SessionNote.client_id == client_id))
    checkins = sa.select(CheckIn.id).where(CheckIn.client_id == client_id)
    _run(sa.delete(CheckInScore).where(CheckInScore.checkin_id.in_(checkins)))
    _run(sa.delete(CheckIn).where(CheckIn.client_id == client_id))
    for model in (Intake, RoutineReminderTime, VisitInterval, NextVisit, FlagNotice, Feedback):
        _run(sa.delete(model).where(model.client_id == client_id))


def _close_waitlist(client_id: int, now: datetime) -> None:
    """Before the cancellations, so no freed time is offered back to the person leaving."""
    _run(
        sa.update(WaitlistEntry)
        .where(WaitlistEntry.client_id == client_id, WaitlistEntry.closed_at.is_(None))
        .values(closed_at=now, closed_why="left")
    )


def _clear_own_reasons(client_id: int) -> None:
    """A reason the client gave for cancelling may well be about their health: keep only that
    they cancelled. Reasons staff recorded stay with the spa."""
    _run(
        sa.update(Booking)
        .where(Booking.client_id == client_id, Booking.cancel_reason.startswith("client: "))
        .values(cancel_reason="client")
    )


def _forget_settings(client_id: int) -> None:
    _run(sa.delete(MailOptOut).where(MailOptOut.user_id == client_id))
    _run(sa.delete(CalendarFeed).where(CalendarFeed.user_id == client_id))


def _silence_messages(client_id: int) -> None:
    """Drop every message to the client not sent (pending, and failed or unconfirmed ones,
    which staff could otherwise send again) and clear what their messages quoted (a staff
    note, a mail server's answer naming the address); the rows stay in the message log."""
    mine = Message.user_id == client_id
    unsent = Message.state.in_(
        [MessageState.PENDING, MessageState.FAILED, MessageState.UNCONFIRMED]
    )
    _run(sa.update(Message).where(mine, unsent).values(state=MessageState.DROPPED))
    _run(sa.update(Message).where(mine).values(reason=None, last_error=None))
    _run(
        sa.update(MessageAttempt)
        .where(MessageAttempt.message_id.in_(sa.select(Message.id).where(mine)))
        .values(detail="")
    )


def _anonymise(client: User) -> None:
    client.name = DELETED_NAME
    client.email = f"deleted-{client.id}@{DELETED_DOMAIN}"
    client.phone = None
    client.password_hash = None
    client.locale = None


def _run(statement) -> None:
    db.session.execute(statement.execution_options(synchronize_session=False))
