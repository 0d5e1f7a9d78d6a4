"""The worker path end to end: a real ``celery -A worker.app worker`` process runs ops.heartbeat."""

import time

import pytest

from spa_app.extensions import db
from spa_app.ops.models import Heartbeat

WAIT_SECONDS = 25


@pytest.fixture
def app_config(broker_options):
    return {"CELERY": {"broker_url": "filesystem://", "broker_transport_options": broker_options}}


def heartbeat_seen():
    db.session.rollback()  # a fresh read each time, not this session's cached view
    return db.session.execute(db.select(Heartbeat.seen_at).filter_by(name="worker")).scalar()


@pytest.mark.worker
def test_a_real_worker_runs_the_heartbeat_task(app, worker):
    proc, log = worker
    assert heartbeat_seen() is None
    app.extensions["celery"].send_task("ops.heartbeat")

    deadline = time.monotonic() + WAIT_SECONDS
    while heartbeat_seen() is None and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)

    assert heartbeat_seen() is not None, f"no heartbeat row; worker log:\n{log.read_text()}"
