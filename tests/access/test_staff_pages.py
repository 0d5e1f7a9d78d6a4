"""Every staff management page: staff get it, other roles 404, anonymous visitors a login, in
the access tests' world (the pages of its service, room, own therapist and a library routine)."""

from __future__ import annotations

import pytest

from spa_app.accounts.models import Role
from spa_app.extensions import db
from spa_app.homecare.library import load_library
from spa_app.homecare.models import Routine
from tests import factories
from tests.access.world import build_cast

PAGES = [
    "/staff/",
    "/staff/services/",
    "/staff/services/new",
    "/staff/services/{service}",
    "/staff/rooms/",
    "/staff/rooms/new",
    "/staff/rooms/{room}",
    "/staff/therapists/",
    "/staff/therapists/new",
    "/staff/therapists/{therapist}",
    "/staff/therapists/{therapist}/hours",
    "/staff/therapists/{therapist}/time-off",
    "/staff/settings",
    "/staff/closures",
    "/staff/bookings/",
    "/staff/bookings/new",
    "/staff/messages",
    "/staff/routines/",
    "/staff/routines/new",
    "/staff/routines/{routine}",
    "/staff/calendar",
    "/staff/calendar/week?therapist={therapist}",
    "/staff/rebook-due",
    "/staff/waitlist",
    "/staff/audit",
]


@pytest.fixture
def world(app):
    return build_cast()


def _urls(world) -> list[str]:
    ids = {"service": world.service.id, "room": world.rooms[0].id}
    ids["therapist"] = world.therapists["own"].id
    load_library()
    db.session.commit()
    ids["routine"] = db.session.execute(db.select(Routine.id)).scalars().first()
    return [page.format(**ids) for page in PAGES]


def test_staff_see_every_page(client, world):
    urls = _urls(world)
    factories.login(client, world.person(Role.STAFF))
    assert {url: client.get(url).status_code for url in urls} == dict.fromkeys(urls, 200)


@pytest.mark.parametrize("role", [Role.CLIENT, Role.THERAPIST])
def test_other_roles_get_404_everywhere(client, world, role):
    urls = _urls(world)
    factories.login(client, world.person(role))  # a therapist, on their own pages too
    assert {url: client.get(url).status_code for url in urls} == dict.fromkeys(urls, 404)


def test_anonymous_visitors_are_sent_to_log_in(client, world):
    urls = _urls(world)
    locations = {url: client.get(url).headers.get("Location", "") for url in urls}
    assert all(location.startswith("/login?next=") for location in locations.values()), locations
