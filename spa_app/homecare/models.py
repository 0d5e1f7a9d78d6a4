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
    #: {condition: [areas]} for the conditions that name areas (an injury, a skin condition...)
    condition_areas: Mapped[dict] = mapped_column(JSON, default=dict)
    #: The client ticked "none of these" (rather than leaving the checklist blank)
    no_conditions: Mapped[bool] = mapped_column(default=False)
    condition_note: Mapped[str] = mapped_column(String(500), default="")
    #: Medicines and allergies, in the client's words
    medicines: Mapped[str] = mapped_column(String(500), default="")
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
        CheckConstraint("min_minutes BETWEEN 1 AND minutes", name="min_minutes"),
        CheckConstraint("times_per_week BETWEEN 1 AND 7", name="times_per_week"),
        CheckConstraint("pressure BETWEEN 1 AND 3", name="pressure"),
        CheckConstraint("sides IN (1, 2)", name="sides"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[Kind] = mapped_column(enum_type(Kind, "routine_kind"), default=Kind.ROUTINE)
    area: Mapped[Area] = mapped_column(enum_type(Area, "body_area"))
    summary: Mapped[str] = mapped_column(String(300), default="")
    #: One step per line
    steps: Mapped[str] = mapped_column(Text)
    tools: Mapped[list] = mapped_column(JSON, default=list)
    #: Its dose: the least that still helps, the typical time, how often
    min_minutes: Mapped[int]
    minutes: Mapped[int]
    times_per_week: Mapped[int]
    #: A pressure point's hold, in seconds, and whether it is done on each side
    hold_seconds: Mapped[int | None]
    sides: Mapped[int] = mapped_column(default=1)
    #: The most pressure the routine calls for
    pressure: Mapped[int]
    #: Presses body weight onto a ball or roller: one such routine per area per day
    deep_tool: Mapped[bool] = mapped_column(default=False)
    #: Start gently the first week
    build_up: Mapped[bool] = mapped_column(default=False)
    #: A time of day where one helps most (TimeOfDay), or ""
    time_of_day: Mapped[str] = mapped_column(String(20), default="")
    #: Other areas it works on (a whole-body sequence): exclusions for them apply too
    also_areas: Mapped[list] = mapped_column(JSON, default=list)
    #: Where it works, as body-map spot names (bodymap.SPOTS)
    spots: Mapped[list] = mapped_column(JSON, default=list)
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


class ConditionRule(db.Model):
    """What ticking one intake condition does to a plan: data from conditions.json, then
    staff edits. The generator and the editor read these through safety.Rule."""

    __tablename__ = "condition_rules"
    __table_args__ = (CheckConstraint("pressure_cap BETWEEN 1 AND 3", name="pressure_cap"),)

    condition: Mapped[str] = mapped_column(String(40), primary_key=True)
    names_areas: Mapped[bool] = mapped_column(default=False)
    excludes_named_areas: Mapped[bool] = mapped_column(default=False)
    excludes_areas: Mapped[list] = mapped_column(JSON, default=list)
    pauses_all: Mapped[bool] = mapped_column(default=False)
    pressure_cap: Mapped[int] = mapped_column(default=1)
    therapist_note: Mapped[str] = mapped_column(String(500), default="")
    client_caution: Mapped[str] = mapped_column(String(500), default="")


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
    #: Why the therapist must review it: the generator's reasons, then intake changes
    review_reasons: Mapped[list] = mapped_column(JSON, default=list)
    #: The intake changed after publishing: the therapist must look again (None: no need)
    review_needed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: What the generator left out and why: [{"area", "routine", "reason"}]
    left_out: Mapped[list] = mapped_column(JSON, default=list)
    #: Warnings the therapist confirmed while editing: [{"item", "warning", "at"}]
    overrides: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    booking = relationship("Booking")
    items: Mapped[list[PlanItem]] = relationship(
        back_populates="plan", order_by="PlanItem.position", cascade="all, delete-orphan"
    )

    def items_on(self, day: date) -> list[PlanItem]:
        """The items scheduled on ``day``'s weekday, in the plan's order."""
        return [item for item in self.items if day.weekday() in item.weekdays]


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
    #: Go gently the first week (copied from the routine)
    build_up: Mapped[bool] = mapped_column(default=False)
    #: Where it works on the body map (copied from the routine)
    spots: Mapped[list] = mapped_column(JSON, default=list)
    #: For the therapist, never the client: what changed since the last plan when this one was
    #: carried forward from it (the area better or worse, the routine not kept up)
    advice: Mapped[str] = mapped_column(String(500), default="")

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
        self.build_up, self.spots = source.build_up, list(source.spots)


class Completion(db.Model):
    """The client did a plan item on a (local) day, with an optional note of how it felt:
    discomfort from 0 (none) to 10 (the worst), the same way round as the intake's pain."""

    __tablename__ = "plan_completions"
    __table_args__ = (
        UniqueConstraint("plan_item_id", "day", name="uq_plan_completions_item_day"),
        CheckConstraint("discomfort IS NULL OR discomfort BETWEEN 0 AND 10", name="discomfort"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_item_id: Mapped[int] = mapped_column(ForeignKey("plan_items.id"))
    day: Mapped[date]
    discomfort: Mapped[int | None]
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class RoutineReminderTime(db.Model):
    """When (local wall-clock time, "HH:MM") a client wants the day's routine reminder."""

    __tablename__ = "routine_reminder_times"
    __table_args__ = (CheckConstraint("length(local_time) = 5", name="format"),)

    client_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    local_time: Mapped[str] = mapped_column(String(5))
