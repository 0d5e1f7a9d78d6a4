"""The four-to-six-week rhythm: when a client's next visit is due after a completed one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from spa_app.booking.models import Booking
from spa_app.cadence.models import NextVisit
from spa_app.database import dialect_insert
from spa_app.extensions import db

OPENS_AFTER = timedelta(weeks=4)
CLOSES_AFTER = timedelta(weeks=6)


def window_after(visit_start: datetime, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """(opens, closes) in UTC: four and six weeks after ``visit_start`` on the local clock.

    Adding days to an aware local time is wall-clock arithmetic in Python, so a visit at 10:00
    in winter gives windows at 10:00 in summer (an hour fewer in real time). A local time that a
    clock change skips resolves to the time it would have been before the change, which reads
    an hour later on the new clock.
    """
    local = visit_start.astimezone(tz)
    return (local + OPENS_AFTER).astimezone(UTC), (local + CLOSES_AFTER).astimezone(UTC)


def record_completed_visit(booking: Booking, tz: ZoneInfo) -> None:
    """Make ``booking`` the client's latest visit, unless a later one is already recorded.

    One upsert, so two visits of one client marked at once leave the later one. Flushed with the
    caller's transaction.
    """
    opens_at, closes_at = window_after(booking.starts_at, tz)
    values = {
        "client_id": booking.client_id,
        "booking_id": booking.id,
        "therapist_id": booking.therapist_id,
        "service_id": booking.service_id,
        "last_visit_at": booking.starts_at,
        "opens_at": opens_at,
        "closes_at": closes_at,
    }
    table = NextVisit.__table__
    insert = dialect_insert(table, db.session).values(**values)
    statement = insert.on_conflict_do_update(
        index_elements=[table.c.client_id],
        set_={name: insert.excluded[name] for name in values if name != "client_id"},
        where=table.c.last_visit_at < insert.excluded.last_visit_at,
    )
    db.session.execute(statement)
