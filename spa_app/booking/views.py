"""Online booking for clients: pick a time, confirm, then see, move or cancel the visit."""

from __future__ import annotations

import secrets

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from spa_app import params
from spa_app.accounts.guards import role_required, safe_next
from spa_app.accounts.models import Role
from spa_app.booking import finding, service
from spa_app.booking import series as series_service
from spa_app.booking.forms import REASON_MAX, CancelForm, ConfirmForm, MoveForm
from spa_app.booking.models import BookingStatus
from spa_app.business import business, business_tz
from spa_app.cadence import service as cadence
from spa_app.calendar.service import visit_markers
from spa_app.catalog.models import Therapist
from spa_app.catalog.service import active_rooms
from spa_app.clock import local_today
from spa_app.database import unit_of_work, utcnow
from spa_app.extensions import db
from spa_app.fields import ANY, therapist_id
from spa_app.homecare.access import audit_reads
from spa_app.homecare.intake.service import intake_for
from spa_app.homecare.models import PlanStatus
from spa_app.homecare.plans import queries as plans
from spa_app.scheduling import affected
from spa_app.scheduling.queries import UnknownService, find_slots
from spa_app.templating import use_timezone
from spa_app.waitlist import service as waitlist

bp = Blueprint("booking", __name__)


def _search(service_id: int, **options):
    """finding.free_times for this page; a service no longer offered is a 404."""
    try:
        return finding.free_times(service_id, **options)
    except UnknownService:
        abort(404)


@bp.get("/book/<id:service_id>")
def choose(service_id: int):
    form, availability, shown, out_of_range = _search(service_id)
    return render_template(
        "booking/choose.html",
        form=form,
        availability=availability,
        browse=shown,
        out_of_range=out_of_range,
        therapists=_cards(availability.therapists),
    )


def _cards(names: dict[int, str]) -> list[Therapist]:
    """The service's active therapists (find_slots named them) with their photos and bios, for
    "Who you can see": one statement for them all, none when nobody offers the service."""
    if not names:
        return []
    query = (
        db.select(Therapist)
        .where(Therapist.id.in_(names), Therapist.active)
        .order_by(Therapist.display_name, Therapist.id)
    )
    return list(db.session.scalars(query))


@bp.route("/book/<id:service_id>/confirm", methods=["GET", "POST"])
@role_required(Role.CLIENT)
def confirm(service_id: int):
    """The summary of a picked time, the policy with it, and Confirm; a time that has gone
    since it was picked (a stale link) says so and offers the nearest free times instead."""
    form = ConfirmForm(request.form if request.method == "POST" else request.args)
    problem = None
    if request.method == "POST":
        if not form.validate():
            flash(_("That booking request was incomplete; please pick a time again."), "error")
            return redirect(url_for("booking.choose", service_id=service_id))
        try:
            with unit_of_work():
                target = _book(service_id, form)
        except service.AlreadyBooked as exc:
            # Back, then Confirm again: the visit made the first time is the answer.
            flash(_("You had already booked this visit; here it is."), "info")
            return redirect(url_for("booking.detail", booking_id=exc.visit.id))
        except (service.SlotUnavailable, service.ClientBusy) as exc:
            problem = exc
        else:
            flash(_("Your visit is booked."), "success")
            return redirect(target)
    else:
        form.request_key.data = secrets.token_urlsafe(24)
    availability = _around(service_id, form.start.data, form.therapist.data)
    if problem is None and form.start.data is not None:
        problem = service.stale_choice(availability, form.start.data, utcnow())
    return render_template(
        "booking/confirm.html", form=form, availability=availability, problem=problem
    ), (409 if problem and request.method == "POST" else 200)


def _around(
    service_id: int,
    start,
    therapist: str | None,
    ignore: int | None = None,
    room: str | None = None,
):
    """Free times around a picked ``start`` (the day before to a week after, within reach; in
    one ``room`` if staff picked it), so the page can tell whether it is still free and, if
    not, offer the nearest: one search."""
    now = utcnow()
    settings = business()
    today = local_today(now, settings.tz)
    wanted = start.astimezone(settings.tz).date() if start is not None else today
    first, last = service.around(wanted, today, settings.horizon_days)
    try:
        availability = find_slots(
            service_id=service_id,
            first_day=first,
            last_day=last,
            now=now,
            therapist_id=params.as_id(therapist),
            room_id=params.as_id(room),
            ignore_booking_id=ignore,
        )
    except UnknownService:
        abort(404)
    use_timezone(availability.rules.tz)
    return availability


def _book(service_id: int, form: ConfirmForm) -> str:
    """Book the confirmed choice for the current client; the URL of the booking."""
    choice = service.Choice(service_id, form.start.data, therapist_id(form.therapist))
    try:
        booking = service.book(
            client=current_user,
            choice=choice,
            actor=current_user,
            now=utcnow(),
            request_key=form.request_key.data,
        )
    except UnknownService:
        abort(404)
    return url_for("booking.detail", booking_id=booking.id)


@bp.get("/bookings")
@role_required(Role.CLIENT)
def mine():
    upcoming, past = service.client_bookings(current_user.id, utcnow())
    # Booking comes first; the intake is asked for before the visit.
    ask_for_intake = bool(upcoming) and intake_for(current_user.id) is None
    # After a completed visit with nothing booked since: the window and times to book in it.
    window = None if upcoming else cadence.due_window(current_user.id)
    suggested = cadence.suggestions(window, utcnow()) if window else []
    tz = business_tz()
    use_timezone(tz)
    return render_template(
        "booking/mine.html",
        upcoming=upcoming,
        # Visits a closure or their therapist's time off fell on: one statement for them all.
        needs_new_time=affected.needs_new_time(upcoming, tz, utcnow()),
        past=past,
        ask_for_intake=ask_for_intake,
        window=window,
        suggested=suggested,
        waiting=waitlist.waiting(current_user.id, local_today(utcnow(), tz)),
    )


COMING = (BookingStatus.BOOKED, BookingStatus.ARRIVED)
HEALTH_SHOWN = (*COMING, BookingStatus.COMPLETED)


def _visible_or_404(booking_id: int):
    booking = service.visible_booking(current_user, booking_id)
    if booking is None:
        abort(404)
    return booking


@bp.get("/bookings/<id:booking_id>")
@login_required
def detail(booking_id: int):
    booking = _visible_or_404(booking_id)
    actions = service.actions_for(booking, current_user, utcnow())
    flagged = adherence = None
    if current_user.id != booking.client_id and booking.status in HEALTH_SHOWN:
        # The intake flag and the last plan kept to, for its therapist or staff (audited):
        # before and during the visit, and after it, when the next plan is written.
        tz = business_tz()
        health = plans.health_summary(current_user, booking, local_today(utcnow(), tz), tz)
        flagged, adherence = health.flagged, health.adherence
    has_intake = intake_for(booking.client_id) is not None
    can_write_plan = plans.may_write(current_user, booking)
    versions = [
        p for p in plans.plans_of(booking.id) if can_write_plan or p.status is PlanStatus.PUBLISHED
    ]
    return render_template(
        "booking/detail.html",
        booking=booking,
        cancellation=service.cancellation_for(booking, current_user),
        actions=actions,
        has_intake=has_intake,
        plans=versions,
        can_write_plan=can_write_plan,
        has_draft=any(p.status is PlanStatus.DRAFT for p in versions),
        # The first version may start from the plan the client followed before this visit.
        carry_from=plans.plan_before(booking) if can_write_plan and not versions else None,
        adherence=adherence,
        flagged=flagged,
        interval=cadence.interval_choice(current_user, booking.client),
        repeat=series_service.CHOICES,
        needs_new_time=bool(affected.needs_new_time([booking], business_tz(), utcnow())),
    )


@bp.route("/bookings/<id:booking_id>/cancel", methods=["GET", "POST"])
@login_required
def cancel(booking_id: int):
    """GET: "Cancel your <service> on <day>?" with the visit, the policy and the reason
    fields; POST cancels (the rules checked again)."""
    booking = _visible_or_404(booking_id)
    if (refusal := _change_refused(booking)) is not None:
        return refusal
    form = CancelForm()
    if request.method == "GET":
        use_timezone(business_tz())
        actions = service.actions_for(booking, current_user, utcnow())
        desk = current_user.role is Role.STAFF
        form.tell_asked.data = "1" if desk and booking.client.has_email else ""
        form.late_asked.data = "1" if desk and actions.cancel_is_late else ""
        return render_template("booking/cancel.html", booking=booking, form=form, actions=actions)
    if not form.validate():
        flash(
            _(
                "Reasons and notes are plain text, %(most)d characters at most. "
                "Nothing was changed.",
                most=REASON_MAX,
            ),
            "error",
        )
        return redirect(url_for("booking.cancel", booking_id=booking.id))
    try:
        with unit_of_work():
            service.cancel(
                booking=booking,
                actor=current_user,
                now=utcnow(),
                reason=form.reason.data or "",
                note_to_client=form.note_to_client.data or "",
                **_desk_choices(form),
            )
    except service.ChangeNotAllowed as exc:
        flash(str(exc), "error")
    else:
        flash(_("The visit is cancelled."), "success")
        if current_user.role is Role.STAFF and not booking.client.has_email:
            flash(_("No e-mail on file: tell the client by phone."), "warning")
    return redirect(url_for("booking.detail", booking_id=booking.id))


def _desk_choices(form: CancelForm) -> dict[str, bool | None]:
    """The front desk's answers to the cancel page's boxes: whether to e-mail the client, and
    whether a cancellation inside the window counts as late (ticked: the rules say, which also
    spare a visit the spa closed on). A box that was not on the page leaves it to the rules."""
    if current_user.role is not Role.STAFF:
        return {}
    choices: dict[str, bool | None] = {}
    if form.tell_asked.data:
        choices["tell_client"] = bool(form.tell_client.data)
    if form.late_asked.data and not form.late.data:
        choices["late"] = False
    return choices


def _change_refused(booking):
    """The way back to the visit, with why, when the person may not move or cancel it now."""
    refusal = service.change_refusal(booking, current_user, utcnow())
    if refusal is None:
        return None
    flash(refusal, "error")
    return redirect(url_for("booking.detail", booking_id=booking.id))


@bp.post("/bookings/<id:booking_id>/status")
@login_required
def mark(booking_id: int):
    booking = _visible_or_404(booking_id)
    wanted = request.form.get("status", "")
    if wanted not in {s.value for s in service.NEXT_STATUS}:
        abort(400)
    try:
        with unit_of_work():
            service.mark(
                booking=booking, status=BookingStatus(wanted), actor=current_user, now=utcnow()
            )
    except service.ChangeNotAllowed as exc:
        flash(str(exc), "error")
    else:
        flash(_("Marked %(status)s.", status=BookingStatus(wanted).label), "success")
    return redirect(_back_or_visit(booking.id))


@bp.post("/bookings/<id:booking_id>/undo-mark")
@login_required
def undo_mark(booking_id: int):
    """Undo a no-show or completion marked by mistake, the same day (staff or the visit's
    therapist); otherwise the reason why not, and nothing changed."""
    booking = _visible_or_404(booking_id)
    was = booking.status
    try:
        with unit_of_work():
            service.unmark(booking=booking, actor=current_user, now=utcnow())
    except service.ChangeNotAllowed as exc:
        flash(str(exc), "error")
    else:
        flash(_("No longer %(status)s: the visit is booked again.", status=was.label), "success")
    return redirect(_back_or_visit(booking.id))


def _back_or_visit(booking_id: int) -> str:
    """Where a status change from a list (the calendar's) goes back to, if on this site; else
    the visit's page."""
    return safe_next(request.form.get("back")) or url_for("booking.detail", booking_id=booking_id)


@bp.route("/bookings/<id:booking_id>/move", methods=["GET", "POST"])
@login_required
def move(booking_id: int):
    """GET: free times to move to, each leading to the "from X to Y?" step; POST (from that
    step) moves, the rules and the time checked again. Staff may also pick the room (the free
    times are then that room's) and choose not to e-mail the client."""
    booking = _visible_or_404(booking_id)
    if (refusal := _change_refused(booking)) is not None:
        return refusal
    problem = None
    move_form = MoveForm()
    rooms = _room_choices(booking)
    if request.method == "POST" and move_form.validate():
        try:
            with unit_of_work():
                told = _move(booking, move_form, staff=rooms is not None)
        except service.BookingError as exc:
            problem = exc
        else:
            flash(_("The visit is moved."), "success")
            if told is not None:
                flash(told, "warning")
            return redirect(url_for("booking.detail", booking_id=booking.id))
    room = _room_asked(rooms, move_form if problem else None)
    # Moving starts from the visit's own day and therapist (most moves are a few hours away),
    # or, after a refusal, from the time and therapist that were asked for.
    asked = move_form.start.data if problem else None
    form, availability, shown, out_of_range = _search(
        booking.service_id,
        ignore=booking.id,
        default_therapist=move_form.therapist.data if asked else str(booking.therapist_id),
        default_day=(asked or booking.starts_at).astimezone(business_tz()).date(),
        room_id=params.as_id(room),
    )
    return render_template(
        "booking/move.html",
        booking=booking,
        form=form,
        availability=availability,
        browse=shown,
        out_of_range=out_of_range,
        problem=problem,
        rooms=rooms,
        room=room,
    ), (400 if isinstance(problem, service.RoomRefused) else 409 if problem else 200)


def _room_choices(booking) -> list[tuple[str, str]] | None:
    """The rooms staff may move a visit into ("any" first: its own room if free, else any);
    None for anyone else, who never picks a room."""
    if current_user.role is not Role.STAFF:
        return None
    keep = _("%(room)s if free, else any free room", room=booking.room.name)
    return [(ANY, keep)] + [(str(r.id), r.name) for r in active_rooms()]


def _room_asked(rooms, form: MoveForm | None) -> str:
    """The room picked (a posted form's, else the query string's), if it is one of ``rooms``."""
    raw = form.room.data if form is not None else request.args.get("room", ANY)
    return raw if rooms and raw in dict(rooms) else ANY


def _move(booking, form: MoveForm, *, staff: bool) -> str | None:
    """Move ``booking`` to the form's choice (staff: into its room, telling the client or
    not); what the desk should do itself, if anything."""
    choice = service.Choice(
        booking.service_id,
        form.start.data,
        therapist_id(form.therapist),
        params.as_id(form.room.data) if staff else None,
    )
    # A form without the box (a client's, or an older page) tells the client.
    tell = form.tell_client.data or not form.tell_asked.data
    service.move(booking=booking, choice=choice, actor=current_user, now=utcnow(), tell_client=tell)
    if staff and not booking.client.has_email:
        return _("No e-mail on file: tell them the new time by phone.")
    return None


@bp.get("/bookings/<id:booking_id>/move/confirm")
@login_required
def move_confirm(booking_id: int):
    """ "Move from X to Y?": the visit now and the time picked, the policy, and Confirm move
    (which posts to ``move``); a time gone since it was picked offers the nearest instead.
    Staff see the room it goes to and a "tell the client" box."""
    booking = _visible_or_404(booking_id)
    if (refusal := _change_refused(booking)) is not None:
        return refusal
    form = MoveForm(request.args, meta={"csrf": False})
    if not form.validate():
        flash(_("Please pick one of the free times first."), "error")
        return redirect(url_for("booking.move", booking_id=booking.id))
    rooms = _room_choices(booking)
    room = _room_asked(rooms, form)
    availability = _around(
        booking.service_id, form.start.data, form.therapist.data, booking.id, room=room
    )
    problem = service.stale_choice(availability, form.start.data, utcnow())
    chosen = form.therapist.data
    therapist = availability.therapists.get(params.as_id(chosen)) if chosen != ANY else None
    return render_template(
        "booking/move_confirm.html",
        booking=booking,
        form=MoveForm(
            formdata=None,
            start=form.start.data,
            therapist=chosen,
            room=room,
            # The box is offered to staff when there is someone to e-mail.
            tell_asked="1" if rooms and booking.client.has_email else "",
        ),
        availability=availability,
        therapist=therapist,
        problem=problem,
        rooms=rooms,
        room_name=dict(rooms or []).get(room),
    )


@bp.get("/schedule")
@role_required(Role.THERAPIST)
def therapist_schedule():
    bookings = service.therapist_upcoming(current_user.id, utcnow())
    markers = visit_markers(bookings)
    # The flags tell of clients' intakes: audited like any read of health data.
    flagged = {b.client_id for b in bookings if any(m.when == "flagged" for m in markers[b.id])}
    audit_reads(current_user, flagged, "intake flag (my schedule)")
    return render_template("booking/therapist_schedule.html", bookings=bookings, markers=markers)


@bp.route("/bookings/<id:booking_id>/series", methods=["GET", "POST"])
@login_required
def series(booking_id: int):
    """Repeat a booked visit every N weeks: a preview of every occurrence, then one click."""
    base = _visible_or_404(booking_id)
    if not service.actions_for(base, current_user, utcnow()).may_repeat:
        abort(404)
    values = request.form if request.method == "POST" else request.args
    every = params.as_whole(values.get("every"), most=999) or 0
    visits = params.as_whole(values.get("visits"), most=999) or 0
    # Staff may book a series past the booking horizon (a client's regular slot for the year).
    past = current_user.is_staff and values.get("past_horizon") == "1"
    again = {"every": every, "visits": visits} | ({"past_horizon": "1"} if past else {})
    now = utcnow()
    try:
        plan = series_service.preview(base, every, visits, current_user, now, past)
    except series_service.SeriesError as exc:
        flash(str(exc), "error")
        return redirect(url_for("booking.detail", booking_id=base.id))
    if request.method == "POST":
        seen = request.form.getlist("chosen")
        if seen != [o.chosen.isoformat() if o.bookable else "" for o in plan]:
            flash(_("Some times changed since you looked: here is the series again, checked now."),
                  "error")  # fmt: skip
            return redirect(url_for("booking.series", booking_id=base.id, **again))
        try:
            with unit_of_work():
                booked = series_service.book_series(base, plan, current_user, now, past)
        except service.BookingError as exc:
            why = (_("One of those times was just taken.")
                   if isinstance(exc, service.SlotUnavailable) else str(exc))  # fmt: skip
            flash(_("%(why)s Here is the series again, checked now.", why=why), "error")
            return redirect(url_for("booking.series", booking_id=base.id, **again))
        flash(ngettext("Booked %(num)d more visit.", "Booked %(num)d more visits.", len(booked)),
              "success")  # fmt: skip
        return redirect(url_for("booking.detail", booking_id=base.id))
    use_timezone(business_tz())
    return render_template("booking/series.html", base=base, plan=plan, every=every, visits=visits,
                           past_horizon=past)  # fmt: skip
