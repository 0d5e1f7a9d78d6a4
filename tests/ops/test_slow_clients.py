"""Idle and slow clients against real gunicorn with the compose settings: /healthz still
answers at once, and a hung request is logged when its worker is killed."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import ExitStack

import pytest

from bench.load import _NO_CONTROL_SOCKET, ROOT, free_port, wait_until_healthy

IDLE, SLOW = 10, 3


@pytest.fixture
def served(sqlite_template, tmp_path):
    """gunicorn as compose runs it (2 processes of 4 threads), on a migrated SQLite copy."""
    database = tmp_path / "spa.db"
    shutil.copy(sqlite_template, database)
    port, log = free_port(), tmp_path / "gunicorn.log"
    env = os.environ | {
        "SPA_SECRET_KEY": "slow-clients-test",
        "SPA_SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
        "SPA_CELERY__broker_url": "memory://",
        "SPA_CELERY__broker_transport_options": "{}",
        "WEB_CONCURRENCY": "2",
        "GUNICORN_THREADS": "4",
    }
    command = [
        sys.executable, "-m", "gunicorn", "--config", "python:spa_app.ops.gunicorn_conf",
        "--bind", f"127.0.0.1:{port}", *_NO_CONTROL_SOCKET, "spa_app:create_app()",
    ]  # fmt: skip
    with open(log, "w") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out)
        try:
            base = f"http://127.0.0.1:{port}"
            wait_until_healthy(base, process, log)
            yield base, port
        finally:
            process.terminate()
            process.wait(timeout=30)


def test_healthz_answers_while_idle_and_slow_connections_are_open(served):
    base, port = served
    with ExitStack() as stack:
        for _ in range(IDLE):  # connect and send nothing
            stack.enter_context(socket.create_connection(("127.0.0.1", port), timeout=5))
        for _ in range(SLOW):  # headers that never finish
            slow = stack.enter_context(socket.create_connection(("127.0.0.1", port), timeout=5))
            slow.sendall(b"GET /services HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: 1")
        time.sleep(0.5)  # let the server accept them all
        started = time.monotonic()
        with urllib.request.urlopen(f"{base}/healthz", timeout=10) as answer:
            status = answer.status
        took = time.monotonic() - started
    print(f"/healthz with {IDLE} idle and {SLOW} slow connections open: {took * 1000:.0f} ms")
    # With sync workers this took 31-36 s (each held a whole process until its timeout).
    assert status == 200 and took < 10


def test_a_worker_killed_for_a_hung_request_leaves_a_json_line(capfd):
    import json
    from types import SimpleNamespace

    from spa_app.ops import gunicorn_conf

    gunicorn_conf.worker_abort(SimpleNamespace(pid=4242))
    (line,) = capfd.readouterr().err.splitlines()
    record = json.loads(line)
    assert (record["event"], record["level"], record["pid"]) == ("worker_timeout", "ERROR", 4242)
    assert record["timeout_s"] == gunicorn_conf.timeout
