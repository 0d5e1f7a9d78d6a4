"""Turning an outbox row into an e-mail: text and HTML parts from templates, plus a calendar file.

E-mails say when and where a visit is, never anything about the client's health.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

from flask import render_template

from spa_app.accounts.service import reset_token
from spa_app.business import Business
from spa_app.calendar import ics
from spa_app.homecare.links import day_done_token
from spa_app.notifications.models import NUDGE_KINDS, OPTIONAL_KINDS, Message, MessageKind
from spa_app.notifications.preferences import unsubscribe_token

SUBJECTS = {
    MessageKind.BOOKING_CONFIRMED: "Booked: {service} on {when}",
    MessageKind.BOOKING_MOVED: "Moved: {service} is now on {when}",
    MessageKind.BOOKING_CANCELLED: "Cancelled: {service} on {when}",
    MessageKind.APPOINTMENT_REMINDER: "Reminder: {service} on {when}",
    MessageKind.REBOOK_WINDOW_OPEN: "Time to book your next visit to {spa}",
    MessageKind.REBOOK_WINDOW_CLOSING: "Six weeks since your last visit to {spa}",
    MessageKind.PLAN_READY: "Your home-care plan from {spa} is ready",
    MessageKind.PLAN_NEEDS_REVIEW: "Please look again at a client's home-care plan",
    MessageKind.ROUTINE_REMINDER: "Today's home routines",
    MessageKind.WAITLIST_OFFER: "A time has freed up: {service} on {when}",
}


PLAN_KINDS = (MessageKind.PLAN_READY, MessageKind.ROUTINE_REMINDER, MessageKind.PLAN_NEEDS_REVIEW)

#: The kinds that change the visit, so carry a calendar file; a reminder changes nothing.
CALENDAR_CHANGES = {
    MessageKind.BOOKING_CONFIRMED,
    MessageKind.BOOKING_MOVED,
    MessageKind.BOOKING_CANCELLED,
}


@dataclass(frozen=True)
class Sender:
    address: str  # "Name <address>" as the From header
    public_url: str  # where links point, without a trailing slash
    domain: str  # for calendar UIDs and Message-IDs
    secret: str  # signs unsubscribe links


def render(message: Message, settings: Business, sender: Sender) -> EmailMessage:
    """The e-mail for ``message``, addressed to its user's current address."""
    if message.kind is MessageKind.PASSWORD_RESET:
        subject, context = _password_reset(message, settings, sender)
    elif message.kind in NUDGE_KINDS:
        subject, context = _nudge(message, settings, sender)
    elif message.kind in PLAN_KINDS:
        subject, context = _plan(message, settings, sender)
    elif message.kind is MessageKind.WAITLIST_OFFER:
        subject, context = _waitlist_offer(message, settings, sender)
    else:
        subject, context = _visit(message, settings, sender)
    if message.kind in OPTIONAL_KINDS:
        token = unsubscribe_token(sender.secret, message.user_id, message.kind)
        context["unsubscribe"] = f"{sender.public_url}/unsubscribe/{token}"
    email = EmailMessage()
    email["From"] = sender.address
    # Names (the client's, the service's, the spa's) are typed by people: a line break that got
    # past a form (U+2028, say) would make the e-mail unsendable, so headers get it as a space.
    email["To"] = formataddr((" ".join(message.user.name.splitlines()), message.user.email))
    email["Subject"] = " ".join(subject.splitlines())
    # The same for every copy (should a crash send one twice, mail apps can tell), and unique
    # across databases: the row's id and when it was made.
    stamp = round(message.created_at.timestamp() * 1000)
    email["Message-ID"] = f"<message-{message.id}.{stamp}@{sender.domain}>"
    email["Date"] = format_datetime(message.created_at)  # the same on every copy, like the id
    email.set_content(render_template(f"emails/{message.kind.value}.txt", **context))
    email.add_alternative(
        render_template(f"emails/{message.kind.value}.html", **context), subtype="html"
    )
    if message.kind in OPTIONAL_KINDS:
        # RFC 8058 one-click: mail apps POST "List-Unsubscribe=One-Click" to this URL.
        email["List-Unsubscribe"] = f"<{context['unsubscribe']}>"
        email["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    if message.kind in CALENDAR_CHANGES:
        _attach_calendar(email, message, settings, sender)
    return email


def _visit(message: Message, settings: Business, sender: Sender):
    booking = message.booking
    when = message.visit_starts_at.astimezone(settings.tz)
    subject = SUBJECTS[message.kind].format(
        service=booking.service.name, when=when.strftime("%a %d %b, %H:%M")
    )
    context = {
        "message": message,
        "booking": booking,
        "spa": settings.business_name,
        "link": f"{sender.public_url}/bookings/{booking.id}",
    }
    return subject, context


def _nudge(message: Message, settings: Business, sender: Sender):
    """Time to book again: the last visit (from the row's snapshot) and a link to book it again.

    The link names the same therapist while they still offer that service.
    """
    visit = message.booking
    therapist, service = visit.therapist, visit.service
    if not service.active:
        link = f"{sender.public_url}/"
    elif therapist.active and service in therapist.services:
        link = f"{sender.public_url}/book/{service.id}?therapist={therapist.id}"
    else:
        link = f"{sender.public_url}/book/{service.id}"
    context = {
        "message": message,
        "visit": visit,
        "therapist": therapist,
        "same_therapist": "therapist=" in link,
        "spa": settings.business_name,
        "link": link,
    }
    return SUBJECTS[message.kind].format(spa=settings.business_name), context


def _plan(message: Message, settings: Business, sender: Sender):
    """A plan e-mail: names of routines only (no intake, no notes), and links to the plan.

    A routine reminder lists the routines of the local day it was queued on, with a signed link
    that marks them all done for that day.
    """
    plan = message.plan
    context = {
        "message": message,
        "plan": plan,
        "therapist": plan.booking.therapist,
        "spa": settings.business_name,
        "link": f"{sender.public_url}/plans/{plan.id}",
    }
    if message.kind is MessageKind.PLAN_NEEDS_REVIEW:  # to the therapist: the visit's page
        context["client"] = plan.booking.client
        context["link"] = f"{sender.public_url}/bookings/{plan.booking_id}"
    if message.kind is MessageKind.ROUTINE_REMINDER:
        day = message.created_at.astimezone(settings.tz).date()
        context["day"] = day
        context["routines"] = [i for i in plan.items if day.weekday() in i.weekdays]
        token = day_done_token(sender.secret, plan.id, plan.client_id, day)
        context["done_link"] = f"{sender.public_url}/plans/{plan.id}/day-done/{token}"
    return SUBJECTS[message.kind].format(spa=settings.business_name), context


def _waitlist_offer(message: Message, settings: Business, sender: Sender):
    """A freed time for a waiting client: when, what and with whom, and a link to take it.

    Nothing of the visit that freed it (someone else's) is told.
    """
    offer = message.waitlist_offer
    entry = offer.entry
    when = offer.starts_at.astimezone(settings.tz)
    context = {
        "message": message,
        "offer": offer,
        "entry": entry,
        "spa": settings.business_name,
        "link": f"{sender.public_url}/waitlist/offers/{offer.id}",
    }
    subject = SUBJECTS[message.kind].format(
        service=entry.service.name, when=when.strftime("%a %d %b, %H:%M")
    )
    return subject, context


def _password_reset(message: Message, settings: Business, sender: Sender):
    # The link is made now, not stored: the outbox holds no secrets.
    token = reset_token(sender.secret, message.user)
    context = {
        "message": message,
        "spa": settings.business_name,
        "link": f"{sender.public_url}/reset-password/{token}",
    }
    return f"Set a new password for {settings.business_name}", context


def _attach_calendar(email, message, settings, sender) -> None:
    email.add_attachment(
        calendar_file(message, settings, sender),
        maintype="text",
        subtype="calendar",
        filename="visit.ics",
        params={"method": "CANCEL" if message.kind is MessageKind.BOOKING_CANCELLED else "REQUEST"},
    )


def calendar_file(message: Message, settings: Business, sender: Sender) -> bytes:
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
        summary=f"{booking.service.name} at {settings.business_name}",
        location=f"{settings.business_name}, {booking.room.name}",
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
