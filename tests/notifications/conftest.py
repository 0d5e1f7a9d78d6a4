"""A real SMTP server for the delivery tests, on a free port, and helpers to drive delivery."""

from __future__ import annotations

import socket
import threading

import pytest
from aiosmtpd.controller import Controller

from spa_app.extensions import db
from spa_app.notifications import delivery


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Sink:
    """Accepts mail (250) and keeps it, unless told to answer something else first."""

    def __init__(self):
        self.received = []
        self.answers: list[str] = []  # e.g. "451 4.3.0 try later", used once each, in order

    async def handle_DATA(self, server, session, envelope):
        if self.answers:
            return self.answers.pop(0)
        self.received.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp():
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    sink.port = controller.port
    yield sink
    controller.stop()


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


def deliver(message_id: int, now, mail, jitter=lambda: 0.5):
    """What the send task does: claim and commit, then send and commit. None if not claimed."""
    if not delivery.claim(message_id, now):
        db.session.rollback()
        return None
    db.session.commit()
    outcome = delivery.send(message_id, now, mail, jitter)
    db.session.commit()
    return outcome
