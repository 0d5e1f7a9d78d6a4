from celery import shared_task

from spa_app.database import utcnow
from spa_app.extensions import db
from spa_app.ops.service import record_heartbeat


@shared_task(name="ops.heartbeat")
def heartbeat() -> None:
    """Record that beat scheduled and a worker ran a task just now. Idempotent."""
    record_heartbeat("worker", utcnow())
    db.session.commit()
