"""E-mails about visits, in reaction to what happens to them: the confirmation, the move and
cancellation notices, and the end of a changed visit's reminders.

Each notice is keyed by kind, visit and the visit's change number, so each change is told once.
"""

from __future__ import annotations

from datetime import datetime

from spa_app import signals
from spa_app.booking.models import Booking, BookingStatus
from spa_app.notifications import outbox
from spa_app.notifications.models import Message, MessageKind

REMINDERS = (MessageKind.APPOINTMENT_REMINDER,)


def queue_notice(
    kind: MessageKind,
    booking: Booking,
    due_at: datetime,
    *,
    changed_by: str | None = None,
    reason: str | None = None,
) -> bool:
    """Queue ``kind`` about ``booking`` as it is now (in the caller's transaction); ``changed_by``
    ("client" or "staff") and ``reason`` let the e-mail say who made the change and why."""
    return outbox.enqueue(
        kind,
        to=booking.client_id,
        key=outbox.key(kind, f"booking-{booking.id}:{booking.sequence}"),
        due_at=due_at,
        about=outbox.About(
            booking_id=booking.id,
            visit_starts_at=booking.starts_at,
            visit_ends_at=booking.ends_at,
            visit_sequence=booking.sequence,
            changed_by=changed_by,
            reason=reason or None,
        ),
    )


def _booked(booking: Booking, *, now: datetime, changed_by: str) -> None:
    queue_notice(MessageKind.BOOKING_CONFIRMED, booking, now, changed_by=changed_by)


def _moved(booking: Booking, *, now: datetime, changed_by: str, freed) -> None:
    outbox.drop_pending(booking.id, REMINDERS)
    queue_notice(MessageKind.BOOKING_MOVED, booking, now, changed_by=changed_by)


def _cancelled(
    booking: Booking, *, now: datetime, changed_by: str, note_to_client: str | None, freed
) -> None:
    outbox.drop_pending(booking.id, REMINDERS)
    queue_notice(
        MessageKind.BOOKING_CANCELLED, booking, now, changed_by=changed_by, reason=note_to_client
    )


def _marked(booking: Booking, *, now: datetime, status: BookingStatus) -> None:
    outbox.drop_pending(booking.id, REMINDERS)


@outbox.pointless_when(MessageKind.APPOINTMENT_REMINDER)
def _reminder_overtaken(message: Message, now: datetime) -> bool:
    """Its visit changed, was cancelled or has begun since the reminder was queued."""
    booking = message.booking
    return (
        booking.status is not BookingStatus.BOOKED
        or booking.sequence != message.visit_sequence
        or booking.starts_at <= now
    )


def connect() -> None:
    signals.visit_booked.connect(_booked)
    signals.visit_moved.connect(_moved)
    signals.visit_cancelled.connect(_cancelled)
    signals.visit_marked.connect(_marked)
