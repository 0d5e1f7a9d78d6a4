"""gunicorn's settings for the spa: ``gunicorn -c python:spa_app.ops.gunicorn_conf ...``.

Threaded workers (``gthread``): a connection that sends nothing is parked in the worker's poller
after a few seconds instead of holding a whole process, so idle clients cannot starve the site
as they did with sync workers (three held both default workers for 30 s). A client that sends
its request slowly still holds a thread while it does: the buffering reverse proxy in front
(docker-compose.yml) reads each request whole first, so gunicorn must not be published alone.
Threads suit this app: requests wait on PostgreSQL and Redis, not on the CPU, and the app keeps
no per-request state outside Flask's context. An async worker would need gevent's patching under
psycopg and Celery's client for no gain here. WEB_CONCURRENCY sets the processes and
GUNICORN_THREADS the threads of each (gunicorn reads both from the environment).
"""

import json
import os
import sys
from datetime import UTC, datetime

worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# A request still running after this is a hung worker: gunicorn kills and replaces it.
timeout = 30
graceful_timeout = 30
keepalive = 5
# Request-line and header bounds (the body is bounded by the app's SPA_MAX_CONTENT_LENGTH).
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190


def worker_abort(worker) -> None:
    """A worker killed for running past ``timeout``: one JSON line like the app's own, so the
    request that hung is not a silent 500 (the app's request line never got written)."""
    line = {
        "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "level": "ERROR",
        "event": "worker_timeout",
        "pid": worker.pid,
        "timeout_s": timeout,
    }
    sys.__stderr__.write(json.dumps(line, separators=(",", ":")) + "\n")
    sys.__stderr__.flush()
