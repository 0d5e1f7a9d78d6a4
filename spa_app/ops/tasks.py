from celery import shared_task

from spa_app.database import unit_of_work, utcnow
from spa_app.ops.service import record_heartbeat


@shared_task(name="ops.heartbeat")
def heartbeat() -> None:
    """Record that beat scheduled and a worker ran a task just now. Idempotent."""
    with unit_of_work():  # on SQLite, waits for the write lock rather than failing on it
        record_heartbeat("worker", utcnow())
