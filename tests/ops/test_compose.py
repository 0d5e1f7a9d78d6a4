"""docker-compose.yml: valid for the Compose spec, and the app services agree on their wiring."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from spa_app.config import celery_defaults

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
CHECK_JSONSCHEMA = Path(sys.executable).with_name("check-jsonschema")
APP_SERVICES = ("web", "worker", "beat", "migrate")
SHARED_ENV = (
    "SPA_SECRET_KEY",
    "SPA_SQLALCHEMY_DATABASE_URI",
    "SPA_CELERY__broker_url",
    "SPA_CELERY__broker_transport_options",
)


@pytest.fixture(scope="module")
def services() -> dict:
    return yaml.safe_load(COMPOSE.read_text())["services"]


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


def test_app_services_share_database_broker_and_secret(services):
    envs = {name: services[name]["environment"] for name in APP_SERVICES}
    for key in SHARED_ENV:
        values = {name: env.get(key) for name, env in envs.items()}
        assert len(set(values.values())) == 1 and None not in values.values(), values
    web = envs["web"]
    assert web["SPA_SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg://")
    assert web["SPA_CELERY__broker_url"].startswith("redis://redis:")
    assert web["SPA_SECRET_KEY"].startswith("${SPA_SECRET_KEY:?")  # required, never defaulted


def test_redis_visibility_timeout_exceeds_the_task_time_limit(services):
    options = json.loads(services["worker"]["environment"]["SPA_CELERY__broker_transport_options"])
    assert celery_defaults("instance")["task_time_limit"] < options["visibility_timeout"]


def test_exactly_one_beat(services):
    beats = [name for name, s in services.items() if "beat" in s.get("command", [])]
    assert beats == ["beat"]
    assert "replicas" not in services["beat"].get("deploy", {})
