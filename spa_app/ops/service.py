"""Is the service healthy: database, broker and background workers."""

from __future__ import annotations

from datetime import datetime

from flask import current_app

from spa_app.database import dialect_insert
from spa_app.extensions import db
from spa_app.ops.models import Heartbeat


def record_heartbeat(name: str, now: datetime) -> None:
    """Upsert ``name``'s last-seen time in one statement (the caller commits). Idempotent, and
    safe when two run at once."""
    insert = dialect_insert(Heartbeat.__table__, db.session).values(name=name, seen_at=now)
    db.session.execute(
        insert.on_conflict_do_update(
            index_elements=["name"], set_={"seen_at": insert.excluded.seen_at}
        )
    )


def check_database() -> str | None:
    """None if the database answers, else the reason."""
    try:
        db.session.execute(db.text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any failure is "unhealthy", reported as text
        db.session.rollback()
        return type(exc).__name__
    return None


def check_broker(timeout: float = 2.0) -> str | None:
    """None if the Celery broker accepts a connection within ``timeout`` seconds."""
    celery = current_app.extensions["celery"]
    try:
        with celery.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=timeout)
    except Exception as exc:  # noqa: BLE001
        return type(exc).__name__
    return None


def last_heartbeat(name: str) -> datetime | None:
    beat = db.session.get(Heartbeat, name)
    return beat.seen_at if beat else None
