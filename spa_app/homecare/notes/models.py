"""Session notes: one per visit, its findings per body area, and the dated amendments made
once it is locked. Health data: see homecare/access.py."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from spa_app.database import UTCDateTime, enum_type, utcnow
from spa_app.extensions import db
from spa_app.homecare.vocab import Area

#: The longest texts: what the client reports and the plan; techniques; a finding's words.
LONG_TEXT, TECHNIQUES_TEXT, SHORT_TEXT = 2000, 500, 200


class Part(enum.StrEnum):
    """The four parts of a note, as an amendment names the one it corrects."""

    SUBJECTIVE = "subjective"
    OBJECTIVE = "objective"
    TREATMENT = "treatment"
    PLAN = "plan"


class SessionNote(db.Model):
    """What the visit's therapist wrote about the session. Editable for a day after it was
    first saved (``created_at``); after that only amended."""

    __tablename__ = "session_notes"
    __table_args__ = (CheckConstraint("pressure IS NULL OR pressure BETWEEN 1 AND 3",
                                      name="pressure"),)  # fmt: skip

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id"), unique=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    #: S: what the client reports, in plain words
    subjective: Mapped[str] = mapped_column(String(LONG_TEXT), default="")
    #: A: what was done: the techniques, the pressure (vocab.Pressure) and the areas worked
    techniques: Mapped[str] = mapped_column(String(TECHNIQUES_TEXT), default="")
    pressure: Mapped[int | None]
    treated_areas: Mapped[list] = mapped_column(JSON, default=list)
    #: P: the plan
    plan: Mapped[str] = mapped_column(String(LONG_TEXT), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    booking = relationship("Booking")
    author = relationship("User", foreign_keys=[author_id])
    findings: Mapped[list[SessionFinding]] = relationship(
        back_populates="note", order_by="SessionFinding.id", cascade="all, delete-orphan"
    )
    amendments: Mapped[list[SessionAmendment]] = relationship(
        back_populates="note", order_by="SessionAmendment.id", cascade="all, delete-orphan"
    )


class SessionFinding(db.Model):
    """O: one body area as the therapist found it (one row per area of a note)."""

    __tablename__ = "session_findings"
    __table_args__ = (
        UniqueConstraint("note_id", "area", name="uq_session_findings_note_area"),
        CheckConstraint("tension IS NULL OR tension BETWEEN 0 AND 10", name="tension"),
        CheckConstraint("NOT avoid OR length(avoid_reason) > 0", name="avoid_reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    note_id: Mapped[int] = mapped_column(ForeignKey("session_notes.id"))
    area: Mapped[Area] = mapped_column(enum_type(Area, "body_area"))
    #: Tension or tenderness, 0 (none) to 10 (the worst), like the intake's pain
    tension: Mapped[int | None]
    #: The points found, in a few words
    points: Mapped[str] = mapped_column(String(SHORT_TEXT), default="")
    #: Leave this area alone at home for now, and why
    avoid: Mapped[bool] = mapped_column(default=False)
    avoid_reason: Mapped[str] = mapped_column(String(SHORT_TEXT), default="")

    note: Mapped[SessionNote] = relationship(back_populates="findings")


class SessionAmendment(db.Model):
    """A dated correction of one part of a locked note, by its author; the original stays.
    An amendment of the findings names the area and gives its new values; of the treatment, the
    new techniques, pressure and areas; of the other parts, the new text."""

    __tablename__ = "session_amendments"
    __table_args__ = (
        CheckConstraint("tension IS NULL OR tension BETWEEN 0 AND 10", name="tension"),
        CheckConstraint("pressure IS NULL OR pressure BETWEEN 1 AND 3", name="pressure"),
        CheckConstraint("part <> 'objective' OR area IS NOT NULL", name="area"),
        CheckConstraint("avoid IS NULL OR NOT avoid OR length(avoid_reason) > 0",
                        name="avoid_reason"),
    )  # fmt: skip

    id: Mapped[int] = mapped_column(primary_key=True)
    note_id: Mapped[int] = mapped_column(ForeignKey("session_notes.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    part: Mapped[Part] = mapped_column(enum_type(Part, "note_part"))
    area: Mapped[Area | None] = mapped_column(enum_type(Area, "body_area"))
    #: The new text: what the client reports, the techniques, or the plan
    text: Mapped[str] = mapped_column(String(LONG_TEXT), default="")
    tension: Mapped[int | None]
    points: Mapped[str] = mapped_column(String(SHORT_TEXT), default="")
    avoid: Mapped[bool | None]
    avoid_reason: Mapped[str] = mapped_column(String(SHORT_TEXT), default="")
    pressure: Mapped[int | None]
    treated_areas: Mapped[list] = mapped_column(JSON, default=list)

    note: Mapped[SessionNote] = relationship(back_populates="amendments")
    author = relationship("User")
