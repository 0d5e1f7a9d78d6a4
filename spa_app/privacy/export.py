"""Everything we hold about one client, as one JSON document they can download and keep.

The shape is versioned by its top-level ``format`` and described, key by key, in
``export.schema.json`` next to this module (a test holds every export to it, so a change of
shape is a deliberate new version, not an accident). Instants are ISO 8601 in UTC ("Z"); visit
times also come as the spa's local time with its offset. Nothing about another person is in it:
a waitlist offer says which time was offered, not whose visit freed it, and staff notes on a
cancelled visit stay with the spa. The client reading their own health data is not audited.

Every section is one or two statements whatever the number of rows, so the download costs a
fixed number of statements (about fifteen).
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from spa_app.accounts.models import User
from spa_app.booking.models import Booking
from spa_app.business import business_tz
from spa_app.cadence.models import NextVisit, VisitInterval
from spa_app.cadence.service import DEFAULT_WEEKS
from spa_app.calendar.models import CalendarFeed
from spa_app.extensions import db
from spa_app.feedback.models import Feedback
from spa_app.homecare.models import AuditEntry, RoutineReminderTime
from spa_app.homecare.notes.export import session_notes
from spa_app.homecare.outcomes.export import checkins
from spa_app.notifications.models import MailOptOut, Message
from spa_app.notifications.service import DEFAULT_REMINDER_TIME
from spa_app.privacy import export_health as health
from spa_app.privacy.export_health import utc as _utc
from spa_app.waitlist.models import WaitlistEntry, WaitlistOffer

#: Name and version of the document's shape; bump the version when the shape changes.
FORMAT = "spa-personal-data/3"


def export_for(client: User, now: datetime) -> dict:
    """The whole document for ``client`` (read-only; a fixed number of statements)."""
    tz = business_tz()
    cid = client.id
    return {
        "format": FORMAT,
        "generated_at": _utc(now),
        "timezone": tz.key,
        "profile": {
            "name": client.name,
            "email": client.email,
            "phone": client.phone,
            "locale": client.locale,
            "created_at": _utc(client.created_at),
        },
        "bookings": _bookings(cid, tz),
        "health_intake": health.intake(cid),
        "plans": health.plans(cid),
        "session_notes": session_notes(cid, tz),
        "checkins": checkins(cid, tz),
        "feedback": _feedback(cid, tz),
        "messages": _messages(cid),
        "email_settings": _email_settings(cid),
        "next_visit": _next_visit(cid, tz),
        "waitlist": _waitlist(cid, tz),
        "calendar_feed": _calendar_feed(cid),
        "audit_log": _audit_log(cid),
    }


def _local(instant: datetime | None, tz: ZoneInfo) -> str | None:
    return None if instant is None else instant.astimezone(tz).isoformat(timespec="seconds")


def _feedback(cid: int, tz: ZoneInfo) -> list[dict]:
    """Each visit the client rated, with their words. One statement."""
    rows = db.session.execute(
        sa.select(Feedback).where(Feedback.client_id == cid).order_by(Feedback.id)
    ).scalars()
    return [
        {"booking_id": f.booking_id, "rating": f.rating, "comment": f.comment,
         "given_at": _utc(f.created_at), "last_edited_at": _utc(f.updated_at)}
        for f in rows
    ]  # fmt: skip


# Visits ------------------------------------------------------------------------------------


def _bookings(cid: int, tz: ZoneInfo) -> list[dict]:
    rows = db.session.execute(
        sa.select(Booking)
        .where(Booking.client_id == cid)
        .options(
            db.joinedload(Booking.service),
            db.joinedload(Booking.therapist),
            db.joinedload(Booking.room),
        )
        .order_by(Booking.starts_at, Booking.id)
    ).scalars()
    return [_booking(b, cid, tz) for b in rows]


def _booking(b: Booking, cid: int, tz: ZoneInfo) -> dict:
    cancelled_by, reason = b.cancellation()
    return {
        "id": b.id,
        "service": b.service.name,
        "therapist": b.therapist.display_name,
        "room": b.room.name,
        "starts_at": _utc(b.starts_at),
        "starts_at_local": _local(b.starts_at, tz),
        "ends_at": _utc(b.ends_at),
        "ends_at_local": _local(b.ends_at, tz),
        "status": b.status.value,
        "price_cents": b.price_cents,
        "booked_at": _utc(b.created_at),
        "booked_by": None if b.created_by_id is None else _who(b.created_by_id, cid),
        "cancelled_at": _utc(b.cancelled_at),
        "cancelled_by": cancelled_by,
        # The reason the client gave. One staff gave is the spa's internal note: not in this
        # self-service file (it may name colleagues); the spa answers a request for it by hand.
        "cancel_reason": reason if cancelled_by == "client" else None,
    }


def _who(actor_id: int, cid: int) -> str:
    return "client" if actor_id == cid else "staff"


# E-mail, cadence, waitlist, calendar ---------------------------------------------------------


def _messages(cid: int) -> list[dict]:
    rows = db.session.execute(
        sa.select(
            Message.kind,
            Message.state,
            Message.booking_id,
            Message.created_at,
            Message.due_at,
            Message.sent_at,
        )
        .where(Message.user_id == cid)
        .order_by(Message.created_at, Message.id)
    )
    return [
        {
            "kind": row.kind.value,
            "state": row.state.value,
            "booking_id": row.booking_id,
            "queued_at": _utc(row.created_at),
            "due_at": _utc(row.due_at),
            "sent_at": _utc(row.sent_at),
        }
        for row in rows
    ]


def _email_settings(cid: int) -> dict:
    """The e-mails turned off and the routine reminder's time, in one statement: one row per
    e-mail turned off (one row with none), each carrying the chosen time (null: not chosen)."""
    chosen = (
        sa.select(RoutineReminderTime.local_time)
        .where(RoutineReminderTime.client_id == cid)
        .scalar_subquery()
    )
    one_row = sa.select(sa.literal(1).label("one")).subquery("one_row")
    rows = db.session.execute(
        sa.select(chosen.label("chosen"), MailOptOut.kind, MailOptOut.created_at)
        .select_from(one_row)
        .outerjoin(MailOptOut, MailOptOut.user_id == cid)
        .order_by(MailOptOut.kind)
    ).all()
    time = rows[0].chosen
    return {
        "turned_off": [{"kind": r.kind.value, "since": _utc(r.created_at)} for r in rows if r.kind],
        "routine_reminder_time": time or DEFAULT_REMINDER_TIME,
        "routine_reminder_time_chosen": time is not None,
    }


def _next_visit(cid: int, tz: ZoneInfo) -> dict:
    window = db.session.execute(
        sa.select(NextVisit)
        .where(NextVisit.client_id == cid)
        .options(db.joinedload(NextVisit.therapist), db.joinedload(NextVisit.service))
    ).scalar_one_or_none()
    interval = db.session.execute(
        sa.select(VisitInterval, User.name)
        .join(User, User.id == VisitInterval.set_by_id)
        .where(VisitInterval.client_id == cid)
    ).first()
    return {"window": _window(window, tz), "interval_weeks": _interval(interval)}


def _window(window: NextVisit | None, tz: ZoneInfo) -> dict | None:
    if window is None:
        return None
    return {
        "after_booking_id": window.booking_id,
        "last_visit_at": _utc(window.last_visit_at),
        "service": window.service.name,
        "therapist": window.therapist.display_name,
        "opens_at": _utc(window.opens_at),
        "opens_at_local": _local(window.opens_at, tz),
        "closes_at": _utc(window.closes_at),
        "closes_at_local": _local(window.closes_at, tz),
    }


def _interval(row) -> dict:
    if row is None:
        low, high = DEFAULT_WEEKS
        return {"min": low, "max": high, "set_by": None, "set_at": None}
    interval, by = row
    return {
        "min": interval.min_weeks,
        "max": interval.max_weeks,
        "set_by": by,
        "set_at": _utc(interval.set_at),
    }


def _waitlist(cid: int, tz: ZoneInfo) -> list[dict]:
    entries = db.session.execute(
        sa.select(WaitlistEntry)
        .where(WaitlistEntry.client_id == cid)
        .options(
            db.joinedload(WaitlistEntry.service),
            db.joinedload(WaitlistEntry.therapist),
            db.selectinload(WaitlistEntry.offers).joinedload(WaitlistOffer.therapist),
        )
        .order_by(WaitlistEntry.created_at, WaitlistEntry.id)
    ).scalars()
    return [_entry(e, tz) for e in entries]


def _entry(e: WaitlistEntry, tz: ZoneInfo) -> dict:
    return {
        "service": e.service.name,
        "therapist": e.therapist.display_name if e.therapist else None,
        "first_day": e.first_day.isoformat(),
        "last_day": e.last_day.isoformat(),
        "earlier_than_booking_id": e.booking_id,
        "joined_at": _utc(e.created_at),
        "closed_at": _utc(e.closed_at),
        "closed_why": e.closed_why,
        # Which time was offered and when; not the visit that freed it (someone else's).
        "offers": [
            {
                "starts_at": _utc(o.starts_at),
                "starts_at_local": _local(o.starts_at, tz),
                "therapist": o.therapist.display_name,
                "offered_at": _utc(o.created_at),
                "taken_at": _utc(o.taken_at),
            }
            for o in e.offers
        ],
    }


def _calendar_feed(cid: int) -> dict:
    """Whether a private calendar link exists; never its secret token."""
    feed = db.session.get(CalendarFeed, cid)
    return {"exists": feed is not None, "created_at": _utc(feed.created_at) if feed else None}


def _audit_log(cid: int) -> list[dict]:
    """Each read or change of the client's health data by staff or a therapist."""
    rows = db.session.execute(
        sa.select(AuditEntry.at, AuditEntry.action, AuditEntry.subject, User.name, User.role)
        .join(User, User.id == AuditEntry.actor_id)
        .where(AuditEntry.client_id == cid)
        .order_by(AuditEntry.at, AuditEntry.id)
    )
    return [
        {
            "at": _utc(row.at),
            "by": {"role": row.role.value, "name": row.name},
            "action": row.action,
            "subject": row.subject,
        }
        for row in rows
    ]
