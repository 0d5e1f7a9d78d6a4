"""Health intake and the technique library. The intake is health data: see access.py."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

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
