"""The e-mail figures: the minute sweep over 100,000 clients, and one worker's send rate.

The sweep runs on its own database: 100,000 clients with about 300,000 completed visits over
three years (the latest within the last year), some with a visit booked ahead, and each
client's next-visit window as marking the visit completed would have stored it. Measured: the
time-based part of beat's sweep (reminders and nudges queued, committed) on that data, first
when the nudges are new (the rows it added are deleted, untimed, before the next run) and then
rerun, when it must add nothing.

The send rate: a real ``celery worker --concurrency=1`` process delivering booking
confirmations to a local aiosmtpd, from the moment the sweep hands them out until the last is
recorded sent. The broker is the local Redis when one answers (production's broker), else the
filesystem broker that ``make run`` uses; the figures say which.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from pathlib import Path
from time import perf_counter_ns

import redis
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from flask import Flask
from werkzeug.security import generate_password_hash

from bench.database import migrate, temporary_database
from bench.measure import Measurement, StatementCounter
from spa_app import create_app
from spa_app.accounts.models import Role, User
from spa_app.booking.models import Booking, BookingStatus
from spa_app.cadence.models import NextVisit
from spa_app.cadence.service import window_after
from spa_app.catalog.models import Room, Service, Therapist
from spa_app.clock import zone
from spa_app.database import serialized_writes, utcnow
from spa_app.extensions import db
from spa_app.feedback import service as feedback
from spa_app.notifications import delivery as outbox_delivery
from spa_app.notifications import service as outbox
from spa_app.notifications import tasks
from spa_app.notifications.models import Message, MessageKind, MessageState
from spa_app.scheduling.models import BusinessSettings

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CLIENTS = 100_000
VISITS_PER_CLIENT = (1, 5)  # at random, about three on average
BOOKED_AHEAD_SHARE = 0.3
THERAPISTS = 100  # each with a room of their own: visits never overlap
HOURS = range(9, 19)
TIMEZONE = "Europe/London"
SWEEP_RUNS = 7
EMAILS = 500  # one sweep's worth (dispatch_due leases at most 500)
WARMUP_EMAILS = 20
#: The slow-server figures: as many messages as the probe sent, over a few worker processes.
SLOW_EMAILS, SLOW_WORKERS = 16, 4
REDIS_URL = "redis://127.0.0.1:6379/0"
TARGETS_MS = {"sweep_100k_clients": 1000.0, "sweep_rerun": 1000.0}


@dataclass
class MailFigures:
    sweep: Measurement
    rerun: Measurement
    counts: dict[str, int] = field(default_factory=dict)
    extra: dict = field(default_factory=dict)


def run(now: datetime) -> MailFigures:
    """Seed the sweep's database, measure the sweep, then one worker's send rate on it."""
    with temporary_database() as url:
        app = app_on(url)
        migrate(app)
        with app.app_context():
            counts = seed_clients(now)
            counter = StatementCounter(db.engine)
            sweep, rerun, added = _measure_sweep(now, counter)
            db.session.remove()
            db.engine.dispose()
        extra = {
            "sweep_runs": SWEEP_RUNS,
            "sweep_nudges_added": added,
            **_send_rate(url, now),
            **_slow_server(url, now),
        }
    return MailFigures(sweep, rerun, counts, extra)


def app_on(url: str, celery: dict | None = None) -> Flask:
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "bench",
            "SQLALCHEMY_DATABASE_URI": url,
            "CELERY": celery or {"broker_url": "memory://", "broker_transport_options": {}},
        }
    )


# The sweep


def seed_clients(now: datetime) -> dict[str, int]:
    rng = random.Random(20261121)
    tz = zone(TIMEZONE)
    db.session.execute(
        sa.update(BusinessSettings).where(BusinessSettings.id == 1).values(timezone=TIMEZONE)
    )
    password_hash = generate_password_hash("bench-password")
    therapist_users = insert_ids(
        User,
        [
            {"email": f"t{n}@bench.example", "name": f"Therapist {n}", "role": Role.THERAPIST,
             "password_hash": password_hash, "created_at": now}
            for n in range(THERAPISTS)
        ],
    )  # fmt: skip
    therapists = insert_ids(
        Therapist,
        [{"user_id": u, "display_name": f"Therapist {n}", "bio": "", "active": True}
         for n, u in enumerate(therapist_users)],
    )  # fmt: skip
    rooms = insert_ids(Room, [{"name": f"Room {n}"} for n in range(THERAPISTS)])
    (service_id,) = insert_ids(
        Service,
        [{"name": "Massage", "description": "", "duration_min": 60, "price_cents": 6500,
          "buffer_min": 0, "active": True}],
    )  # fmt: skip
    clients = insert_ids(
        User,
        [
            {"email": f"c{n}@bench.example", "name": f"Client {n}", "role": Role.CLIENT,
             "password_hash": password_hash, "created_at": now}
            for n in range(CLIENTS)
        ],
    )  # fmt: skip

    taken: set[tuple[int, int, int]] = set()  # (day, therapist, hour), days counted from today
    today = now.astimezone(tz).date()

    busy: set[tuple[int, int, int]] = set()  # (client, day, hour): one visit at a time

    def visit(client: int, days_ago: int, status: BookingStatus) -> dict:
        while True:
            cell = (days_ago, rng.randrange(THERAPISTS), rng.choice(HOURS))
            if cell not in taken and (client, days_ago, cell[2]) not in busy:
                taken.add(cell)
                busy.add((client, days_ago, cell[2]))
                break
        local = datetime.combine(today - timedelta(days=days_ago), datetime.min.time(), tz)
        starts_at = local.replace(hour=cell[2]).astimezone(UTC)
        return {
            "client_id": client, "therapist_id": therapists[cell[1]], "room_id": rooms[cell[1]],
            "service_id": service_id, "starts_at": starts_at,
            "ends_at": starts_at + timedelta(hours=1), "busy_until": starts_at + timedelta(hours=1),
            "status": status, "price_cents": 6500, "created_at": starts_at - timedelta(days=14),
        }  # fmt: skip

    bookings, latest = [], {}
    for client in clients:
        last_days_ago = rng.randrange(1, 366)
        latest[client] = len(bookings)
        bookings.append(visit(client, last_days_ago, BookingStatus.COMPLETED))
        for _ in range(rng.randint(*VISITS_PER_CLIENT) - 1):
            bookings.append(
                visit(client, rng.randrange(last_days_ago + 1, 3 * 365), BookingStatus.COMPLETED)
            )
        if rng.random() < BOOKED_AHEAD_SHARE:
            bookings.append(visit(client, -rng.randrange(1, 60), BookingStatus.BOOKED))
    ids = insert_ids(Booking, bookings)
    windows = []
    for client, index in latest.items():
        row = bookings[index]
        opens_at, closes_at = window_after(row["starts_at"], tz)
        windows.append(
            {"client_id": client, "booking_id": ids[index], "therapist_id": row["therapist_id"],
             "service_id": service_id, "last_visit_at": row["starts_at"],
             "opens_at": opens_at, "closes_at": closes_at}
        )  # fmt: skip
    db.session.execute(sa.insert(NextVisit), windows)
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("ANALYZE"))
    completed = sum(b["status"] is BookingStatus.COMPLETED for b in bookings)
    return {
        "sweep_dataset_clients": CLIENTS,
        "sweep_dataset_past_bookings": completed,
        "sweep_dataset_booked_ahead": len(bookings) - completed,
    }


def insert_ids(model, rows: list[dict]) -> list[int]:
    ids: list[int] = []
    for start in range(0, len(rows), 20_000):  # keeps psycopg's batches a sane size
        ids += db.session.scalars(
            sa.insert(model).returning(model.id, sort_by_parameter_order=True),
            rows[start : start + 20_000],
        )
    return ids


def _sweep_once(now: datetime, counter: StatementCounter) -> tuple[int, int, int]:
    """Beat's time-based step, as the task does it: (ns, statements, rows added)."""
    counter.reset()
    started = perf_counter_ns()
    with serialized_writes():
        added = outbox.schedule_reminders(now, timedelta(hours=24))
        added += outbox.schedule_nudges(now)
        db.session.commit()
    return perf_counter_ns() - started, counter.count, added


def _measure_sweep(now, counter) -> tuple[Measurement, Measurement, int]:
    sweep = Measurement("sweep_100k_clients", TARGETS_MS["sweep_100k_clients"])
    rerun = Measurement("sweep_rerun", TARGETS_MS["sweep_rerun"])
    added_each = set()
    for _ in range(SWEEP_RUNS):
        elapsed, statements, added = _sweep_once(now, counter)
        sweep.samples_ns.append(elapsed)
        sweep.statements.append(statements)
        added_each.add(added)
        db.session.execute(sa.delete(Message))  # untimed: the next run finds them new again
        db.session.commit()
    if len(added_each) != 1 or 0 in added_each:
        raise RuntimeError(f"the sweep added {sorted(added_each)} rows over its runs")
    _sweep_once(now, counter)
    for _ in range(SWEEP_RUNS):
        elapsed, statements, added = _sweep_once(now, counter)
        if added:
            raise RuntimeError(f"the rerun added {added} rows; it must add none")
        rerun.samples_ns.append(elapsed)
        rerun.statements.append(statements)
    return sweep, rerun, added_each.pop()


# One worker's send rate


class _Counting:
    def __init__(self):
        self.received = 0

    async def handle_DATA(self, server, session, envelope):
        self.received += 1
        return "250 OK"


def _broker() -> tuple[str, dict, str]:
    """(broker URL, transport options, label): local Redis if it answers, else the filesystem."""
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping()
        return REDIS_URL, {}, "redis"
    except redis.RedisError:
        folder = tempfile.mkdtemp(prefix="spa_bench_broker_")
        for name in ("queue", "processed", "control"):
            os.makedirs(os.path.join(folder, name))
        options = {
            "data_folder_in": os.path.join(folder, "queue"),
            "data_folder_out": os.path.join(folder, "queue"),
            "processed_folder": os.path.join(folder, "processed"),
            "control_folder": os.path.join(folder, "control"),
            "store_processed": False,
        }
        return "filesystem://", options, "filesystem"


def _send_rate(url: str, now: datetime) -> dict:
    _clear_the_sweeps_work(url)
    handler = _Counting()
    with sending(url, handler) as (label, worker):
        _deliver(_queue_confirmations(WARMUP_EMAILS, now), worker)  # the worker is up
        ids = _queue_confirmations(EMAILS, now)
        started = time.monotonic()
        _deliver(ids, worker)
        elapsed = time.monotonic() - started
    if handler.received != WARMUP_EMAILS + EMAILS:
        raise RuntimeError(f"the mail server got {handler.received} messages")
    return {
        "emails_per_second_one_worker": round(EMAILS / elapsed, 1),
        "emails_measured": EMAILS,
        "emails_broker": label,
    }


@contextlib.contextmanager
def sending(url: str, handler, env: dict | None = None, concurrency: int = 1):
    """A local aiosmtpd with ``handler`` and a real ``celery worker`` sending to it, with an
    app context for the sweep; yields (broker label, worker process). ``env`` adds SPA_*
    settings for the worker (its mail timeouts, say)."""
    broker_url, options, label = _broker()
    queue = f"spa-bench-{uuid.uuid4().hex[:8]}"  # a queue of its own on a shared Redis
    celery = {"broker_url": broker_url, "broker_transport_options": options,
              "task_default_queue": queue}  # fmt: skip
    app = app_on(url, celery)
    smtp = Controller(handler, hostname="127.0.0.1", port=_free_port())
    smtp.start()
    env = dict(
        os.environ,
        SPA_SECRET_KEY="bench",
        SPA_SQLALCHEMY_DATABASE_URI=url,
        SPA_MAIL_PORT=str(smtp.port),
        SPA_CELERY__broker_url=broker_url,
        SPA_CELERY__broker_transport_options=json.dumps(options),
        SPA_CELERY__task_default_queue=queue,
        **(env or {}),
    )
    command = [sys.executable, "-m", "celery", "-A", "worker.app", "worker",
               f"--concurrency={concurrency}", "--loglevel=WARNING", "-Q", queue]  # fmt: skip
    worker = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdin=subprocess.DEVNULL,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        with app.app_context():
            yield label, worker
            db.session.remove()
            db.engine.dispose()
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        smtp.stop()


# A slow mail server


class _Late:
    """Keeps each message, then answers the end of DATA after ``delay`` seconds; counts the
    copies of each Message-ID it was given."""

    def __init__(self, delay: float):
        self.delay = delay
        self.copies: Counter[str] = Counter()

    async def handle_DATA(self, server, session, envelope):
        self.copies[message_from_bytes(envelope.content)["Message-ID"]] += 1
        await asyncio.sleep(self.delay)
        return "250 OK"


def _slow_server(url: str, now: datetime) -> dict:
    """Copies per message from a server slower than the short timeout (it answers in 3 s, the
    timeout is 1 s, the answer's own 10 s): every message must arrive once and be recorded
    sent. Then one that never answers in time (5 s against 2 s): once each, held unconfirmed.
    Neither may be due again."""
    figures = {}
    cases = (
        ("slow_server", 3, {"SPA_MAIL_DATA_TIMEOUT_SECONDS": "10"}, (MessageState.SENT,)),
        ("silent_server", 5, {"SPA_MAIL_DATA_TIMEOUT_SECONDS": "2"}, (MessageState.UNCONFIRMED,)),
    )
    for name, delay, env, until in cases:
        handler = _Late(delay)
        with sending(url, handler, {"SPA_MAIL_TIMEOUT_SECONDS": "1", **env}, SLOW_WORKERS) as (
            _,
            worker,
        ):
            ids = _queue_confirmations(SLOW_EMAILS, now)
            _deliver(ids, worker, until=until)
            time.sleep(delay + 1)  # room for a copy in flight to arrive
            states = Counter(
                db.session.scalars(sa.select(Message.state).where(Message.id.in_(ids)))
            )
            # What a sweep two days on would hand out again (not committed: nothing is sent).
            again = len(outbox_delivery.dispatch_due(now + timedelta(days=2)))
            db.session.rollback()
        copies = sorted(handler.copies.values())
        figures[f"{name}_messages"] = len(ids)
        figures[f"{name}_copies_per_message"] = round(sum(copies) / len(ids), 2)
        figures[f"{name}_most_copies_of_one"] = copies[-1] if copies else 0
        figures[f"{name}_states"] = {state.value: n for state, n in sorted(states.items())}
        figures[f"{name}_due_again"] = again
    return figures


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _clear_the_sweeps_work(url: str) -> None:
    """Leave the sweep nothing to queue (no windows, no visits ahead, no feedback to ask), so
    it only dispatches."""
    app = app_on(url)
    with app.app_context():
        db.session.execute(sa.delete(Message))
        db.session.execute(sa.delete(NextVisit))
        db.session.execute(sa.delete(Booking).where(Booking.status == BookingStatus.BOOKED))
        # The day-after feedback requests the sweep would queue, as if already sent.
        now = utcnow()
        feedback.schedule_requests(now)
        db.session.execute(sa.update(Message).values(state=MessageState.SENT, sent_at=now))
        db.session.commit()
        db.engine.dispose()


def _queue_confirmations(count: int, now: datetime) -> list[int]:
    """``count`` pending confirmations about seeded visits, due now."""
    bookings = db.session.execute(
        sa.select(Booking.id, Booking.client_id, Booking.starts_at, Booking.ends_at)
        .where(~sa.exists().where(Message.booking_id == Booking.id))
        .limit(count)
    ).all()
    rows = [
        {"kind": MessageKind.BOOKING_CONFIRMED, "idempotency_key": f"bench:{b.id}",
         "user_id": b.client_id, "booking_id": b.id, "state": MessageState.PENDING,
         "visit_starts_at": b.starts_at, "visit_ends_at": b.ends_at, "visit_sequence": 0,
         "due_at": now, "attempts": 0, "created_at": now}
        for b in bookings
    ]  # fmt: skip
    ids = insert_ids(Message, rows)
    db.session.commit()
    return ids


def _deliver(
    ids: list[int],
    worker: subprocess.Popen,
    limit_s: float = 300,
    until: tuple[MessageState, ...] = (MessageState.SENT,),
) -> None:
    """Run beat's sweep once (it hands the messages to the worker), wait until all are sent
    (or in one of the states ``until`` names)."""
    tasks.sweep()
    deadline = time.monotonic() + limit_s
    unsent = sa.select(sa.func.count()).where(Message.id.in_(ids), Message.state.not_in(until))
    while db.session.scalar(unsent):
        db.session.rollback()
        if worker.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("the worker stopped or stalled before sending everything")
        time.sleep(0.02)
    db.session.rollback()
