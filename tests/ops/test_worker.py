"""The worker path end to end: a real ``celery -A worker.app worker`` process runs ops.heartbeat."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from spa_app.extensions import db
from spa_app.ops.models import Heartbeat

ROOT = Path(__file__).resolve().parents[2]
WAIT_SECONDS = 25


@pytest.fixture
def broker_options(tmp_path) -> dict:
    folders = {name: tmp_path / "broker" / name for name in ("queue", "processed", "control")}
    for folder in folders.values():
        folder.mkdir(parents=True)
    return {
        "data_folder_in": str(folders["queue"]),
        "data_folder_out": str(folders["queue"]),
        "processed_folder": str(folders["processed"]),
        "control_folder": str(folders["control"]),
        "store_processed": False,
    }


@pytest.fixture
def app_config(broker_options):
    return {"CELERY": {"broker_url": "filesystem://", "broker_transport_options": broker_options}}


@pytest.fixture
def worker(app, broker_options, tmp_path):
    """A worker process configured like production: only SPA_* variables, same broker and DB."""
    env = dict(
        os.environ,
        SPA_SECRET_KEY="worker-test-secret",
        SPA_SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
        SPA_CELERY__broker_url="filesystem://",
        SPA_CELERY__broker_transport_options=json.dumps(broker_options),
    )
    log = tmp_path / "worker.log"
    command = [sys.executable, "-m", "celery", "-A", "worker.app", "worker", "--concurrency=1"]
    with open(log, "w") as out:
        proc = subprocess.Popen(
            command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=out
        )
    yield proc, log
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


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
