"""Health intake and the technique library. The intake is health data: see access.py."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from spa_app.database import UTCDateTime, enum_type, utcnow
from spa_app.extensions import db
from spa_app.homecare.vocab import Area, Kind


class Intake(db.Model):
    """What a client tells us once (and edits any time): where it hurts, what they want, what
    to be careful of. Small sets are JSON lists of vocabulary values, checked by the form."""

    __tablename__ = "intakes"
    __table_args__ = (
        CheckConstraint("minutes_per_day BETWEEN 5 AND 60", name="minutes"),
        CheckConstraint("pressure BETWEEN 1 AND 3", name="pressure"),
    )

    client_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    #: {area: 0-10}, areas with any tension
    severity: Mapped[dict] = mapped_column(JSON, default=dict)
    goals: Mapped[list] = mapped_column(JSON, default=list)
    contexts: Mapped[list] = mapped_column(JSON, default=list)
    pressure: Mapped[int]
    minutes_per_day: Mapped[int]
    conditions: Mapped[list] = mapped_column(JSON, default=list)
    #: Areas with a skin condition (when that condition is ticked)
    skin_areas: Mapped[list] = mapped_column(JSON, default=list)
    condition_note: Mapped[str] = mapped_column(String(500), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    @property
    def flagged(self) -> bool:
        """Whether anything on the contraindication checklist is ticked."""
        return bool(self.conditions)


class Routine(db.Model):
    """One entry of the technique library: a self-massage routine or a pressure point."""

    __tablename__ = "routines"
    __table_args__ = (
        CheckConstraint("minutes BETWEEN 1 AND 30", name="minutes"),
        CheckConstraint("times_per_week BETWEEN 1 AND 7", name="times_per_week"),
        CheckConstraint("pressure BETWEEN 1 AND 3", name="pressure"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[Kind] = mapped_column(enum_type(Kind, "routine_kind"), default=Kind.ROUTINE)
    area: Mapped[Area] = mapped_column(enum_type(Area, "body_area"))
    summary: Mapped[str] = mapped_column(String(300), default="")
    #: One step per line
    steps: Mapped[str] = mapped_column(Text)
    tools: Mapped[list] = mapped_column(JSON, default=list)
    minutes: Mapped[int]
    times_per_week: Mapped[int]
    #: The most pressure the routine calls for
    pressure: Mapped[int]
    goals: Mapped[list] = mapped_column(JSON, default=list)
    #: Daily contexts it suits best (ranks it higher for those clients)
    contexts: Mapped[list] = mapped_column(JSON, default=list)
    #: Conditions that rule it out
    excluded_by: Mapped[list] = mapped_column(JSON, default=list)
    caution: Mapped[str] = mapped_column(String(500), default="")
    active: Mapped[bool] = mapped_column(default=True)

    @property
    def step_list(self) -> list[str]:
        return [line.strip() for line in self.steps.splitlines() if line.strip()]


class AuditEntry(db.Model):
    """A read (or change) of a client's health data by someone other than the client."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    client_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(40))  # e.g. "read intake", "publish plan"
    subject: Mapped[str] = mapped_column(String(80))  # e.g. "intake", "plan 12"


class PlanStatus(enum.StrEnum):
    DRAFT = "draft"  # the therapist is still editing it
    PUBLISHED = "published"  # the client's; never edited again (a revision is a new version)


class Plan(db.Model):
    """A home-care plan attached to a booking. Each booking's plans are numbered versions; at
    most one draft per booking at a time (a partial unique index)."""

    __tablename__ = "plans"
    __table_args__ = (
        UniqueConstraint("booking_id", "version", name="uq_plans_booking_version"),
        Index(
            "uq_plans_one_draft_per_booking",
            "booking_id",
            unique=True,
            sqlite_where=text("status = 'draft'"),
            postgresql_where=text("status = 'draft'"),
        ),
        Index("ix_plans_client_published", "client_id", "published_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id"))
    client_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int]
    status: Mapped[PlanStatus] = mapped_column(
        enum_type(PlanStatus, "plan_status"), default=PlanStatus.DRAFT
    )
    cautions: Mapped[list] = mapped_column(JSON, default=list)
    #: The therapist confirmed they reviewed the client's contraindications for this version.
    reviewed: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    booking = relationship("Booking")
    items: Mapped[list[PlanItem]] = relationship(
        back_populates="plan", order_by="PlanItem.position", cascade="all, delete-orphan"
    )


class PlanItem(db.Model):
    """One routine in a plan: how long, on which weekdays, how firmly, and why.

    The routine's words (name, area, kind, steps, tools, caution) are copied in when the item is
    made, so a published plan reads the same however the library is edited later.
    """

    __tablename__ = "plan_items"
    __table_args__ = (
        CheckConstraint("minutes BETWEEN 1 AND 30", name="minutes"),
        CheckConstraint("pressure BETWEEN 1 AND 3", name="pressure"),
        CheckConstraint("length(days) BETWEEN 1 AND 7", name="days"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), index=True)
    position: Mapped[int]
    routine_id: Mapped[int] = mapped_column(ForeignKey("routines.id"))
    name: Mapped[str] = mapped_column(String(120))
    area: Mapped[Area] = mapped_column(enum_type(Area, "body_area"))
    kind: Mapped[Kind] = mapped_column(enum_type(Kind, "routine_kind"))
    steps: Mapped[str] = mapped_column(Text)
    tools: Mapped[list] = mapped_column(JSON, default=list)
    caution: Mapped[str] = mapped_column(String(500), default="")
    minutes: Mapped[int]
    #: Weekdays as digits, Monday = 0: "0246" is Monday, Wednesday, Friday, Sunday
    days: Mapped[str] = mapped_column(String(7))
    pressure: Mapped[int]
    note: Mapped[str] = mapped_column(String(300), default="")
    why: Mapped[str] = mapped_column(String(500), default="")

    plan: Mapped[Plan] = relationship(back_populates="items")
    routine = relationship("Routine")

    @property
    def weekdays(self) -> list[int]:
        return [int(d) for d in self.days]

    @property
    def step_list(self) -> list[str]:
        return [line.strip() for line in self.steps.splitlines() if line.strip()]

    def copy_words(self, source: Routine | PlanItem) -> None:
        """Take the routine's words from a library entry or from an earlier plan's item."""
        self.name, self.area, self.kind = source.name, source.area, source.kind
        self.steps, self.tools, self.caution = source.steps, list(source.tools), source.caution


class Completion(db.Model):
    """The client did a plan item on a (local) day, with an optional 0-10 comfort note."""

    __tablename__ = "plan_completions"
    __table_args__ = (
        UniqueConstraint("plan_item_id", "day", name="uq_plan_completions_item_day"),
        CheckConstraint("comfort IS NULL OR comfort BETWEEN 0 AND 10", name="comfort"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_item_id: Mapped[int] = mapped_column(ForeignKey("plan_items.id"))
    day: Mapped[date]
    comfort: Mapped[int | None]
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class RoutineReminderTime(db.Model):
    """When (local wall-clock time, "HH:MM") a client wants the day's routine reminder."""

    __tablename__ = "routine_reminder_times"
    __table_args__ = (CheckConstraint("length(local_time) = 5", name="format"),)

    client_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    local_time: Mapped[str] = mapped_column(String(5))
