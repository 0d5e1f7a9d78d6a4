"""The digest end to end: beat's digest task and the mail sweep in a real worker process,
through a real SMTP server; run twice, each therapist gets one e-mail."""

from __future__ import annotations

import time

import pytest

from spa_app.extensions import db
from spa_app.notifications.models import Message, MessageKind, MessageState
from tests import factories
from tests.notifications.test_worker_delivery import wait_for

pytestmark = pytest.mark.worker


@pytest.fixture
def app_config(broker_options):
    return {"CELERY": {"broker_url": "filesystem://", "broker_transport_options": broker_options}}


@pytest.fixture
def worker_env(smtp):
    # Any hour is the digest's hour, so the test does not depend on the time it runs.
    return {"SPA_MAIL_PORT": str(smtp.port), "SPA_CARE_DIGEST_AT": "00:00"}


def digest_states():
    factories.fresh()
    kind = Message.kind == MessageKind.CARE_DIGEST
    return [m.state for m in db.session.scalars(db.select(Message).where(kind))]


def test_each_therapist_gets_one_digest_however_often_it_runs(app, clients, smtp, worker):
    proc, log = worker
    celery = app.extensions["celery"]
    celery.send_task("homecare.care_digest")
    celery.send_task("homecare.care_digest")  # as if beat fired twice
    wait_for(lambda: len(digest_states()) == 2, proc, log)
    celery.send_task("notifications.sweep")
    celery.send_task("notifications.sweep")
    wait_for(lambda: digest_states() == [MessageState.SENT] * 2, proc, log)
    celery.send_task("homecare.care_digest")
    celery.send_task("notifications.sweep")
    time.sleep(2)  # room for a duplicate to arrive, if there were one
    therapists = {clients["own"].email, clients["other"].email}
    digests = [e for e in smtp.received if e.rcpt_tos[0] in therapists]  # not the plans' news
    assert sorted(e.rcpt_tos[0] for e in digests) == sorted(therapists)
    mine = next(e for e in digests if e.rcpt_tos == [clients["own"].email])
    body = mine.content.decode()
    assert "Halved Client" in body and "Sore Client" in body and "Steady Client" not in body
