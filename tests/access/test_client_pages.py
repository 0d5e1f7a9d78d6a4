"""The client's data pages are only for clients: staff and therapists get 404 (and no menu link),
anonymous visitors a login; in the access tests' world (staff, and client A's own therapist)."""

from __future__ import annotations

import pytest

from spa_app.accounts.models import Role
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
