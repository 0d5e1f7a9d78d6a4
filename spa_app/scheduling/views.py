"""Staff pages for the schedule: business settings, working hours, time off and closures, and
the booked visits a closure or time off falls on (to tell their clients, or move them)."""

from dataclasses import fields
from datetime import datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from spa_app import params
from spa_app.accounts.guards import staff_required
from spa_app.business import business, business_tz
from spa_app.catalog.models import Therapist
from spa_app.clock import local_today
from spa_app.database import unit_of_work, utcnow
from spa_app.extensions import db
from spa_app.i18n import when
from spa_app.scheduling import affected, notices, service
from spa_app.scheduling.forms import (
    NOTE_MAX,
    ButtonForm,
    ClosureForm,
    SettingsForm,
    TellForm,
    TimeOffForm,
    WorkingHoursForm,
)
from spa_app.scheduling.models import Closure, TimeOff
from spa_app.scheduling.queries import get_settings
from spa_app.templating import use_timezone

bp = Blueprint("scheduling", __name__, url_prefix="/staff")

DAYS = WorkingHoursForm.DAYS
UNKNOWN_ZONE = _l("Unknown time zone; use an IANA name such as Europe/London or America/New_York.")


@bp.route("/settings", methods=["GET", "POST"])
@staff_required
def settings():
    form = SettingsForm(obj=get_settings())
    if form.validate_on_submit():
        values = {f.name: form[f.name].data for f in fields(service.SettingsChange)}
        try:
            with unit_of_work():
                service.update_settings(service.SettingsChange(**values))
        except service.UnknownTimeZone:
            form.timezone.errors.append(UNKNOWN_ZONE)
        else:
            return _done(_("Settings saved."), "scheduling.settings")
    return render_template("scheduling/settings.html", form=form)


@bp.route("/therapists/<id:therapist_id>/hours", methods=["GET", "POST"])
@staff_required
def working_hours(therapist_id: int):
    therapist = db.get_or_404(Therapist, therapist_id)
    week = service.weekly_hours(therapist.id)
    form = WorkingHoursForm(data={name: week[i] for i, name in enumerate(DAYS)})
    if form.validate_on_submit():
        new_week = {i: form[name].data for i, name in enumerate(DAYS)}
        message = _("Saved the working hours of %(name)s.", name=therapist.display_name)
        try:
            with unit_of_work():
                service.replace_weekly_hours(therapist.id, new_week)
        except service.BadHours as exc:  # the form checks the same rules; kept for safety
            form[DAYS[exc.weekday]].errors.extend(exc.problems)
        else:
            return _done(message, "scheduling.working_hours", therapist_id=therapist_id)
    return render_template(
        "scheduling/working_hours.html", form=form, therapist=therapist, tz=business().timezone
    )


@bp.route("/therapists/<id:therapist_id>/time-off", methods=["GET", "POST"])
@staff_required
def time_off(therapist_id: int):
    therapist = db.get_or_404(Therapist, therapist_id)
    form, now = TimeOffForm(), utcnow()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                entry = service.add_time_off(
                    therapist_id=therapist.id,
                    start=datetime.combine(form.start_date.data, form.start_time.data),
                    end=datetime.combine(form.end_date.data, form.end_time.data),
                    reason=form.reason.data or "",
                    tz=business_tz(),
                    now=now,
                )
                cause, entry_id = affected.of_time_off(entry), entry.id
                clashes = affected.count(cause, now)
        except service.BadTimeOff as exc:
            form[f"{exc.field}_time"].errors.append(str(exc))
        else:
            if clashes:
                return _done(
                    _("Time off added."),
                    "scheduling.time_off_visits",
                    clashes,
                    therapist_id=therapist_id,
                    time_off_id=entry_id,
                )
            return _done(_("Time off added."), "scheduling.time_off", therapist_id=therapist_id)
    entries = service.upcoming_time_off(therapist.id, now)
    return render_template(
        "scheduling/time_off.html",
        form=form,
        therapist=therapist,
        entries=entries,
        clashes=affected.counts({e.id: affected.of_time_off(e) for e in entries}, now),
        tz=business().timezone,
    )


@bp.post("/therapists/<id:therapist_id>/time-off/<id:time_off_id>/delete")
@staff_required
def delete_time_off(therapist_id: int, time_off_id: int):
    if not ButtonForm().validate_on_submit():
        abort(400)
    with unit_of_work():
        if not service.remove_time_off(therapist_id, time_off_id):
            abort(404)
    return _done(_("Time off removed."), "scheduling.time_off", therapist_id=therapist_id)


@bp.route("/closures", methods=["GET", "POST"])
@staff_required
def closures():
    form, tz, now = ClosureForm(), business_tz(), utcnow()
    today = local_today(now, tz)
    if form.validate_on_submit():
        try:
            with unit_of_work():
                closure = service.add_closure(
                    day=form.day.data, reason=form.reason.data or "", today=today
                )
                cause, closure_id = affected.of_closure(closure, tz), closure.id
                clashes = affected.count(cause, now)
                message = _("Closed on %(day)s.", day=when(closure.day, "%A %d %B %Y"))
        except service.BadClosure as exc:
            form.day.errors.append(str(exc))
        else:
            if clashes:
                return _done(message, "scheduling.closure_visits", clashes, closure_id=closure_id)
            return _done(message, "scheduling.closures")
    upcoming = service.upcoming_closures(today)
    return render_template(
        "scheduling/closures.html",
        form=form,
        closures=upcoming,
        clashes=affected.counts({c.id: affected.of_closure(c, tz) for c in upcoming}, now),
    )


@bp.post("/closures/<id:closure_id>/delete")
@staff_required
def delete_closure(closure_id: int):
    if not ButtonForm().validate_on_submit():
        abort(400)
    with unit_of_work():
        if not service.remove_closure(closure_id):
            abort(404)
    return _done(_("Closure removed."), "scheduling.closures")


@bp.get("/closures/<id:closure_id>/visits")
@staff_required
def closure_visits(closure_id: int):
    closure = db.get_or_404(Closure, closure_id)
    title = _("Visits on %(day)s, when the spa is closed", day=when(closure.day, "%A %d %B %Y"))
    return _affected_page(
        affected.of_closure(closure, business_tz()),
        title=title,
        tell_url=url_for("scheduling.tell_closure", closure_id=closure.id),
        back=(url_for("scheduling.closures"), _("Back to closures")),
    )


@bp.post("/closures/<id:closure_id>/visits")
@staff_required
def tell_closure(closure_id: int):
    cause = affected.of_closure(db.get_or_404(Closure, closure_id), business_tz())
    return _tell(cause, url_for("scheduling.closure_visits", closure_id=closure_id))


def _time_off_or_404(therapist_id: int, time_off_id: int) -> TimeOff:
    entry = db.session.get(TimeOff, time_off_id)
    if entry is None or entry.therapist_id != therapist_id:
        abort(404)
    return entry


@bp.get("/therapists/<id:therapist_id>/time-off/<id:time_off_id>/visits")
@staff_required
def time_off_visits(therapist_id: int, time_off_id: int):
    entry = _time_off_or_404(therapist_id, time_off_id)
    name = db.session.get(Therapist, therapist_id).display_name
    tz, shown = business_tz(), "%a %d %b %Y, %H:%M"
    starts, ends = (when(t.astimezone(tz), shown) for t in (entry.starts_at, entry.ends_at))
    title = _(
        "Visits with %(name)s from %(start)s to %(end)s, when %(name)s is away",
        name=name,
        start=starts,
        end=ends,
    )
    return _affected_page(
        affected.of_time_off(entry),
        title=title,
        tell_url=url_for(
            "scheduling.tell_time_off", therapist_id=therapist_id, time_off_id=time_off_id
        ),
        back=(url_for("scheduling.time_off", therapist_id=therapist_id), _("Back to time off")),
    )


@bp.post("/therapists/<id:therapist_id>/time-off/<id:time_off_id>/visits")
@staff_required
def tell_time_off(therapist_id: int, time_off_id: int):
    cause = affected.of_time_off(_time_off_or_404(therapist_id, time_off_id))
    back = url_for("scheduling.time_off_visits", therapist_id=therapist_id, time_off_id=time_off_id)
    return _tell(cause, back)


def _affected_page(cause: affected.Cause, *, title: str, tell_url: str, back: tuple[str, str]):
    """The booked visits ``cause`` falls on, whether each client was told, and the buttons."""
    use_timezone(business_tz())
    visits = affected.visits(cause, utcnow())
    told = notices.told(visits, cause)
    return render_template(
        "scheduling/affected.html",
        title=title,
        visits=visits,
        told=told,
        untold=sum(1 for v in visits if v.id not in told),
        states=notices.STATE_TEXT,
        form=TellForm(),
        tell_url=tell_url,
        back=back,
    )


def _tell(cause: affected.Cause, back: str):
    """Queue the needs-a-new-time e-mail for the visit on the button pressed, or for all."""
    form, now = TellForm(), utcnow()
    if not form.validate_on_submit():
        flash(
            _(
                "Notes are plain text, %(max)d characters at most. Nobody was told.",
                max=NOTE_MAX,
            ),
            "error",
        )
        return redirect(back)
    which = request.form.get("visit", "all")
    wanted = None if which == "all" else params.as_id(which)
    if which != "all" and wanted is None:
        flash(_("That is not a visit on this list. Nobody was told."), "error")
        return redirect(back)
    with unit_of_work():
        visits = [v for v in affected.visits(cause, now) if wanted in (None, v.id)]
        added = notices.tell(visits, cause, note=form.note.data or "", now=now)
    flash(*notices.told_message(wanted is not None, len(visits), added))
    return redirect(back)


def _done(message: str, endpoint: str, clashes: int = 0, **values):
    """Say what was saved and go on. Callers build ``message`` inside the unit of work, before
    its commit expires the rows, so nothing is read afterwards (on SQLite that read would hold
    the write lock until teardown)."""
    flash(message, "success")
    if clashes:
        flash(
            ngettext(
                "%(num)d booked visit falls in that time: tell the clients or move the visits.",
                "%(num)d booked visits fall in that time: tell the clients or move the visits.",
                clashes,
            ),
            "error",
        )
    return redirect(url_for(endpoint, **values))
