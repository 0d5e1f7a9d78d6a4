"""Structured logs: a JSON line per request and per task; ids and routes, never personal data."""

from __future__ import annotations

import io
import json
import logging
import re
import time

import pytest

from spa_app import create_app
from spa_app.ops import logs
from spa_app.ops.tasks import heartbeat
from tests import factories
from tests.conftest import base_config

HEALTH_WORDS = (
    "sciatica",
    "migraine",
    "varicose",
    "pregnan",
    "pain_relief",
    "desk_work",
    "warfarin",
)
WAIT_SECONDS = 25


class Captured:
    """What the JSON handler writes while a test runs."""

    def __init__(self) -> None:
        self.stream = io.StringIO()

    @property
    def text(self) -> str:
        return self.stream.getvalue()

    def lines(self) -> list[dict]:
        return [json.loads(line) for line in self.text.splitlines()]  # each line must be JSON

    def events(self, name: str) -> list[dict]:
        return [line for line in self.lines() if line["event"] == name]

    def clear(self) -> None:
        self.stream.seek(0)
        self.stream.truncate()


@pytest.fixture
def captured(app):
    handler = next(h for h in logs.logger.handlers if isinstance(h.formatter, logs.JsonLines))
    capture = Captured()
    previous = handler.setStream(capture.stream)
    yield capture
    handler.setStream(previous)


@pytest.fixture
def me(client, captured):
    user = factories.user(email="alice.health@example.com")
    factories.login(client, user)
    captured.clear()
    return user


def test_a_request_logs_exactly_one_json_line_with_its_route_not_its_path(client, me, captured):
    response = client.get("/bookings/987654/move?email=bob%40example.com&q=sciatica")
    assert response.status_code == 404  # no such booking, but the route matched

    (line,) = captured.lines()
    assert set(line) == {
        "time",
        "level",
        "event",
        "request_id",
        "method",
        "rule",
        "status",
        "duration_ms",
        "user_id",
    }
    assert line["event"] == "request" and line["level"] == "INFO"
    assert line["time"].endswith("+00:00")
    assert (line["method"], line["rule"], line["status"]) == (
        "GET",
        "/bookings/<id:booking_id>/move",
        404,
    )
    assert line["user_id"] == me.id
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert line["request_id"] == response.headers["X-Request-ID"]
    for private in ("987654", "bob", "example.com", "sciatica", "?"):
        assert private not in captured.text


def test_an_anonymous_request_and_an_unknown_path(client, captured):
    client.get("/login")
    client.get("/no/such/page?email=bob@example.com")
    login, missing = captured.events("request")
    assert (login["rule"], login["status"], login["user_id"]) == ("/login", 200, None)
    assert (missing["rule"], missing["status"]) == (None, 404)
    assert "bob" not in captured.text and "no/such" not in captured.text


def test_a_health_intake_and_a_login_leave_no_health_data_or_address_in_the_logs(
    client, me, captured, caplog
):
    form = {
        "pain_neck": "7",
        "pain_shoulders": "0",
        "pain_upper_back": "0",
        "pain_lower_back": "3",
        "pain_hands_wrists": "0",
        "pain_lower_legs_feet": "0",
        "goals": ["pain_relief"],
        "contexts": ["desk_work"],
        "pressure": "2",
        "minutes_per_day": "15",
        "conditions": ["pregnancy", "other"],
        "condition_note": "sciatica, migraine and varicose veins",
        "medicines": "warfarin and an almond allergy",
    }
    assert client.post("/account/intake?ref=alice.health@example.com", data=form).status_code == 302
    client.post("/logout")
    factories.login(client, me)

    posts = [line for line in captured.events("request") if line["method"] == "POST"]
    assert [p["rule"] for p in posts] == ["/account/intake", "/logout", "/login"]
    logged = captured.text + caplog.text
    for word in (*HEALTH_WORDS, "alice", "example.com", factories.PASSWORD):
        assert word not in logged


def test_a_sane_request_id_is_echoed_and_logged(client, captured):
    response = client.get("/login", headers={"X-Request-ID": "3f2a9c1e-lb-7"})
    assert response.headers["X-Request-ID"] == "3f2a9c1e-lb-7"
    assert captured.events("request")[0]["request_id"] == "3f2a9c1e-lb-7"


@pytest.mark.parametrize(
    "bad",
    ["abc\r\nSet-Cookie: session=stolen", "a" * 1000, 'x\n{"event": "forged"}', "", "<script>"],
)
def test_a_bad_request_id_is_replaced_not_echoed(client, captured, bad):
    response = client.get("/login", environ_overrides={"HTTP_X_REQUEST_ID": bad})
    given = response.headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", given)
    (line,) = captured.events("request")
    assert line["request_id"] == given
    assert "stolen" not in captured.text and "forged" not in captured.text
    assert all("stolen" not in value for _, value in response.headers.items())


def test_a_5xx_is_logged_as_an_error(app, client, captured):
    app.testing = False  # let the error handler answer instead of raising into the test

    @app.get("/explode/<id:thing_id>")
    def explode(thing_id):
        raise RuntimeError("boom")

    assert client.get("/explode/3").status_code == 500
    (line,) = captured.events("request")
    assert (line["level"], line["status"], line["rule"]) == ("ERROR", 500, "/explode/<id:thing_id>")


def test_healthy_probes_are_debug_lines(client, captured):
    assert client.get("/healthz").status_code == 200
    assert captured.text == ""
    logs.logger.setLevel(logging.DEBUG)
    client.get("/healthz")
    (line,) = captured.events("request")
    assert (line["level"], line["rule"], line["status"]) == ("DEBUG", "/healthz", 200)


def test_a_task_logs_one_line_with_name_id_outcome_and_duration(captured):
    result = heartbeat.apply()
    (line,) = captured.lines()
    assert line["event"] == "task" and line["level"] == "INFO"
    assert (line["task"], line["task_id"], line["outcome"]) == (
        "ops.heartbeat",
        result.id,
        "success",
    )
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0


def test_a_failed_task_logs_an_error_without_its_arguments(app, captured):
    @app.extensions["celery"].task(name="tests.fails")
    def fails(address, note):
        raise RuntimeError("cannot")

    result = fails.apply(args=["alice@example.com", "migraine"])
    assert result.failed()
    (line,) = captured.events("task")
    assert (line["level"], line["task"], line["outcome"]) == ("ERROR", "tests.fails", "failure")
    assert "alice" not in captured.text and "migraine" not in captured.text


class TestLevelFromConfig:
    @pytest.fixture
    def app_config(self):
        return {"LOG_LEVEL": "warning"}

    def test_below_the_level_nothing_is_written(self, client, captured):
        assert logs.logger.level == logging.WARNING
        client.get("/login")
        heartbeat.apply()
        assert captured.text == ""


def test_the_default_level_is_info(app):
    assert logs.logger.level == logging.INFO
    assert app.logger.level == logging.INFO


def test_an_unknown_level_stops_the_app(tmp_path):
    config = base_config(f"sqlite:///{tmp_path}/spa.db", LOG_LEVEL="LOUD")
    with pytest.raises(ValueError, match="LOUD"):
        create_app(config)


class TestRealWorker:
    @pytest.fixture
    def app_config(self, broker_options):
        return {
            "CELERY": {"broker_url": "filesystem://", "broker_transport_options": broker_options}
        }

    @pytest.mark.worker
    def test_writes_one_task_line(self, app, worker):
        proc, log = worker
        sent = app.extensions["celery"].send_task("ops.heartbeat")

        def task_lines() -> list[dict]:
            lines = [json.loads(x) for x in log.read_text().splitlines() if x.startswith('{"time"')]
            return [x for x in lines if x["event"] == "task" and x["task_id"] == sent.id]

        deadline = time.monotonic() + WAIT_SECONDS
        while not task_lines() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        found = task_lines()
        assert len(found) == 1, log.read_text()
        assert (found[0]["task"], found[0]["outcome"]) == ("ops.heartbeat", "success")
