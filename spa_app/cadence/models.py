"""When each client's next visit is due: the window after their latest completed visit."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship

from spa_app.database import UTCDateTime, utcnow
from spa_app.extensions import db


class NextVisit(db.Model):
    """One row per client who has completed a visit, kept at their latest one.

    The window is computed once, when the visit is marked completed, in the business time zone
    (four weeks after a 10:00 visit opens at 10:00 local time, whatever the clocks did), and
    stored in UTC, so the minute sweep compares plain instants.
    """

    __tablename__ = "next_visits"

    client_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id"))
    therapist_id: Mapped[int] = mapped_column(ForeignKey("therapists.id"))
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    last_visit_at: Mapped[datetime] = mapped_column(UTCDateTime())
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Indexed: the sweep reads only windows that close from about now on.
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)

    booking = relationship("Booking")
    therapist = relationship("Therapist")
    service = relationship("Service")


class VisitInterval(db.Model):
    """The weeks between visits a therapist set for one client (4 to 6 unless set)."""

    __tablename__ = "visit_intervals"
    __table_args__ = (
        CheckConstraint("min_weeks BETWEEN 1 AND 12 AND max_weeks BETWEEN min_weeks AND 16",
                        name="weeks"),
    )  # fmt: skip

    client_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    min_weeks: Mapped[int]
    max_weeks: Mapped[int]
    set_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
