"""The check-ins section of a client's data download (spa_app.privacy.export): every check-in
with its scores, first submitted first. Read by the client themselves, so not audited. One
statement for any number (service.scores_of)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from spa_app.homecare.outcomes.service import CheckInRow, scores_of
from spa_app.privacy.export_health import utc as _utc


def checkins(cid: int, tz: ZoneInfo) -> list[dict]:
    return [_checkin(row, tz) for row in scores_of(cid)]


def _checkin(row: CheckInRow, tz: ZoneInfo) -> dict:
    return {
        "period": row.period,
        "booking_id": row.booking_id,
        "scores": {area.value: score for area, score in row.scores.items()},
        "goal": None if row.goal is None else row.goal.value,
        "goal_score": row.goal_score,
        "first_saved_at": _utc(row.at),
        "first_saved_at_local": row.at.astimezone(tz).isoformat(timespec="seconds"),
        "last_edited_at": _utc(row.updated_at),
    }
