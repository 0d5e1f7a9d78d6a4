"""A booked visit with its confirmation, a mail server that never answers, and helpers that
drive delivery as beat and a worker do."""

from __future__ import annotations

import socket
import threading
from datetime import UTC, datetime

import pytest

from spa_app.booking import service
from spa_app.database import unit_of_work
from spa_app.extensions import db
from spa_app.notifications import delivery
from spa_app.notifications.models import Message
from tests import factories
from tests.factories import at


@pytest.fixture
def booked(app):
    """A client with a booking made through the service, and its queued confirmation."""
    svc, (t,), _ = factories.spa()
    client = factories.user(name="Dana Doe")
    start = at(factories.next_weekday(0), "10:00")
    with unit_of_work():
        booking = service.book(
            client=client,
            choice=service.Choice(svc.id, start, t.id),
            actor=client,
            now=datetime.now(UTC),
        )
    (message,) = messages()
    return booking, message


def messages():
    """Every message, oldest first, as committed now."""
    factories.fresh()
    return db.session.execute(db.select(Message).order_by(Message.id)).scalars().all()


@pytest.fixture
def silent_server():
    """A TCP server that accepts connections and never says a word (a hung mail server)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    held = []
    stop = threading.Event()

    def accept():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    server.close()


def mail_settings(app, port: int, **overrides) -> delivery.MailSettings:
    config = {**app.config, "MAIL_PORT": port, "MAIL_TIMEOUT_SECONDS": 1, **overrides}
    return delivery.MailSettings.from_config(config)


def deliver_all(now, mail, jitter=lambda: 0.5) -> dict:
    """What one beat sweep and its send tasks do: {message id: outcome} for what was due."""
    db.session.rollback()  # a sweep starts fresh: see what requests committed meanwhile
    tokens = delivery.dispatch_due(now)
    db.session.commit()
    outcomes = {}
    for message_id, token in tokens:
        if delivery.claim(message_id, token, now):
            db.session.commit()
            outcomes[message_id] = send(message_id, now, mail, jitter)
        db.session.commit()
    return outcomes


def deliver(message_id: int, now, mail, jitter=lambda: 0.5):
    """The outcome for one message after a sweep at ``now``; None if it was not due."""
    return deliver_all(now, mail, jitter).get(message_id)


def send(message_id: int, now, mail, jitter=lambda: 0.5):
    """Write the attempt, compose, hand over and record one claimed message, as the send
    task does."""
    attempt_id = delivery.begin_attempt(message_id, now)
    db.session.commit()
    email = delivery.compose(message_id, mail)
    db.session.rollback()
    result = delivery.hand_over(email, mail)
    outcome = delivery.record(message_id, now, mail, result, jitter, attempt_id=attempt_id)
    db.session.commit()
    return outcome
