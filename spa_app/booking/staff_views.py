"""Staff side of bookings: the day's list and booking for a phone or walk-in client."""

from __future__ import annotations

import secrets

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from spa_app import params
from spa_app.accounts import service as accounts
from spa_app.accounts.guards import staff_required
from spa_app.booking import service
from spa_app.booking.forms import StaffBookingForm
from spa_app.business import business_tz
from spa_app.catalog.service import active_services, all_therapists
from spa_app.clock import NonexistentLocalTime, local_to_utc, local_today, within_reach
from spa_app.database import unit_of_work, utcnow
from spa_app.fields import therapist_choices, therapist_id
from spa_app.scheduling import affected

bp = Blueprint("booking_staff", __name__, url_prefix="/staff/bookings")


@bp.get("/")
@staff_required
def day():
    tz = business_tz()
    on = params.arg_day()
    if on is None and request.args.get("date"):
        flash(_("That is not a date; showing today."), "error")
    if on and not within_reach(on, utcnow()):
        flash(_("That date is years away; showing today."), "error")
        on = None
    on = on or local_today(utcnow(), tz)
    bookings = service.bookings_on(on, tz)
    closed = affected.needs_new_time(bookings, tz, utcnow())  # one statement for the day
    return render_template(
        "booking/staff_day.html", on=on, bookings=bookings, needs_new_time=closed
    )


@bp.route("/new", methods=["GET", "POST"])
@staff_required
def new():
    form = StaffBookingForm()
    form.service.choices = [
        SelectChoice(s.id, _("%(name)s (%(minutes)d min)", name=s.name, minutes=s.duration_min))
        for s in active_services()
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
        problem = _book_for_client(form)
        if problem is None:
            return redirect(url_for("booking_staff.day", date=form.date.data.isoformat()))
    return render_template("booking/staff_new.html", form=form, problem=problem, found=found), (
        409 if isinstance(problem, (service.SlotUnavailable, service.ClientBusy)) else 200
    )


def _prefill_from_calendar(form: StaffBookingForm) -> None:
    """A free cell in the calendar links here with its therapist, date and time."""
    if (therapist := params.arg_id("therapist")) is not None:
        form.therapist.data = str(therapist)
    form.date.data = params.arg_day() or form.date.data
    form.time.data = params.arg_time() or form.time.data


def _book_for_client(form: StaffBookingForm):
    """Book the form's choice in one unit of work; returns the error to show, or None."""
    if not within_reach(form.date.data, utcnow()):
        return _refuse(form.date, _("Pick a date within the next few years."))
    try:
        starts_at = local_to_utc(form.date.data, form.time.data, business_tz())
    except NonexistentLocalTime:
        return _refuse(form.time, _("The clocks change at that time; that time does not exist."))
    choice = service.Choice(form.service.data, starts_at, therapist_id(form.therapist))
    try:
        with unit_of_work():
            client = accounts.client_for_booking(
                email=form.client_email.data,
                name=form.client_name.data,
                phone=form.client_phone.data,
            )
            booking = service.book(
                client=client,
                choice=choice,
                actor=current_user,
                now=utcnow(),
                request_key=form.request_key.data,
            )
            message = _(
                "Booked %(client)s for %(service)s.",
                client=client.name,
                service=booking.service.name,
            )
    except accounts.ClientDetailsNeeded:
        return _refuse(form.client_name, _("No client has this e-mail; give a name to add them."))
    except accounts.NotAClient:
        return _refuse(
            form.client_email,
            _("That e-mail belongs to a staff or therapist login, or to a deleted account."),
        )
    except service.BookingError as exc:
        return exc
    flash(message, "success")
    return None


def _refuse(field, message: str) -> str:
    field.errors.append(message)
    return message
