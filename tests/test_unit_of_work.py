"""One unit of work: views, tasks and commands commit and roll back the same way; a GET that
writes must say so; request parameters are read one way."""

from __future__ import annotations

from datetime import date, time

import pytest
from flask import request

from spa_app import params
from spa_app.accounts.models import Role, User
from spa_app.database import unit_of_work, writes
from spa_app.extensions import db


def _count_users() -> int:
    return db.session.scalar(db.select(db.func.count(User.id)))


def _add_user(email: str) -> None:
    db.session.add(User(email=email, name="Test", role=Role.CLIENT, password_hash="x"))


def test_unit_of_work_commits_the_block(app):
    with app.app_context():
        before = _count_users()
        with unit_of_work():
            _add_user("kept@example.com")
        db.session.close()
        assert _count_users() == before + 1


def test_unit_of_work_rolls_back_a_refused_change_and_raises_on(app):
    class Refused(Exception):
        pass

    with app.app_context():
        before = _count_users()
        with pytest.raises(Refused), unit_of_work():
            _add_user("half@example.com")
            db.session.flush()
            raise Refused
        assert _count_users() == before


@pytest.fixture
def writing_app(app):
    @app.get("/_test/unmarked")
    def unmarked():
        _add_user("unmarked@example.com")
        db.session.flush()
        return "wrote"

    @app.get("/_test/marked")
    @writes
    def marked():
        with unit_of_work():
            _add_user("marked@example.com")
        return "wrote"

    @app.post("/_test/post")
    def posted():
        with unit_of_work():
            _add_user("posted@example.com")
        return "wrote"

    return app


def test_a_get_that_writes_without_being_marked_is_refused(writing_app):
    writing_app.config["PROPAGATE_EXCEPTIONS"] = True
    with pytest.raises(RuntimeError, match="mark its view with database.writes"):
        writing_app.test_client().get("/_test/unmarked")
    with writing_app.app_context():
        assert db.session.scalar(db.select(User).filter_by(email="unmarked@example.com")) is None


def test_a_marked_get_and_a_post_may_write(writing_app):
    client = writing_app.test_client()
    assert client.get("/_test/marked").status_code == 200
    assert client.post("/_test/post").status_code == 200
    with writing_app.app_context():
        emails = set(db.session.scalars(db.select(User.email)))
    assert {"marked@example.com", "posted@example.com"} <= emails


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1", 1),
        ("2147483647", 2147483647),
        ("2147483648", None),  # past the largest id
        ("0", None),
        ("-1", None),
        (" 7", None),
        ("7 ", None),
        ("²", None),  # isdigit, and int() refuses it
        ("١", None),  # Arabic-Indic one: isdecimal, and int() takes it
        ("７", None),  # fullwidth seven
        ("9" * 40, None),
        ("", None),
        (None, None),
    ],
)
def test_ids_are_ascii_digits_in_range(raw, expected):
    assert params.as_id(raw) == expected


def test_wholes_days_and_times():
    assert params.as_whole("0", most=5) == 0
    assert params.as_whole("6", most=5) is None
    assert params.as_whole("٣", most=5) is None
    assert params.as_day("2026-03-29") == date(2026, 3, 29)
    assert params.as_day("2026-02-30") is None
    assert params.as_time("09:30") == time(9, 30)
    assert params.as_time("25:00") is None


def test_query_string_readers(app):
    with app.test_request_context("/?therapist=12&date=2026-03-29&time=10:00&bad=١"):
        assert params.arg_id("therapist") == 12
        assert params.arg_id("bad") is None
        assert params.arg_id("missing") is None
        assert params.arg_day() == date(2026, 3, 29)
        assert params.arg_time() == time(10, 0)
        assert request.args["bad"] == "١"


def test_business_settings_are_read_once_per_request_and_forgotten_when_saved(app):
    from spa_app.business import business
    from spa_app.scheduling.queries import get_settings
    from tests.sqlcount import count_statements

    with app.app_context():
        first = business()
        with count_statements() as counted:
            db.session.commit()  # expires the row: the copy still answers
            assert business() is first
            assert business().tz.key == "Europe/London"
        assert counted == []
        with unit_of_work():
            get_settings().timezone = "America/New_York"
        assert business().tz.key == "America/New_York"
