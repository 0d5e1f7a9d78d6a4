"""``python -m bench.load``: the spa under load, through gunicorn and PostgreSQL.

Creates and migrates a throwaway PostgreSQL database (on the server ``BENCH_DATABASE_URL`` names,
the local one by default), seeds the benchmark's spa and a login for every load user, serves it
with gunicorn on a free local port, and runs locust headless (``bench/locustfile.py``) for a
fixed time, then the busy-moment rounds (``bench/contention.py``: many clients confirming one
start at once). Then it reports, for availability, booking and the staff calendar, the requests,
requests per second, median and p95 milliseconds, server errors (5xx) and other failures, the
bookings refused while their time was still free, and counts double bookings in the database.
It prints a table, writes ``.bench/load.json``, stops gunicorn, drops the database, and exits
non-zero on any 5xx, double booking or refusal of a free time.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from gunicorn import version_info as gunicorn_version
from sqlalchemy import insert, update
from werkzeug.security import generate_password_hash

from bench import contention
from bench.database import ENV_VAR, build_app, migrate, temporary_postgresql
from bench.dataset import (
    CLIENTS,
    HORIZON_DAYS,
    PASSWORD,
    TIMEZONE,
    WEEKS,
    WORKDAYS,
    Dataset,
    seed,
)
from spa_app.accounts.models import Role, User
from spa_app.clock import local_today, zone
from spa_app.extensions import db

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / ".bench" / "load.json"
SERVER_LOG = ROOT / ".bench" / "load-server.log"
LOCUSTFILE = Path(__file__).with_name("locustfile.py")
LOCAL_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
SCENARIOS = ("availability", "booking", "calendar")
#: The days clients book on: from tomorrow to just inside the seeded 90-day horizon.
BOOKABLE_DAYS = range(1, 85)
#: Half the bookings aim at the first free working days after the seeded weeks, taking the
#: first time shown, so that clients collide.
HOT_DAYS = 3
HEALTH_TIMEOUT_S = 60
#: How long the users may take to log in before the measured seconds start (a backstop).
LOGIN_ALLOWANCE_S = 120
#: Every user logs in once, all from 127.0.0.1: a limit made for people must not stop them.
GENEROUS_LIMITS = {
    "SPA_RATELIMIT_STORAGE_URI": "memory://",
    "SPA_LOGIN_LIMIT_PER_ADDRESS": "100000 per 15 minutes",
}
TRACEBACK = "Traceback (most recent call last)"
#: Gunicorn 25.1+ opens a control socket at one fixed path per user; runs side by side would share.
_NO_CONTROL_SOCKET = ["--no-control-socket"] if gunicorn_version >= (25, 1) else []
#: Clients that connect and send nothing while /healthz is timed.
IDLE_CONNECTIONS = 10
#: Pairs of active bookings holding the same therapist (or room) at the same time.
OVERLAPS = """
SELECT count(*) FROM bookings AS a JOIN bookings AS b
  ON a.id < b.id AND a.{column} = b.{column}
 AND a.starts_at < b.{end} AND b.starts_at < a.{end}
WHERE a.status <> 'cancelled' AND b.status <> 'cancelled'
"""
#: What may not overlap, and up to when: a therapist and a room until the clean-up is done, a
#: client for the visit itself.
HELD = {"therapist_id": "busy_until", "room_id": "busy_until", "client_id": "ends_at"}


def main(argv: list[str] | None = None) -> int:
    """The whole run, tidied up however it ends; 0 when it passed."""
    options = _arguments(argv)
    # A plain `kill` should tidy up like Ctrl-C: stop gunicorn and drop the database.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    server = os.environ.get(ENV_VAR) or LOCAL_SERVER
    with (
        tempfile.TemporaryDirectory(prefix="spa_load_") as work,
        temporary_postgresql(server) as url,
    ):
        folder = Path(work)
        dataset, plan = prepare(url, options.users)
        (folder / "plan.json").write_text(json.dumps(plan))
        print(f"seeded {dataset.bookings:,} bookings; serving with gunicorn...", flush=True)
        with gunicorn(url, options.workers, options.threads, SERVER_LOG) as base_url:
            idle = healthz_with_idle_connections(base_url)
            print(f"/healthz with {IDLE_CONNECTIONS} idle connections open: {idle} ms", flush=True)
            print(f"{options.users} users for {options.seconds} s against {base_url}", flush=True)
            recorded = run_locust(base_url, folder, options.users, options.seconds)
            print("busy moments: many clients confirming one start at once...", flush=True)
            recorded["contention"] = contention.run(
                base_url,
                plan,
                date.fromisoformat(plan["quiet_day"]),
                zone(TIMEZONE),
                PASSWORD,
                plan["contention_clients"],
            )
        checks = database_checks(url, dataset.bookings)
    recorded["healthz_ms_with_idle_connections"] = idle
    document = report(recorded, checks, options, SERVER_LOG.read_text())
    print(table(document))
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(json.dumps(document, indent=2) + "\n")
    print(f"\nwrote {OUTPUT.relative_to(ROOT)} (server log: {SERVER_LOG.relative_to(ROOT)})")
    return 0 if document["passed"] else 1


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__)
    parser.add_argument("--seconds", type=int, default=60, help="how long the load runs")
    parser.add_argument("--users", type=int, default=20, help="concurrent locust users")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=2, help="threads per gunicorn worker")
    options = parser.parse_args(argv)
    if not 1 <= options.users <= CLIENTS:
        parser.error(f"--users must be between 1 and {CLIENTS}")
    if options.seconds < 1:
        parser.error("--seconds must be at least 1")
    return options


def prepare(url: str, users: int) -> tuple[Dataset, dict]:
    """Migrate and seed the database, add the staff logins; what the locust users need."""
    app = build_app(url)
    migrate(app)
    now = datetime.now(UTC)
    with app.app_context():
        dataset = seed(now)
        logins = max(users, contention.clients_needed(dataset.therapist_ids))
        staff = add_logins(dataset.client_emails[:logins], users, now)
        db.engine.dispose()
    return dataset, load_plan(dataset, staff, users, now)


def add_logins(clients: list[str], users: int, now: datetime) -> list[str]:
    """One staff login per load user, and the load clients' password hashed as the app hashes
    today's passwords (so no login rewrites it); the staff e-mails."""
    method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    password_hash = generate_password_hash(PASSWORD, method=method)
    emails = [f"desk{n:03d}@load.example" for n in range(1, users + 1)]
    rows = [
        {"email": e, "name": f"Desk {n:03d}", "password_hash": password_hash,
         "role": Role.STAFF, "created_at": now}
        for n, e in enumerate(emails, start=1)
    ]  # fmt: skip
    db.session.execute(insert(User), rows)
    db.session.execute(
        update(User).where(User.email.in_(clients)).values(password_hash=password_hash)
    )
    db.session.commit()
    return emails


def load_plan(dataset: Dataset, staff: list[str], users: int, now: datetime) -> dict:
    """The locust users' plan: logins, ids, and the local days to ask about and book on."""
    today = local_today(now, zone(TIMEZONE))
    contenders = contention.clients_needed(dataset.therapist_ids)
    seeded = _working([dataset.first_day + timedelta(days=n) for n in range(WEEKS * 7)])
    bookable = _working([today + timedelta(days=n) for n in BOOKABLE_DAYS])
    after = dataset.first_day + timedelta(weeks=WEEKS)
    return {
        "password": PASSWORD,
        "clients": dataset.client_emails[:users],
        "staff": staff,
        "service_ids": dataset.service_ids,
        "therapist_ids": dataset.therapist_ids,
        "seeded_days": seeded,
        "bookable_days": bookable,
        "hot_days": _working([after + timedelta(days=n) for n in range(7)])[:HOT_DAYS],
        # The busy-moment rounds book a day the load never does, with clients of their own.
        "quiet_day": contention.quiet_day(
            today, BOOKABLE_DAYS.stop, HORIZON_DAYS, WORKDAYS
        ).isoformat(),
        "contention_clients": dataset.client_emails[:contenders],
    }


def _working(days: list[date]) -> list[str]:
    return [day.isoformat() for day in days if day.weekday() in WORKDAYS]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def gunicorn(url: str, workers: int, threads: int, log_path: Path) -> Iterator[str]:
    """Serve ``spa_app:create_app()`` on a free local port; yield its base URL once healthy."""
    port = free_port()
    env = os.environ | GENEROUS_LIMITS | {
        "SPA_SECRET_KEY": secrets.token_hex(32),
        "SPA_SQLALCHEMY_DATABASE_URI": url,
        # No worker runs: bookings only write outbox rows, and nothing is enqueued by a request.
        "SPA_CELERY__broker_url": "memory://",
        "SPA_CELERY__broker_transport_options": "{}",
    }  # fmt: skip
    # Production's settings (threaded workers, their timeouts and limits), sized for the run.
    command = [
        sys.executable, "-m", "gunicorn", "--config", "python:spa_app.ops.gunicorn_conf",
        "spa_app:create_app()", "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
        "--threads", str(threads), "--graceful-timeout", "5", *_NO_CONTROL_SOCKET,
    ]  # fmt: skip
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "w") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            base_url = f"http://127.0.0.1:{port}"
            wait_until_healthy(base_url, process, log_path)
            yield base_url
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_until_healthy(base_url: str, process: subprocess.Popen, log_path: Path) -> None:
    """Poll ``/healthz`` until it answers 200; raise with the server's log if it never does."""
    deadline = time.monotonic() + HEALTH_TIMEOUT_S
    while time.monotonic() < deadline and process.poll() is None:
        with (
            contextlib.suppress(OSError),
            urllib.request.urlopen(f"{base_url}/healthz", timeout=5) as answer,
        ):
            if answer.status == 200:
                return
        time.sleep(0.2)
    tail = log_path.read_text()[-3000:]
    raise RuntimeError(f"gunicorn did not become healthy at {base_url}/healthz:\n{tail}")


def healthz_with_idle_connections(base_url: str, tries: int = 5) -> float:
    """The median milliseconds /healthz takes from gunicorn itself while IDLE_CONNECTIONS
    clients are connected and send nothing. (Clients that send slowly are the proxy's to
    hold: see tests/ops/test_slow_clients.py.)"""
    host, port = urllib.parse.urlsplit(base_url).netloc.split(":")
    times = []
    with contextlib.ExitStack() as stack:
        for _ in range(IDLE_CONNECTIONS):
            stack.enter_context(socket.create_connection((host, int(port)), timeout=5))
        time.sleep(0.5)  # let the server accept them all
        for _ in range(tries):
            started = time.perf_counter()
            with urllib.request.urlopen(f"{base_url}/healthz", timeout=60) as answer:
                answer.read()
            times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 1)


def run_locust(base_url: str, folder: Path, users: int, seconds: int) -> dict:
    """Run the locust users headless for ``seconds``; their samples and booking outcomes."""
    samples = folder / "samples.json"
    command = [
        sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless",
        "--host", base_url, "--users", str(users), "--spawn-rate", str(users),
        "--run-time", f"{seconds + LOGIN_ALLOWANCE_S}s", "--measure-seconds", str(seconds),
        "--stop-timeout", "5", "--only-summary", "--exit-code-on-error", "0",
        "--load-plan", str(folder / "plan.json"), "--samples-out", str(samples),
    ]  # fmt: skip
    log = folder / "locust.log"
    with open(log, "w") as out:
        backstop = seconds + LOGIN_ALLOWANCE_S + 60
        subprocess.run(command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, timeout=backstop)
    if not samples.exists():
        raise RuntimeError(f"locust wrote no samples:\n{log.read_text()[-3000:]}")
    return json.loads(samples.read_text())


def database_checks(url: str, seeded: int) -> dict:
    """Double bookings (two active bookings overlapping for one therapist, one room or one
    client) and the number of bookings the run added."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            checks = {
                f"double_bookings_{column.removesuffix('_id')}": conn.scalar(
                    sa.text(OVERLAPS.format(column=column, end=end))
                )
                for column, end in HELD.items()
            }
            added = conn.scalar(sa.text("SELECT count(*) FROM bookings")) - seeded
    finally:
        engine.dispose()
    return checks | {"bookings_added": added}


def summarize(samples: list[list], seconds: float, key: int) -> dict[str, dict]:
    """Figures per scenario (``key`` 0) or per request name (``key`` 1) from locust's samples."""
    groups: dict[str, list[list]] = {}
    for sample in samples:
        groups.setdefault(sample[key], []).append(sample)
    return {name: figures(rows, seconds) for name, rows in sorted(groups.items())}


def figures(rows: list[list], seconds: float) -> dict:
    """Requests, per second, median and p95 ms, 5xx, other failures and the answers' codes."""
    times = sorted(row[3] for row in rows)
    p95 = statistics.quantiles(times, n=20, method="inclusive")[-1] if len(times) > 1 else times[0]
    server_errors = sum(1 for row in rows if row[2] >= 500)
    return {
        "requests": len(rows),
        "rps": round(len(rows) / seconds, 2),
        "median_ms": round(statistics.median(times), 1),
        "p95_ms": round(p95, 1),
        "server_errors": server_errors,
        "other_failures": sum(1 for row in rows if row[4] and row[2] < 500),
        "statuses": dict(sorted(Counter(str(row[2]) for row in rows).items())),
    }


def report(recorded: dict, checks: dict, options: argparse.Namespace, server_log: str) -> dict:
    """The JSON document, with the verdict and the reasons for a failed one."""
    window = recorded.get("window", {})
    seconds = window["end"] - window["start"] if "end" in window else options.seconds
    scenarios = summarize(recorded["samples"], seconds, key=0)
    outcomes = recorded["outcomes"]
    contended = recorded.get("contention")
    problems = verdict(scenarios, outcomes, checks, contended)
    if "end" not in window:
        problems.append(f"the users were not all logged in after {LOGIN_ALLOWANCE_S} s")
    return {
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": "postgresql",
        "seconds": round(seconds, 1),
        "users": options.users,
        "gunicorn": {"workers": options.workers, "threads": options.threads},
        "load_average_1m": round(os.getloadavg()[0], 2),
        "scenarios": scenarios,
        "requests": summarize(recorded["samples"], seconds, key=1),
        "outcomes": outcomes,
        "contention": contended,
        "healthz_ms_with_idle_connections": recorded.get("healthz_ms_with_idle_connections"),
        **checks,
        "server_tracebacks": server_log.count(TRACEBACK),
        # Where a 5xx came from: the log from its first traceback on.
        "first_traceback": server_log[server_log.find(TRACEBACK) :][:2000]
        if TRACEBACK in server_log
        else None,
        "problems": problems,
        "passed": not problems,
    }


def verdict(
    scenarios: dict[str, dict], outcomes: dict, checks: dict, contended: dict | None = None
) -> list[str]:
    """What makes the run a failure: 5xx, double bookings, a scenario that never succeeded,
    a booking refused while its time was free, or more bookings answered than the database
    holds."""
    problems = [
        f"{name}: {s['server_errors']} server errors (5xx)"
        for name, s in scenarios.items()
        if s["server_errors"]
    ]
    problems += [
        f"{name}: no request succeeded"
        for name in SCENARIOS
        if name not in scenarios or scenarios[name]["requests"] == scenarios[name]["other_failures"]
    ]
    for key in ("double_bookings_therapist", "double_bookings_room", "double_bookings_client"):
        if checks[key]:
            problems.append(f"{checks[key]} {key.replace('_', ' ')}")
    if outcomes.get("refused_while_free"):
        problems.append(f"{outcomes['refused_while_free']} bookings refused while free")
    if contended and contended["refused_while_free"]:
        problems.append(f"busy moments: {contended['refused_while_free']} refused while free")
    if contended and contended["errors"]:
        problems.append(f"busy moments: {contended['errors']} answers neither booked nor 409")
    booked = outcomes.get("booked", 0) + (contended["booked"] if contended else 0)
    if booked > checks["bookings_added"]:
        added = checks["bookings_added"]
        problems.append(f"{booked} bookings answered but {added} in the database")
    return problems


def table(document: dict) -> str:
    """The figures as plain text: one line per scenario, then per request, then the checks."""
    header = (
        f"{'':<40} {'requests':>8} {'req/s':>7} {'median ms':>9} {'p95 ms':>8}"
        f" {'5xx':>4} {'other':>5}"
    )
    lines = [
        f"Spa under load: {document['users']} users for {document['seconds']} s after logging in, "
        "gunicorn "
        f"{document['gunicorn']['workers']} workers x {document['gunicorn']['threads']} threads, "
        f"PostgreSQL; load average (1 min) {document['load_average_1m']:.2f}",
        "",
        header,
        "-" * len(header),
    ]
    for title in ("scenarios", "requests"):
        lines += [_row(name, s) for name, s in document[title].items()] + [""]
    outcomes = document["outcomes"]
    lines += [
        f"bookings: {outcomes.get('booked', 0)} booked, {outcomes.get('taken_409', 0)} just taken "
        f"(409), of which {outcomes.get('refused_while_free', 0)} refused while free, "
        f"{outcomes.get('already_booked', 0)} the client's own visit picked again, "
        f"{outcomes.get('client_busy_409', 0)} clashing with the client's own visit (409), "
        f"{outcomes.get('no_free_time_shown', 0)} searches with no free time",
        *_contention_lines(document.get("contention")),
        f"{document['bookings_added']} bookings added to the database",
        f"double bookings: {document['double_bookings_therapist']} by therapist, "
        f"{document['double_bookings_room']} by room, "
        f"{document['double_bookings_client']} by client",
        f"/healthz from gunicorn with {IDLE_CONNECTIONS} idle connections open: "
        f"{document['healthz_ms_with_idle_connections']} ms (median of 5)",
        f"server tracebacks in the log: {document['server_tracebacks']}",
        *([f"the first:\n{document['first_traceback']}"] if document["first_traceback"] else []),
        "verdict: ok"
        if document["passed"]
        else "verdict: FAILED: " + "; ".join(document["problems"]),
    ]
    return "\n".join(lines)


def _contention_lines(contended: dict | None) -> list[str]:
    if not contended:
        return []
    lines = [f"busy moments on {contended['day']} (one start, every request at once):"]
    lines += [
        f"  {r['round']:<36} {r['requests']:>3} requests: {r['booked']:>3} booked, "
        f"{r['refused']:>3} refused, {r['refused_while_free']} of them while free"
        + (f", {r['errors']} errors" if r["errors"] else "")
        for r in contended["rounds"]
    ]
    return lines


def _row(name: str, s: dict) -> str:
    return (
        f"{name:<40} {s['requests']:>8} {s['rps']:>7.1f} {s['median_ms']:>9.1f}"
        f" {s['p95_ms']:>8.1f} {s['server_errors']:>4} {s['other_failures']:>5}"
    )


if __name__ == "__main__":
    sys.exit(main())
