"""The signed feedback link: it names one visit and its client, and works for thirty days."""

from __future__ import annotations

from datetime import datetime, timedelta

from itsdangerous import BadSignature, URLSafeSerializer

_SALT = "visit-feedback"
LIFE = timedelta(days=30)


def feedback_path(secret: str, booking_id: int, client_id: int, until: datetime) -> str:
    token = URLSafeSerializer(secret, salt=_SALT).dumps(
        [booking_id, client_id, int(until.timestamp())]
    )
    return f"/feedback/{token}"


def read_feedback_token(secret: str, token: str, now: datetime) -> tuple[int, int] | None:
    """(booking id, client id) from a genuine token not expired at ``now``, else None."""
    try:
        booking_id, client_id, until = URLSafeSerializer(secret, salt=_SALT).loads(token)
        if int(until) <= now.timestamp():
            return None
        return int(booking_id), int(client_id)
    except (BadSignature, ValueError, TypeError):
        return None
