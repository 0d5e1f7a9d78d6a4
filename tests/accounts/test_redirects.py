"""After logging in or signing up, ``next`` may only lead to a page of this site."""

from __future__ import annotations

import pytest

from spa_app.accounts.guards import safe_next
from tests import factories

OFFSITE = [
    "//evil.example",
    "https://evil.example",
    "/\\evil.example",
    "\\/evil.example",
    "javascript:alert(1)",
    "%2F%2Fevil.example",  # as sent, undecoded
    "///evil.example",
    "http:evil.example",
    " //evil.example",
    "/\t/evil.example",
    "https:/evil.example",
]
LOCAL = "/book/1/confirm?start=2026-12-01T10:00"
LANDING = "/bookings"


@pytest.mark.parametrize("target", OFFSITE)
def test_safe_next_refuses_every_offsite_target(target):
    assert safe_next(target) is None


def test_safe_next_keeps_a_local_path():
    assert safe_next(LOCAL) == LOCAL


def log_in(client, target):
    me = factories.user()
    return client.post(
        "/login", data={"email": me.email, "password": factories.PASSWORD, "next": target}
    )


def sign_up(client, target):
    return client.post(
        "/register",
        data={
            "name": "Dana Doe",
            "email": "dana@example.com",
            "password": "long-enough-pw",
            "confirm": "long-enough-pw",
            "next": target,
        },
    )


@pytest.mark.parametrize("target", OFFSITE)
@pytest.mark.parametrize("submit", [log_in, sign_up], ids=["login", "register"])
def test_an_offsite_next_lands_on_the_clients_page(client, submit, target):
    reply = submit(client, target)
    assert reply.status_code == 302 and reply.location == LANDING


@pytest.mark.parametrize("submit", [log_in, sign_up], ids=["login", "register"])
def test_a_local_next_is_followed(client, submit):
    reply = submit(client, LOCAL)
    assert reply.status_code == 302 and reply.location == LOCAL


@pytest.mark.parametrize("page", ["/login", "/register"])
def test_a_percent_encoded_next_in_the_link_is_refused_once_decoded(client, page):
    """The query string is decoded once: %2F%2Fevil.example arrives as //evil.example."""
    html = client.get(f"{page}?next=%2F%2Fevil.example").get_data(as_text=True)
    assert 'value="//evil.example"' in html  # the form carries it back...
    submit = log_in if page == "/login" else sign_up
    assert submit(client, "//evil.example").location == LANDING  # ...and it is refused
