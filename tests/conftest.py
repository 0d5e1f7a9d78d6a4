"""Fixtures: a migrated SQLite database per test, a PostgreSQL database per run, and helpers.

Tests that need a server we may not have (PostgreSQL, Redis) skip with a reason on a developer's
machine, and fail instead when SPA_TEST_REQUIRE_SERVICES=1 (CI sets it).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from flask.testing import FlaskClient
from flask_migrate import upgrade

from spa_app import create_app
from spa_app.extensions import db

PG_ADMIN_URL = os.environ.get(
    "SPA_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
PROJECT_ROOT = Path(__file__).resolve().parents[1]
REDIS_URL = os.environ.get("SPA_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def missing_service(reason: str):
    """Skip this test because a server is missing, or fail if the run requires servers."""
    if os.environ.get("SPA_TEST_REQUIRE_SERVICES") == "1":
        pytest.fail(f"required service unavailable: {reason}", pytrace=False)
    pytest.skip(reason)


def base_config(database_url: str, **overrides) -> dict:
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "CELERY": {"broker_url": "memory://", "broker_transport_options": {}},
        # One round instead of a 128 MiB scrypt: tests hash thousands of passwords.
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1",
    }
    config.update(overrides)
    return config


class IsolatedClient(FlaskClient):
    """Each request gets its own app context, hence its own database session, as in production.

    Without this, a request reuses the test's app context and session (Flask pushes no new app
    context when one is active), so it would see the test's open transaction.
    """

    def run_wsgi_app(self, environ, buffered=False):
        # Per WSGI call, so a followed redirect is a new request with a new session too.
        with self.application.app_context():
            return super().run_wsgi_app(environ, buffered=buffered)


def make_app(config: dict):
    app = create_app(config)
    app.test_client_class = IsolatedClient
    return app


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> str:
    """A SQLite file migrated once per run; each test gets a copy (fast, and real migrations)."""
    path = tmp_path_factory.mktemp("template") / "spa.db"
    app = create_app(base_config(f"sqlite:///{path}"))
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return str(path)


@pytest.fixture
def app_config() -> dict:
    """Extra configuration for the ``app`` fixture; override in a module to change it."""
    return {}


@pytest.fixture
def app(sqlite_template, tmp_path, app_config):
    path = tmp_path / "spa.db"
    shutil.copy(sqlite_template, path)
    app = make_app(base_config(f"sqlite:///{path}", **app_config))
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="session")
def pg_url():
    """A fresh PostgreSQL database for this run, migrated to head; dropped at the end."""
    name = f"spa_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as exc:
        admin.dispose()
        missing_service(f"PostgreSQL not reachable at {PG_ADMIN_URL}: {exc.orig}")
    url = sa.engine.make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    app = create_app(base_config(url))
    with app.app_context():
        upgrade()
        db.engine.dispose()
    yield url
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def pg_app(pg_url):
    """An app on the run's PostgreSQL database, emptied after the test."""
    app = make_app(base_config(pg_url, SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 60}))
    with app.app_context():
        yield app
        db.session.remove()
        tables = [t.name for t in db.metadata.sorted_tables if t.name != "business_settings"]
        with db.engine.begin() as conn:
            conn.execute(sa.text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
            conn.execute(
                sa.text(
                    "UPDATE business_settings SET timezone='Europe/London', slot_step_min=15, "
                    "min_notice_min=120, horizon_days=90, cancel_window_hours=24"
                )
            )
        db.engine.dispose()


@pytest.fixture
def pg_client(pg_app):
    return pg_app.test_client()


@pytest.fixture
def broker_options(tmp_path) -> dict:
    folders = {name: tmp_path / "broker" / name for name in ("queue", "processed", "control")}
    for folder in folders.values():
        folder.mkdir(parents=True)
    return {
        "data_folder_in": str(folders["queue"]),
        "data_folder_out": str(folders["queue"]),
        "processed_folder": str(folders["processed"]),
        "control_folder": str(folders["control"]),
        "store_processed": False,
    }


@pytest.fixture
def worker_env() -> dict:
    """Extra SPA_* variables for the ``worker`` process; override in a module."""
    return {}


@pytest.fixture
def worker(app, broker_options, worker_env, tmp_path):
    """A worker process configured like production: only SPA_* variables, same broker and DB.

    Use with an ``app_config`` that puts the app on the same filesystem broker.
    """
    env = dict(
        os.environ,
        SPA_SECRET_KEY="worker-test-secret",
        SPA_SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
        SPA_CELERY__broker_url="filesystem://",
        SPA_CELERY__broker_transport_options=json.dumps(broker_options),
    )
    env.update(worker_env)  # e.g. another broker, or the test SMTP server's port
    log = tmp_path / "worker.log"
    command = [sys.executable, "-m", "celery", "-A", "worker.app", "worker", "--concurrency=1"]
    with open(log, "w") as out:
        proc = subprocess.Popen(
            command, cwd=PROJECT_ROOT, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=out
        )
    yield proc, log
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


# A real SMTP server (aiosmtpd) for anything that sends mail.


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


@contextlib.contextmanager
def serving(handler):
    """A real SMTP server (aiosmtpd) on a free local port with ``handler``; sets handler.port."""
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    handler.port = controller.port
    try:
        yield handler
    finally:
        controller.stop()


@pytest.fixture
def smtp():
    with serving(Sink()) as sink:
        yield sink


class PrivateRedis:
    """A redis-server of the test's own on a free port, to stop, start and flush at will."""

    def __init__(self, binary: str, workdir: Path):
        self.binary, self.workdir, self.port = binary, workdir, free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        client = redis.Redis(port=self.port, socket_connect_timeout=0.2)
        for _ in range(100):
            try:
                client.ping()
                return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
            self.proc = None

    def flush(self) -> None:
        redis.Redis(port=self.port).flushall()


@pytest.fixture
def private_redis(tmp_path):
    binary = shutil.which("redis-server")
    if binary is None:
        missing_service("redis-server is not installed (apt-get install redis-server)")
    server = PrivateRedis(binary, tmp_path)
    server.start()
    yield server
    server.stop()
