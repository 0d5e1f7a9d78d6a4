"""The win-back end to end: beat's sweep in a real worker queues it and sends it, once, through
a real SMTP server, however often the sweep runs."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from tests.cadence.test_win_back import win_backs
from tests.homecare.watch.test_digest_worker import app_config  # noqa: F401
from tests.notifications.test_nudges import completed_visit
from tests.notifications.test_worker_delivery import wait_for, worker_env  # noqa: F401

pytestmark = pytest.mark.worker


def test_the_sweep_sends_the_win_back_once(app, smtp, worker):
    proc, log = worker
    b = completed_visit(datetime.now(UTC).replace(microsecond=0) - timedelta(weeks=10, days=1))
    celery = app.extensions["celery"]
    celery.send_task("notifications.sweep")
    celery.send_task("notifications.sweep")
    wait_for(lambda: [m.state.value for m in win_backs()] == ["sent"], proc, log)
    celery.send_task("notifications.sweep")
    time.sleep(2)  # room for a duplicate, if there were one
    assert [e.rcpt_tos for e in smtp.received] == [[b.client.email]]
