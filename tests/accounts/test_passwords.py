"""Password hashing: OWASP's scrypt work factor, older hashes replaced, no account discovery."""

from __future__ import annotations

import pytest
from werkzeug.security import generate_password_hash

from spa_app import create_app
from spa_app.accounts import models
from spa_app.accounts.models import User
from spa_app.config import DEFAULTS
from spa_app.extensions import db
from tests import factories

PRODUCTION = "scrypt:32768:8:3"  # N=2^15, r=8, p=3: 32 MiB per hash


def stored_hash(user_id: int) -> str:
    factories.fresh()
    return db.session.get(User, user_id).password_hash


def test_the_production_default_is_scrypt_at_owasps_work_factor(monkeypatch):
    monkeypatch.delenv("SPA_PASSWORD_HASH_METHOD", raising=False)
    assert DEFAULTS["PASSWORD_HASH_METHOD"] == PRODUCTION
    assert create_app({"TESTING": True, "SECRET_KEY": "x"}).config["PASSWORD_HASH_METHOD"] == (
        PRODUCTION
    )


def test_an_older_hash_is_replaced_at_the_next_login_and_the_session_holds(app, client):
    me = factories.user()
    me.password_hash = generate_password_hash(factories.PASSWORD, "scrypt:32768:8:1")
    db.session.commit()
    app.config["PASSWORD_HASH_METHOD"] = PRODUCTION  # after the factory: one slow hash, not two
    assert factories.login(client, me).status_code == 302
    upgraded = stored_hash(me.id)
    assert upgraded.startswith(PRODUCTION + "$")
    assert client.get("/bookings").status_code == 200  # the new stamp is this session's


def test_a_current_hash_is_left_as_it_is(app, client):
    """Rehashing at every login would cost a hash and end the user's other sessions each time."""
    me = factories.user()
    assert me.password_hash.startswith(app.config["PASSWORD_HASH_METHOD"] + "$")
    assert factories.login(client, me).status_code == 302
    assert stored_hash(me.id) == me.password_hash


def test_a_wrong_password_replaces_nothing(client):
    me = factories.user()
    weak = generate_password_hash(factories.PASSWORD, "pbkdf2:sha256:2")
    me.password_hash = weak
    db.session.commit()
    factories.login(client, me, "not-the-password")
    assert stored_hash(me.id) == weak


def test_new_passwords_use_the_configured_method(app, client):
    factories.login(client, factories.user())
    client.post(
        "/account/password",
        data={
            "current": factories.PASSWORD,
            "password": "new-pass-word",
            "confirm": "new-pass-word",
        },
    )
    (user,) = db.session.execute(db.select(User)).scalars()
    assert stored_hash(user.id).startswith(app.config["PASSWORD_HASH_METHOD"] + "$")


@pytest.mark.parametrize("method", ["scrypt", "pbkdf2:sha256", "md5", "scrypt:1:2"])
def test_a_method_without_all_its_parameters_stops_the_app(method):
    with pytest.raises(RuntimeError, match="SPA_PASSWORD_HASH_METHOD"):
        create_app({"TESTING": True, "SECRET_KEY": "x", "PASSWORD_HASH_METHOD": method})


# The same answer, and the same work, whether or not the account exists.


@pytest.fixture
def checks(monkeypatch):
    """Counts the password checks made (each costs one full hash)."""
    made = []
    real = models.check_password_hash

    def counting(pwhash, password):
        made.append(pwhash.split("$", 1)[0])
        return real(pwhash, password)

    monkeypatch.setattr(models, "check_password_hash", counting)
    return made


def test_an_unknown_e_mail_costs_one_password_check_like_a_real_one(app, client, checks):
    me = factories.user()
    walk_in = factories.user()
    walk_in.password_hash = None  # made by staff for a phone booking: cannot log in
    db.session.commit()
    pages = {}
    for email in (me.email, "nobody@example.com", walk_in.email):
        reply = client.post("/login", data={"email": email, "password": "not-the-password"})
        pages[email] = reply.get_data(as_text=True).replace(email, "EMAIL")
        assert reply.status_code == 200
    method = app.config["PASSWORD_HASH_METHOD"]
    assert checks == [method] * 3
    assert len(set(pages.values())) == 1  # one page, word for word
    assert "do not match an account" in pages[me.email]
