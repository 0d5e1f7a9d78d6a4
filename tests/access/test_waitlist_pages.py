"""Who may join the waitlist, take an offer and see the list: a client joins for themselves, an
offer is for its client alone, the list is for staff; in the access tests' world (a visit with
A's own therapist on a day next week, which its client, a third one, may cancel)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from spa_app.accounts.models import Role
from spa_app.booking.models import Booking
from spa_app.extensions import db
from tests import factories
from tests.access.world import A_NAME, B_NAME, build_cast
from tests.factories import at, signed_in
from tests.waitlist.helpers import cancel, entries, join, offers


@pytest.fixture
def world(app):
    """The cast; the day next week and the visit at 10:00 with the own therapist, booked by a
    client of neither A nor B."""
    world = build_cast()
    day = factories.next_weekday(2)
    leaving = factories.user(name="Leaving Client")
    visit = factories.booking(leaving, world.therapists["own"], world.rooms[0], world.service,
                              at(day, "10:00"))  # fmt: skip
    return world, day, visit


def test_unknown_services_and_other_peoples_visits_are_not_found(app, client, world):
    world, day, visit = world
    svc = world.service
    factories.login(client, world.people["client_a"])
    assert client.get("/waitlist/join/999").status_code == 404
    assert client.get(f"/waitlist/join/{svc.id}?booking={visit.id}").status_code == 404
    assert join(client, svc, day, day, booking=visit).status_code == 404
    assert client.get(f"/waitlist/join/{svc.id}?booking=x1").status_code == 404
    assert entries() == []


@pytest.mark.parametrize("role", [Role.STAFF, Role.THERAPIST])
def test_only_clients_join(app, client, world, role):
    world, day, _ = world
    factories.login(client, world.person(role))
    assert client.get(f"/waitlist/join/{world.service.id}").status_code == 404


def test_offers_are_for_their_client_alone_and_staff_see_the_list(app, world):
    world, day, visit = world
    people, svc = world.people, world.service
    join(signed_in(app, people["client_a"]), svc, day, day)
    join(signed_in(app, people["client_b"]), svc, day, day)
    cancel(app, visit)
    first_offer = offers()[0]
    assert first_offer.entry.client_id == people["client_a"].id
    for who in ("client_b", "staff", "own_therapist", "other_therapist"):
        browser = signed_in(app, people[who])
        assert browser.get(f"/waitlist/offers/{first_offer.id}").status_code == 404
        assert browser.post(f"/waitlist/offers/{first_offer.id}").status_code == 404
    for role in (Role.CLIENT, Role.THERAPIST):
        assert signed_in(app, world.person(role)).get("/staff/waitlist").status_code == 404
    page = signed_in(app, people["staff"]).get("/staff/waitlist").get_data(as_text=True)
    assert page.index(A_NAME) < page.index(B_NAME)
    factories.fresh()
    booked = db.session.execute(sa.select(Booking).where(Booking.starts_at == visit.starts_at))
    assert [b.id for b in booked.scalars()] == [visit.id]  # nobody took the time
