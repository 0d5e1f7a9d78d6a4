"""docker-compose.yml and .env.example: valid, wired alike, documented, and their commands exist.

There is no container engine here, so the commands the compose file names are run from the
virtualenv with ``--help`` (same arguments, same environment as Compose would give them).
"""

import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
import yaml
from celery.app.defaults import DEFAULTS as CELERY_SETTINGS

from spa_app import create_app
from spa_app.catalog import images
from spa_app.config import DEFAULTS, celery_defaults
from spa_app.notifications.delivery import send_time_limits

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
ENV_EXAMPLE = ROOT / ".env.example"
BIN = Path(sys.executable).parent
CHECK_JSONSCHEMA = BIN / "check-jsonschema"
APP_SERVICES = ("web", "worker", "beat", "migrate")
ONE_SHOT = {"migrate"}
WAIT_SECONDS = 60  # a worker starts in seconds, but the machine may be busy
SHARED_ENV = (
    "SPA_SECRET_KEY",
    "SPA_SQLALCHEMY_DATABASE_URI",
    "SPA_CELERY__broker_url",
    "SPA_CELERY__broker_transport_options",
    "SPA_RATELIMIT_STORAGE_URI",
)
# What a deployer puts in .env for the required values, in these tests.
REQUIRED_VALUES = {"SPA_SECRET_KEY": "compose-test-secret", "POSTGRES_PASSWORD": "pw4compose"}
ASSIGNMENT = re.compile(r"#?([A-Za-z_][A-Za-z0-9_]*)=(.*)")
COMPOSE_VARIABLE = re.compile(r"\$\$|\$\{(\w+)(?:(:?[-?])([^}]*))?\}")


@pytest.fixture(scope="module")
def services() -> dict:
    return yaml.safe_load(COMPOSE.read_text())["services"]


# .env.example: NAME=value lines are set, #NAME=value lines are optional examples, and the line
# above each says what it is.


def env_entries() -> list[tuple[str, str, bool, str]]:
    """(name, value, set, description) for each variable in .env.example."""
    entries = []
    lines = ENV_EXAMPLE.read_text().splitlines()
    for number, line in enumerate(lines):
        found = ASSIGNMENT.fullmatch(line)
        if found:
            above = lines[number - 1] if number else ""
            description = above[2:] if above.startswith("# ") else ""
            entries.append((found[1], found[2], not line.startswith("#"), description))
    return entries


def env_names() -> set[str]:
    return {name for name, _, _, _ in env_entries()}


def env_values(*, examples: bool = False) -> dict[str, str]:
    """What a deployer's .env holds: the set lines (and the optional ones if ``examples``)."""
    values = {name: value for name, value, on, _ in env_entries() if on or examples}
    return {**values, **REQUIRED_VALUES}


def interpolate(text: str, values: dict[str, str]) -> str:
    """Compose's ${NAME}, ${NAME:-default}, ${NAME:?error} and $$, from ``values``."""

    def substitute(match: re.Match) -> str:
        if match[0] == "$$":
            return "$"
        name, operator, argument = match.groups()
        value = values.get(name)
        missing = value is None or (operator is not None and operator.startswith(":") and not value)
        if missing and operator and operator.endswith("-"):
            return argument
        if missing and operator and operator.endswith("?"):
            raise AssertionError(f"Compose would stop: {name}: {argument}")
        return value or ""

    return COMPOSE_VARIABLE.sub(substitute, text)


def service_env(service: dict) -> dict[str, str]:
    """The environment Compose gives a service: .env (env_file) overlaid by ``environment``."""
    values = env_values()
    environment = {key: interpolate(str(v), values) for key, v in service["environment"].items()}
    return {**values, **environment}


def app_settings() -> set[str]:
    """SPA_* variables the code reads: the configuration defaults, and any environment read
    elsewhere in spa_app/ and worker/ (Celery keys, SPA_CELERY__<key>, are checked apart)."""
    names = {f"SPA_{key}" for key in DEFAULTS if key != "CELERY"}
    environ_read = re.compile(r"""(?:environ(?:\.get\(|\[)|getenv\()\s*["'](SPA_\w+)["']""")
    for folder in ("spa_app", "worker"):
        for path in (ROOT / folder).rglob("*.py"):
            names |= set(environ_read.findall(path.read_text()))
    return names


def test_the_env_example_says_what_each_variable_is_and_its_default():
    entries = env_entries()
    assert len(entries) == len(env_names()), "a variable is listed twice"
    for name, _, _, description in entries:
        assert description and not ASSIGNMENT.fullmatch(description), f"{name}: no comment above"
        assert "default" in description, f"{name}: the comment does not give the default"


def test_every_setting_the_app_reads_is_in_the_env_example():
    missing = app_settings() - env_names()
    assert not missing, f"add to .env.example: {sorted(missing)}"


def test_every_spa_variable_in_the_env_example_is_one_the_app_reads():
    settings = app_settings()
    for name in env_names():
        if name.startswith("SPA_CELERY__"):
            assert name.removeprefix("SPA_CELERY__") in CELERY_SETTINGS, name
        elif name.startswith("SPA_"):
            assert name in settings, f"{name} is read by nothing"


def test_compose_and_the_env_example_name_the_same_variables(services):
    text = COMPOSE.read_text()
    used = {m[1] for m in COMPOSE_VARIABLE.finditer(text) if m[1]}
    assert used <= env_names(), f"add to .env.example: {sorted(used - env_names())}"
    for name in env_names() - used:
        assert name.startswith("SPA_"), f"{name} is used by nothing in docker-compose.yml"
    for name in services["web"]["environment"]:
        assert name in env_names(), f"document {name} in .env.example"


def test_the_required_values_are_empty_in_the_example_and_compose_refuses_them(services):
    values = {name: value for name, value, on, _ in env_entries() if on}
    for name in REQUIRED_VALUES:
        assert values[name] == "", f"{name} must not ship with a value"
    with pytest.raises(AssertionError, match="SPA_SECRET_KEY"):
        interpolate(services["web"]["environment"]["SPA_SECRET_KEY"], values)


def test_the_app_starts_with_every_example_value(monkeypatch):
    for name, value in env_values(examples=True).items():
        if name.startswith("SPA_"):
            monkeypatch.setenv(name, value)
    app = create_app()
    assert app.config["SECRET_KEY"] == REQUIRED_VALUES["SPA_SECRET_KEY"]
    assert app.config["CELERY"]["worker_concurrency"] == 4
    assert app.config["CELERY"]["task_acks_late"] is True  # one Celery key set, the rest kept
    assert app.config["MAIL_PORT"] == 1025 and app.config["LOG_LEVEL"] == "INFO"


# The compose file itself.


def validate(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(CHECK_JSONSCHEMA), "--builtin-schema", "vendor.compose-spec", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_matches_the_compose_spec():
    result = validate(COMPOSE)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_validation_rejects_an_unknown_service_key(tmp_path):
    broken = tmp_path / "docker-compose.yml"
    broken.write_text(COMPOSE.read_text().replace("    healthcheck:", "    healthchek:", 1))
    assert validate(broken).returncode != 0


def test_every_dependency_is_a_defined_service(services):
    for name, service in services.items():
        for dependency in service.get("depends_on", {}):
            assert dependency in services, f"{name} depends on undefined {dependency}"


def test_app_services_start_after_the_migration(services):
    for name in ("web", "worker", "beat"):
        condition = services[name]["depends_on"]["migrate"]["condition"]
        assert condition == "service_completed_successfully", name


def test_app_services_read_the_env_file_and_share_database_broker_and_secret(services):
    envs = {name: services[name]["environment"] for name in APP_SERVICES}
    for name in APP_SERVICES:
        assert services[name]["env_file"] == ".env", name
    for key in SHARED_ENV:
        values = {name: env.get(key) for name, env in envs.items()}
        assert len(set(values.values())) == 1 and None not in values.values(), values
    web = envs["web"]
    assert web["SPA_SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg://")
    assert web["SPA_CELERY__broker_url"].startswith("redis://redis:")
    assert web["SPA_RATELIMIT_STORAGE_URI"].startswith("redis://redis:")
    assert web["SPA_SECRET_KEY"].startswith("${SPA_SECRET_KEY:?")  # required, never defaulted


def test_redis_visibility_timeout_exceeds_the_task_time_limit(services):
    options = json.loads(services["worker"]["environment"]["SPA_CELERY__broker_transport_options"])
    assert celery_defaults("instance")["task_time_limit"] < options["visibility_timeout"]
    _, send_limit = send_time_limits(DEFAULTS)  # the send task waits longer for a slow server
    assert send_limit < options["visibility_timeout"]


def test_exactly_one_beat(services):
    beats = [name for name, s in services.items() if "beat" in s.get("command", [])]
    assert beats == ["beat"]
    # Beat answers its health check's ping (an option the beat --help test proves exists).
    assert "--enable-remote-control" in services["beat"]["command"]
    assert "replicas" not in services["beat"].get("deploy", {})


def test_every_long_running_service_has_a_health_check(services):
    for name, service in services.items():
        if name in ONE_SHOT:
            assert service["restart"] == "no" and "healthcheck" not in service, name
        else:
            assert service["healthcheck"]["test"][0] in ("CMD", "CMD-SHELL"), name


def test_gunicorn_leaves_request_logging_to_the_app(services):
    assert not any("access-log" in arg for arg in services["web"]["command"])


# The commands, run from the virtualenv in the environment Compose would give them.


def run(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    executable = BIN / command[0]
    assert executable.exists(), f"{command[0]} is not installed"
    return subprocess.run(
        [str(executable), *command[1:]],
        cwd=ROOT,
        env={"PATH": str(BIN), "HOME": os.environ.get("HOME", "/"), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def health_command(service: dict) -> list[str]:
    kind, *rest = service["healthcheck"]["test"]
    return shlex.split(interpolate(rest[0], {})) if kind == "CMD-SHELL" else rest


@pytest.mark.parametrize("name", APP_SERVICES)
def test_each_app_command_exists(services, name):
    result = run([*services[name]["command"], "--help"], service_env(services[name]))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Usage" in result.stdout or "usage" in result.stdout


def test_gunicorn_loads_the_app_with_the_compose_settings(services):
    result = run(
        ["gunicorn", "--check-config", *services["web"]["command"][1:]],
        service_env(services["web"]),
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("name", ["worker", "beat"])
def test_celery_health_checks_ping_their_own_node(services, name):
    command = health_command(services[name])
    node = command[command.index("-d") + 1]
    assert node == ("celery@$HOSTNAME" if name == "worker" else "celerybeat@$HOSTNAME")
    result = run([*command, "--help"], service_env(services[name]))
    assert result.returncode == 0, result.stdout + result.stderr


class Healthz(BaseHTTPRequestHandler):
    status = 200

    def do_GET(self):  # the name http.server calls
        self.send_response(self.status if self.path == "/healthz" else 404)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.mark.parametrize(("status", "healthy"), [(200, True), (503, False)])
def test_the_web_health_check_follows_healthz(services, status, healthy):
    handler = type("Answer", (Healthz,), {"status": status})
    with HTTPServer(("127.0.0.1", 0), handler) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        command = health_command(services["web"])
        assert command[0] == "python" and ":8000/healthz" in command[-1]
        port = server.server_address[1]
        probe = [*command[:-1], command[-1].replace(":8000/", f":{port}/")]
        result = run(probe, {})
        server.shutdown()
    assert (result.returncode == 0) is healthy, result.stderr


@pytest.mark.redis
@pytest.mark.worker
def test_worker_and_beat_health_checks_pass_while_they_run_and_fail_once_stopped(
    services, private_redis, sqlite_template, tmp_path
):
    database = tmp_path / "spa.db"
    shutil.copy(sqlite_template, database)
    host = socket.gethostname()  # what $HOSTNAME holds in a container
    commands = {
        "worker": [*services["worker"]["command"], "--concurrency=1"],
        "beat": [
            str(tmp_path / "schedule") if arg == "/tmp/celerybeat-schedule" else arg
            for arg in services["beat"]["command"]
        ],
    }
    envs = {
        name: {
            **service_env(services[name]),
            "SPA_SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
            "SPA_CELERY__broker_url": private_redis.url,
            "SPA_RATELIMIT_STORAGE_URI": private_redis.url,
            "PATH": str(BIN),
        }
        for name in commands
    }
    checks = {
        name: [arg.replace("$HOSTNAME", host) for arg in health_command(services[name])]
        for name in commands
    }
    procs = {}

    def healthy_soon(name: str) -> bool:
        deadline = time.monotonic() + WAIT_SECONDS
        while procs[name].poll() is None and time.monotonic() < deadline:
            if run(checks[name], envs[name]).returncode == 0:
                return True
            time.sleep(1)
        return False

    def healthy_now(name: str) -> bool:
        return run(checks[name], envs[name]).returncode == 0

    try:
        for name, command in commands.items():
            with open(tmp_path / f"{name}.log", "w") as out:
                procs[name] = subprocess.Popen(
                    [str(BIN / command[0]), *command[1:]],
                    cwd=ROOT, env=envs[name], stdout=out, stderr=subprocess.STDOUT,
                )  # fmt: skip
        with ThreadPoolExecutor(2) as pool:
            up = dict(zip(commands, pool.map(healthy_soon, commands), strict=True))
    finally:
        for proc in procs.values():
            proc.terminate()
            proc.wait(timeout=30)
    logs = {name: (tmp_path / f"{name}.log").read_text() for name in commands}
    assert up == {"worker": True, "beat": True}, logs
    with ThreadPoolExecutor(2) as pool:
        assert not any(pool.map(healthy_now, commands))


def test_the_proxy_is_the_only_way_in_and_bounds_requests_like_the_app(services):
    """web is not published; nginx is, buffering whole requests, with the app's body limit and
    short header and body timeouts; the app trusts exactly that one proxy's headers."""
    assert "ports" not in services["web"]
    assert services["web"]["environment"]["SPA_PROXY_COUNT"] == 1
    assert services["proxy"]["ports"] == ["8000:80"]
    assert services["proxy"]["depends_on"]["web"]["condition"] == "service_healthy"
    nginx = yaml.safe_load(COMPOSE.read_text())["configs"]["nginx"]["content"]
    limit = re.search(r"client_max_body_size (\d+)k;", nginx)
    assert limit and int(limit.group(1)) * 1024 == DEFAULTS["MAX_CONTENT_LENGTH"]
    for setting in ("client_header_timeout 10s", "client_body_timeout 10s",
                    "proxy_request_buffering on", "proxy_pass http://web:8000"):  # fmt: skip
        assert setting in nginx
    # Only the staff pages with a picture field take more: what the app takes there.
    pictures = re.search(r"location ~ (\S+) \{\s*client_max_body_size (\d+)k;", nginx)
    assert pictures and int(pictures.group(2)) * 1024 == images.body_limit(DEFAULTS)
    pattern = re.compile(pictures.group(1).replace("$$", "$"))
    for path in ("/staff/services/new", "/staff/services/12", "/staff/therapists/3"):
        assert pattern.match(path), path
    for path in ("/staff/services", "/staff/therapists/new", "/staff/services/1/x", "/login"):
        assert not pattern.match(path), path
    assert services["web"]["environment"]["SPA_UPLOAD_FOLDER"] == "/data/uploads"
    assert "uploads:/data/uploads" in services["web"]["volumes"]
    # Compose would read a bare $name as its own variable: nginx's are all written $$name.
    assert "$" not in nginx.replace("$$", "")
