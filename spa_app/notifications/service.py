"""The sweep's timed messages (visit reminders, next-visit nudges, home-routine reminders),
queued set-based, and what staff may do to a message from the log. Features queue their own
e-mails through ``outbox``."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
import sqlalchemy.orm

from spa_app.booking.models import Booking, BookingStatus
from spa_app.cadence.models import NextVisit
from spa_app.cadence.service import visit_since
from spa_app.database import UTCDateTime, dialect_insert, epoch_ms
from spa_app.extensions import db
from spa_app.homecare.models import Plan, PlanItem, PlanStatus, RoutineReminderTime
from spa_app.notifications.models import (
    MailOptOut,
    Message,
    MessageAttempt,
    MessageKind,
    MessageState,
)

#: How long a published plan keeps its daily reminders going without a newer visit's plan.
ROUTINE_REMINDERS_FOR = timedelta(weeks=12)
DEFAULT_REMINDER_TIME = "08:00"


def schedule_routine_reminders(now: datetime, tz: ZoneInfo) -> int:
    """Queue today's home-routine reminders that are due; the count added.

    One set-based INSERT ... SELECT: each client's current plan (their latest published one,
    at most twelve weeks old) that schedules something on today's weekday, once the client's
    chosen local time ("HH:MM", 08:00 unless they chose) has come, unless they turned these
    off. Keyed by client and local date, so one a day whatever the clocks do. Flushes.
    """
    local = now.astimezone(tz)
    today, clock = local.date(), local.strftime("%H:%M")
    newer = sa.orm.aliased(Plan)
    chosen = (
        sa.select(RoutineReminderTime.local_time)
        .where(RoutineReminderTime.client_id == Plan.client_id)
        .scalar_subquery()
    )
    kind = MessageKind.ROUTINE_REMINDER
    due = sa.select(
        sa.literal(kind.value),
        sa.literal(f"{kind.value}:client-")
        + sa.cast(Plan.client_id, sa.String)
        + sa.literal(f":{today.isoformat()}"),
        Plan.client_id,
        Plan.booking_id,
        Plan.id,
        sa.literal(MessageState.PENDING.value),
        sa.literal(now, UTCDateTime()),
        sa.literal(0),
        sa.literal(now, UTCDateTime()),
    ).where(
        Plan.status == PlanStatus.PUBLISHED,
        Plan.published_at > now - ROUTINE_REMINDERS_FOR,
        ~sa.exists().where(
            newer.client_id == Plan.client_id,
            newer.status == PlanStatus.PUBLISHED,
            newer.published_at > Plan.published_at,
        ),
        sa.exists().where(
            PlanItem.plan_id == Plan.id, PlanItem.days.contains(str(today.weekday()))
        ),
        sa.func.coalesce(chosen, DEFAULT_REMINDER_TIME) <= clock,
        ~_opted_out(Plan.client_id, kind),
    )
    columns = ["kind", "idempotency_key", "user_id", "booking_id", "plan_id", "state", "due_at",
               "attempts", "created_at"]  # fmt: skip
    return _insert_new(due, columns)


#: States staff may send again from the message log: refused, or never answered.
SENDABLE_AGAIN = (MessageState.FAILED, MessageState.UNCONFIRMED)


def send_again(message_id: int, now: datetime) -> Message | None:
    """Put a failed or unconfirmed message back in the queue, due now, with a fresh series of
    attempts (an unconfirmed one may then arrive twice: staff decide that).

    Returns None if there is no such message or it is in neither state (so a message sent or
    already queued again is not sent twice). Flushes; the caller commits.
    """
    message = db.session.get(Message, message_id)
    if message is None or message.state not in SENDABLE_AGAIN:
        return None
    message.state, message.due_at, message.attempts = MessageState.PENDING, now, 0
    db.session.flush()
    return message


def mark_received(message_id: int, now: datetime) -> Message | None:
    """Close an unconfirmed message as received (the client has it, say), without sending it
    again; its history says staff confirmed it. None unless it is unconfirmed. Flushes."""
    message = db.session.get(Message, message_id)
    if message is None or message.state is not MessageState.UNCONFIRMED:
        return None
    message.state, message.last_error = MessageState.SENT, None
    message.sent_at = message.history[-1].at if message.history else now
    db.session.add(
        MessageAttempt(
            message_id=message.id, at=now, outcome="received", detail="staff confirmed it arrived"
        )
    )
    db.session.flush()
    return message


def schedule_reminders(now: datetime, lead: timedelta) -> int:
    """Queue one reminder for each booked visit now less than ``lead`` away; the count added.

    One set-based INSERT ... SELECT, keyed by booking and change number, so a rerun (or a
    second beat) adds nothing and a moved visit gets a fresh reminder. "24 h before" is real
    time (UTC), whatever the clocks do. Visits booked less than ``lead`` ahead get none: the
    confirmation has just told the client. Flushes; the caller commits.
    """
    key = (
        sa.literal(f"{MessageKind.APPOINTMENT_REMINDER.value}:booking-")
        + sa.cast(Booking.id, sa.String)
        + ":"
        + sa.cast(Booking.sequence, sa.String)
    )
    lead_ms = lead // timedelta(milliseconds=1)
    due = sa.select(
        sa.literal(MessageKind.APPOINTMENT_REMINDER.value),
        key,
        Booking.client_id,
        Booking.id,
        sa.literal(MessageState.PENDING.value),
        Booking.starts_at,
        Booking.ends_at,
        Booking.sequence,
        sa.literal(now, UTCDateTime()),
        sa.literal(0),
        sa.literal(now, UTCDateTime()),
    ).where(
        Booking.status == BookingStatus.BOOKED,
        Booking.starts_at > now,
        Booking.starts_at <= now + lead,
        epoch_ms(Booking.starts_at) - epoch_ms(Booking.created_at) >= lead_ms,
        ~_opted_out(Booking.client_id, MessageKind.APPOINTMENT_REMINDER),
    )
    return _insert_new(due)


#: How long after the window closes its last nudge may still be queued.
NUDGE_GRACE = timedelta(days=7)


def schedule_nudges(now: datetime) -> int:
    """Queue the next-visit nudges now due; the count added.

    For each client whose latest completed visit (next_visits) is four weeks old, one e-mail
    while the window is open; at six weeks, one more, for a week at most (a sweep that was
    down for longer does not send stale news). Clients with a visit since (booked ahead, or
    had and not yet marked), or who turned the kind off, get none. Keyed by kind and visit,
    so a rerun adds nothing and the next completed visit starts afresh. Two set-based
    INSERT ... SELECT statements, both reading the windows by their closing time (indexed).
    Flushes; the caller commits.
    """
    window = NextVisit
    due_when = {
        MessageKind.REBOOK_WINDOW_OPEN: sa.and_(window.closes_at > now, window.opens_at <= now),
        MessageKind.REBOOK_WINDOW_CLOSING: sa.and_(
            window.closes_at > now - NUDGE_GRACE, window.closes_at <= now
        ),
    }
    return sum(_insert_new(_window_notes(kind, due_now, now)) for kind, due_now in due_when.items())


def schedule_win_backs(now: datetime, first_weeks: int, last_weeks: int) -> int:
    """Queue the notes to a client whose window closed with nothing booked: one ``first_weeks``
    after it closed, a last one ``last_weeks`` after; the count added.

    Like the nudges: for a week at most after each is due (no stale news), none for a client
    with a visit since or who turned them off (one setting for both), keyed by kind and visit
    so a rerun adds nothing. Two INSERT ... SELECT statements, reading the windows by their
    closing time. Flushes; the caller commits.
    """
    added = 0
    for kind, weeks in ((MessageKind.WIN_BACK, first_weeks),
                        (MessageKind.WIN_BACK_LAST, last_weeks)):  # fmt: skip
        closed_by = now - timedelta(weeks=weeks)
        due_now = sa.and_(
            NextVisit.closes_at <= closed_by, NextVisit.closes_at > closed_by - NUDGE_GRACE
        )
        added += _insert_new(_window_notes(kind, due_now, now, switch=MessageKind.WIN_BACK))
    return added


def _window_notes(kind: MessageKind, due_now, now: datetime, switch: MessageKind | None = None):
    """The ``kind`` message rows (VISIT_COLUMNS) for the windows ``due_now`` picks, about each
    client's latest completed visit, leaving out clients with a visit since it or who turned
    ``switch`` (the kind itself unless told) off."""
    window = NextVisit
    return sa.select(
        sa.literal(kind.value),
        sa.literal(f"{kind.value}:booking-") + sa.cast(window.booking_id, sa.String),
        window.client_id,
        window.booking_id,
        sa.literal(MessageState.PENDING.value),
        window.last_visit_at,
        sa.null(),
        sa.null(),
        sa.literal(now, UTCDateTime()),
        sa.literal(0),
        sa.literal(now, UTCDateTime()),
    ).where(
        due_now,
        ~visit_since(window.client_id, window.last_visit_at),
        ~_opted_out(window.client_id, switch or kind),
    )


VISIT_COLUMNS = [
    "kind", "idempotency_key", "user_id", "booking_id", "state", "visit_starts_at",
    "visit_ends_at", "visit_sequence", "due_at", "attempts", "created_at",
]  # fmt: skip


def _insert_new(rows: sa.Select, columns: list[str] = VISIT_COLUMNS) -> int:
    """INSERT the message ``rows`` whose idempotency key is new; how many were added."""
    table = Message.__table__
    statement = (
        dialect_insert(table, db.session)
        .from_select(columns, rows)
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
        .returning(table.c.id)  # counted: psycopg reports no rowcount for INSERT ... SELECT
    )
    return len(db.session.connection().execute(statement).all())


def _opted_out(user_id, kind: MessageKind) -> sa.Exists:
    return sa.exists().where(MailOptOut.user_id == user_id, MailOptOut.kind == kind)
