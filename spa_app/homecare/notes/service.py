"""Session notes: who may read and write them, writing them while they are open, amending them
once locked, and the latest findings for the next suggested plan.

A note is the visit's therapist's clinical record: readable by the client's therapists and by
staff (homecare.access, every read audited by the views), never on the client's own pages, but
in their data download and erased with their account (spa_app.privacy).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import DBAPIError

from spa_app.accounts.models import User
from spa_app.booking.models import Booking, BookingStatus
from spa_app.database import lost_race
from spa_app.extensions import db
from spa_app.homecare.access import may_see_health
from spa_app.homecare.notes.models import (
    LONG_TEXT,
    SHORT_TEXT,
    TECHNIQUES_TEXT,
    Part,
    SessionAmendment,
    SessionFinding,
    SessionNote,
)
from spa_app.homecare.vocab import Area, Pressure

#: A note can be edited freely until this long after it was first saved.
LOCK_AFTER = timedelta(days=1)
#: The statuses of a visit that has begun (a booked one counts once its start has passed).
BEGUN = (BookingStatus.ARRIVED, BookingStatus.COMPLETED)


class NoteError(Exception):
    """A note change the rules refuse; the message is for the person. Nothing was saved."""


@dataclass(frozen=True)
class FindingValues:
    """O for one area: tension or tenderness 0-10 (None: not scored), the points found, and
    whether to leave the area alone for now (with why)."""

    area: Area
    tension: int | None = None
    points: str = ""
    avoid: bool = False
    avoid_reason: str = ""


@dataclass(frozen=True)
class NoteValues:
    """Everything a note says, as the form gives it."""

    subjective: str = ""
    findings: tuple[FindingValues, ...] = ()
    techniques: str = ""
    pressure: int | None = None
    treated_areas: tuple[Area, ...] = ()
    plan: str = ""


@dataclass(frozen=True)
class AmendmentValues:
    """A correction of one part: its new text, or for the findings one area's new values,
    or for the treatment the new techniques (``text``), pressure and areas."""

    part: Part
    text: str = ""
    finding: FindingValues | None = None
    pressure: int | None = None
    treated_areas: tuple[Area, ...] = ()


# Who may do what ------------------------------------------------------------------------------


def may_read(user: User, booking: Booking) -> bool:
    """The client's therapists (a visit with them not cancelled) and staff; never the client
    themselves (the notes are the therapist's record, shown to them only in their download)."""
    return user.id != booking.client_id and may_see_health(user, booking.client_id)


def may_write(user: User, booking: Booking) -> bool:
    """Only the visit's own therapist, on a visit not cancelled, of an account not deleted."""
    return (
        booking.therapist.user_id == user.id
        and booking.status is not BookingStatus.CANCELLED
        and not booking.client.is_deleted
    )


def has_begun(booking: Booking, now: datetime) -> bool:
    """Whether the session happened or is happening: arrived or completed, or booked and past
    its start. Not a cancelled visit, nor a no-show (there was no session)."""
    if booking.status in BEGUN:
        return True
    return booking.status is BookingStatus.BOOKED and booking.starts_at <= now


def locks_at(note: SessionNote) -> datetime:
    return note.created_at + LOCK_AFTER


def is_locked(note: SessionNote, now: datetime) -> bool:
    """A day after the note was first saved it is locked: corrections are amendments."""
    return now >= locks_at(note)


def note_for(booking_id: int) -> SessionNote | None:
    return db.session.execute(
        sa.select(SessionNote).where(SessionNote.booking_id == booking_id)
    ).scalar_one_or_none()


# Writing --------------------------------------------------------------------------------------


def save_note(booking: Booking, author: User, values: NoteValues, now: datetime) -> SessionNote:
    """Write the visit's note (the first save, or an edit while it is open). Flushes.

    Raises NoteError when ``author`` is not the visit's therapist, the session has not begun
    (or was cancelled, or a no-show), the note is locked, or a value is out of range.
    Two first saves at once (a double submit): the one that loses the insert edits instead.
    """
    if not may_write(author, booking) or not has_begun(booking, now):
        raise NoteError(_("Notes can be written only by the visit's therapist, once it began."))
    _check(values)
    note = note_for(booking.id)
    if note is None:
        try:
            with db.session.begin_nested():
                note = SessionNote(booking_id=booking.id, client_id=booking.client_id,
                                   author_id=author.id, created_at=now)  # fmt: skip
                _fill(note, values, now)
                db.session.add(note)
            return note
        except DBAPIError as exc:
            if not lost_race(exc):
                raise
            note = note_for(booking.id)
    if is_locked(note, now):
        raise NoteError(_locked_message())
    _fill(note, values, now)
    db.session.flush()
    return note


def amend(note: SessionNote, author: User, values: AmendmentValues, now: datetime):
    """Add a dated amendment to a locked note; the original and earlier amendments stay as
    they are. Flushes. Raises NoteError when ``author`` is not the visit's therapist, the note
    is still open (edit it instead), or a value is out of range."""
    if not may_write(author, note.booking):
        raise NoteError(_("Only the visit's therapist can amend its notes."))
    if not is_locked(note, now):
        raise NoteError(_("These notes can still be edited until a day after they were first "
                          "saved: edit them instead."))  # fmt: skip
    _check_amendment(values)
    amendment = SessionAmendment(
        note_id=note.id,
        author_id=author.id,
        at=now,
        part=values.part,
        text=values.text.strip(),
        pressure=values.pressure,
        treated_areas=[a.value for a in sorted(set(values.treated_areas), key=_area_order)],
        **(_finding_columns(values.finding) if values.part is Part.OBJECTIVE else {}),
    )
    note.amendments.append(amendment)
    db.session.flush()
    return amendment


def _finding_columns(f: FindingValues) -> dict:
    return {
        "area": f.area,
        "tension": f.tension,
        "points": f.points.strip(),
        "avoid": f.avoid,
        "avoid_reason": f.avoid_reason.strip() if f.avoid else "",
    }


def _locked_message() -> str:
    return _("These notes were locked a day after they were first saved, so they can no longer "
             "be edited. Add an amendment instead: the original stays as it was.")  # fmt: skip


def _fill(note: SessionNote, values: NoteValues, now: datetime) -> None:
    note.subjective = values.subjective.strip()
    note.techniques = values.techniques.strip()
    note.pressure = values.pressure
    note.treated_areas = [a.value for a in sorted(set(values.treated_areas), key=_area_order)]
    note.plan = values.plan.strip()
    note.updated_at = now
    note.findings.clear()
    db.session.flush()  # the old rows go before the new ones take their (note, area)
    for f in sorted(values.findings, key=lambda f: _area_order(f.area)):
        if _says_something(f):
            note.findings.append(
                SessionFinding(
                    area=f.area,
                    tension=f.tension,
                    points=f.points.strip(),
                    avoid=f.avoid,
                    avoid_reason=f.avoid_reason.strip() if f.avoid else "",
                )  # fmt: skip
            )


def _says_something(f: FindingValues) -> bool:
    return f.tension is not None or bool(f.points.strip()) or f.avoid


def _area_order(area: Area) -> int:
    return list(Area).index(area)


# Checks (the forms check the same; these hold for any caller) ---------------------------------


def _check(values: NoteValues) -> None:
    _check_text(values.subjective, LONG_TEXT)
    _check_text(values.plan, LONG_TEXT)
    _check_text(values.techniques, TECHNIQUES_TEXT)
    _check_pressure(values.pressure)
    _check_areas(values.treated_areas)
    areas = [f.area for f in values.findings]
    if len(areas) != len(set(areas)):
        raise NoteError(_("Each area can have one finding."))
    for finding in values.findings:
        _check_finding(finding)


def _check_amendment(values: AmendmentValues) -> None:
    if not isinstance(values.part, Part):
        raise NoteError(_("Please choose which part of the notes to amend."))
    _check_text(values.text, TECHNIQUES_TEXT if values.part is Part.TREATMENT else LONG_TEXT)
    if values.part is Part.OBJECTIVE:
        if values.finding is None:
            raise NoteError(_("Please choose the area whose finding you are amending."))
        _check_finding(values.finding)
    elif values.part is Part.TREATMENT:
        _check_pressure(values.pressure)
        _check_areas(values.treated_areas)
        # An amendment is kept for good: one sent empty by mistake would stand as "nothing
        # was done".
        if not (values.text.strip() or values.pressure or values.treated_areas):
            raise NoteError(_("Please give the corrected techniques, pressure or areas worked."))
    elif not values.text.strip():
        raise NoteError(_("Please write the new text."))


def _check_finding(f: FindingValues) -> None:
    _check_areas((f.area,))
    if f.tension is not None and not (isinstance(f.tension, int) and 0 <= f.tension <= 10):
        raise NoteError(_("Tension is a score from 0 to 10."))
    _check_text(f.points, SHORT_TEXT)
    _check_text(f.avoid_reason, SHORT_TEXT)
    if f.avoid and not f.avoid_reason.strip():
        raise NoteError(_("Please say briefly why the area is to be avoided."))


def _check_areas(areas) -> None:
    if any(not isinstance(a, Area) for a in areas):
        raise NoteError(_("Please choose body areas from the list."))


def _check_pressure(pressure: int | None) -> None:
    if pressure is not None and pressure not in set(Pressure):
        raise NoteError(_("Please choose light, medium or firm pressure."))


def _check_text(text: str, most: int) -> None:
    if len(text.strip()) > most:
        raise NoteError(_("Please keep each text to %(most)d characters.", most=most))


# Reading --------------------------------------------------------------------------------------


def current_findings(note: SessionNote) -> list[FindingValues]:
    """The note's findings as they stand: the original, each area's amendments applied in
    order (the latest wins), in the body's order."""
    found = {
        f.area: FindingValues(f.area, f.tension, f.points, f.avoid, f.avoid_reason)
        for f in note.findings
    }
    for a in note.amendments:
        if a.part is Part.OBJECTIVE and a.area is not None:
            found[a.area] = FindingValues(a.area, a.tension, a.points, bool(a.avoid),
                                          a.avoid_reason)  # fmt: skip
    return [found[a] for a in sorted(found, key=_area_order)]


@dataclass(frozen=True)
class LatestFindings:
    """The findings of the client's latest note, and when that visit was."""

    visit_at: datetime
    findings: list[FindingValues]


def latest_findings(client_id: int, until: datetime) -> LatestFindings | None:
    """The findings (amended) of the client's latest visit with notes that began no later than
    ``until``, or None if no such visit has notes. Three statements."""
    note = db.session.execute(
        sa.select(SessionNote)
        .join(Booking, Booking.id == SessionNote.booking_id)
        .where(
            SessionNote.client_id == client_id,
            Booking.starts_at <= until,
            Booking.status != BookingStatus.CANCELLED,
        )
        .options(
            db.contains_eager(SessionNote.booking),
            db.selectinload(SessionNote.findings),
            db.selectinload(SessionNote.amendments),
        )
        .order_by(Booking.starts_at.desc(), SessionNote.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    if note is None:
        return None
    return LatestFindings(note.booking.starts_at, current_findings(note))
