"""/healthz: the database and the broker answer, and when a worker last ran the heartbeat."""

import socket
import sqlite3
import threading
import time

import pytest
import redis

from spa_app.extensions import db
from spa_app.ops.models import Heartbeat
from spa_app.ops.tasks import heartbeat
from tests import factories
from tests.conftest import REDIS_URL, missing_service


def closed_port() -> int:
    """A local port nothing listens on: bound by us for a moment, then released."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_healthy_with_sqlite_and_the_in_memory_broker(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "problems": {}, "worker_last_seen": None}


def test_reports_when_a_worker_last_ran_the_heartbeat(client):
    heartbeat()  # what a worker runs when beat sends ops.heartbeat
    seen = client.get("/healthz").json["worker_last_seen"]
    assert seen is not None
    assert seen.endswith("+00:00")


class TestBrokerUnreachable:
    @pytest.fixture
    def app_config(self):
        broker = f"redis://127.0.0.1:{closed_port()}/0"
        return {"CELERY": {"broker_url": broker, "broker_transport_options": {}}}

    def test_is_503_naming_the_broker(self, client):
        response = client.get("/healthz")
        assert response.status_code == 503
        assert response.json["status"] == "unhealthy"
        assert list(response.json["problems"]) == ["broker"]


class TestDatabaseUnreachable:
    @pytest.fixture
    def app_config(self, tmp_path):
        return {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/no/such/folder/spa.db"}

    def test_is_503_naming_the_database(self, client):
        response = client.get("/healthz")
        assert response.status_code == 503
        assert list(response.json["problems"]) == ["database"]
        assert response.json["worker_last_seen"] is None


@pytest.mark.redis
class TestRealRedis:
    @pytest.fixture
    def app_config(self):
        try:
            with redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2) as conn:
                conn.ping()
        except redis.RedisError as exc:
            missing_service(f"Redis not reachable at {REDIS_URL}: {exc}")
        return {"CELERY": {"broker_url": REDIS_URL, "broker_transport_options": {}}}

    def test_is_200(self, client):
        response = client.get("/healthz")
        assert response.status_code == 200, response.json
        assert response.json["problems"] == {}


def test_the_heartbeat_waits_for_another_writer_instead_of_failing(app):
    """The heartbeat and the e-mail sweep start together on every beat tick; on SQLite the
    heartbeat must wait for the other's write lock, not fail with "database is locked"."""
    path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another task is writing
    failures = []

    def run():
        with app.app_context():
            try:
                heartbeat()
                heartbeat()  # the second one updates the row
            except Exception as exc:  # noqa: BLE001 - reported by the assert below
                failures.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    time.sleep(0.3)
    other.execute("UPDATE business_settings SET slot_step_min = slot_step_min")
    other.execute("COMMIT")
    other.close()
    thread.join(15)
    assert failures == []
    factories.fresh()
    assert db.session.get(Heartbeat, "worker") is not None


@pytest.mark.postgres
def test_two_heartbeats_at_once_on_postgresql(pg_app):
    barrier = threading.Barrier(2)
    failures = []

    def run():
        with pg_app.app_context():
            barrier.wait()
            try:
                heartbeat()
            except Exception as exc:  # noqa: BLE001
                failures.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(15)
    assert failures == []
    assert db.session.execute(db.select(db.func.count()).select_from(Heartbeat)).scalar() == 1
