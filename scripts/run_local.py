"""Run the whole service on one machine with no servers: web, Celery worker, beat, mail sink.

Prepares the instance folder (broker folders, a Maildir for the mail sink, a development
secret made once), applies the migrations to the SQLite database, loads the demo data on
first start, then keeps the four processes in the foreground: the mail sink is a local
aiosmtpd server on a free port that files every e-mail in instance/mail, readable by staff at
/staff/mail-sink. Ctrl-C stops all of them; if one exits, the others are stopped too.
"""

from __future__ import annotations

import argparse
import mailbox
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from spa_app.config import celery_defaults

ROOT = Path(__file__).resolve().parent.parent
# Flask's instance folder for this source tree; config.py puts the filesystem broker under it.
INSTANCE = ROOT / "instance"
LOGS = INSTANCE / "logs"
MAILDIR = INSTANCE / "mail"
STOP_SECONDS = 10


def flask(*args: str) -> list[str]:
    return [sys.executable, "-m", "flask", "--app", "spa_app", *args]


def celery(*args: str) -> list[str]:
    return [sys.executable, "-m", "celery", "-A", "worker.app", *args]


def prepare_instance() -> str:
    """Create the folders the broker and logs need; return the development secret."""
    broker = celery_defaults(str(INSTANCE))["broker_transport_options"]
    for folder in [LOGS] + [Path(path) for key, path in broker.items() if "folder" in key]:
        folder.mkdir(parents=True, exist_ok=True)
    mailbox.Maildir(MAILDIR, create=True)
    key_file = INSTANCE / "dev-secret-key"
    if not key_file.exists():
        with os.fdopen(os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as f:
            f.write(secrets.token_hex(32) + "\n")
    return key_file.read_text().strip()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(command: list[str], env: dict, log: Path | None) -> subprocess.Popen:
    """Start one process in its own session, so the terminal's Ctrl-C reaches only us."""
    if log is None:
        return subprocess.Popen(
            command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, start_new_session=True
        )
    with open(log, "w") as out:
        return subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def wait_for_first_exit(procs: dict[str, subprocess.Popen]) -> tuple[str, int]:
    while True:
        for name, proc in procs.items():
            if proc.poll() is not None:
                return name, proc.returncode
        time.sleep(0.5)


def stop(procs: dict[str, subprocess.Popen]) -> None:
    """SIGTERM each process (Celery's warm shutdown), then kill whatever is left after a while."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not abandon children
    for proc in procs.values():
        if proc.poll() is None:
            proc.terminate()
    deadline = time.monotonic() + STOP_SECONDS
    for name, proc in procs.items():
        try:
            proc.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            print(f"{name} did not stop within {STOP_SECONDS}s; killing it.", flush=True)
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    print("Stopped web, worker, beat and the mail sink.", flush=True)


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", 5000)))
    args = parser.parse_args()

    secret = prepare_instance()
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    env["SPA_SECRET_KEY"] = os.environ.get("SPA_SECRET_KEY") or secret
    mail_port = free_port()
    url = f"http://{args.host}:{args.port}/"
    env.update(
        SPA_MAIL_HOST="127.0.0.1",
        SPA_MAIL_PORT=str(mail_port),
        SPA_MAIL_SECURITY="none",
        SPA_MAIL_SINK_DIR=str(MAILDIR),
        SPA_PUBLIC_URL=url.rstrip("/"),
    )
    subprocess.run(flask("db", "upgrade"), cwd=ROOT, env=env, check=True)
    subprocess.run(flask("spa", "demo-data"), cwd=ROOT, env=env, check=True)
    # Adds only routines the library lacks: a database from before home care gets them too.
    subprocess.run(flask("spa", "load-techniques"), cwd=ROOT, env=env, check=True)

    schedule = INSTANCE / "celerybeat-schedule"
    sink = [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{mail_port}"]
    services = {  # name: (command, log file or None for this terminal)
        "mail": ([*sink, "-c", "aiosmtpd.handlers.Mailbox", str(MAILDIR)], LOGS / "mail.log"),
        "worker": (celery("worker", "--loglevel=info", "--concurrency=2"), LOGS / "worker.log"),
        "beat": (celery("beat", "--loglevel=info", "--schedule", str(schedule)), LOGS / "beat.log"),
        "web": (flask("run", "--host", args.host, "--port", str(args.port)), None),
    }
    print(
        f"\nSpa booking: {url}  (health: {url}healthz)\n"
        "Demo logins: listed above by `flask spa demo-data`.\n"
        f"Logs: web below; worker in {LOGS.relative_to(ROOT) / 'worker.log'}; "
        f"beat in {LOGS.relative_to(ROOT) / 'beat.log'}.\n"
        f"E-mails go to a local mail sink: log in as staff and open {url}staff/mail-sink\n"
        "Ctrl-C stops them all.\n",
        flush=True,
    )
    # Ctrl-C and SIGTERM both mean "stop everything", even if our parent started us ignoring SIGINT.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _interrupt)
    procs: dict[str, subprocess.Popen] = {}
    try:
        for name, (command, log) in services.items():
            procs[name] = start(command, env, log)
        name, code = wait_for_first_exit(procs)
        log = services[name][1]
        where = f"; its log is {log.relative_to(ROOT)}" if log else ""
        print(f"\n{name} exited with code {code}{where}. Stopping the others.", flush=True)
        return code or 1
    except KeyboardInterrupt:
        return 0
    finally:
        stop(procs)


if __name__ == "__main__":
    sys.exit(main())
