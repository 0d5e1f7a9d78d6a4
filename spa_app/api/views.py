"""JSON read of free times, for scripts and a future richer front end."""

from __future__ import annotations

from datetime import date, timedelta

from flask import jsonify, request

from spa_app.booking.views import bp
from spa_app.clock import within_reach
from spa_app.database import utcnow
from spa_app.routing import MAX_ID
from spa_app.scheduling.service import UnknownService, find_slots

MAX_RANGE_DAYS = 31


class BadQuery(ValueError):
    """A query parameter that cannot be used; the message says which and why."""


def _id(name: str, *, allow_any: bool = False) -> int | None:
    raw = request.args.get(name, "any" if allow_any else "")
    if allow_any and raw == "any":
        return None
    if not raw.isdecimal() or not 1 <= int(raw[:12]) <= MAX_ID:  # "²" isdigit, int() refuses it
        raise BadQuery(f"'{name}' must be a positive id" + (" or 'any'" if allow_any else ""))
    return int(raw)


def _day(name: str) -> date | None:
    raw = request.args.get(name)
    if raw is None:
        return None
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        raise BadQuery(f"'{name}' must be a date like 2026-03-29") from None
    if not within_reach(day, utcnow()):
        raise BadQuery(f"'{name}' is years away; ask for a date within five years")
    return day


@bp.get("/api/availability")
def api_availability():
    """Free start times: ?service=ID&therapist=ID|any&from=YYYY-MM-DD&to=YYYY-MM-DD."""
    try:
        service_id, therapist_id = _id("service"), _id("therapist", allow_any=True)
        first, last = _day("from"), _day("to")
        if last and not first:
            raise BadQuery("give 'from' together with 'to'")
        if first and last and last < first:
            raise BadQuery("'to' is before 'from'")
        if first and last and (last - first) >= timedelta(days=MAX_RANGE_DAYS):
            raise BadQuery(f"ask for at most {MAX_RANGE_DAYS} days at a time")
        availability = find_slots(
            service_id=service_id,
            now=utcnow(),
            first_day=first,
            last_day=last,
            therapist_id=therapist_id,
        )
    except BadQuery as exc:
        return jsonify(error=str(exc)), 400
    except UnknownService:
        return jsonify(error="no such service"), 404
    return jsonify(
        service=availability.service.id,
        time_zone=availability.rules.tz.key,
        first_day=availability.first_day.isoformat(),
        last_day=availability.last_day.isoformat(),
        therapists={str(k): v for k, v in availability.therapists.items()},
        slots=[
            {"start": s.starts_at.isoformat(), "therapists": list(s.therapist_ids)}
            for s in availability.slots
        ],
    )
