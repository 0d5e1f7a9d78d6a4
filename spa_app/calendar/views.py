"""The calendar pages: staff see every therapist (or room) for a day; therapists see their own.

Plain links and forms: previous and next day, a date to jump to, today; a free cell links to
booking a client at that time; each booking links to its page (move, cancel, mark).
"""

from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, render_template, request
from flask_login import current_user

from spa_app.accounts.guards import role_required, staff_required
from spa_app.accounts.models import Role
from spa_app.calendar.service import day_view, rooms_or_therapists
from spa_app.clock import local_today, zone
from spa_app.database import utcnow
from spa_app.homecare.access import audit_reads
from spa_app.scheduling.service import get_settings
from spa_app.templating import use_timezone

bp = Blueprint("calendar", __name__)


def _day() -> date:
    raw = request.args.get("date", "")
    try:
        return date.fromisoformat(raw) if raw else _today()
    except ValueError:
        return _today()


def _today() -> date:
    return local_today(utcnow(), zone(get_settings().timezone))


@bp.get("/staff/calendar")
@staff_required
def staff_day():
    return _page(_day(), rooms_or_therapists(request.args.get("by")), None)


@bp.get("/schedule/day")
@role_required(Role.THERAPIST)
def therapist_day():
    return _page(_day(), "therapist", current_user.id)


def _page(day: date, by: str, therapist_user_id: int | None):
    view = day_view(day, by, therapist_user_id)
    # The flag markers tell of clients' intakes: audited like any read of health data.
    audit_reads(current_user, view.flagged_clients, f"intake flag (calendar {day.isoformat()})")
    use_timezone(view.tz)
    return render_template(
        "calendar/day.html",
        view=view,
        staff=therapist_user_id is None,
        previous=day - timedelta(days=1),
        following=day + timedelta(days=1),
        today=local_today(utcnow(), view.tz),
    )
