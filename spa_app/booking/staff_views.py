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
from spa_app.catalog.service import active_rooms, active_services, all_therapists
from spa_app.clock import NonexistentLocalTime, local_to_utc, local_today, within_reach
from spa_app.database import unit_of_work, utcnow
from spa_app.fields import ANY, therapist_choices, therapist_id
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
    """Book for a phone or walk-in client, from a calendar cell (its therapist, room, day and
    time kept through the client search), then back to that day's calendar."""
    form = _booking_form()
    found = None
    if request.method == "GET":
        form.request_key.data = secrets.token_urlsafe(24)
        _prefill(form)
        found = _found_clients()
    problem = None
    if form.validate_on_submit():
        problem = _book_for_client(form)
        if problem is None:
            return redirect(url_for("calendar.staff_day", date=form.date.data.isoformat()))
    chosen = accounts.bookable_client(params.as_id(form.client_id.data))
    page = render_template(
        "booking/staff_new.html", form=form, problem=problem, found=found, chosen=chosen,
        kept=_kept(form),
    )  # fmt: skip
    return page, (
        409 if isinstance(problem, (service.SlotUnavailable, service.ClientBusy)) else 200
    )


def _booking_form() -> StaffBookingForm:
    """The form with its choices; a nearby time clicked after a refusal (``alternative``:
    "<local date>T<HH:MM>|<therapist id>") takes the place of the day, time and therapist."""
    formdata = None
    if request.method == "POST" and (picked := _alternative(request.form.get("alternative"))):
        formdata = request.form.copy()
        formdata.setlist("date", [picked[0]])
        formdata.setlist("time", [picked[1]])
        formdata.setlist("therapist", [picked[2]])
    form = StaffBookingForm(formdata=formdata) if formdata else StaffBookingForm()
    form.service.choices = [
        SelectChoice(s.id, _("%(name)s (%(minutes)d min)", name=s.name, minutes=s.duration_min))
        for s in active_services()
    ]
    form.therapist.choices = therapist_choices({t.id: t.display_name for t in all_therapists()})
    form.room.choices = [SelectChoice(ANY, _("Any free room"))] + [
        SelectChoice(str(r.id), r.name) for r in active_rooms()
    ]
    return form


def _alternative(raw: str | None) -> tuple[str, str, str] | None:
    """(date, time, therapist id) from a nearby time's button, or None if it is not one."""
    when, _bar, therapist = (raw or "").partition("|")
    day, _t, hhmm = when.partition("T")
    if params.as_day(day) is None or params.as_time(hhmm) is None or not params.as_id(therapist):
        return None
    return day, hhmm, therapist


def _prefill(form: StaffBookingForm) -> None:
    """A free cell in the calendar links here with its therapist (or room), date and time; the
    client search and a found client's link carry them, the service and the client too."""
    for name, field in (("therapist", form.therapist), ("room", form.room)):
        if (chosen := params.arg_id(name)) is not None and str(chosen) in _values(field):
            field.data = str(chosen)
    if (service_id := params.arg_id("service")) in _values(form.service):
        form.service.data = service_id
    form.date.data = params.arg_day() or form.date.data
    form.time.data = params.arg_time() or form.time.data
    if (client_id := params.arg_id("client_id")) is not None:
        form.client_id.data = str(client_id)
    elif email := request.args.get("client", "")[:254]:
        # A link naming the client by e-mail (the rebook-due list's) chooses them, so one
        # without e-mail never shows their placeholder address.
        known = accounts.find_by_email(email)
        if known is not None and accounts.bookable_client(known.id) is not None:
            form.client_id.data = str(known.id)
        else:
            form.client_email.data = email


def _values(field) -> set:
    return {choice[0] for choice in field.iter_choices()}


def _found_clients():
    """The clients the search words match (name, e-mail or phone), or None: no search."""
    # Without NUL: PostgreSQL refuses it in a query (a 500), and no name or address has one.
    if term := request.args.get("find", "").replace("\x00", "").strip()[:120]:
        return accounts.search_clients(term)
    return None


def _kept(form: StaffBookingForm) -> dict[str, str]:
    """The visit's fields as picked so far, for the search form and the found clients' links
    to carry (the cell's therapist, room, day and time survive a search)."""
    kept = {
        "service": form.service.data,
        "therapist": form.therapist.data,
        "room": form.room.data,
        "date": form.date.data.isoformat() if form.date.data else None,
        "time": form.time.data.strftime("%H:%M") if form.time.data else None,
    }
    return {name: str(value) for name, value in kept.items() if value not in (None, "", ANY)}


def _book_for_client(form: StaffBookingForm):
    """Book the form's choice in one unit of work; returns the error to show, or None."""
    if not within_reach(form.date.data, utcnow()):
        return _refuse(form.date, _("Pick a date within the next few years."))
    try:
        starts_at = local_to_utc(form.date.data, form.time.data, business_tz())
    except NonexistentLocalTime:
        return _refuse(form.time, _("The clocks change at that time; that time does not exist."))
    choice = service.Choice(
        form.service.data, starts_at, therapist_id(form.therapist), params.as_id(form.room.data)
    )
    try:
        with unit_of_work():
            client = accounts.client_for_booking(
                client_id=params.as_id(form.client_id.data),
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
            messages = _booked(client, booking)
    except (accounts.ClientDetailsNeeded, accounts.ContactNeeded, accounts.NotAClient) as exc:
        return _client_problem(form, exc)
    except service.RoomRefused as exc:
        return _refuse(form.room, str(exc))
    except service.BookingError as exc:
        return exc
    for category, message in messages:
        flash(message, category)
    return None


def _booked(client, booking) -> list[tuple[str, str]]:
    """What the desk is told of a booking (read before the commit expires the rows)."""
    booked = _(
        "Booked %(client)s for %(service)s.", client=client.name, service=booking.service.name
    )
    told = [("success", booked)]
    if not client.has_email:
        told.append(("warning", _("No e-mail on file: tell them the time by phone.")))
    return told


def _client_problem(form: StaffBookingForm, exc: Exception) -> str:
    """The client part of the form at fault, and what to say."""
    if isinstance(exc, accounts.ContactNeeded):
        return _refuse(
            form.client_phone, _("Give the client's e-mail or phone, or find them above.")
        )
    if isinstance(exc, accounts.ClientDetailsNeeded):
        if form.client_email.data:
            return _refuse(
                form.client_name, _("No client has this e-mail; give a name to add them.")
            )
        return _refuse(form.client_name, _("Give the new client's name."))
    if form.client_id.data:
        return _refuse(
            form.client_id, _("That client can no longer be booked; please find them again.")
        )
    return _refuse(
        form.client_email,
        _("That e-mail belongs to a staff or therapist login, or to a deleted account."),
    )


def _refuse(field, message: str) -> str:
    field.errors.append(message)
    return message
