"""The signed check-in link: from the routine reminder once a week, and from a visit's
reminder. It opens the check-in page with no log-in, for one client and one period only.

The token carries the client, the period and when it stops working: a week's link a little
over a week after it was sent (a reminder read late, or on the next Monday morning), a visit's
link a day after the visit ends (a client who rates their areas on the way home still counts).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from itsdangerous import BadSignature, URLSafeSerializer

_SALT = "outcomes-check-in"
#: How long a week's link works after the reminder carrying it was queued.
WEEK_LINK_LIFE = timedelta(days=8)
#: How long a visit's link works after the visit's end.
VISIT_LINK_GRACE = timedelta(days=1)

WEEK, VISIT = "week", "visit"


def week_period(day: date) -> str:
    """The period of the local week ``day`` is in, named by its Monday: "week:2026-12-07"."""
    return f"{WEEK}:{(day - timedelta(days=day.weekday())).isoformat()}"


def visit_period(booking_id: int) -> str:
    return f"{VISIT}:{booking_id}"


def week_link_until(queued_at: datetime) -> datetime:
    return queued_at + WEEK_LINK_LIFE


def visit_link_until(visit_ends_at: datetime) -> datetime:
    return visit_ends_at + VISIT_LINK_GRACE


def checkin_path(secret: str, client_id: int, period: str, until: datetime) -> str:
    """The page's path (without the site's address) for ``client_id`` and ``period``."""
    return f"/check-in/{checkin_token(secret, client_id, period, until)}"


def checkin_token(secret: str, client_id: int, period: str, until: datetime) -> str:
    return URLSafeSerializer(secret, salt=_SALT).dumps([client_id, period, int(until.timestamp())])


def read_checkin_token(secret: str, token: str, now: datetime) -> tuple[int, str] | None:
    """(client id, period) from a genuine token that has not expired at ``now``, else None."""
    try:
        client_id, period, until = URLSafeSerializer(secret, salt=_SALT).loads(token)
        if not isinstance(period, str) or int(until) <= now.timestamp():
            return None
        return int(client_id), period
    except (BadSignature, ValueError, TypeError):
        return None


def parse_period(period: str) -> tuple[str, date | int] | None:
    """("week", its Monday) or ("visit", the booking id) from a period key, else None."""
    kind, _, value = period.partition(":")
    try:
        if kind == WEEK:
            monday = date.fromisoformat(value)
            return (WEEK, monday) if monday.weekday() == 0 else None
        if kind == VISIT and value.isascii() and value.isdigit():
            return VISIT, int(value)
    except ValueError:
        return None
    return None
