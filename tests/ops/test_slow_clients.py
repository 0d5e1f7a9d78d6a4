"""Idle and slow clients against real gunicorn with the compose settings, and through the nginx
proxy compose puts in front of it: /healthz still answers at once, an oversized body stops at
the proxy, and a hung request is logged when its worker is killed."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import ExitStack

import pytest
import yaml

from bench.load import _NO_CONTROL_SOCKET, ROOT, free_port, wait_until_healthy
from spa_app.ops import gunicorn_conf
from tests.conftest import missing_service

IDLE, SLOW = 10, 12


@pytest.fixture
def served(sqlite_template, tmp_path):
    """gunicorn as compose runs it (2 processes of 4 threads), on a migrated SQLite copy."""
    database = tmp_path / "spa.db"
    shutil.copy(sqlite_template, database)
    port, log = free_port(), tmp_path / "gunicorn.log"
    env = os.environ | {
        "SPA_SECRET_KEY": "slow-clients-test",
        "SPA_SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
        "SPA_CELERY__broker_url": "memory://",
        "SPA_CELERY__broker_transport_options": "{}",
        "WEB_CONCURRENCY": "2",
        "GUNICORN_THREADS": "4",
    }
    command = [
        sys.executable, "-m", "gunicorn", "--config", "python:spa_app.ops.gunicorn_conf",
        "--bind", f"127.0.0.1:{port}", *_NO_CONTROL_SOCKET, "spa_app:create_app()",
    ]  # fmt: skip
    with open(log, "w") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out)
        try:
            base = f"http://127.0.0.1:{port}"
            wait_until_healthy(base, process, log)
            yield base, port
        finally:
            process.terminate()
            process.wait(timeout=30)


def test_gunicorn_alone_parks_idle_connections_instead_of_losing_workers(served):
    """Threaded workers wait a few seconds (gunicorn's gthread: 5) for a new connection's first
    byte, then park it in the poller: idle clients delay the site, never take it down. With
    sync workers /healthz took 31-36 s here and each held worker ended in a timeout and a 500.
    Clients that send slowly would hold a thread each: that is the proxy's job (below)."""
    base, port = served
    with ExitStack() as stack:
        for _ in range(IDLE):  # connect and send nothing
            stack.enter_context(socket.create_connection(("127.0.0.1", port), timeout=5))
        time.sleep(0.5)  # let the server accept them all
        started = time.monotonic()
        with urllib.request.urlopen(f"{base}/healthz", timeout=30) as answer:
            status = answer.status
        took = time.monotonic() - started
    print(f"/healthz from gunicorn with {IDLE} idle connections open: {took * 1000:.0f} ms")
    assert status == 200 and took < gunicorn_conf.timeout


def test_a_worker_killed_for_a_hung_request_leaves_a_json_line(capfd):
    import json
    from types import SimpleNamespace

    gunicorn_conf.worker_abort(SimpleNamespace(pid=4242))
    (line,) = capfd.readouterr().err.splitlines()
    record = json.loads(line)
    assert (record["event"], record["level"], record["pid"]) == ("worker_timeout", "ERROR", 4242)
    assert record["timeout_s"] == gunicorn_conf.timeout


# The proxy compose puts in front: its very configuration, run by a real nginx.


@pytest.fixture
def proxied(served, tmp_path):
    """nginx with docker-compose.yml's server block (web:8000 pointed at the served app, on a
    free port); its base URL and port."""
    binary = shutil.which("nginx", path=f"{os.environ.get('PATH', '')}:/usr/sbin")
    if binary is None:
        missing_service("nginx is not installed (apt-get install nginx-light)")
    base, app_port = served
    server = compose_nginx_server().replace("$$", "$")
    port = free_port()
    server = server.replace("listen 80;", f"listen 127.0.0.1:{port};")
    server = server.replace("http://web:8000", f"http://127.0.0.1:{app_port}")
    temp = {name: tmp_path / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    for folder in temp.values():
        folder.mkdir()
    config = tmp_path / "nginx.conf"
    config.write_text(
        f"""
worker_processes 1;
daemon off;
pid {tmp_path}/nginx.pid;
error_log {tmp_path}/error.log;
events {{ worker_connections 256; }}
http {{
  access_log off;
  client_body_temp_path {temp["body"]};
  proxy_temp_path {temp["proxy"]};
  fastcgi_temp_path {temp["fastcgi"]};
  uwsgi_temp_path {temp["uwsgi"]};
  scgi_temp_path {temp["scgi"]};
{server}
}}
"""
    )
    log = tmp_path / "error.log"
    command = [binary, "-p", str(tmp_path), "-c", str(config), "-e", str(log)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            assert process.poll() is None, log.read_text()
            try:
                with urllib.request.urlopen(f"{url}/healthz", timeout=5) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                time.sleep(0.1)
        yield url, port
    finally:
        process.terminate()
        process.wait(timeout=10)


def compose_nginx_server() -> str:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return compose["configs"]["nginx"]["content"]


def test_the_compose_proxy_turns_away_a_body_over_the_limit_before_the_app(proxied):
    url, _ = proxied
    body = b"x" * (300 * 1024)
    request = urllib.request.Request(f"{url}/login", data=body, method="POST")
    request.add_header("Content-Type", "application/x-www-form-urlencoded")
    try:
        urllib.request.urlopen(request, timeout=10)
        status = 200
    except urllib.error.HTTPError as refused:
        status, served_by = refused.code, refused.headers.get("Server", "")
    assert status == 413 and served_by.startswith("nginx")


def test_healthz_through_the_compose_proxy_answers_while_idle_and_slow_clients_wait(proxied):
    """More slow senders than the app has threads (2 processes x 4), and idle clients: nginx
    holds them all, and passes on only whole requests."""
    url, port = proxied
    with ExitStack() as stack:
        for _ in range(IDLE):
            stack.enter_context(socket.create_connection(("127.0.0.1", port), timeout=5))
        for _ in range(SLOW):
            slow = stack.enter_context(socket.create_connection(("127.0.0.1", port), timeout=5))
            slow.sendall(b"GET /services HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: 1")
        time.sleep(0.5)
        started = time.monotonic()
        with urllib.request.urlopen(f"{url}/healthz", timeout=10) as answer:
            status, forwarded = answer.status, answer.read()
        took = time.monotonic() - started
    print(
        f"/healthz through nginx with {IDLE} idle and {SLOW} slow connections: {took * 1000:.0f} ms"
    )
    assert status == 200 and forwarded and took < 5
