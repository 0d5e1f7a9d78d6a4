"""Session notes for tests: written through the service, as the visit's therapist would."""

from __future__ import annotations

from datetime import datetime

from spa_app.booking.models import Booking
from spa_app.database import unit_of_work, utcnow
from spa_app.extensions import db
from spa_app.homecare.notes import service
from spa_app.homecare.notes.models import SessionNote
from spa_app.homecare.notes.service import FindingValues, NoteValues
from spa_app.homecare.vocab import Area
from tests import factories


def note(
    visit: Booking,
    *findings: FindingValues,
    subjective: str = "Stiff after a week of long drives.",
    plan: str = "Neck routine daily; see again in four weeks.",
    now: datetime | None = None,
) -> SessionNote:
    """The visit's note by its therapist, saved at ``now`` (default: now). Committed."""
    factories.fresh()
    with unit_of_work():
        visit = db.session.get(Booking, visit.id)
        made = service.save_note(
            visit,
            visit.therapist.user,
            NoteValues(
                subjective=subjective,
                findings=findings,
                techniques="Effleurage, trigger point release",
                pressure=2,
                treated_areas=(Area.NECK, Area.SHOULDERS),
                plan=plan,
            ),
            now or utcnow(),
        )
    return made


def found(area: Area, tension: int | None, *, avoid: str = "", points: str = "") -> FindingValues:
    """A finding: ``avoid`` is the reason to leave the area alone ("" to keep it)."""
    return FindingValues(area, tension, points, bool(avoid), avoid)
