"""iCalendar feeds: each therapist's and client's bookings, for phone calendars to subscribe to.

Built by ``ics`` like the booking e-mails' calendar files: one UID per booking and its change
number as SEQUENCE, so the feed and the e-mails update one event.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from spa_app.accounts.models import Role, User
from spa_app.booking.models import Booking, BookingStatus
from spa_app.calendar import ics
from spa_app.calendar.models import CalendarFeed
from spa_app.catalog.models import Therapist
from spa_app.extensions import db

PAST, AHEAD = timedelta(days=60), timedelta(days=400)


def feed_of(user_id: int) -> CalendarFeed | None:
    return db.session.get(CalendarFeed, user_id)


def new_token(user_id: int) -> str:
    """Make (or replace) the user's secret feed token; the old link stops working. Flushed."""
    feed = feed_of(user_id) or CalendarFeed(user_id=user_id)
    feed.token = secrets.token_urlsafe(32)
    db.session.add(feed)
    db.session.flush()
    return feed.token


def turn_off(user_id: int) -> None:
    if (feed := feed_of(user_id)) is not None:
        db.session.delete(feed)
        db.session.flush()


def owner_of(token: str) -> User | None:
    # Only what token_urlsafe makes: anything else (a NUL: a 500 on PostgreSQL) names no one.
    if not token or len(token) > 64 or not token.replace("-", "").replace("_", "").isalnum():
        return None
    return db.session.execute(
        sa.select(User)
        .join(CalendarFeed, CalendarFeed.user_id == User.id)
        .where(CalendarFeed.token == token)
    ).scalar_one_or_none()


def ical(user: User, now: datetime, spa_name: str, address: str, domain: str) -> bytes:
    """The user's bookings (a therapist's appointments, or a client's visits) as a calendar, its
    words in the current language."""
    query = (
        sa.select(Booking)
        .options(db.joinedload(Booking.service), db.joinedload(Booking.room),
                 db.joinedload(Booking.client), db.joinedload(Booking.therapist))
        .where(Booking.starts_at >= now - PAST, Booking.starts_at < now + AHEAD)
        .order_by(Booking.starts_at)
    )  # fmt: skip
    if user.role is Role.THERAPIST:
        query = query.join(Therapist, Therapist.id == Booking.therapist_id).where(
            Therapist.user_id == user.id
        )
    else:
        query = query.where(Booking.client_id == user.id)
    therapist = user.role is Role.THERAPIST
    visits = [
        ics.Visit(
            booking_id=booking.id,
            sequence=booking.sequence,
            starts_at=booking.starts_at,
            ends_at=booking.ends_at,
            summary=f"{booking.service.name}: {booking.client.name}"
            if therapist
            else _("%(service)s at %(spa)s", service=booking.service.name, spa=spa_name),
            location=ics.location(spa_name, address, booking.room.name),
            cancelled=booking.status is BookingStatus.CANCELLED,
        )
        for booking in db.session.execute(query).scalars().unique()
    ]
    name = (
        _("%(spa)s: appointments", spa=spa_name)
        if therapist
        else _("%(spa)s: visits", spa=spa_name)
    )
    return ics.calendar(visits, spa_name=spa_name, domain=domain, stamp=now, name=name)
