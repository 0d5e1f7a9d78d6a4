"""The waitlist: clients who asked to hear of a time that frees up, and what they were offered."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from spa_app.database import UTCDateTime, utcnow
from spa_app.extensions import db


class WaitlistEntry(db.Model):
    """A client's request: tell me when this service frees up, on these local days.

    With a ``booking``, the client wants that visit earlier: offers are earlier than it, and
    taking one moves the visit. Open while ``closed_at`` is empty (and its last day has not
    passed); the database keeps one open request per client and service.
    """

    __tablename__ = "waitlist_entries"
    __table_args__ = (
        CheckConstraint("last_day >= first_day", name="days"),
        CheckConstraint("part_of_day IN ('morning', 'afternoon', 'evening')", name="part_of_day"),
        Index(
            "uq_waitlist_entries_open",
            "client_id",
            "service_id",
            unique=True,
            sqlite_where=text("closed_at IS NULL"),
            postgresql_where=text("closed_at IS NULL"),
        ),
        Index("ix_waitlist_entries_days", "last_day", "first_day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    therapist_id: Mapped[int | None] = mapped_column(ForeignKey("therapists.id"))  # None: any
    first_day: Mapped[date] = mapped_column(Date)
    last_day: Mapped[date] = mapped_column(Date)
    #: Morning, afternoon or evening, as the free-times page groups its times; None: any time.
    part_of_day: Mapped[str | None] = mapped_column(String(16))
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id"))
    # When the client joined: offers go out in this order.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_why: Mapped[str | None] = mapped_column(String(16))  # booked, left or cancelled

    client = relationship("User")
    service = relationship("Service")
    therapist = relationship("Therapist")
    booking = relationship("Booking")
    offers: Mapped[list[WaitlistOffer]] = relationship(
        back_populates="entry", order_by="WaitlistOffer.id"
    )


class WaitlistOffer(db.Model):
    """A time that freed up, offered to one waiting client by e-mail (a message refers to it)."""

    __tablename__ = "waitlist_offers"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("waitlist_entries.id"), index=True)
    therapist_id: Mapped[int] = mapped_column(ForeignKey("therapists.id"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The cancelled or moved visit that freed the time (someone else's: never shown).
    freed_by_id: Mapped[int] = mapped_column(ForeignKey("bookings.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    entry: Mapped[WaitlistEntry] = relationship(back_populates="offers")
    therapist = relationship("Therapist")
