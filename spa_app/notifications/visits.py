"""E-mails about visits, in reaction to what happens to them: the confirmation, the move and
cancellation notices, and the end of a changed visit's reminders.

Each notice is keyed by kind, visit and the visit's change number, so each change is told once.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from spa_app import signals
from spa_app.booking.links import manage_path
from spa_app.booking.models import Booking, BookingStatus
from spa_app.business import Business
from spa_app.calendar import ics
from spa_app.calendar import links as calendar_links
from spa_app.homecare.outcomes.links import checkin_path, visit_link_until, visit_period
from spa_app.homecare.outcomes.service import sheet_of
from spa_app.i18n import when as written
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


def _moved(
    booking: Booking, *, now: datetime, changed_by: str, tell_client: bool, **_ignored
) -> None:
    outbox.drop_pending(booking.id, REMINDERS)
    if tell_client:
        queue_notice(MessageKind.BOOKING_MOVED, booking, now, changed_by=changed_by)


def _cancelled(
    booking: Booking,
    *,
    now: datetime,
    changed_by: str,
    note_to_client: str | None,
    tell_client: bool,
    **_ignored,
) -> None:
    outbox.drop_pending(booking.id, REMINDERS)
    if tell_client:
        queue_notice(
            MessageKind.BOOKING_CANCELLED,
            booking,
            now,
            changed_by=changed_by,
            reason=note_to_client,
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


#: Each kind's subject, formatted at send time in the recipient's language.
SUBJECTS = {
    MessageKind.BOOKING_CONFIRMED: _l("Booked: %(service)s on %(when)s"),
    MessageKind.BOOKING_MOVED: _l("Moved: %(service)s is now on %(when)s"),
    MessageKind.BOOKING_CANCELLED: _l("Cancelled: %(service)s on %(when)s"),
    MessageKind.APPOINTMENT_REMINDER: _l("Reminder: %(service)s on %(when)s"),
}

#: The kinds that change the visit, so carry a calendar file; a reminder changes nothing.
CALENDAR_CHANGES = {
    MessageKind.BOOKING_CONFIRMED,
    MessageKind.BOOKING_MOVED,
    MessageKind.BOOKING_CANCELLED,
}


@outbox.composes(*SUBJECTS)
def _visit_letter(message: Message, settings: Business, sender: outbox.Sender) -> outbox.Letter:
    """A notice or reminder: the visit as the message tells it, and a link to it."""
    booking = message.booking
    when = message.visit_starts_at.astimezone(settings.tz)
    # The lazy text is read here, inside the recipient's language (emails.render).
    subject = str(SUBJECTS[message.kind]) % {
        "service": booking.service.name,
        "when": written(when, "%a %d %b, %H:%M"),
    }
    # The link opens this one visit with no log-in until it ends (booking/links.py).
    context = {
        "booking": booking,
        "link": sender.public_url + manage_path(sender.secret, booking),
        "login_link": f"{sender.public_url}/bookings/{booking.id}",
    }
    if message.kind is MessageKind.APPOINTMENT_REMINDER and sheet_of(booking.client_id).areas:
        # The link alone: the areas and their scores are health data, never in an e-mail.
        path = checkin_path(sender.secret, booking.client_id, visit_period(booking.id),
                            visit_link_until(message.visit_ends_at))  # fmt: skip
        context["checkin_link"] = sender.public_url + path
    if message.kind not in CALENDAR_CHANGES:
        return outbox.Letter(subject, context)
    cancelled = message.kind is MessageKind.BOOKING_CANCELLED
    if cancelled:
        # "Book another time" leads to the free times of the same service, not the cancelled
        # visit (a dead end); to the menu if the spa no longer offers that service. The
        # visit's own link stays, lower down, to see it shown cancelled.
        context["visit_link"] = context["link"]
        context["link"] = sender.public_url + (
            f"/book/{booking.service_id}" if booking.service.active else "/"
        )
    else:
        context.update(add_to_calendars(message, settings, sender))
    event = outbox.Attachment(
        calendar_file(message, settings, sender),
        maintype="text",
        subtype="calendar",
        filename="visit.ics",
        params={"method": "CANCEL" if cancelled else "REQUEST"},
    )
    return outbox.Letter(subject, context, (event,))


def add_to_calendars(message: Message, settings: Business, sender: outbox.Sender) -> dict:
    """'Add to Google Calendar' and 'Add to Outlook' links for the visit as the message tells
    it. Their details carry the log-in link, not the signed one: an event in a web calendar may
    be shared with others, and the signed link would open the visit for them."""
    booking = message.booking
    event = (
        _("%(service)s at %(spa)s", service=booking.service.name, spa=settings.business_name),
        message.visit_starts_at,
        message.visit_ends_at,
        ics.location(settings.business_name, settings.address, booking.room.name),
        _(
            "With %(therapist)s. To see, move or cancel it: %(link)s",
            therapist=booking.therapist.display_name,
            link=f"{sender.public_url}/bookings/{booking.id}",
        ),
    )
    return {
        "google": calendar_links.google_url(*event),
        "outlook": calendar_links.outlook_url(*event),
    }


def calendar_file(message: Message, settings: Business, sender: outbox.Sender) -> bytes:
    """The visit as this message tells it, as an event calendar apps update in place.

    One UID per booking; SEQUENCE is the booking's change number when the message was queued.
    """
    booking = message.booking
    cancelled = message.kind is MessageKind.BOOKING_CANCELLED
    visit = ics.Visit(
        booking_id=booking.id,
        sequence=message.visit_sequence,
        starts_at=message.visit_starts_at,
        ends_at=message.visit_ends_at,
        summary=_(
            "%(service)s at %(spa)s", service=booking.service.name, spa=settings.business_name
        ),
        location=ics.location(settings.business_name, settings.address, booking.room.name),
        cancelled=cancelled,
        url=f"{sender.public_url}/bookings/{booking.id}",
    )
    return ics.calendar(
        [visit],
        spa_name=settings.business_name,
        domain=sender.domain,
        stamp=message.created_at,
        method="CANCEL" if cancelled else "REQUEST",
    )
