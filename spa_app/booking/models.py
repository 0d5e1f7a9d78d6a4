"""Bookings: one client, one therapist, one room, one stretch of time.

No two active bookings overlap for one therapist or one room (including the clean-up buffer),
nor for one client (the visit itself).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint, func
from sqlalchemy.dialects.postgresql import ExcludeConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from spa_app.database import UTCDateTime, enum_type, utcnow
from spa_app.extensions import db


class BookingStatus(enum.StrEnum):
    BOOKED = "booked"
    ARRIVED = "arrived"
    COMPLETED = "completed"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        """The status as people read it ("no-show"), in the page's language."""
        return str(STATUS_LABELS[self])


#: The statuses in words (the value is the stored key, never shown).
STATUS_LABELS = {
    BookingStatus.BOOKED: _l("booked"),
    BookingStatus.ARRIVED: _l("arrived"),
    BookingStatus.COMPLETED: _l("completed"),
    BookingStatus.NO_SHOW: _l("no-show"),
    BookingStatus.CANCELLED: _l("cancelled"),
}


#: The longest a booking can hold a therapist and room (the services' CHECK limits: 480 + 120).
LONGEST_HOLD = timedelta(minutes=600)

#: Every status but cancelled holds its therapist, room and client.
ACTIVE = "status <> 'cancelled'"

#: The constraint that keeps one client to one visit at a time (PostgreSQL).
CLIENT_OVERLAP = "ex_bookings_client_id_overlap"
#: The one that makes a booking request idempotent: one visit per (client, request key).
REQUEST_KEY = "uq_bookings_client_request"


def _no_overlap(column: str, until: str = "busy_until") -> ExcludeConstraint:
    constraint = ExcludeConstraint(
        (column, "="),
        (func.tstzrange(db.text("starts_at"), db.text(until), "[)"), "&&"),
        name=f"ex_bookings_{column}_overlap",
        using="gist",
        where=db.text(ACTIVE),
    )
    # SQLite has no exclusion constraints; there the immediate write transaction serializes.
    return constraint.ddl_if(dialect="postgresql")


class Booking(db.Model):
    __tablename__ = "bookings"
    __table_args__ = (
        CheckConstraint("starts_at < ends_at AND ends_at <= busy_until", name="order"),
        UniqueConstraint("client_id", "request_key", name=REQUEST_KEY),
        # Covers the availability read (time range, status, who and where) without table lookups.
        Index(
            "ix_bookings_occupancy", "starts_at", "busy_until", "status", "therapist_id", "room_id"
        ),
        _no_overlap("therapist_id"),
        _no_overlap("room_id"),
        # The client is busy for the visit itself; the clean-up buffer is the room's and the
        # therapist's, so a client may go from one visit straight to the next.
        _no_overlap("client_id", until="ends_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    therapist_id: Mapped[int] = mapped_column(ForeignKey("therapists.id"), index=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id"))
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # End of the clean-up buffer: the therapist and room are held until then.
    busy_until: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[BookingStatus] = mapped_column(
        enum_type(BookingStatus, "booking_status"), default=BookingStatus.BOOKED
    )
    price_cents: Mapped[int]
    # Idempotency key of the form that created it: a double submit finds this row again.
    request_key: Mapped[str | None] = mapped_column(String(64))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Bumped on every change the client is told about; calendar apps order updates by it.
    sequence: Mapped[int] = mapped_column(default=0, server_default="0")
    # Who cancelled and why, as "client", "staff", "client: <reason>" or "staff: <reason>".
    # A staff reason is the spa's own note: service.cancellation_for says who may read it.
    cancel_reason: Mapped[str | None] = mapped_column(String(500))
    #: Cancelled inside the cancellation window (by the client, or by staff for them): it counts
    #: on the client's record. A closure's cancellation is the spa's, never late.
    late_cancel: Mapped[bool] = mapped_column(server_default=sa.false())

    client = relationship("User", foreign_keys=[client_id])
    therapist = relationship("Therapist")
    room = relationship("Room")
    service = relationship("Service")

    @property
    def is_active(self) -> bool:
        return self.status is not BookingStatus.CANCELLED

    def cancellation(self) -> tuple[str | None, str | None]:
        """(who cancelled: "client" or "staff", the reason they gave or None); (None, None)
        if it was not cancelled."""
        if not self.cancel_reason:
            return None, None
        who, _, reason = self.cancel_reason.partition(": ")
        return who, reason or None


@dataclass(frozen=True)
class Freed:
    """The time a visit held before it was cancelled or moved (what the waitlist is offered)."""

    booking: Booking
    therapist_id: int
    starts_at: datetime
    busy_until: datetime

    @classmethod
    def before_change(cls, booking: Booking) -> Freed:
        return cls(booking, booking.therapist_id, booking.starts_at, booking.busy_until)
