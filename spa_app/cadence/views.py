"""The visit cadence for staff and therapists: a client's interval, and who is due to rebook."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from spa_app import paging, params, search
from spa_app.accounts.guards import staff_required
from spa_app.accounts.models import Role
from spa_app.business import business_tz
from spa_app.cadence import export, queries
from spa_app.cadence import service as cadence
from spa_app.catalog.service import all_therapists
from spa_app.clock import local_today
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
    """Clients whose window is open or past with nothing booked since, oldest window first, a
    page at a time, found by name, e-mail or phone and by their last visit's therapist."""
    number, now = paging.arg_page(), utcnow()
    filters, problem = _due_filters()
    use_timezone(business_tz())
    shown = {"now": now, "filters": filters, "therapists": all_therapists()}
    if problem:
        return render_template("cadence/rebook_due.html", page=None, problem=problem, **shown), 422
    page = queries.rebook_due(now, filters, number)
    return render_template("cadence/rebook_due.html", page=page, kept=_kept(filters), **shown)


@bp.get("/staff/rebook-due.csv")
@staff_required
def rebook_due_csv():
    """The whole filtered list as a CSV file (UTF-8 with a byte order mark, so spreadsheets
    read accented names right)."""
    filters, problem = _due_filters()
    if problem:
        return Response(problem, status=422, mimetype="text/plain")
    now, tz = utcnow(), business_tz()
    body = export.due_csv(queries.all_rebook_due(now, filters), tz, now)
    name = f"rebook-due-{local_today(now, tz).isoformat()}.csv"
    return Response(
        "\ufeff" + body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _due_filters() -> tuple[queries.DueFilters, str | None]:
    """The list's filters from the query string, or why they cannot be used."""
    term, wanted = search.arg_term(), request.args.get("therapist", "")
    therapist_id = params.as_id(wanted) if wanted else None
    if term is None:
        return queries.DueFilters(), str(search.TERM_REFUSED)
    if wanted and therapist_id is None:
        return queries.DueFilters(), _("Choose a therapist from the list.")
    return queries.DueFilters(term, therapist_id), None


def _kept(filters: queries.DueFilters) -> dict[str, str]:
    kept = {"q": filters.term} if filters.term else {}
    if filters.therapist_id is not None:
        kept["therapist"] = str(filters.therapist_id)
    return kept


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
    return redirect(url_for("cadence.rebook_due", **_back_to_list(request.form)))


def _back_to_list(form) -> dict[str, str]:
    """The page and filters of the list the nudge was sent from (any odd value left out)."""
    back = {}
    if (term := form.get("q", "").strip()) and len(term) <= search.MAX_TERM:
        back["q"] = term
    if therapist_id := params.as_id(form.get("therapist")):
        back["therapist"] = str(therapist_id)
    if (number := params.as_whole(form.get("page"), most=paging.MAX_PAGE)) and number > 1:
        back["page"] = str(number)
    return back
