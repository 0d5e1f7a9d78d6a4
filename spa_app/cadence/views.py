"""The visit cadence for staff and therapists: a client's interval, and who is due to rebook."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from spa_app import params
from spa_app.accounts.guards import staff_required
from spa_app.accounts.models import Role
from spa_app.business import business_tz
from spa_app.cadence import queries
from spa_app.cadence import service as cadence
from spa_app.database import unit_of_work, utcnow
from spa_app.templating import use_timezone

bp = Blueprint("cadence", __name__)


@bp.post("/clients/<id:client_id>/visit-interval")
@login_required
def set_interval(client_id: int):
    """The client's therapist (or staff) sets the weeks between visits for this client."""
    form = request.form
    try:
        with unit_of_work():
            low, high = cadence.set_interval(
                client_id, form.get("min_weeks"), form.get("max_weeks"), current_user, utcnow()
            )
    except cadence.NotYourClient:
        abort(404)
    except cadence.IntervalRefused as refused:
        flash(str(refused), "error")
    else:
        flash(
            _("Next visits for this client: every %(low)d to %(high)d weeks.", low=low, high=high),
            "success",
        )
    return redirect(_back(form.get("back", "")))


def _back(back: str) -> str:
    """The visit page the form was on, or the person's day."""
    if back.startswith("/bookings/") and params.as_id(back[len("/bookings/") :]) is not None:
        return back
    staff = current_user.role is Role.STAFF
    return url_for("calendar.staff_day" if staff else "calendar.therapist_day")


@bp.get("/staff/rebook-due")
@staff_required
def rebook_due():
    """Clients whose window is open or past with nothing booked since, latest visit first."""
    now = utcnow()
    due = queries.rebook_due(now)
    use_timezone(business_tz())
    return render_template("cadence/rebook_due.html", due=due, now=now)


@bp.post("/staff/rebook-due/<id:client_id>/nudge")
@staff_required
def nudge_now(client_id: int):
    """Send the client a "time to book" nudge now (at most one such extra a day)."""
    try:
        with unit_of_work():
            added = cadence.nudge_now(client_id, utcnow())
    except cadence.NothingDue as refused:
        flash(str(refused), "error")
    else:
        flash(_("Nudge queued: it goes out within a minute.") if added else
              _("A nudge was already sent today."), "success" if added else "error")  # fmt: skip
    return redirect(url_for("cadence.rebook_due"))
