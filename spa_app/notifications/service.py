"""Queueing messages: rows in the outbox, added in the caller's transaction."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from spa_app.booking.models import Booking, BookingStatus
from spa_app.database import UTCDateTime, epoch_ms, insert_or_skip
from spa_app.extensions import db
from spa_app.notifications.models import MailOptOut, Message, MessageKind, MessageState


def queue_booking_message(kind: MessageKind, booking: Booking, due_at: datetime) -> Message:
    """Add ``kind`` about ``booking`` to the outbox (flushed, not committed).

    The key is kind, booking and the booking's change number, so each change is told once:
    a repeat of the same change raises IntegrityError rather than sending twice.
    """
    message = Message(
        kind=kind,
        idempotency_key=f"{kind.value}:booking-{booking.id}:{booking.sequence}",
        user_id=booking.client_id,
        booking_id=booking.id,
        visit_starts_at=booking.starts_at,
        visit_ends_at=booking.ends_at,
        visit_sequence=booking.sequence,
        due_at=due_at,
    )
    db.session.add(message)
    db.session.flush()
    return message


def message_log(state: MessageState | None, limit: int = 200) -> list[Message]:
    """The newest messages (of one state, or all), with their recipients, newest first."""
    query = (
        db.select(Message)
        .options(db.joinedload(Message.user))
        .order_by(Message.created_at.desc(), Message.id.desc())
        .limit(limit)
    )
    if state is not None:
        query = query.where(Message.state == state)
    return list(db.session.execute(query).scalars())


def retry_failed(message_id: int, now: datetime) -> Message | None:
    """Put a failed message back in the queue, due now, with a fresh series of attempts.

    Returns None if there is no such message or it has not failed (so nothing is sent twice).
    Flushes; the caller commits.
    """
    message = db.session.get(Message, message_id)
    if message is None or message.state is not MessageState.FAILED:
        return None
    message.state, message.due_at, message.attempts = MessageState.PENDING, now, 0
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
        ~sa.exists().where(
            MailOptOut.user_id == Booking.client_id,
            MailOptOut.kind == MessageKind.APPOINTMENT_REMINDER,
        ),
    )
    columns = [
        "kind", "idempotency_key", "user_id", "booking_id", "state", "visit_starts_at",
        "visit_ends_at", "visit_sequence", "due_at", "attempts", "created_at",
    ]  # fmt: skip
    table = Message.__table__
    statement = (
        insert_or_skip(table, db.session)
        .from_select(columns, due)
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
        .returning(table.c.id)  # counted: psycopg reports no rowcount for INSERT ... SELECT
    )
    return len(db.session.connection().execute(statement).all())


def drop_pending_reminders(booking_id: int) -> None:
    """Stop reminders about a visit that moved or was cancelled (the sweep makes new ones)."""
    db.session.execute(
        sa.update(Message)
        .where(
            Message.booking_id == booking_id,
            Message.kind == MessageKind.APPOINTMENT_REMINDER,
            Message.state == MessageState.PENDING,
        )
        .values(state=MessageState.DROPPED)
        .execution_options(synchronize_session=False)
    )


def is_pointless(message: Message, now: datetime) -> bool:
    """True for a reminder that should not go out after all.

    Its visit changed, was cancelled or has begun since it was queued, or the client has
    turned reminders off meanwhile.
    """
    if message.kind is not MessageKind.APPOINTMENT_REMINDER:
        return False
    booking = message.booking
    return (
        booking.status is not BookingStatus.BOOKED
        or booking.sequence != message.visit_sequence
        or booking.starts_at <= now
        or db.session.get(MailOptOut, (message.user_id, message.kind)) is not None
    )


def queue_account_message(kind: MessageKind, user_id: int, key: str, due_at: datetime) -> bool:
    """Add an account e-mail (no visit) unless one with ``key`` exists; True if added.

    ON CONFLICT DO NOTHING, so two requests at once add one row and neither fails.
    """
    table = Message.__table__
    statement = (
        insert_or_skip(table, db.session)
        .values(
            kind=kind.value,
            idempotency_key=key,
            user_id=user_id,
            state=MessageState.PENDING.value,
            due_at=due_at,
            attempts=0,
            created_at=due_at,
        )
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
        .returning(table.c.id)
    )
    return db.session.connection().execute(statement).first() is not None
