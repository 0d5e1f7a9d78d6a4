from celery import shared_task

from spa_app.database import serialized_writes, utcnow
from spa_app.extensions import db
from spa_app.ops.service import record_heartbeat


@shared_task(name="ops.heartbeat")
def heartbeat() -> None:
    """Record that beat scheduled and a worker ran a task just now. Idempotent."""
    with serialized_writes():  # on SQLite, wait for the write lock rather than fail on it
        record_heartbeat("worker", utcnow())
        db.session.commit()
