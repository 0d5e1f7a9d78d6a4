"""A visit's own page, opened from the signed link in its e-mails: see, move or cancel that one
visit with no log-in (booking/links.py says what a link grants, and until when).

The link acts for the visit's client on that visit and nothing else: the changes go through the
booking service with the client as the actor, so the client's rules hold (the policy window,
one visit at a time), and the session is never logged in. The page shows no health data (no
intake, no plan): anyone the e-mail was forwarded to could open it.
"""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from spa_app.accounts.limits import PER_ADDRESS, limited
from spa_app.booking import finding, links, service
from spa_app.booking.forms import MoveForm
from spa_app.booking.models import Booking
from spa_app.business import business
from spa_app.calendar.ics import location
from spa_app.calendar.links import google_url, outlook_url
from spa_app.database import unit_of_work, utcnow
from spa_app.extensions import db
from spa_app.fields import therapist_id
from spa_app.scheduling.queries import UnknownService
from spa_app.templating import use_timezone

NO_LONGER_OFFERED = _l(
    "We no longer offer this treatment online, so the visit cannot move here. Please call us and "
    "we will find you a time."
)

bp = Blueprint("visit_link", __name__, url_prefix="/bookings/<id:booking_id>/manage/<token>")


class LinkRefused(Exception):
    def __init__(self, refusal: links.Refusal):
        super().__init__(refusal.message)
        self.refusal = refusal


@bp.errorhandler(LinkRefused)
def _refused(exc: LinkRefused):
    page = render_template(
        "booking/manage_refused.html",
        message=exc.refusal.message,
        login=url_for("accounts.login", next=url_for("booking.mine")),
    )
    return page, exc.refusal.status


@bp.after_request
def _private(response):
    # The address is the key to the visit: kept out of shared caches and search engines. (Other
    # sites never see it: the site-wide Referrer-Policy is same-origin. "no-referrer" would make
    # the browser send "Origin: null" with the page's forms, which the origin check refuses.)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _granted(booking_id: int, token: str) -> Booking:
    """The visit the link opens; LinkRefused (403 or 410, with the words) if it opens none."""
    named = links.read_manage_token(current_app.config["SECRET_KEY"], token)
    booking = db.session.get(Booking, booking_id) if named else None
    if (refused := links.refusal(named, booking_id, booking, utcnow())) is not None:
        raise LinkRefused(refused)
    use_timezone(business().tz)
    return booking


@bp.get("")
def show(booking_id: int, token: str):
    booking = _granted(booking_id, token)
    settings = business()
    title = _("%(service)s at %(spa)s", service=booking.service.name, spa=settings.business_name)
    where = location(settings.business_name, settings.address, booking.room.name)
    details = _("With %(therapist)s.", therapist=booking.therapist.display_name)
    add = (booking.starts_at, booking.ends_at, where, details)
    who, _reason = booking.cancellation()  # the reason is never shown here: it may be about health
    return render_template(
        "booking/manage_visit.html",
        booking=booking,
        token=token,
        refusal=service.change_refusal(booking, booking.client, utcnow()),
        cancelled_by={"client": _("by you"), "staff": _("by the spa")}.get(who),
        google=google_url(title, *add),
        outlook=outlook_url(title, *add),
        policy=settings.policy,
    )


@bp.post("/cancel")
@limited(PER_ADDRESS)
def cancel(booking_id: int, token: str):
    booking = _granted(booking_id, token)
    try:
        with unit_of_work():
            service.cancel(booking=booking, actor=booking.client, now=utcnow())
    except service.ChangeNotAllowed as exc:
        flash(_("%(refusal)s Nothing was changed.", refusal=exc), "error")
    else:
        flash(_("Your visit is cancelled. We have sent you an e-mail to say so."), "success")
    return redirect(url_for(".show", booking_id=booking_id, token=token))


@bp.route("/move", methods=["GET", "POST"])
@limited(PER_ADDRESS)
def move(booking_id: int, token: str):
    booking = _granted(booking_id, token)
    client = booking.client
    if refusal := service.change_refusal(booking, client, utcnow()):
        flash(refusal, "error")
        return redirect(url_for(".show", booking_id=booking_id, token=token))
    problem = None
    move_form = MoveForm()
    if request.method == "POST" and move_form.validate():
        choice = service.Choice(
            booking.service_id, move_form.start.data, therapist_id(move_form.therapist)
        )
        try:
            with unit_of_work():
                service.move(booking=booking, choice=choice, actor=client, now=utcnow())
        except (service.SlotUnavailable, service.ClientBusy) as exc:
            problem = exc
        else:
            flash(
                _("Your visit is moved. We have sent you an e-mail with the new time."), "success"
            )
            return redirect(url_for(".show", booking_id=booking_id, token=token))
    elif request.method == "POST":
        problem = _("Please pick one of the times shown.")
    form, availability, shown, out_of_range = _search(booking)
    return render_template(
        "booking/manage_move.html",
        booking=booking,
        token=token,
        form=form,
        move_form=move_form,
        availability=availability,
        browse=shown,
        out_of_range=out_of_range,
        problem=problem,
    ), (409 if problem else 200)


def _search(booking: Booking):
    """The free times to move to, from the visit's own day and therapist, as the logged-in
    move page offers them; a service no longer offered refuses the link."""
    try:
        return finding.free_times(
            booking.service_id,
            ignore=booking.id,
            default_therapist=str(booking.therapist_id),
            default_day=booking.starts_at.astimezone(business().tz).date(),
        )
    except UnknownService:  # the service was taken off since: nothing to move the visit to
        raise LinkRefused(links.Refusal(410, NO_LONGER_OFFERED)) from None
