"""A worker killed in the middle of sending: the message goes once, or at most twice, and the
history shows each try.

Real processes throughout: a Celery worker on a filesystem broker, the test's SQLite file and
an aiosmtpd server whose handler holds its answer to DATA until the test says so. Each worker
here runs in a session of its own, so SIGKILL to its process group takes the main process
and its prefork pool child (the one talking SMTP) at the same instant, as a power cut would.

The lease is a few seconds here (MAIL_LEASE_SECONDS for the test's sweeps, SPA_MAIL_LEASE_SECONDS
for the worker), so the message becomes due again soon after the kill.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from email import message_from_bytes, policy
from pathlib import Path

import pytest
import sqlalchemy as sa

from spa_app.database import utcnow
from spa_app.extensions import db
from spa_app.notifications import tasks
from spa_app.notifications.models import Message, MessageState
from tests import factories
from tests.conftest import PROJECT_ROOT, serving

pytestmark = pytest.mark.worker
# The send task's limits (seven short timeouts and the long one, then one more: 6 s and 6.5 s
# here) stay below the lease (the app refuses otherwise), as in production (10 s, 600 s for the
# answer to the message, 670 s and 680 s, a 900 s lease). The long timeout leaves the test time
# to kill the worker while the server holds its answer.
LEASE_SECONDS = 7
TIME_LIMIT_SECONDS, SOFT_LIMIT_SECONDS = 3.5, 3
MAIL_TIMEOUT_SECONDS, MAIL_DATA_TIMEOUT_SECONDS = 0.5, 2.5
WAIT_SECONDS = 20


class StallingSink:
    """Keeps accepted mail, like conftest's Sink; told to, it holds one DATA reply back.

    ``stall_next()``: the next DATA sets ``arrived`` (the whole message is in, the client
    waits for the answer) and then waits for ``answer``. Only then is the message kept and
    250 returned. If the client goes away first, aiosmtpd cancels the session's handler
    (connection_lost / eof_received), so the message is never kept: the server never said
    it took it. ``vanished`` records that.
    """

    def __init__(self):
        self.received = []
        self.arrived = threading.Event()
        self.answer = threading.Event()
        self.vanished = threading.Event()
        self.quit = threading.Event()
        self._stall = False

    def stall_next(self) -> None:
        self._stall = True

    async def handle_DATA(self, server, session, envelope):
        if self._stall:
            self._stall = False
            self.arrived.set()
            try:
                while not self.answer.is_set():
                    await asyncio.sleep(0.02)
            except asyncio.CancelledError:
                self.vanished.set()
                raise
        self.received.append(envelope)
        return "250 OK"

    async def handle_QUIT(self, server, session, envelope):
        self.quit.set()
        return "221 Bye"


@pytest.fixture
def smtp():
    """The mail server for this module: conftest's, with a StallingSink for its handler."""
    with serving(StallingSink()) as sink:
        yield sink
        sink.answer.set()  # let a held session end


@pytest.fixture
def app_config(broker_options):
    return {
        "CELERY": {
            "broker_url": "filesystem://",
            "broker_transport_options": broker_options,
            "task_time_limit": TIME_LIMIT_SECONDS,
            "task_soft_time_limit": SOFT_LIMIT_SECONDS,
        },
        "MAIL_LEASE_SECONDS": LEASE_SECONDS,
        "MAIL_TIMEOUT_SECONDS": MAIL_TIMEOUT_SECONDS,
        "MAIL_DATA_TIMEOUT_SECONDS": MAIL_DATA_TIMEOUT_SECONDS,
    }


@pytest.fixture
def worker_env(smtp):
    return {
        "SPA_MAIL_PORT": str(smtp.port),
        "SPA_MAIL_TIMEOUT_SECONDS": str(MAIL_TIMEOUT_SECONDS),
        "SPA_MAIL_DATA_TIMEOUT_SECONDS": str(MAIL_DATA_TIMEOUT_SECONDS),
        "SPA_MAIL_LEASE_SECONDS": str(LEASE_SECONDS),
        "SPA_CELERY__task_time_limit": str(TIME_LIMIT_SECONDS),
        "SPA_CELERY__task_soft_time_limit": str(SOFT_LIMIT_SECONDS),
    }


def group_members(pgid: int) -> list[int]:
    """Live (not zombie) processes in process group ``pgid``, from /proc."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()  # after "pid (comm)": state, ppid, pgrp, ...
        if fields[0] != "Z" and int(fields[2]) == pgid:
            members.append(int(entry.name))
    return members


class Worker:
    def __init__(self, proc: subprocess.Popen, log: Path):
        self.proc, self.log = proc, log

    def wait_ready(self) -> None:
        deadline = time.monotonic() + WAIT_SECONDS
        while " ready." not in self.log.read_text() and time.monotonic() < deadline:
            assert self.proc.poll() is None, f"worker died:\n{self.log.read_text()}"
            time.sleep(0.1)
        assert " ready." in self.log.read_text(), self.log.read_text()

    def kill(self) -> None:
        """SIGKILL the main process and its pool child together (their own process group)."""
        members = group_members(self.proc.pid)
        assert self.proc.pid in members and len(members) >= 2, members  # main and pool child
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)
        deadline = time.monotonic() + 5
        while group_members(self.proc.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert group_members(self.proc.pid) == [], "a worker process survived SIGKILL"

    def stop(self) -> None:
        """Warm shutdown through the main process, then SIGKILL for anything left."""
        if self.proc.poll() is None:
            self.proc.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=15)
        if group_members(self.proc.pid):
            with contextlib.suppress(ProcessLookupError):  # gone in the meantime
                os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()


@pytest.fixture
def start_worker(app, broker_options, worker_env, tmp_path):
    """Start workers like conftest's ``worker`` (SPA_* variables only), each killable as one.

    Every worker started is stopped at the end of the test, whatever happened.
    """
    started: list[Worker] = []
    env = dict(
        os.environ,
        SPA_SECRET_KEY="worker-test-secret",
        SPA_SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
        SPA_CELERY__broker_url="filesystem://",
        SPA_CELERY__broker_transport_options=json.dumps(broker_options),
        **worker_env,
    )

    def start() -> Worker:
        n = len(started) + 1
        log = tmp_path / f"worker{n}.log"
        command = [
            sys.executable, "-m", "celery", "-A", "worker.app", "worker", "--concurrency=1",
            "--loglevel=INFO", f"--hostname=killed{n}@%h", "--without-mingle", "--without-gossip",
        ]  # fmt: skip
        with open(log, "w") as out:
            proc = subprocess.Popen(
                command,
                cwd=PROJECT_ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=out,
                start_new_session=True,  # its own process group: killpg reaches the pool child
            )
        started.append(Worker(proc, log))
        return started[-1]

    yield start
    for w in started:
        w.stop()


def book_a_visit() -> None:
    """One booking, hence one confirmation e-mail due now."""
    svc, (t,), _ = factories.spa(therapists=1, rooms=1)
    factories.booked_online(svc, t, factories.next_weekday(0))


def the_message() -> Message:
    factories.fresh()
    (message,) = db.session.execute(db.select(Message)).scalars()
    return message


def sweep() -> int:
    """What beat does: run the sweep here, on the test's app (its send tasks go to the broker)."""
    factories.fresh()
    return tasks.sweep()


def wait_for(condition, what: str, *workers: Worker) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.1)
    logs = "\n".join(f"--- {w.log.name}\n{w.log.read_text()}" for w in workers)
    assert condition(), f"timed out waiting for {what}\n{logs}"


def send_again_after_the_lease(start_worker) -> Worker:
    """Sweep as beat would until the lease runs out and a fresh worker sends the message."""
    fresh = start_worker()
    assert sweep() == 0, "the killed send's lease still holds the message"
    lease_end = the_message().due_at
    fresh.wait_ready()
    while utcnow() <= lease_end:
        time.sleep(0.1)
    assert sweep() == 1  # leased again, with a new token, to the fresh worker
    wait_for(lambda: the_message().state is MessageState.SENT, "the message to be sent", fresh)
    return fresh


def history(message: Message) -> list[str]:
    return [attempt.outcome for attempt in message.history]


def test_killed_before_the_server_accepted_it_is_sent_once(app, smtp, start_worker):
    """The worker dies with the whole message sent but no 250 yet: no copy was accepted, so
    the message goes again after the lease, once. Exactly one accepted copy in the end."""
    first = start_worker()
    book_a_visit()
    first.wait_ready()
    smtp.stall_next()
    assert sweep() == 1
    assert smtp.arrived.wait(WAIT_SECONDS), first.log.read_text()

    first.kill()  # while the server holds its answer to DATA
    assert smtp.vanished.wait(5), "the server should see the client go before it answered"
    assert smtp.received == []
    message = the_message()
    # The claim counted the try and wrote it down before talking to the server; nothing
    # recorded its outcome.
    assert (message.state, message.attempts) == (MessageState.PENDING, 1)
    assert history(message) == ["sending"]

    fresh = send_again_after_the_lease(start_worker)
    time.sleep(1)  # room for a duplicate to arrive, if there were one
    assert len(smtp.received) == 1, "killed before the 250: the message must arrive once"
    message = the_message()
    assert smtp.received[0].rcpt_tos == [message.user.email]
    # Two tries counted and both in the history: the killed one cut short, then the one that
    # sent.
    assert message.attempts == 2
    assert history(message) == ["cut short", "sent"]
    assert message.sent_at is not None and message.last_error is None
    assert fresh.proc.poll() is None


def test_killed_after_the_server_accepted_it_is_sent_at_most_twice(app, smtp, start_worker):
    """The worker dies after the server's 250 and before record() commits: the documented
    one duplicate. The server has a copy, the database still says pending, so the message
    goes again after the lease. Exactly two accepted copies, never more.

    To stop the worker between the 250 and its commit without touching product code, the test
    takes SQLite's write lock (BEGIN IMMEDIATE on its own connection) before the server
    answers 250; the worker's record() then waits on the lock (busy_timeout is 10 s) until
    it is killed.
    """
    first = start_worker()
    book_a_visit()
    first.wait_ready()
    smtp.stall_next()
    assert sweep() == 1
    assert smtp.arrived.wait(WAIT_SECONDS), first.log.read_text()

    database = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    lock = sqlite3.connect(database, timeout=10, isolation_level=None)
    try:
        lock.execute("BEGIN IMMEDIATE")
        smtp.answer.set()  # 250: the server now has the message
        assert smtp.quit.wait(WAIT_SECONDS), first.log.read_text()  # the worker read the 250
        time.sleep(0.5)  # into record(), waiting on the lock
        assert len(smtp.received) == 1
        first.kill()
        lock.execute("ROLLBACK")
    finally:
        lock.close()

    message = the_message()
    assert (message.state, message.attempts) == (MessageState.PENDING, 1)
    assert history(message) == ["sending"]

    send_again_after_the_lease(start_worker)
    time.sleep(1)  # room for a third copy to arrive, if there were one
    assert len(smtp.received) == 2, (
        "killed after the 250 and before the commit: the one documented duplicate, no more"
    )
    first_copy, second_copy = smtp.received
    assert first_copy.rcpt_tos == second_copy.rcpt_tos == [the_message().user.email]
    # Both copies carry one Message-ID, so the client's mail app shows the message once.
    ids = {
        message_from_bytes(c.content, policy=policy.default)["Message-ID"] for c in smtp.received
    }
    assert len(ids) == 1
    message = the_message()
    assert message.attempts == 2
    # Each copy is in the history: the first cut short (the server may have it: it does).
    assert history(message) == ["cut short", "sent"]
    assert db.session.execute(sa.select(sa.func.count(Message.id))).scalar() == 1
