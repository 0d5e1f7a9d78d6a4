"""Asking for feedback, keeping it, and telling staff of a low one.

The request goes a day after a completed visit (schedule_requests, in beat's sweep), once per
visit, to clients who have not turned it off. The answer is kept once per visit (a second one
edits it). A low rating queues one e-mail to each staff member, once per visit; it names the
client, the visit and the rating, never the comment (the client's words stay on the record).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from spa_app.accounts.models import Role, User
from spa_app.booking.models import Booking, BookingStatus
from spa_app.database import UTCDateTime, dialect_insert
from spa_app.extensions import db
from spa_app.feedback.links import LIFE, feedback_path
from spa_app.feedback.models import LOW, Feedback
from spa_app.notifications import outbox
from spa_app.notifications.models import MailOptOut, Message, MessageKind, MessageState

REQUEST, LOW_RATING = MessageKind.FEEDBACK_REQUEST, MessageKind.LOW_RATING
#: The request goes this long after the visit ended, and is not sent more than a week late.
AFTER, GRACE = timedelta(days=1), timedelta(days=7)
MAX_COMMENT = 1000


class FeedbackError(ValueError):
    """An answer we cannot keep; the message is for the client."""


def schedule_requests(now: datetime) -> int:
    """Queue the requests now due: visits completed that ended a day ago (up to a week more,
    for a sweep that was down). One INSERT ... SELECT; keyed per visit, so a rerun adds none.
    Flushes; the caller commits."""
    table = Message.__table__
    due = sa.select(
        sa.literal(REQUEST.value),
        sa.literal(f"{REQUEST.value}:booking-") + sa.cast(Booking.id, sa.String),
        Booking.client_id,
        Booking.id,
        sa.literal(MessageState.PENDING.value),
        Booking.starts_at,
        Booking.ends_at,
        sa.literal(now, UTCDateTime()),
        sa.literal(0),
        sa.literal(now, UTCDateTime()),
    ).where(
        Booking.status == BookingStatus.COMPLETED,
        Booking.ends_at <= now - AFTER,
        Booking.ends_at > now - AFTER - GRACE,
        Booking.starts_at > now - AFTER - GRACE - timedelta(days=1),  # read by the start index
        ~sa.exists().where(MailOptOut.user_id == Booking.client_id, MailOptOut.kind == REQUEST),
    )
    columns = ["kind", "idempotency_key", "user_id", "booking_id", "state", "visit_starts_at",
               "visit_ends_at", "due_at", "attempts", "created_at"]  # fmt: skip
    statement = (
        dialect_insert(table, db.session)
        .from_select(columns, due)
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
        .returning(table.c.id)
    )
    return len(db.session.connection().execute(statement).all())


def feedback_for(booking_id: int) -> Feedback | None:
    return db.session.execute(
        sa.select(Feedback).where(Feedback.booking_id == booking_id)
    ).scalar_one_or_none()


def give(booking: Booking, rating: int | None, comment: str, now: datetime) -> Feedback:
    """Keep the client's rating (1 to 5) and comment of ``booking``: one row per visit, a
    second answer edits it (one upsert, so two at once are fine). A low rating queues its
    notice to staff, once per visit. Raises FeedbackError and keeps nothing for a missing
    rating or a comment too long. In the caller's transaction."""
    if rating is None or not 1 <= rating <= 5:
        raise FeedbackError(_("Please choose a rating from 1 to 5."))
    comment = "\n".join(line.rstrip() for line in comment.strip().splitlines())
    if len(comment) > MAX_COMMENT:
        raise FeedbackError(_("Please keep the comment under %(num)d characters.", num=MAX_COMMENT))
    insert = dialect_insert(Feedback.__table__, db.session).values(
        booking_id=booking.id, client_id=booking.client_id, rating=rating, comment=comment,
        created_at=now, updated_at=now,
    )  # fmt: skip
    db.session.execute(
        insert.on_conflict_do_update(
            index_elements=["booking_id"],
            set_={"rating": rating, "comment": comment, "updated_at": now},
        )
    )
    found = feedback_for(booking.id)
    if found.low:
        _tell_staff(booking, now)
    return found


def _tell_staff(booking: Booking, now: datetime) -> None:
    staff = db.session.execute(sa.select(User.id).where(User.role == Role.STAFF)).scalars()
    for staff_id in staff:
        outbox.enqueue(
            LOW_RATING,
            to=staff_id,
            key=outbox.key(LOW_RATING, f"booking-{booking.id}:staff-{staff_id}"),
            due_at=now,
            about=outbox.About(
                booking_id=booking.id,
                visit_starts_at=booking.starts_at,
                visit_ends_at=booking.ends_at,
            ),  # fmt: skip
        )


SUBJECTS = {
    REQUEST: _l("How was your visit to %(spa)s?"),
    LOW_RATING: _l("A client rated a visit %(rating)d out of 5"),
}


@outbox.composes(*SUBJECTS)
def _letter(message: Message, settings, sender: outbox.Sender) -> outbox.Letter:
    """The request: the visit and the signed link. The notice to staff: the client, the visit
    and the rating, and a link to the client's record (the comment is read there)."""
    visit = message.booking
    context = {"visit": visit, "therapist": visit.therapist}
    rating = 0
    if message.kind is REQUEST:
        until = message.created_at + LIFE
        context["link"] = sender.public_url + feedback_path(
            sender.secret, visit.id, visit.client_id, until
        )
    else:
        found = feedback_for(visit.id)
        rating = found.rating if found else 0
        context.update(client=visit.client, rating=rating,
                       link=f"{sender.public_url}/clients/{visit.client_id}")  # fmt: skip
    subject = str(SUBJECTS[message.kind]) % {"spa": settings.business_name, "rating": rating}
    return outbox.Letter(subject, context)


@outbox.pointless_when(REQUEST)
def _request_overtaken(message: Message, now: datetime) -> bool:
    """The visit is no longer marked completed, or the client has answered already."""
    visit = message.booking
    return visit.status is not BookingStatus.COMPLETED or feedback_for(visit.id) is not None


@outbox.pointless_when(LOW_RATING)
def _no_longer_low(message: Message, now: datetime) -> bool:
    """The client has since raised the rating above LOW (or the account was deleted)."""
    found = feedback_for(message.booking_id)
    return found is None or found.rating > LOW
