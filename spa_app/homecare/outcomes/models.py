"""Check-ins: one per client and period (a week, or the run-up to a visit), with a score per
area. Health data: see homecare/access.py."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from spa_app.database import UTCDateTime, enum_type, utcnow
from spa_app.extensions import db
from spa_app.homecare.vocab import Area, Goal

#: The longest period key ("week:2026-12-07", "visit:123456789").
PERIOD_TEXT = 40


class CheckIn(db.Model):
    """How the client rated their areas for one ``period``: "week:<the Monday, local>" from the
    weekly link, or "visit:<booking id>" from a visit's reminder. One per client and period (a
    constraint): a second submit edits it rather than adding another."""

    __tablename__ = "checkins"
    __table_args__ = (
        UniqueConstraint("client_id", "period", name="uq_checkins_client_period"),
        CheckConstraint("goal_score IS NULL OR goal_score BETWEEN 0 AND 10", name="goal_score"),
        CheckConstraint("goal_score IS NULL OR goal IS NOT NULL", name="goal_asked"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    period: Mapped[str] = mapped_column(String(PERIOD_TEXT))
    #: The visit a "visit:" check-in comes before
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id"))
    #: The one optional question: the goal asked about, and its 0 (none) to 10 (the worst)
    goal: Mapped[Goal | None] = mapped_column(enum_type(Goal, "goal"))
    goal_score: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    scores: Mapped[list[CheckInScore]] = relationship(
        back_populates="checkin", order_by="CheckInScore.id", cascade="all, delete-orphan"
    )


class CheckInScore(db.Model):
    """One area as the client rated it: 0 (none) to 10 (the worst), like the intake."""

    __tablename__ = "checkin_scores"
    __table_args__ = (
        UniqueConstraint("checkin_id", "area", name="uq_checkin_scores_checkin_area"),
        CheckConstraint("score BETWEEN 0 AND 10", name="score"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    checkin_id: Mapped[int] = mapped_column(ForeignKey("checkins.id"))
    area: Mapped[Area] = mapped_column(enum_type(Area, "body_area"))
    score: Mapped[int]

    checkin: Mapped[CheckIn] = relationship(back_populates="scores")
