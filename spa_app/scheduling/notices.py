"""Telling clients that the spa closed on their visit: the e-mail that asks them to choose a new
time, queued once per visit and closure (or time off) however often staff press the button,
and dropped before sending if the visit moved, was cancelled or the closure went away.

The e-mail says when the visit was and links to moving it; nothing of the client's health, and
nothing of why a therapist is away (time off's reason is the spa's own note).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from spa_app.booking.links import manage_path
from spa_app.booking.models import Booking, BookingStatus
from spa_app.business import Business, business_tz
from spa_app.extensions import db
from spa_app.i18n import when
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
    MessageState.PENDING: _l("E-mail queued"),
    MessageState.SENT: _l("E-mail sent"),
    MessageState.FAILED: _l("E-mail failed (see Messages)"),
    MessageState.DROPPED: _l("E-mail not needed after all"),
    MessageState.UNCONFIRMED: _l("E-mail may not have arrived (see Messages)"),
}


def told_message(one: bool, found: int, added: int) -> tuple[str, str]:
    """What staff read after pressing a button to tell ``one`` client (or all of them), when
    ``found`` visits were still on the list and ``added`` e-mails were queued; and its kind."""
    if not found:
        if one:
            return _(
                "That visit is no longer on this list (moved or cancelled). Nobody was told."
            ), "error"
        return _(
            "No booked visits are left on this list (moved or cancelled). Nobody was told."
        ), "error"
    if not added:
        if one:
            return _("That client was already told; nobody gets a second e-mail."), "info"
        return _("Every client here was already told; nobody gets a second e-mail."), "info"
    if added == 1:
        return _("E-mail queued to the client: they can choose a new time from it."), "success"
    message = _("E-mail queued to %(num)d clients: they can choose a new time from it.", num=added)
    return message, "success"


@outbox.composes(KIND)
def _new_time_letter(message: Message, settings: Business, sender: outbox.Sender) -> outbox.Letter:
    """The visit as it was when staff told the client, and a link to choose another time."""
    booking = message.booking
    starts = when(message.visit_starts_at.astimezone(settings.tz), "%a %d %b, %H:%M")
    subject = _(
        "Please choose a new time: %(service)s on %(when)s",
        service=booking.service.name,
        when=starts,
    )
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
