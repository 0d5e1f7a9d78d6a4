"""Session notes pages: the visit's therapist writes them (and amends them once locked); the
client's therapists and staff read them, each read audited. Everyone else, the client
included, gets 404."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from spa_app.booking.models import Booking
from spa_app.database import unit_of_work, utcnow
from spa_app.extensions import db
from spa_app.homecare.access import audit, audit_read
from spa_app.homecare.notes import service
from spa_app.homecare.notes.forms import PART_LABELS, NoteForm, amendment_forms
from spa_app.homecare.notes.models import Part
from spa_app.homecare.vocab import LABELS

bp = Blueprint("notes", __name__)


def _subject(booking: Booking) -> str:
    return f"session notes {booking.id}"


@bp.app_template_global("session_notes")
def session_notes(booking: Booking) -> dict | None:
    """What the visit's page offers about its notes to ``current_user``: None (nothing: the
    client, someone who may not read them, or no notes yet and none to write)."""
    if not current_user.is_authenticated or not service.may_read(current_user, booking):
        return None
    note = service.note_for(booking.id)
    writes = service.may_write(current_user, booking) and service.has_begun(booking, utcnow())
    if note is None and not writes:
        return None
    return {"exists": note is not None, "writes": writes}


def _readable_or_404(booking_id: int) -> Booking:
    booking = db.session.get(Booking, booking_id)
    if booking is None or not service.may_read(current_user, booking):
        abort(404)
    return booking


def _writable_or_404(booking_id: int) -> Booking:
    booking = db.session.get(Booking, booking_id)
    if booking is None or not service.may_write(current_user, booking):
        abort(404)
    return booking


@bp.get("/bookings/<id:booking_id>/notes")
@login_required
def show(booking_id: int):
    booking = _readable_or_404(booking_id)
    return _page(booking, service.note_for(booking.id), amendment_forms())


def _page(booking: Booking, note, forms, status: int = 200):
    """The note as first saved, then each amendment in order (audited when there is one)."""
    now = utcnow()
    if note is not None and request.method == "GET":
        audit_read(current_user, booking.client_id, _subject(booking))
    elif note is not None:  # a refused POST: its session holds the write lock, record it there
        with unit_of_work():
            audit(current_user, booking.client_id, "read", _subject(booking))
    writer = service.may_write(current_user, booking)
    return render_template(
        "homecare/notes/show.html",
        booking=booking,
        note=note,
        findings=service.current_findings(note) if note else [],
        locked=note is not None and service.is_locked(note, now),
        locks_at=service.locks_at(note) if note else None,
        writer=writer,
        begun=service.has_begun(booking, now),
        forms=forms,
        parts=PART_LABELS,
        labels=LABELS,
    ), status


@bp.route("/bookings/<id:booking_id>/notes/edit", methods=["GET", "POST"])
@login_required
def edit(booking_id: int):
    booking = _writable_or_404(booking_id)
    note, now = service.note_for(booking.id), utcnow()
    if not service.has_begun(booking, now):
        flash(_("Session notes can be written once the visit has begun."), "error")
        return redirect(url_for("booking.detail", booking_id=booking.id))
    # Only on opening the form: one sent after the lock (a page left open overnight) is
    # refused below with the form as typed, so the words can go into an amendment.
    if request.method == "GET" and note is not None and service.is_locked(note, now):
        flash(_("These notes are locked: add an amendment below instead."), "info")
        return redirect(url_for("notes.show", booking_id=booking.id))
    form = NoteForm()
    if request.method == "GET" and note is not None:
        audit_read(current_user, booking.client_id, _subject(booking))
        form.fill(note)
    if form.validate_on_submit():
        try:
            with unit_of_work():
                service.save_note(booking, current_user, form.values(), now)
                audit(current_user, booking.client_id, "write", _subject(booking))
        except service.NoteError as exc:
            flash(str(exc), "error")
        else:
            flash(_("The session notes are saved."), "success")
            return redirect(url_for("notes.show", booking_id=booking.id))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "homecare/notes/edit.html", booking=booking, note=note, form=form, labels=LABELS
    ), status


@bp.post("/bookings/<id:booking_id>/notes/amendments")
@login_required
def amend(booking_id: int):
    booking = _writable_or_404(booking_id)
    note = service.note_for(booking.id)
    if note is None:
        abort(404)
    part = next((p for p in Part if p.value == request.form.get("part")), None)
    if part is None:
        flash(_("Please choose which part of the notes to amend. Nothing was saved."), "error")
        return _page(booking, note, amendment_forms(), 400)
    forms = amendment_forms(request.form, only=part)
    form = forms[part]
    if form.validate():
        try:
            with unit_of_work():
                service.amend(note, current_user, form.values(part), utcnow())
                audit(current_user, booking.client_id, "amend", _subject(booking))
        except service.NoteError as exc:
            flash(str(exc), "error")
        else:
            flash(_("The amendment is added; the original stays as it was."), "success")
            return redirect(url_for("notes.show", booking_id=booking.id))
    else:
        flash(_("Please correct the amendment below. Nothing was saved."), "error")
    return _page(booking, note, forms, 400)
