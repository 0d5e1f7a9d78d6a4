"""The e-mail path end to end: beat's sweep and the send tasks in a real worker process."""

from __future__ import annotations

import time

import pytest

from spa_app.extensions import db
from spa_app.notifications.models import Message, MessageState
from tests import factories

pytestmark = pytest.mark.worker
WAIT_SECONDS = 25


@pytest.fixture
def app_config(broker_options):
    return {"CELERY": {"broker_url": "filesystem://", "broker_transport_options": broker_options}}


@pytest.fixture
def worker_env(smtp):
    return {"SPA_MAIL_PORT": str(smtp.port), "SPA_MAIL_TIMEOUT_SECONDS": "5"}


def states():
    factories.fresh()
    return [m.state for m in db.session.execute(db.select(Message)).scalars()]


def wait_for(condition, proc, log):
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    assert condition(), f"worker log:\n{log.read_text()}"


def test_two_sweeps_at_once_send_each_confirmation_once(app, smtp, worker):
    proc, log = worker
    svc, (t,), _ = factories.spa(therapists=1, rooms=2)
    for hhmm in ("10:00", "12:00"):
        factories.booked_online(svc, t, factories.next_weekday(0), hhmm)

    celery = app.extensions["celery"]
    celery.send_task("notifications.sweep")  # as if two beat processes fired together
    celery.send_task("notifications.sweep")

    wait_for(lambda: states() == [MessageState.SENT] * 2, proc, log)
    time.sleep(1)  # room for a duplicate to arrive, if there were one
    assert len(smtp.received) == 2
    assert {tuple(e.rcpt_tos) for e in smtp.received} == {
        (m.user.email,) for m in db.session.execute(db.select(Message)).scalars()
    }


class TestHungMailServer:
    @pytest.fixture
    def worker_env(self, silent_server):
        return {"SPA_MAIL_PORT": str(silent_server), "SPA_MAIL_TIMEOUT_SECONDS": "2"}

    def test_a_server_that_never_answers_does_not_stick_the_worker(self, app, worker):
        proc, log = worker
        svc, (t,), _ = factories.spa(therapists=1, rooms=2)
        for hhmm in ("10:00", "12:00"):
            factories.booked_online(svc, t, factories.next_weekday(0), hhmm)
        app.extensions["celery"].send_task("notifications.sweep")

        def both_tried():
            factories.fresh()
            tried = db.session.execute(db.select(Message)).scalars()
            return [[a.outcome for a in m.history] for m in tried] == [["retry"], ["retry"]]

        # One worker process, one task at a time: the second is tried only if the first let go.
        wait_for(both_tried, proc, log)
        assert states() == [MessageState.PENDING] * 2
        errors = [m.last_error for m in db.session.execute(db.select(Message)).scalars()]
        assert all("timed out" in e.lower() for e in errors), errors
        assert proc.poll() is None
