"""Structured logs: one JSON line per request and one per Celery task, on standard error.

A line names what happened by ids, routes and timings only. It never holds a form body, a query
string, an e-mail address or anything from a client's health record, so the logs can go to any
log store. The level comes from ``SPA_LOG_LEVEL`` (INFO by default).
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime

from celery import signals
from flask import Flask, Response, g, request

logger = logging.getLogger("spa_app.events")

DEFAULT_LEVEL = "INFO"
REQUEST_ID_HEADER = "X-Request-ID"
# What load balancers and tracing tools send (UUIDs, hex, base64 tokens). Anything else (CR/LF,
# quotes, a kilobyte of text) is replaced, so a client cannot forge log lines or headers with it.
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:+/=-]{0,127}")
# Successful probes every few seconds would drown the requests people make.
QUIET_RULES = frozenset({"/healthz"})


class JsonLines(logging.Formatter):
    """A record as one JSON object: time (UTC), level, event, then the record's ``fields``."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "event": record.getMessage(),
            **getattr(record, "fields", {}),
        }
        return json.dumps(line, separators=(",", ":"), default=str)


def configure(level: str | int) -> None:
    """Write ``spa_app.events`` as JSON lines at ``level``; the handler is added once a process.

    Raises ValueError for a level that ``logging`` does not know.
    """
    if not any(isinstance(h.formatter, JsonLines) for h in logger.handlers):
        # The real stream: Celery's worker swaps sys.stderr for a proxy that would log each line
        # again in its own format.
        handler = logging.StreamHandler(sys.__stderr__)
        handler.setFormatter(JsonLines())
        logger.addHandler(handler)
        logger.propagate = False
    # Alembic's logging.config.fileConfig disables every logger that exists when it runs.
    logger.disabled = False
    logger.setLevel(level.upper() if isinstance(level, str) else level)


def init_app(app: Flask) -> None:
    """Log each request of ``app`` once. Call before anything else registers request hooks, so
    this start runs first and this finish runs last, when the status is final."""
    level = app.config.get("LOG_LEVEL") or DEFAULT_LEVEL
    configure(level)
    app.logger.setLevel(logger.level)
    app.before_request(_start_request)
    app.after_request(_finish_request)


def request_id(header: str | None) -> str:
    """The caller's request id when it looks like one, else a new random one."""
    if header and SANE_REQUEST_ID.fullmatch(header):
        return header
    return uuid.uuid4().hex


def _start_request() -> None:
    g.request_started = time.perf_counter()
    g.request_id = request_id(request.headers.get(REQUEST_ID_HEADER))


def _finish_request(response: Response) -> Response:
    rid = g.get("request_id") or request_id(None)
    response.headers[REQUEST_ID_HEADER] = rid
    rule = request.url_rule.rule if request.url_rule is not None else None
    if response.status_code >= 500:
        level = logging.ERROR
    elif rule in QUIET_RULES:
        level = logging.DEBUG
    else:
        level = logging.INFO
    fields = {
        "request_id": rid,
        "method": request.method,
        "rule": rule,  # the route's pattern: the path itself may carry tokens or search words
        "status": response.status_code,
        "duration_ms": _elapsed_ms(g.get("request_started")),
        "user_id": _user_id(),
    }
    logger.log(level, "request", extra={"fields": fields})
    return response


def _user_id() -> int | None:
    # Only a user this request already loaded (Flask-Login keeps it in g._login_user): asking
    # current_user here would cost a query on requests that never needed one, like static files.
    user = g.get("_login_user")
    return getattr(user, "id", None) if getattr(user, "is_authenticated", False) else None


def _elapsed_ms(started: float | None) -> float | None:
    return None if started is None else round((time.perf_counter() - started) * 1000, 1)


# Tasks: Celery's signals fire in the process that runs the task (a pool child, or the caller
# when a task is applied eagerly). Arguments are never logged, though they are only ids.
_task_started: dict[str, float] = {}


def _task_prerun(task_id: str, **_) -> None:
    _task_started[task_id] = time.perf_counter()


def _task_postrun(task_id: str, task, state: str | None = None, **_) -> None:
    outcome = (state or "unknown").lower()
    fields = {
        "task": task.name,
        "task_id": task_id,
        "outcome": outcome,
        "duration_ms": _elapsed_ms(_task_started.pop(task_id, None)),
    }
    logger.log(
        logging.ERROR if outcome == "failure" else logging.INFO, "task", extra={"fields": fields}
    )


def log_tasks() -> None:
    """Log one line for each task this process runs. Idempotent (connected once a process)."""
    signals.task_prerun.connect(_task_prerun, weak=False, dispatch_uid="spa_app.logs.prerun")
    signals.task_postrun.connect(_task_postrun, weak=False, dispatch_uid="spa_app.logs.postrun")
