"""A client's rating of one visit: one per visit (a constraint), edited by a second answer."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from spa_app.database import UTCDateTime, utcnow
from spa_app.extensions import db

#: A rating at or below this reaches staff the same day; at or above HIGH is offered the
#: spa's public review page.
LOW, HIGH = 2, 4


class Feedback(db.Model):
    __tablename__ = "feedback"
    __table_args__ = (
        UniqueConstraint("booking_id", name="uq_feedback_booking"),
        CheckConstraint("rating BETWEEN 1 AND 5", name="rating"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id"))
    client_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    rating: Mapped[int]
    comment: Mapped[str] = mapped_column(String(1000), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    booking = relationship("Booking")

    @property
    def low(self) -> bool:
        return self.rating <= LOW
