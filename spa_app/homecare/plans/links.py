"""The signed link in a routine reminder: one click marks that day's routines done, no login."""

from __future__ import annotations

from datetime import date

from itsdangerous import BadSignature, URLSafeTimedSerializer

_SALT = "plan-day-done"
#: The link works through the next day (a reminder read late in the evening, or the morning after).
MAX_AGE_SECONDS = 2 * 24 * 3600


def day_done_token(secret: str, plan_id: int, client_id: int, day: date) -> str:
    return URLSafeTimedSerializer(secret, salt=_SALT).dumps([plan_id, client_id, day.isoformat()])


def read_day_done_token(secret: str, token: str) -> tuple[int, int, date] | None:
    """(plan id, client id, day) from a genuine, unexpired token, else None."""
    try:
        plan_id, client_id, day = URLSafeTimedSerializer(secret, salt=_SALT).loads(
            token, max_age=MAX_AGE_SECONDS
        )
        return int(plan_id), int(client_id), date.fromisoformat(day)
    except (BadSignature, ValueError, TypeError):
        return None
