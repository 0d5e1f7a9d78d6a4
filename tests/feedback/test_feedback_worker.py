"""The feedback request end to end: beat's sweep in a real worker queues and sends it once."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from tests.feedback.test_feedback import REQUEST, messages, visit
from tests.homecare.watch.test_digest_worker import app_config  # noqa: F401
from tests.notifications.test_worker_delivery import wait_for, worker_env  # noqa: F401

pytestmark = pytest.mark.worker


def test_the_sweep_asks_once(app, smtp, worker):
    proc, log = worker
    done = visit(timedelta(days=1, minutes=5))
    celery = app.extensions["celery"]
    celery.send_task("notifications.sweep")
    celery.send_task("notifications.sweep")
    wait_for(lambda: [m.state.value for m in messages(REQUEST)] == ["sent"], proc, log)
    celery.send_task("notifications.sweep")
    time.sleep(2)  # room for a duplicate, if there were one
    assert [e.rcpt_tos for e in smtp.received] == [[done.client.email]]
