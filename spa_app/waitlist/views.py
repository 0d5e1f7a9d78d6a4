"""The waitlist for clients (join, leave, take an offer) and the list for staff."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from spa_app.accounts.guards import role_required, staff_required
from spa_app.accounts.models import Role
from spa_app.booking import service as booking_service
from spa_app.booking.models import Booking, BookingStatus
from spa_app.business import business_tz
from spa_app.clock import local_today
from spa_app.database import utcnow
from spa_app.extensions import db
from spa_app.fields import therapist_choices, therapist_id
from spa_app.scheduling.service import UnknownService, find_slots
from spa_app.templating import use_timezone
from spa_app.waitlist import service as waitlist
from spa_app.waitlist.forms import WaitlistForm
from spa_app.waitlist.models import WaitlistEntry, WaitlistOffer

bp = Blueprint("waitlist", __name__)

#: The days a new request covers unless the client picks others.
DEFAULT_DAYS = 14


@bp.route("/waitlist/join/<id:service_id>", methods=["GET", "POST"])
@role_required(Role.CLIENT)
def join(service_id: int):
    """Ask to hear of a freed time for a service; from a booked visit, of an earlier one."""
    now = utcnow()
    try:
        # One read for the service, its therapists and the spa's time zone.
        availability = find_slots(service_id=service_id, now=now)
    except UnknownService:
        abort(404)
    tz = availability.rules.tz
    use_timezone(tz)
    visit = _own_booked_visit(service_id)
    existing = waitlist.open_entry(current_user.id, service_id)
    form = WaitlistForm()
    form.therapist.choices = therapist_choices(availability.therapists)
    if request.method == "GET":
        _fill_defaults(form, existing, visit, local_today(now, tz))
    if form.validate_on_submit():
        wanted = waitlist.Request(
            service_id, therapist_id(form.therapist), form.first_day.data, form.last_day.data, visit
        )
        try:
            _, created = waitlist.join(current_user, wanted, now)
            db.session.commit()
        except waitlist.WaitlistError as exc:
            db.session.rollback()
            form.last_day.errors.append(str(exc))
        except IntegrityError:  # a second tab joined at the same moment
            db.session.rollback()
            flash("You are already on the waitlist for this service.", "error")
            return redirect(url_for("booking.mine"))
        else:
            flash("You are on the waitlist: we will e-mail you when a time frees up."
                  if created else "Your waitlist request is changed; your place is kept.",
                  "success")  # fmt: skip
            return redirect(url_for("booking.mine"))
    return render_template(
        "waitlist/join.html",
        form=form,
        service=availability.service,
        visit=visit,
        existing=existing,
    ), (422 if form.errors else 200)


def _own_booked_visit(service_id: int) -> Booking | None:
    """The ``?booking=`` visit to bring earlier: the client's own, booked, of this service."""
    raw = request.args.get("booking", "")
    if not raw:
        return None
    # isdecimal, not isdigit: "²" is a digit that int() refuses.
    visit = db.session.get(Booking, int(raw)) if raw.isdecimal() and len(raw) < 10 else None
    if (
        visit is None
        or visit.client_id != current_user.id
        or visit.service_id != service_id
        or visit.status is not BookingStatus.BOOKED
        or visit.starts_at <= utcnow()
    ):
        abort(404)
    return visit


def _fill_defaults(form: WaitlistForm, existing, visit, today) -> None:
    if existing is not None:
        form.therapist.data = str(existing.therapist_id or "any")
        form.first_day.data, form.last_day.data = existing.first_day, existing.last_day
        return
    form.first_day.data = today
    if visit is not None:
        form.therapist.data = str(visit.therapist_id)
        form.last_day.data = visit.starts_at.astimezone(business_tz()).date()
    else:
        form.therapist.data = request.args.get("therapist", "any")
        form.last_day.data = today + timedelta(days=DEFAULT_DAYS)


@bp.post("/waitlist/<id:entry_id>/leave")
@role_required(Role.CLIENT)
def leave(entry_id: int):
    entry = db.session.get(WaitlistEntry, entry_id)
    if entry is None or entry.client_id != current_user.id:
        abort(404)
    waitlist.leave(entry, utcnow())
    db.session.commit()
    flash("You have left the waitlist.", "success")
    return redirect(url_for("booking.mine"))


def _own_offer(offer_id: int) -> WaitlistOffer:
    offer = db.session.get(WaitlistOffer, offer_id)
    if offer is None or offer.entry.client_id != current_user.id:
        abort(404)
    return offer


@bp.get("/waitlist/offers/<id:offer_id>")
@role_required(Role.CLIENT)
def offer(offer_id: int):
    """The time in a waitlist e-mail: take it, or learn it has gone (with where to look)."""
    offer = _own_offer(offer_id)
    use_timezone(business_tz())
    problem = waitlist.offer_problem(offer, utcnow())
    return render_template("waitlist/offer.html", offer=offer, problem=problem)


@bp.post("/waitlist/offers/<id:offer_id>")
@role_required(Role.CLIENT)
def take(offer_id: int):
    """Book the offered time (or move the visit it is earlier than): the first to ask gets it."""
    offer = _own_offer(offer_id)
    entry, now = offer.entry, utcnow()
    if entry.closed_why == "booked" and offer.taken_at is not None:
        return redirect(url_for("booking.mine"))  # a second click
    problem = waitlist.offer_problem(offer, now)
    if problem is None:
        try:
            visit = waitlist.take(offer, current_user, now)
        except booking_service.BookingError as exc:
            db.session.rollback()
            offer = _own_offer(offer_id)
            # A ClientBusy keeps its visit, so the page links to it.
            problem = waitlist.GONE if isinstance(exc, booking_service.SlotUnavailable) else exc
        else:
            db.session.commit()
            flash("That time is yours: your visit is booked." if entry.booking_id is None
                  else "That time is yours: your visit is moved.", "success")  # fmt: skip
            return redirect(url_for("booking.detail", booking_id=visit.id))
    use_timezone(business_tz())
    return render_template("waitlist/offer.html", offer=offer, problem=problem), 409


@bp.get("/staff/waitlist")
@staff_required
def staff_list():
    """Everyone waiting, in the order they joined, with the offers each has had."""
    tz = business_tz()
    use_timezone(tz)
    entries = waitlist.everyone_waiting(local_today(utcnow(), tz))
    return render_template("waitlist/staff_list.html", entries=entries)
