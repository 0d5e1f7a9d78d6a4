"""The waitlist for clients (join, leave, take an offer) and the list for staff."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from spa_app import paging, params, search
from spa_app.accounts.guards import role_required, staff_required
from spa_app.accounts.models import Role
from spa_app.booking.models import Booking
from spa_app.business import business_tz
from spa_app.catalog.service import all_services, all_therapists
from spa_app.clock import local_today
from spa_app.database import unit_of_work, utcnow
from spa_app.fields import ANY, therapist_choices, therapist_id
from spa_app.scheduling.queries import UnknownService, find_slots
from spa_app.templating import use_timezone
from spa_app.waitlist import queries
from spa_app.waitlist import service as waitlist
from spa_app.waitlist.forms import WaitlistForm
from spa_app.waitlist.models import WaitlistOffer

bp = Blueprint("waitlist", __name__)


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
    visit = _visit_to_bring_earlier(service_id, now)
    existing = waitlist.open_entry(current_user.id, service_id)
    form = WaitlistForm()
    form.therapist.choices = therapist_choices(availability.therapists)
    if request.method == "GET":  # from the day and part of it being browsed, if any
        shown = waitlist.defaults(existing, visit, local_today(now, tz), tz,
                                  therapist_id=params.arg_id("therapist"), day=params.arg_day(),
                                  part=request.args.get("part"),
                                  horizon_days=availability.rules.horizon_days)  # fmt: skip
        form.therapist.data = str(shown.therapist_id or ANY)
        form.first_day.data, form.last_day.data = shown.first_day, shown.last_day
        form.part.data = shown.part or ANY
    if form.validate_on_submit():
        wanted = waitlist.Request(
            service_id, therapist_id(form.therapist), form.first_day.data, form.last_day.data,
            visit, part=None if form.part.data == ANY else form.part.data,
        )  # fmt: skip
        try:
            with unit_of_work():
                _entry, created = waitlist.join(current_user, wanted, now)
        except waitlist.AlreadyWaiting as exc:  # a second tab joined at the same moment
            flash(str(exc), "error")
            return redirect(url_for("booking.mine"))
        except waitlist.WaitlistError as exc:
            form.last_day.errors.append(str(exc))
        else:
            flash(_("You are on the waitlist: we will e-mail you when a time frees up.")
                  if created else _("Your waitlist request is changed; your place is kept."),
                  "success")  # fmt: skip
            return redirect(url_for("booking.mine"))
    return render_template(
        "waitlist/join.html",
        form=form,
        service=availability.service,
        visit=visit,
        existing=existing,
    ), (422 if form.errors else 200)


def _visit_to_bring_earlier(service_id: int, now: datetime) -> Booking | None:
    """The ``?booking=`` visit to bring earlier; a 404 for one that is not the client's to."""
    if not request.args.get("booking"):
        return None
    booking_id = params.arg_id("booking")
    visit = waitlist.visit_to_bring_earlier(current_user, service_id, booking_id, now)
    if visit is None:
        abort(404)
    return visit


@bp.post("/waitlist/<id:entry_id>/leave")
@role_required(Role.CLIENT)
def leave(entry_id: int):
    entry = waitlist.entry_of(current_user, entry_id)
    if entry is None:
        abort(404)
    with unit_of_work():
        waitlist.leave(entry, utcnow())
    flash(_("You have left the waitlist."), "success")
    return redirect(url_for("booking.mine"))


def _own_offer(offer_id: int) -> WaitlistOffer:
    offer = waitlist.offer_for(current_user, offer_id)
    if offer is None:
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
    moving = offer.entry.booking_id is not None
    try:
        with unit_of_work():
            visit = waitlist.take_offer(offer, current_user, utcnow())
            visit_id = visit.id if visit is not None else None
    except waitlist.OfferRefused as refused:
        # The rollback expired the offer: the page reads it again, as it stands.
        use_timezone(business_tz())
        return render_template("waitlist/offer.html", offer=offer, problem=refused.problem), 409
    if visit_id is None:
        return redirect(url_for("booking.mine"))  # a second click
    flash(_("That time is yours: your visit is moved.") if moving
          else _("That time is yours: your visit is booked."), "success")  # fmt: skip
    return redirect(url_for("booking.detail", booking_id=visit_id))


@bp.get("/staff/waitlist")
@staff_required
def staff_list():
    """Everyone waiting, in the order they joined, with the offers each has had, a page at a
    time, found by client, service or the therapist they asked for."""
    tz = business_tz()
    use_timezone(tz)
    number = paging.arg_page()
    filters, problem = _waiting_filters()
    shown = {"filters": filters, "services": all_services(), "therapists": all_therapists()}
    if problem:
        return render_template("waitlist/staff_list.html", page=None, problem=problem, **shown), 422
    page = queries.waiting_page(local_today(utcnow(), tz), filters, number)
    return render_template("waitlist/staff_list.html", page=page, kept=_kept(filters), **shown)


def _waiting_filters() -> tuple[queries.WaitingFilters, str | None]:
    """The staff list's filters from the query string, or why they cannot be used."""
    term = search.arg_term()
    service, therapist = request.args.get("service", ""), request.args.get("therapist", "")
    service_id = params.as_id(service) if service else None
    any_one = therapist == queries.NO_PREFERENCE
    chosen = queries.NO_PREFERENCE if any_one else params.as_id(therapist)
    if term is None:
        return queries.WaitingFilters(), str(search.TERM_REFUSED)
    if (service and service_id is None) or (therapist and chosen is None):
        return queries.WaitingFilters(), _("Choose from the lists.")
    return queries.WaitingFilters(term, service_id, chosen or None), None


def _kept(filters: queries.WaitingFilters) -> dict[str, str]:
    values = {"q": filters.term, "service": filters.service_id, "therapist": filters.therapist}
    return {name: str(value) for name, value in values.items() if value}
