"""Staff side of bookings: the day's list and booking for a phone or walk-in client."""

from __future__ import annotations

import contextlib
import secrets
from datetime import date, time

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from spa_app.accounts import service as accounts
from spa_app.accounts.guards import staff_required
from spa_app.booking import service
from spa_app.booking.forms import StaffBookingForm
from spa_app.business import business
from spa_app.catalog.service import active_services, all_therapists
from spa_app.clock import NonexistentLocalTime, local_to_utc, local_today, within_reach
from spa_app.database import utcnow
from spa_app.extensions import db
from spa_app.fields import therapist_choices, therapist_id

bp = Blueprint("booking_staff", __name__, url_prefix="/staff/bookings")


@bp.get("/")
@staff_required
def day():
    tz = business().rules.tz
    try:
        on = date.fromisoformat(request.args["date"]) if request.args.get("date") else None
    except ValueError:
        flash("That is not a date; showing today.", "error")
        on = None
    if on and not within_reach(on, utcnow()):
        flash("That date is years away; showing today.", "error")
        on = None
    on = on or local_today(utcnow(), tz)
    return render_template("booking/staff_day.html", on=on, bookings=service.bookings_on(on, tz))


@bp.route("/new", methods=["GET", "POST"])
@staff_required
def new():
    form = StaffBookingForm()
    form.service.choices = [
        SelectChoice(s.id, f"{s.name} ({s.duration_min} min)") for s in active_services()
    ]
    form.therapist.choices = therapist_choices({t.id: t.display_name for t in all_therapists()})
    found = None
    if request.method == "GET":
        form.request_key.data = secrets.token_urlsafe(24)
        form.client_email.data = request.args.get("client", "")[:254]
        _prefill_from_calendar(form)
        # Without NUL: PostgreSQL refuses it in a query (a 500), and no name or address has one.
        if term := request.args.get("find", "").replace("\x00", "").strip()[:120]:
            found = accounts.search_clients(term)
    problem = None
    if form.validate_on_submit():
        try:
            problem = _book_for_client(form)
        except service.BookingError as exc:
            db.session.rollback()
            problem = exc
        if problem is None:
            return redirect(url_for("booking_staff.day", date=form.date.data.isoformat()))
    return render_template("booking/staff_new.html", form=form, problem=problem, found=found), (
        409 if isinstance(problem, (service.SlotUnavailable, service.ClientBusy)) else 200
    )


def _prefill_from_calendar(form: StaffBookingForm) -> None:
    """A free cell in the calendar links here with its therapist, date and time."""
    therapist = request.args.get("therapist", "")
    if therapist.isdigit() and len(therapist) < 10:
        form.therapist.data = therapist
    with contextlib.suppress(ValueError):
        form.date.data = date.fromisoformat(request.args.get("date", ""))
    with contextlib.suppress(ValueError):
        form.time.data = time.fromisoformat(request.args.get("time", ""))


def _book_for_client(form: StaffBookingForm):
    """Book the form's choice and commit; returns the error to show, or None."""
    if not within_reach(form.date.data, utcnow()):
        form.date.errors.append("Pick a date within the next few years.")
        return form.date.errors[-1]
    try:
        client = accounts.client_for_booking(
            email=form.client_email.data, name=form.client_name.data, phone=form.client_phone.data
        )
    except accounts.ClientDetailsNeeded:
        form.client_name.errors.append("No client has this e-mail; give a name to add them.")
        return form.client_name.errors[-1]
    except accounts.NotAClient:
        form.client_email.errors.append(
            "That e-mail belongs to a staff or therapist login, or to a deleted account."
        )
        return form.client_email.errors[-1]
    try:
        starts_at = local_to_utc(form.date.data, form.time.data, business().rules.tz)
    except NonexistentLocalTime:
        form.time.errors.append("The clocks change at that time; that time does not exist.")
        return form.time.errors[-1]
    choice = service.Choice(form.service.data, starts_at, therapist_id(form.therapist))
    booking = service.book(
        client=client,
        choice=choice,
        actor=current_user,
        now=utcnow(),
        request_key=form.request_key.data,
    )
    message = f"Booked {client.name} for {booking.service.name}."
    db.session.commit()
    flash(message, "success")
    return None
