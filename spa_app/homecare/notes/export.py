"""The session notes section of a client's data download (spa_app.privacy.export).

Each visit's notes as first saved, then every amendment in order: the original is kept, so a
corrected finding shows as the finding plus the amendment that corrects it. Read by the client
themselves, so not audited. Two statements for any number of notes (one when there are none).
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from spa_app.booking.models import Booking
from spa_app.extensions import db
from spa_app.homecare.notes.models import Part, SessionAmendment, SessionFinding, SessionNote
from spa_app.homecare.vocab import Pressure
from spa_app.privacy.export_health import utc as _utc


def session_notes(cid: int, tz: ZoneInfo) -> list[dict]:
    """Every note about the client, earliest visit first, with its findings and amendments."""
    # The findings are a few rows per note: joined to it rather than read on their own.
    query = (
        sa.select(SessionNote)
        .join(Booking, Booking.id == SessionNote.booking_id)
        .where(SessionNote.client_id == cid)
        .options(
            db.contains_eager(SessionNote.booking).joinedload(Booking.therapist),
            db.joinedload(SessionNote.findings),
            db.selectinload(SessionNote.amendments),
        )
        .order_by(Booking.starts_at, SessionNote.id)
    )
    notes = db.session.execute(query).scalars().unique()
    return [_note(note, tz) for note in notes]


def _note(note: SessionNote, tz: ZoneInfo) -> dict:
    visit = note.booking
    return {
        "booking_id": visit.id,
        "visit_at": _utc(visit.starts_at),
        "visit_at_local": _local(visit.starts_at, tz),
        "therapist": visit.therapist.display_name,
        "subjective": note.subjective,
        "findings": [_finding(f) for f in note.findings],
        "techniques": note.techniques,
        "pressure": _pressure(note.pressure),
        "treated_areas": list(note.treated_areas),
        "plan": note.plan,
        "first_saved_at": _utc(note.created_at),
        "first_saved_at_local": _local(note.created_at, tz),
        "last_edited_at": _utc(note.updated_at),
        "last_edited_at_local": _local(note.updated_at, tz),
        "amendments": [_amendment(a, tz) for a in note.amendments],
    }


def _finding(f: SessionFinding | SessionAmendment) -> dict:
    return {
        "area": f.area.value,
        "tension": f.tension,
        "points": f.points,
        "avoid": bool(f.avoid),
        "avoid_reason": f.avoid_reason if f.avoid else "",
    }


def _amendment(a: SessionAmendment, tz: ZoneInfo) -> dict:
    """The date, the part corrected and its new values; the values of other parts are null."""
    treatment = a.part is Part.TREATMENT
    return {
        "at": _utc(a.at),
        "at_local": _local(a.at, tz),
        "part": a.part.value,
        "text": None if a.part is Part.OBJECTIVE else a.text,
        "finding": _finding(a) if a.part is Part.OBJECTIVE else None,
        "pressure": _pressure(a.pressure) if treatment else None,
        "treated_areas": list(a.treated_areas) if treatment else None,
    }


def _pressure(value: int | None) -> str | None:
    return None if value is None else Pressure(value).name.lower()


def _local(instant: datetime, tz: ZoneInfo) -> str:
    return instant.astimezone(tz).isoformat(timespec="seconds")
