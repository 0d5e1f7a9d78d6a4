"""The outbox: every e-mail to send is a row, written with the change that caused it."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from spa_app.database import UTCDateTime, enum_type, utcnow
from spa_app.extensions import db


class MessageKind(enum.StrEnum):
    BOOKING_CONFIRMED = "booking_confirmed"
    BOOKING_MOVED = "booking_moved"
    BOOKING_CANCELLED = "booking_cancelled"
    APPOINTMENT_REMINDER = "appointment_reminder"
    PASSWORD_RESET = "password_reset"
    REBOOK_WINDOW_OPEN = "rebook_window_open"  # four weeks after a completed visit
    REBOOK_WINDOW_CLOSING = "rebook_window_closing"  # six weeks after it
    PLAN_READY = "plan_ready"  # the therapist published a home-care plan
    PLAN_NEEDS_REVIEW = "plan_needs_review"  # to the therapist: the intake changed after publishing
    ROUTINE_REMINDER = "routine_reminder"  # the day's home routines, at the client's hour
    WAITLIST_OFFER = "waitlist_offer"  # a time the client waits for has freed up
    VISIT_NEEDS_NEW_TIME = "visit_needs_new_time"  # the spa closed on a booked visit's time
    CARE_DIGEST = "care_digest"  # to a therapist: clients whose home care raised a flag today
    WIN_BACK = "win_back"  # some weeks after the window closed with nothing booked
    WIN_BACK_LAST = "win_back_last"  # the last one, later still
    FEEDBACK_REQUEST = "feedback_request"  # a day after a completed visit: how was it?
    LOW_RATING = "low_rating"  # to staff: a client rated a visit low


class MessageState(enum.StrEnum):
    PENDING = "pending"  # waiting for due_at (first try or a retry)
    SENT = "sent"
    FAILED = "failed"  # refused for good, or out of retries
    DROPPED = "dropped"  # made pointless by a later change (a reminder for a moved visit)
    # The whole message went out and the server never answered: it may have arrived, so it is
    # held for staff (send again, or mark received) instead of going out twice.
    UNCONFIRMED = "unconfirmed"


class Message(db.Model):
    __tablename__ = "messages"
    __table_args__ = (Index("ix_messages_due", "state", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[MessageKind] = mapped_column(enum_type(MessageKind, "message_kind", length=32))
    # What makes this message this message (kind, booking, change number): a repeat is refused.
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id"), index=True)
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("plans.id"))
    waitlist_offer_id: Mapped[int | None] = mapped_column(ForeignKey("waitlist_offers.id"))
    state: Mapped[MessageState] = mapped_column(
        enum_type(MessageState, "message_state"), default=MessageState.PENDING
    )
    # The visit as it was when this message was queued: each message tells of its own change,
    # and calendar apps order those changes by the sequence, whatever order the mail arrives in.
    visit_starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    visit_ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    visit_sequence: Mapped[int | None]
    # Who made the change ("client" or "staff") and the reason they gave, told as written.
    changed_by: Mapped[str | None] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(String(500))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user = relationship("User")
    booking = relationship("Booking")
    plan = relationship("Plan")
    waitlist_offer = relationship("WaitlistOffer")
    history: Mapped[list[MessageAttempt]] = relationship(
        back_populates="message", order_by="MessageAttempt.id"
    )


class MessageAttempt(db.Model):
    """One try at handing a message to the mail server, and what came of it."""

    __tablename__ = "message_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    # sent, retry, failed, unconfirmed, dropped; sending while it talks to the mail server
    # (and cut short if its worker stopped then); received when staff confirm an unconfirmed one
    outcome: Mapped[str] = mapped_column(String(16))
    detail: Mapped[str] = mapped_column(String(500), default="")

    message: Mapped[Message] = relationship(back_populates="history")


#: Kinds a client may turn off, as the client sees them; the rest (confirmations, changes)
#: are transactional and always sent.
KIND_LABELS = {
    MessageKind.APPOINTMENT_REMINDER: "reminders the day before a visit",
    MessageKind.REBOOK_WINDOW_OPEN: (
        "a note when your next visit is due, four weeks after a visit or as your therapist set"
    ),
    MessageKind.REBOOK_WINDOW_CLOSING: "a last note when that time runs out, if none is booked",
    MessageKind.ROUTINE_REMINDER: "a reminder on the days your home-care plan has routines",
    MessageKind.WIN_BACK: "a note some weeks later if no visit was booked, and a last one after",
    MessageKind.FEEDBACK_REQUEST: "a request for your feedback the day after a visit",
}
OPTIONAL_KINDS = tuple(KIND_LABELS)
#: Kinds a therapist may turn off, as they see them.
THERAPIST_KIND_LABELS = {
    MessageKind.CARE_DIGEST: "a daily list of your clients whose home care needs a look",
}
#: Every kind someone may turn off (each e-mail of these carries a one-click unsubscribe).
OPT_OUT_KINDS = (*OPTIONAL_KINDS, *THERAPIST_KIND_LABELS)


def switch_for(kind: MessageKind) -> MessageKind | None:
    """The setting that turns ``kind`` off (the last win-back goes with the first), or None
    for a kind always sent."""
    kind = MessageKind.WIN_BACK if kind is MessageKind.WIN_BACK_LAST else kind
    return kind if kind in OPT_OUT_KINDS else None


#: The nudges to book again after a completed visit (see schedule_nudges).
NUDGE_KINDS = (MessageKind.REBOOK_WINDOW_OPEN, MessageKind.REBOOK_WINDOW_CLOSING)
#: The notes after the window closed with nothing booked (see schedule_win_backs); turning
#: off the first turns off both.
WIN_BACK_KINDS = (MessageKind.WIN_BACK, MessageKind.WIN_BACK_LAST)


class MailOptOut(db.Model):
    """A client who asked not to get one optional kind of e-mail."""

    __tablename__ = "mail_opt_outs"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    kind: Mapped[MessageKind] = mapped_column(
        enum_type(MessageKind, "message_kind", length=32), primary_key=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
