"""The JSON API's free times, for scripts and a future richer front end."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, jsonify, request

from spa_app import params
from spa_app.clock import within_reach
from spa_app.database import utcnow
from spa_app.scheduling.queries import UnknownService, find_slots

bp = Blueprint("api", __name__, url_prefix="/api")

MAX_RANGE_DAYS = 31


class BadQuery(ValueError):
    """A query parameter that cannot be used; the message says which and why."""


def _id(name: str, *, allow_any: bool = False) -> int | None:
    raw = request.args.get(name, "any" if allow_any else "")
    if allow_any and raw == "any":
        return None
    if (found := params.as_id(raw)) is None:
        raise BadQuery(f"'{name}' must be a positive id" + (" or 'any'" if allow_any else ""))
    return found


def _day(name: str) -> date | None:
    raw = request.args.get(name)
    if raw is None:
        return None
    if (day := params.as_day(raw)) is None:
        raise BadQuery(f"'{name}' must be a date like 2026-03-29")
    if not within_reach(day, utcnow()):
        raise BadQuery(f"'{name}' is years away; ask for a date within five years")
    return day


@bp.get("/availability")
def availability():
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
        found = find_slots(
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
        service=found.service.id,
        time_zone=found.rules.tz.key,
        first_day=found.first_day.isoformat(),
        last_day=found.last_day.isoformat(),
        therapists={str(k): v for k, v in found.therapists.items()},
        slots=[
            {"start": s.starts_at.isoformat(), "therapists": list(s.therapist_ids)}
            for s in found.slots
        ],
    )
