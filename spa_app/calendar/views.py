"""The calendar pages: staff see every therapist (or room) for a day; therapists see their own.

Plain links and forms: previous and next day, a date to jump to, today; a free cell (one that
has not passed) links to booking a client at that time; each booking links to its page (move,
cancel, mark). With JavaScript (static/calendar.js) staff may also drag a visit to another
time, therapist or room: ``move`` answers in JSON, by the same rules as the move page.
"""

from __future__ import annotations

from datetime import date, timedelta

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from spa_app import params
from spa_app.accounts.guards import role_required, staff_required
from spa_app.accounts.models import Role
from spa_app.booking import service as booking_service
from spa_app.booking.models import Booking
from spa_app.business import business, business_tz
from spa_app.calendar import feeds
from spa_app.calendar.actions import card_actions
from spa_app.calendar.service import COLOURS, day_view, rooms_or_therapists, week_view
from spa_app.catalog.models import Therapist
from spa_app.clock import NonexistentLocalTime, local_to_utc, local_today, within_reach
from spa_app.config import mail_domain
from spa_app.database import unit_of_work, utcnow
from spa_app.extensions import db
from spa_app.homecare.access import audit_reads
from spa_app.homecare.watch.queries import raised
from spa_app.i18n import recipient_language
from spa_app.scheduling.queries import UnknownService
from spa_app.templating import use_timezone

bp = Blueprint("calendar", __name__)


def _day() -> date:
    """The ``date`` asked for, or today when it is missing, not a date, or years away."""
    day = params.arg_day()
    return day if day and within_reach(day, utcnow()) else _today()


def _today() -> date:
    return local_today(utcnow(), business_tz())


@bp.get("/staff/calendar")
@staff_required
def staff_day():
    return _page(_day(), rooms_or_therapists(request.args.get("by")), None)


@bp.get("/schedule/day")
@role_required(Role.THERAPIST)
def therapist_day():
    return _page(_day(), "therapist", current_user.id)


@bp.get("/staff/calendar/week")
@staff_required
def staff_week():
    return _week(_day(), params.arg_id("therapist") or 0, staff=True)


@bp.get("/schedule/week")
@role_required(Role.THERAPIST)
def therapist_week():
    own = db.session.execute(
        db.select(Therapist.id).where(Therapist.user_id == current_user.id)
    ).scalar_one_or_none()
    return _week(_day(), own or 0, staff=False)


def _colour() -> str:
    """How the cards are coloured: by status (the default) or by service."""
    wanted = request.args.get("colour")
    return wanted if wanted in COLOURS else COLOURS[0]


def _week(day: date, therapist_id: int, *, staff: bool):
    monday = day - timedelta(days=day.weekday())
    now = utcnow()
    view = week_view(monday, therapist_id, now)
    if view is None:
        abort(404)
    audit_reads(current_user, view.flagged_clients, f"intake flag (calendar week {monday})")
    _mark_care(view, f"care flags (calendar week {monday})")
    name = db.session.get(Therapist, therapist_id).display_name
    use_timezone(view.tz)
    return render_template(
        "calendar/week.html",
        view=view,
        staff=staff,
        therapist_id=therapist_id,
        therapist_name=name,
        previous=monday - timedelta(days=7),
        following=monday + timedelta(days=7),
        today=local_today(now, view.tz),
        actions=card_actions(view, current_user._get_current_object(), now),
        colour=_colour(),
    )


def _mark_care(view, subject: str) -> None:
    """On a therapist's day or week: mark the visits of clients whose home care raised a flag
    lately (five statements), an audited read of their health data."""
    found = raised(local_today(utcnow(), view.tz), view.tz, view.clients) if view.clients else {}
    audit_reads(current_user, set(found), subject)
    view.with_care(set(found))


def _page(day: date, by: str, therapist_user_id: int | None):
    now = utcnow()
    view = day_view(day, by, therapist_user_id, now)
    # The flag markers tell of clients' intakes: audited like any read of health data.
    audit_reads(current_user, view.flagged_clients, f"intake flag (calendar {day.isoformat()})")
    if therapist_user_id is not None:
        _mark_care(view, f"care flags (calendar {day.isoformat()})")
    use_timezone(view.tz)
    return render_template(
        "calendar/day.html",
        view=view,
        staff=therapist_user_id is None,
        previous=day - timedelta(days=1),
        following=day + timedelta(days=1),
        today=local_today(now, view.tz),
        actions=card_actions(view, current_user._get_current_object(), now),
        colour=_colour(),
    )


@bp.post("/staff/calendar/move")
@staff_required
def move():
    """A visit dragged to another cell: moved by the same rules as the move page, answered in
    JSON (``message``, and ``warning`` for the desk). 200 moved; 409 refused (not free, the
    client busy, the visit no longer changeable), nothing changed; 400 a drop that names no
    usable time, therapist or room; 404 no such visit."""
    booking = db.session.get(Booking, params.as_id(request.form.get("booking")) or 0)
    if booking is None:
        return _answer(404, _("There is no such visit."))
    choice = _dropped_on(booking)
    if choice is None:
        return _answer(400, _("That is not a time on the calendar. Nothing was changed."))
    tell = request.form.get("tell_client") != "0"
    try:
        with unit_of_work():
            booking_service.move(
                booking=booking, choice=choice, actor=current_user, now=utcnow(), tell_client=tell
            )
    except UnknownService:
        return _answer(404, _("That service is no longer offered."))
    except booking_service.RoomRefused as exc:
        return _answer(400, str(exc))
    except booking_service.SlotUnavailable as exc:
        if str(exc) == str(booking_service.PASSED):
            return _answer(409, _("That time has passed: the visit stays where it was."))
        return _answer(409, _("That time is not free for this visit: it stays where it was."))
    except booking_service.BookingError as exc:
        return _answer(409, _("%(why)s The visit stays where it was.", why=exc))
    warning = None
    if not booking.client.has_email:
        warning = _("No e-mail on file: tell them the new time by phone.")
    elif not tell:
        warning = _("The client was not e-mailed: tell them the new time yourself.")
    return _answer(200, _("The visit is moved."), warning=warning)


def _dropped_on(booking: Booking) -> booking_service.Choice | None:
    """The move a drop asks for: its day and wall-clock time (in the spa's zone), the
    therapist (by default the visit's own) and the room (by default: keep its own if free),
    or None if the drop names no usable time or id."""
    form = request.form
    day, at = params.as_day(form.get("date")), params.as_time(form.get("time"))
    ids = {name: form.get(name) for name in ("therapist", "room") if form.get(name)}
    chosen = {name: params.as_id(raw) for name, raw in ids.items()}
    if day is None or at is None or None in chosen.values() or not within_reach(day, utcnow()):
        return None
    try:
        starts_at = local_to_utc(day, at, business_tz())
    except NonexistentLocalTime:
        return None
    return booking_service.Choice(
        booking.service_id,
        starts_at,
        chosen.get("therapist", booking.therapist_id),
        chosen.get("room"),
    )


def _answer(status: int, message: str, **more):
    return jsonify(ok=status == 200, message=message, **more), status


@bp.route("/account/calendar-feed", methods=["GET", "POST"])
@login_required
def feed_settings():
    """Clients and therapists: a private subscription link, renewed (old one revoked) or off."""
    if current_user.role is Role.STAFF:
        abort(404)
    if request.method == "POST":
        turn_off = request.form.get("action") == "off"
        with unit_of_work():
            if turn_off:
                feeds.turn_off(current_user.id)
            else:
                feeds.new_token(current_user.id)
        message = (
            _("Your calendar link is turned off.")
            if turn_off
            else _("Here is your new calendar link; any older one no longer works.")
        )
        flash(message, "success")
        return redirect(url_for("calendar.feed_settings"))
    feed = feeds.feed_of(current_user.id)
    link = url_for("calendar.feed", token=feed.token, _external=True) if feed else None
    return render_template("calendar/feed_settings.html", link=link)


@bp.get("/feeds/<token>.ics")
def feed(token: str):
    """The subscription itself: no login, the secret token is the key. Its words (the calendar's
    name) are in the owner's language: the phone's calendar app fetching it has none of theirs."""
    owner = feeds.owner_of(token)
    if owner is None or owner.role is Role.STAFF:
        abort(404)
    settings = business()
    # The e-mails' domain, so feed events and e-mailed calendar files share UIDs.
    with force_locale(recipient_language(owner.locale)):
        body = feeds.ical(
            owner,
            utcnow(),
            settings.business_name,
            settings.address,
            mail_domain(current_app.config),
        )
    headers = {"Cache-Control": "private, max-age=300"}
    return Response(body, mimetype="text/calendar", headers=headers)
