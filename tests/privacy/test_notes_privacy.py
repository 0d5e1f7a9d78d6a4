"""Session notes in the client's data download (original and amendments, local times, a fixed
number of statements) and erased with the account (on SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import jsonschema
import pytest
import sqlalchemy as sa

from spa_app.accounts.models import User
from spa_app.booking.models import Booking, BookingStatus
from spa_app.database import unit_of_work, utcnow
from spa_app.extensions import db
from spa_app.homecare.models import AuditEntry
from spa_app.homecare.notes import service
from spa_app.homecare.notes.models import Part, SessionAmendment, SessionFinding, SessionNote
from spa_app.homecare.notes.service import AmendmentValues
from spa_app.homecare.vocab import Area
from spa_app.privacy import erasure, export
from spa_app.privacy.export import export_for
from tests import factories
from tests.factories import at
from tests.homecare.notes.helpers import found, note
from tests.privacy import cast as casting
from tests.privacy.cast import export_statements

SCHEMA = json.loads((Path(export.__file__).parent / "export.schema.json").read_text())
OLIVE_SAID = "olive-says-her-wrist-aches"


@pytest.fixture
def cast(app):
    return casting.build()


def _notes_with_amendments(cast) -> SessionNote:
    """Rae's completed visit with Anna: notes saved an hour after it began, then, two days
    later (locked), the neck's finding and the plan amended. Olive has notes of her own."""
    saved = cast.past.starts_at + timedelta(hours=1)
    written = note(
        cast.past,
        found(Area.NECK, 8, points="trigger point left of C7"),
        found(Area.LOWER_BACK, None, avoid="disc flare last week"),
        subjective="Stiff after long drives.",
        now=saved,
    )
    _amend(written, AmendmentValues(Part.OBJECTIVE, finding=found(Area.NECK, 4)),
           saved + timedelta(days=2))  # fmt: skip
    _amend(written, AmendmentValues(Part.PLAN, text="Neck routine every other day."),
           saved + timedelta(days=2, hours=1))  # fmt: skip
    _olive_notes(cast)
    return written


def _amend(made: SessionNote, values: AmendmentValues, now) -> None:
    factories.fresh()
    with unit_of_work():
        saved = db.session.get(SessionNote, made.id)
        service.amend(saved, saved.booking.therapist.user, values, now)


def _olive_notes(cast) -> SessionNote:
    start = cast.past.starts_at + timedelta(hours=3)
    visit = factories.booking(cast.other, cast.ben, cast.past.room, cast.svc, start,
                              status=BookingStatus.COMPLETED)  # fmt: skip
    return note(visit, found(Area.HANDS_WRISTS, 6), subjective=OLIVE_SAID,
                now=start + timedelta(hours=1))  # fmt: skip


def _download(client, user) -> tuple[str, dict]:
    factories.login(client, user)
    reply = client.get("/account/data/download")
    assert reply.status_code == 200
    text = reply.get_data(as_text=True)
    return text, json.loads(text)


def test_the_download_holds_each_note_as_saved_with_every_amendment(client, cast):
    written = _notes_with_amendments(cast)
    text, data = _download(client, cast.me)
    jsonschema.validate(data, SCHEMA)
    (notes,) = data["session_notes"]
    assert (notes["booking_id"], notes["therapist"]) == (cast.past.id, cast.anna.display_name)
    assert notes["visit_at_local"].startswith(
        cast.past.starts_at.astimezone(factories.LONDON).strftime("%Y-%m-%dT10:00:00")
    )
    assert notes["subjective"] == "Stiff after long drives."
    # The original findings are kept as they were; the amendment says the new values.
    assert notes["findings"] == [
        {"area": "neck", "tension": 8, "points": "trigger point left of C7", "avoid": False,
         "avoid_reason": ""},
        {"area": "lower_back", "tension": None, "points": "", "avoid": True,
         "avoid_reason": "disc flare last week"},
    ]  # fmt: skip
    assert (notes["techniques"], notes["pressure"], notes["treated_areas"]) == (
        "Effleurage, trigger point release", "medium", ["neck", "shoulders"],
    )  # fmt: skip
    assert notes["plan"] == "Neck routine daily; see again in four weeks."
    saved = written.created_at.astimezone(factories.LONDON).isoformat(timespec="seconds")
    assert notes["first_saved_at_local"] == notes["last_edited_at_local"] == saved
    finding, plan = notes["amendments"]
    assert finding["part"] == "objective" and finding["text"] is None
    assert finding["finding"] == {"area": "neck", "tension": 4, "points": "", "avoid": False,
                                  "avoid_reason": ""}  # fmt: skip
    assert (plan["part"], plan["text"], plan["finding"]) == (
        "plan", "Neck routine every other day.", None,
    )  # fmt: skip
    assert finding["at"] < plan["at"] and plan["at_local"].endswith(("+00:00", "+01:00"))
    # Olive's notes are hers alone.
    assert OLIVE_SAID not in text


def test_a_treatment_amendment_gives_its_techniques_pressure_and_areas(client, cast):
    written = note(cast.past, found(Area.NECK, 5), now=cast.past.starts_at + timedelta(hours=1))
    values = AmendmentValues(Part.TREATMENT, text="Cupping", pressure=1,
                             treated_areas=(Area.UPPER_BACK,))  # fmt: skip
    _amend(written, values, cast.past.starts_at + timedelta(days=3))
    _, data = _download(client, cast.me)
    jsonschema.validate(data, SCHEMA)
    (amendment,) = data["session_notes"][0]["amendments"]
    assert (amendment["text"], amendment["pressure"], amendment["treated_areas"]) == (
        "Cupping", "light", ["upper_back"],
    )  # fmt: skip


def test_the_client_reading_their_notes_is_not_audited(client, cast):
    _notes_with_amendments(cast)
    count = sa.select(sa.func.count()).select_from(AuditEntry)
    before = db.session.execute(count).scalar_one()
    _download(client, cast.me)
    factories.fresh()
    assert db.session.execute(count).scalar_one() == before


def test_the_notes_cost_a_fixed_number_of_statements(app, cast):
    without = export_statements(cast.me.id)
    _notes_with_amendments(cast)
    with_one = export_statements(cast.me.id)
    # The notes with their findings, then the amendments: one more than with no notes, and
    # the whole download stays within the bound test_export holds it to.
    assert with_one == without + 1 and with_one <= 17
    for n in range(3):
        start = at(cast.day + timedelta(days=20 + n), "09:00")
        visit = factories.booking(cast.me, cast.ben, cast.past.room, cast.svc, start,
                                  status=BookingStatus.COMPLETED)  # fmt: skip
        made = note(visit, found(Area.NECK, 3), found(Area.SHOULDERS, 2), now=start)
        _amend(made, AmendmentValues(Part.SUBJECTIVE, text="later"), start + timedelta(days=2))
    assert export_statements(cast.me.id) == with_one
    assert len(export_for(db.session.get(User, cast.me.id), utcnow())["session_notes"]) == 4


# Erasure ------------------------------------------------------------------------------------


def _rows_of(client_id: int) -> dict[str, int]:
    """How many notes, findings and amendments about the client remain."""
    factories.fresh()
    notes = sa.select(SessionNote.id).where(SessionNote.client_id == client_id)
    counts = {
        "notes": sa.select(sa.func.count()).where(SessionNote.client_id == client_id),
        "findings": sa.select(sa.func.count()).where(SessionFinding.note_id.in_(notes)),
        "amendments": sa.select(sa.func.count()).where(SessionAmendment.note_id.in_(notes)),
    }
    return {name: db.session.execute(q).scalar_one() for name, q in counts.items()}


def test_deleting_the_account_erases_the_notes_and_keeps_olives(client, cast):
    _notes_with_amendments(cast)
    assert _rows_of(cast.me.id) == {"notes": 1, "findings": 2, "amendments": 2}
    olive = _rows_of(cast.other.id)
    factories.login(client, cast.me)
    assert client.post("/account/delete", data={"password": factories.PASSWORD}).status_code == 302
    assert _rows_of(cast.me.id) == {"notes": 0, "findings": 0, "amendments": 0}
    assert _rows_of(cast.other.id) == olive == {"notes": 1, "findings": 1, "amendments": 0}


def test_staff_deleting_for_the_client_erases_the_notes_too(app, cast):
    _notes_with_amendments(cast)
    factories.fresh()
    with unit_of_work():
        me = db.session.get(User, cast.me.id)
        erasure.erase_for_client(me, actor=db.session.get(User, cast.staff.id), now=utcnow())
    assert _rows_of(cast.me.id) == {"notes": 0, "findings": 0, "amendments": 0}
    assert _rows_of(cast.other.id)["notes"] == 1
    # The visit the notes were about stays, with its price, for the spa's accounts.
    assert db.session.get(Booking, cast.past.id).price_cents == 6000


@pytest.mark.postgres
def test_deleting_erases_the_notes_on_postgresql(pg_app, pg_client):
    cast = casting.build()
    _notes_with_amendments(cast)
    factories.login(pg_client, cast.me)
    reply = pg_client.post("/account/delete", data={"password": factories.PASSWORD})
    assert reply.status_code == 302
    assert _rows_of(cast.me.id) == {"notes": 0, "findings": 0, "amendments": 0}
    assert _rows_of(cast.other.id) == {"notes": 1, "findings": 1, "amendments": 0}
