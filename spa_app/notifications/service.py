"""Queueing messages: rows in the outbox, added in the caller's transaction."""

from __future__ import annotations

from datetime import datetime

from spa_app.booking.models import Booking
from spa_app.extensions import db
from spa_app.notifications.models import Message, MessageKind, MessageState


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
