"""The secret key: required outside tests, taken from SPA_SECRET_KEY."""

import pytest

from spa_app import create_app


def test_missing_secret_key_stops_the_app(monkeypatch):
    monkeypatch.delenv("SPA_SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SPA_SECRET_KEY"):
        create_app()


def test_secret_key_from_the_environment(monkeypatch):
    monkeypatch.setenv("SPA_SECRET_KEY", "from-the-environment")
    app = create_app()
    assert not app.testing
    assert app.config["SECRET_KEY"] == "from-the-environment"


def test_a_secret_of_digits_stays_a_string(monkeypatch):
    monkeypatch.setenv("SPA_SECRET_KEY", "12345678901234567890")
    app = create_app({"TESTING": True})
    assert app.config["SECRET_KEY"] == "12345678901234567890"


def test_a_mail_lease_not_longer_than_the_task_time_limit_is_refused():
    with pytest.raises(RuntimeError, match="SPA_MAIL_LEASE_SECONDS"):
        create_app({"TESTING": True, "SECRET_KEY": "x", "MAIL_LEASE_SECONDS": 300})
