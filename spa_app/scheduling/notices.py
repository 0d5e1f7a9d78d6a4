"""Telling clients that the spa closed on their visit: the e-mail that asks them to choose a new
time, queued once per visit and closure (or time off) however often staff press the button,
and dropped before sending if the visit moved, was cancelled or the closure went away.

The e-mail says when the visit was and links to moving it; nothing of the client's health, and
nothing of why a therapist is away (time off's reason is the spa's own note).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from spa_app.booking.links import manage_path
from spa_app.booking.models import Booking, BookingStatus
from spa_app.business import Business, business_tz
from spa_app.extensions import db
from spa_app.notifications import outbox
from spa_app.notifications.models import Message, MessageKind, MessageState
from spa_app.scheduling.affected import Cause, needs_new_time

KIND = MessageKind.VISIT_NEEDS_NEW_TIME


def notice_key(booking_id: int, cause: Cause) -> str:
    """The idempotency key of the notice about one visit and one closure (or time off)."""
    return outbox.key(KIND, f"booking-{booking_id}:{cause.subject}")


def tell(bookings: Iterable[Booking], cause: Cause, *, note: str, now: datetime) -> int:
    """Queue the needs-a-new-time e-mail to the client of each of ``bookings`` (due now, in the
    caller's transaction), with staff's ``note`` if any. Idempotent: a visit whose client was
    already told of this cause gets nothing more. Returns how many were queued."""
    added = 0
    for booking in bookings:
        added += outbox.enqueue(
            KIND,
            to=booking.client_id,
            key=notice_key(booking.id, cause),
            due_at=now,
            about=outbox.About(
                booking_id=booking.id,
                visit_starts_at=booking.starts_at,
                visit_ends_at=booking.ends_at,
                visit_sequence=booking.sequence,
                changed_by="staff",
                reason=note.strip() or None,
            ),
        )
    return added


def told(bookings: Iterable[Booking], cause: Cause) -> dict[int, Message]:
    """The notice about ``cause`` already queued or sent for each told visit, by visit id (one
    statement; none for no visits)."""
    keys = {notice_key(b.id, cause): b.id for b in bookings}
    if not keys:
        return {}
    rows = db.session.execute(db.select(Message).where(Message.idempotency_key.in_(keys))).scalars()
    return {keys[m.idempotency_key]: m for m in rows}


#: How a notice's state reads on the staff list.
STATE_TEXT = {
    MessageState.PENDING: "E-mail queued",
    MessageState.SENT: "E-mail sent",
    MessageState.FAILED: "E-mail failed (see Messages)",
    MessageState.DROPPED: "E-mail not needed after all",
    MessageState.UNCONFIRMED: "E-mail may not have arrived (see Messages)",
}


@outbox.composes(KIND)
def _new_time_letter(message: Message, settings: Business, sender: outbox.Sender) -> outbox.Letter:
    """The visit as it was when staff told the client, and a link to choose another time."""
    booking = message.booking
    when = message.visit_starts_at.astimezone(settings.tz)
    subject = f"Please choose a new time: {booking.service.name} on {when:%a %d %b, %H:%M}"
    context = {
        "booking": booking,
        # Straight to choosing a time, with no log-in (the visit's signed link, booking/links.py).
        "link": f"{sender.public_url}{manage_path(sender.secret, booking)}/move",
        "visit_link": f"{sender.public_url}/bookings/{booking.id}",
    }
    return outbox.Letter(subject, context)


@outbox.pointless_when(KIND)
def _no_longer_closed(message: Message, now: datetime) -> bool:
    """The visit moved, was cancelled or has begun, or neither a closure nor its therapist's
    time off falls on it any more (the closure was removed)."""
    booking = message.booking
    return (
        booking.status is not BookingStatus.BOOKED
        or booking.sequence != message.visit_sequence
        or booking.starts_at <= now
        or booking.id not in needs_new_time([booking], business_tz(), now)
    )
