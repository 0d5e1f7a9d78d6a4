"""The Celery settings Celery actually uses, read back from the configured Celery app."""

import pytest
from celery.app.defaults import DEFAULTS as CELERY_SETTINGS

from spa_app import create_app
from spa_app.config import celery_defaults


@pytest.fixture
def app_config():
    # An empty CELERY mapping keeps every default, the filesystem broker included.
    return {"CELERY": {}}


def test_reliability_settings_are_in_effect(app):
    conf = app.extensions["celery"].conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.task_ignore_result is True
    assert conf.task_serializer == "json"
    assert list(conf.accept_content) == ["json"]


def test_hard_time_limit_is_below_the_visibility_timeout_and_the_mail_lease(app):
    conf = app.extensions["celery"].conf
    assert conf.task_soft_time_limit < conf.task_time_limit
    assert conf.task_time_limit < conf.broker_transport_options["visibility_timeout"]
    # A send still running when its lease ran out could go out twice; the hard limit kills it.
    assert conf.task_time_limit < app.config["MAIL_LEASE_SECONDS"]


def test_every_configured_key_is_a_celery_setting(app):
    # Celery ignores unknown keys silently; a typo would quietly drop a guarantee.
    unknown = set(app.config["CELERY"]) - set(CELERY_SETTINGS)
    assert not unknown


def test_broker_url_from_the_environment_keeps_the_other_defaults(monkeypatch):
    monkeypatch.setenv("SPA_CELERY__broker_url", "redis://broker.example:6379/0")
    app = create_app(
        {"TESTING": True, "SECRET_KEY": "test-secret", "SQLALCHEMY_DATABASE_URI": "sqlite://"}
    )
    conf = app.extensions["celery"].conf
    assert conf.broker_url == "redis://broker.example:6379/0"
    defaults = celery_defaults(app.instance_path)
    del defaults["broker_url"]
    assert {key: conf[key] for key in defaults} == defaults


def test_transport_options_from_the_environment_are_json(monkeypatch):
    monkeypatch.setenv("SPA_CELERY__broker_transport_options", '{"visibility_timeout": 7200}')
    app = create_app(
        {"TESTING": True, "SECRET_KEY": "test-secret", "SQLALCHEMY_DATABASE_URI": "sqlite://"}
    )
    assert app.extensions["celery"].conf.broker_transport_options == {"visibility_timeout": 7200}
