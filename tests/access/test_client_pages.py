"""The client's data pages are only for clients: staff and therapists get 404 (and no menu link),
anonymous visitors a login; so are deleting the account and choosing the optional e-mails, and
staff have no calendar feed; in the access tests' world (staff, and client A's own therapist)."""

from __future__ import annotations

import pytest

from spa_app.accounts.models import Role, User
from spa_app.extensions import db
from tests import factories
from tests.access.world import build_cast

CLIENT_PAGES = ["/account/data", "/account/data/download", "/account/delete"]


@pytest.fixture
def world(app):
    return build_cast()


@pytest.mark.parametrize("role", [Role.STAFF, Role.THERAPIST])
def test_staff_and_therapists_get_404(client, world, role):
    factories.login(client, world.person(role))
    assert {url: client.get(url).status_code for url in CLIENT_PAGES} == dict.fromkeys(
        CLIENT_PAGES, 404
    )
    assert 'href="/account/data"' not in client.get("/").get_data(as_text=True)


def test_anonymous_visitors_are_sent_to_log_in(client, world):
    for url in CLIENT_PAGES:
        assert client.get(url).headers["Location"].startswith("/login?next="), url


@pytest.mark.parametrize("role", [Role.STAFF, Role.THERAPIST])
def test_only_clients_delete_themselves(client, world, role):
    someone = world.person(role)
    factories.login(client, someone)
    assert client.get("/account/delete").status_code == 404
    reply = client.post("/account/delete", data={"password": factories.PASSWORD})
    assert reply.status_code == 404
    factories.fresh()
    assert db.session.get(User, someone.id).name == someone.name


@pytest.mark.parametrize("role", [Role.STAFF, Role.THERAPIST])
def test_settings_are_for_clients(client, world, role):
    factories.login(client, world.person(role))
    assert client.get("/account/emails").status_code == 404


def test_staff_have_no_feed_page(client, world):
    factories.login(client, world.person(Role.STAFF))
    assert client.get("/account/calendar-feed").status_code == 404
