"""When the spa works: business settings, therapists' weekly hours, time off and closures."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text, Time
from sqlalchemy.orm import Mapped, mapped_column

from spa_app.database import UTCDateTime
from spa_app.extensions import db


class BusinessSettings(db.Model):
    """The one row (id 1) of spa-wide rules; the migration creates it."""

    __tablename__ = "business_settings"
    __table_args__ = (
        CheckConstraint("id = 1", name="single_row"),
        CheckConstraint("slot_step_min IN (5, 10, 15, 20, 30, 60)", name="slot_step"),
        CheckConstraint("min_notice_min >= 0", name="min_notice"),
        CheckConstraint("horizon_days BETWEEN 1 AND 365", name="horizon"),
        CheckConstraint("cancel_window_hours BETWEEN 0 AND 336", name="cancel_window"),
        CheckConstraint("grace_min BETWEEN 0 AND 120", name="grace"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    business_name: Mapped[str] = mapped_column(String(120), default="Spa")
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/London")
    slot_step_min: Mapped[int] = mapped_column(default=15)
    min_notice_min: Mapped[int] = mapped_column(default=120)
    horizon_days: Mapped[int] = mapped_column(default=90)
    cancel_window_hours: Mapped[int] = mapped_column(default=24)
    #: Minutes after booking in which the client may still cancel or move inside the window.
    grace_min: Mapped[int] = mapped_column(default=10)
    # How the spa presents itself: the header, footer, confirm pages, e-mails, calendar files.
    address: Mapped[str] = mapped_column(String(300), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    map_url: Mapped[str] = mapped_column(String(500), default="")
    #: Where a happy client may review the spa publicly (offered after a high rating)
    review_url: Mapped[str] = mapped_column(String(500), default="")
    opening_hours: Mapped[str] = mapped_column(Text, default="")
    cancellation_policy: Mapped[str] = mapped_column(Text, default="")
    currency: Mapped[str] = mapped_column(String(3), default="GBP")  # ISO 4217
    locale: Mapped[str] = mapped_column(String(10), default="en")  # when nothing else says


class WorkingHours(db.Model):
    """One working window of a therapist on a weekday, in the business's local wall-clock time."""

    __tablename__ = "working_hours"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday"),
        CheckConstraint("starts < ends", name="order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    therapist_id: Mapped[int] = mapped_column(
        ForeignKey("therapists.id", ondelete="CASCADE"), index=True
    )
    weekday: Mapped[int]  # Monday is 0, as in date.weekday()
    starts: Mapped[time] = mapped_column(Time)
    ends: Mapped[time] = mapped_column(Time)


class TimeOff(db.Model):
    __tablename__ = "time_off"
    __table_args__ = (CheckConstraint("starts_at < ends_at", name="order"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    therapist_id: Mapped[int] = mapped_column(
        ForeignKey("therapists.id", ondelete="CASCADE"), index=True
    )
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reason: Mapped[str] = mapped_column(String(200), default="")


class Closure(db.Model):
    """A whole local day the spa is closed (a holiday)."""

    __tablename__ = "closures"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, unique=True)
    reason: Mapped[str] = mapped_column(String(200), default="")
