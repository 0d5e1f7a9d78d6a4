"""Queueing messages: rows in the outbox, added in the caller's transaction."""

from __future__ import annotations

from datetime import datetime

from spa_app.booking.models import Booking
from spa_app.extensions import db
from spa_app.notifications.models import Message, MessageKind


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
