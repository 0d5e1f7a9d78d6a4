"""Only staff reach the catalog management pages: others get 404, anonymous visitors a login;
in the access tests' world (its room "Willow" and its one service, "Deep calm")."""

from __future__ import annotations

import pytest

from spa_app.accounts.models import Role
from spa_app.catalog.models import Room, Service
from spa_app.extensions import db
from tests import factories
from tests.access.world import build_cast


@pytest.fixture
def world(app):
    return build_cast()


@pytest.mark.parametrize("role", [Role.CLIENT, Role.THERAPIST])
def test_other_roles_cannot_change_anything(client, world, role):
    room = world.rooms[0]
    factories.login(client, world.person(role))
    assert client.post(f"/staff/rooms/{room.id}", data={"name": "Hacked"}).status_code == 404
    assert client.post(f"/staff/rooms/{room.id}/active", data={"active": "0"}).status_code == 404
    form = {"name": "Free", "duration_min": "60", "price": "0", "buffer_min": "0"}
    assert client.post("/staff/services/new", data=form).status_code == 404
    db.session.rollback()
    assert db.session.get(Room, room.id).name == "Willow"
    assert db.session.get(Room, room.id).active
    assert db.session.execute(db.select(Service.id)).scalars().all() == [world.service.id]


def test_anonymous_post_changes_nothing(client, world):
    room = world.rooms[0]
    response = client.post(f"/staff/rooms/{room.id}", data={"name": "Hacked"})
    assert response.status_code == 302
    db.session.rollback()
    assert db.session.get(Room, room.id).name == "Willow"


def test_missing_or_impossible_ids_are_404(client, world):
    factories.login(client, world.person(Role.STAFF))
    urls = [
        f"/staff/{kind}/{number}"
        for kind in ("services", "rooms", "therapists")
        for number in ("99999999999", "12345", "0", "-1")
    ] + ["/staff/rooms/99999999999/active", "/staff/rooms/12345/active"]
    statuses = {
        url: client.post(url, data={"name": "X", "active": "1"}).status_code for url in urls
    }
    statuses |= {f"GET {url}": client.get(url).status_code for url in urls[:12]}
    assert set(statuses.values()) == {404}, statuses


def test_management_index_links_every_page(client, world):
    factories.login(client, world.person(Role.STAFF))
    page = client.get("/staff/").get_data(as_text=True)
    for href in (
        "/staff/bookings/",
        "/staff/bookings/new",
        "/staff/services/",
        "/staff/rooms/",
        "/staff/therapists/",
        "/staff/closures",
        "/staff/settings",
    ):
        assert f'href="{href}"' in page
