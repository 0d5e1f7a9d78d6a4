"""Staff pages for the schedule: business settings, working hours, time off and closures."""

from dataclasses import fields
from datetime import datetime

from flask import Blueprint, abort, flash, redirect, render_template, url_for

from spa_app.accounts.guards import staff_required
from spa_app.business import business, business_tz
from spa_app.catalog.models import Therapist
from spa_app.clock import local_today
from spa_app.database import unit_of_work, utcnow
from spa_app.extensions import db
from spa_app.scheduling import service
from spa_app.scheduling.forms import (
    ButtonForm,
    ClosureForm,
    SettingsForm,
    TimeOffForm,
    WorkingHoursForm,
)
from spa_app.scheduling.queries import get_settings

bp = Blueprint("scheduling", __name__, url_prefix="/staff")

DAYS = WorkingHoursForm.DAYS
UNKNOWN_ZONE = "Unknown time zone; use an IANA name such as Europe/London or America/New_York."


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
            return _done("Settings saved.", "scheduling.settings")
    return render_template("scheduling/settings.html", form=form)


@bp.route("/therapists/<id:therapist_id>/hours", methods=["GET", "POST"])
@staff_required
def working_hours(therapist_id: int):
    therapist = db.get_or_404(Therapist, therapist_id)
    week = service.weekly_hours(therapist.id)
    form = WorkingHoursForm(data={name: week[i] for i, name in enumerate(DAYS)})
    if form.validate_on_submit():
        new_week = {i: form[name].data for i, name in enumerate(DAYS)}
        message = f"Saved the working hours of {therapist.display_name}."
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
                clashes = service.bookings_during(therapist.id, entry.starts_at, entry.ends_at)
        except service.BadTimeOff as exc:
            form[f"{exc.field}_time"].errors.append(str(exc))
        else:
            return _done(
                "Time off added.", "scheduling.time_off", clashes, therapist_id=therapist_id
            )
    entries = service.upcoming_time_off(therapist.id, now)
    return render_template(
        "scheduling/time_off.html",
        form=form,
        therapist=therapist,
        entries=entries,
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
    return _done("Time off removed.", "scheduling.time_off", therapist_id=therapist_id)


@bp.route("/closures", methods=["GET", "POST"])
@staff_required
def closures():
    form, tz = ClosureForm(), business_tz()
    today = local_today(utcnow(), tz)
    if form.validate_on_submit():
        try:
            with unit_of_work():
                closure = service.add_closure(
                    day=form.day.data, reason=form.reason.data or "", today=today
                )
                clashes = service.bookings_on_day(closure.day, tz)
                message = f"Closed on {closure.day:%A %d %B %Y}."
        except service.BadClosure as exc:
            form.day.errors.append(str(exc))
        else:
            return _done(message, "scheduling.closures", clashes)
    return render_template(
        "scheduling/closures.html",
        form=form,
        closures=service.upcoming_closures(today),
    )


@bp.post("/closures/<id:closure_id>/delete")
@staff_required
def delete_closure(closure_id: int):
    if not ButtonForm().validate_on_submit():
        abort(400)
    with unit_of_work():
        if not service.remove_closure(closure_id):
            abort(404)
    return _done("Closure removed.", "scheduling.closures")


def _done(message: str, endpoint: str, clashes: int = 0, **values):
    """Say what was saved and go on. Callers build ``message`` inside the unit of work, before
    its commit expires the rows, so nothing is read afterwards (on SQLite that read would hold
    the write lock until teardown)."""
    flash(message, "success")
    if clashes:
        plural = "booking falls" if clashes == 1 else "bookings fall"
        flash(f"{clashes} existing {plural} in that time; move or cancel them.", "error")
    return redirect(url_for(endpoint, **values))
