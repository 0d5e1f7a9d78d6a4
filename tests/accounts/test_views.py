"""Registration, login, logout, safe redirects and CSRF."""

from __future__ import annotations

import re

import pytest

from spa_app.accounts.guards import safe_next
from spa_app.accounts.models import Role, User
from spa_app.extensions import db
from tests import factories


def users():
    factories.fresh()
    return db.session.execute(db.select(User)).scalars().all()


def register(client, **overrides):
    data = {
        "name": "Dana Doe",
        "email": "Dana@Example.com",
        "password": "long-enough-pw",
        "confirm": "long-enough-pw",
    }
    data.update(overrides)
    return client.post("/register", data=data)


def test_register_creates_a_client_with_a_hashed_password_and_logs_in(client):
    reply = register(client)
    assert reply.status_code == 302 and reply.location == "/bookings"
    (user,) = users()
    assert user.email == "dana@example.com" and user.role is Role.CLIENT
    assert user.password_hash.startswith(("scrypt:", "pbkdf2:")) and "long-enough" not in (
        user.password_hash
    )
    assert client.get("/bookings").status_code == 200


@pytest.mark.parametrize(
    "overrides,message",
    [
        ({"email": "not-an-email"}, "Invalid email"),
        ({"password": "short", "confirm": "short"}, "10 to 200"),
        ({"confirm": "different-pw-1"}, "Passwords differ"),
        ({"name": "Eve\r\nBcc: victim@example.com"}, "single line"),
        ({"name": "x" * 10_000}, "Field cannot be longer"),
    ],
)
def test_bad_registrations_change_nothing(client, overrides, message):
    reply = register(client, **overrides)
    assert reply.status_code == 200 and message in reply.get_data(as_text=True)
    assert users() == []


def test_an_email_can_register_once(client):
    register(client)
    client.post("/logout")
    again = register(client, email="dana@example.com")
    assert "exists" in again.get_data(as_text=True) and len(users()) == 1


def test_login_and_logout(client, app):
    u = factories.user()
    wrong = client.post("/login", data={"email": u.email, "password": "nope-nope-nope"})
    assert "do not match" in wrong.get_data(as_text=True)
    assert factories.login(client, u).status_code == 302
    assert client.get("/bookings").status_code == 200
    assert client.get("/logout").status_code == 405  # state changes are POST only
    assert client.post("/logout").status_code == 302
    assert client.get("/bookings").status_code == 302


def test_staff_created_clients_without_password_cannot_log_in(client):
    u = factories.user()
    u.password_hash = None
    db.session.commit()
    reply = client.post("/login", data={"email": u.email, "password": "anything-at-all"})
    assert "do not match" in reply.get_data(as_text=True)


@pytest.mark.parametrize(
    "target,expected",
    [
        ("/bookings", "/bookings"),
        ("/book/1/confirm?start=x", "/book/1/confirm?start=x"),
        ("//evil.example.com/", None),
        ("https://evil.example.com/", None),
        ("/\\evil.example.com", None),
        ("javascript:alert(1)", None),
        ("/ok\r\nSet-Cookie: x=1", None),
        ("", None),
    ],
)
def test_safe_next_keeps_only_local_paths(target, expected):
    assert safe_next(target) == expected


def test_login_ignores_an_offsite_next(client):
    u = factories.user()
    reply = client.post(
        "/login",
        data={
            "email": u.email,
            "password": factories.PASSWORD,
            "next": "https://evil.example.com/",
        },
    )
    assert reply.location == "/bookings"


class TestWithCsrf:
    @pytest.fixture
    def app_config(self):
        return {"WTF_CSRF_ENABLED": True}

    def test_a_post_without_the_token_is_400_and_changes_nothing(self, client):
        reply = register(client)
        assert reply.status_code == 400 and users() == []

    def test_a_post_with_the_token_works(self, client):
        page = client.get("/register").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        assert register(client, csrf_token=token).status_code == 302 and len(users()) == 1
