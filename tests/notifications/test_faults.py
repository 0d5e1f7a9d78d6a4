"""Nothing lost when Redis is down or flushed: real Redis, a real worker, a real SMTP server."""

from __future__ import annotations

import json
import time as clock
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from spa_app.booking.models import Booking
from spa_app.extensions import db
from spa_app.notifications import tasks
from spa_app.notifications.models import Message, MessageState
from tests import factories
from tests.factories import at

pytestmark = [pytest.mark.redis, pytest.mark.worker]
REDIS_OPTIONS = {"visibility_timeout": 3600}
WAIT_SECONDS = 30


@pytest.fixture
def app_config(private_redis):
    return {"CELERY": {"broker_url": private_redis.url, "broker_transport_options": REDIS_OPTIONS}}


@pytest.fixture
def worker_env(private_redis, smtp):
    return {
        "SPA_CELERY__broker_url": private_redis.url,
        "SPA_CELERY__broker_transport_options": json.dumps(REDIS_OPTIONS),
        "SPA_MAIL_PORT": str(smtp.port),
        "SPA_MAIL_TIMEOUT_SECONDS": "5",
    }


def book_over_http(client):
    svc, (t,), _ = factories.spa()
    factories.login(client, factories.user())
    start = at(factories.next_weekday(1), "10:00")
    return client.post(
        f"/book/{svc.id}/confirm",
        data={
            "start": start.isoformat(),
            "therapist": str(t.id),
            "request_key": "fault-test-key-1234",
        },
    )


def states():
    factories.fresh()
    return [m.state for m in db.session.execute(db.select(Message)).scalars()]


def wait_until(condition, log=None):
    deadline = clock.monotonic() + WAIT_SECONDS
    while not condition() and clock.monotonic() < deadline:
        clock.sleep(0.2)
    assert condition(), log.read_text() if log else "timed out"


def test_redis_down_while_a_client_books(app, client, private_redis, smtp, worker):
    proc, log = worker
    private_redis.stop()
    answer = book_over_http(client)
    assert answer.status_code == 302  # the booking does not need the broker
    factories.fresh()
    assert db.session.execute(sa.select(sa.func.count(Booking.id))).scalar() == 1
    assert states() == [MessageState.PENDING]

    private_redis.start()  # back, empty; the worker reconnects by itself
    tasks.sweep()  # what beat does every minute
    wait_until(lambda: states() == [MessageState.SENT], log)
    assert len(smtp.received) == 1


def test_redis_flushed_with_mail_dispatched(app, client, private_redis, smtp, request):
    assert book_over_http(client).status_code == 302
    assert tasks.sweep() == 1  # leased and queued on Redis...
    private_redis.flush()  # ...and the queue is lost
    proc, log = request.getfixturevalue("worker")
    clock.sleep(3)
    assert smtp.received == [] and states() == [MessageState.PENDING]

    # When the lease runs out the next sweep sends it again (the lease is moved back here
    # instead of waiting five minutes).
    db.session.execute(sa.update(Message).values(due_at=datetime.now(UTC) - timedelta(seconds=1)))
    db.session.commit()
    assert tasks.sweep() == 1
    wait_until(lambda: states() == [MessageState.SENT], log)
    assert len(smtp.received) == 1
