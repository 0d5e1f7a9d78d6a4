"""Who may set a client's visit interval and see who is due to rebook: only the client's own
therapist, or staff; in the access tests' world (client A's visit with their own therapist,
completed four weeks and two days ago, so their next-visit window is open)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from spa_app.accounts.models import Role
from spa_app.booking.models import BookingStatus
from spa_app.cadence.models import NextVisit, VisitInterval
from spa_app.cadence.service import record_completed_visit
from spa_app.database import utcnow
from spa_app.extensions import db
from spa_app.notifications.models import Message
from tests import factories
from tests.access.world import build_cast
from tests.factories import LONDON, at


@pytest.fixture
def world(app):
    world = build_cast()
    day = utcnow().astimezone(LONDON).date() - timedelta(weeks=4, days=2)
    own, room = world.therapists["own"], world.rooms[0]
    visit = factories.booking(world.people["client_a"], own, room, world.service,
                              at(day, "10:00"), status=BookingStatus.COMPLETED)  # fmt: skip
    factories.fresh()
    record_completed_visit(visit, LONDON)
    db.session.commit()
    return world


def window(client_id: int) -> tuple:
    factories.fresh()
    row = db.session.get(NextVisit, client_id)
    return row.opens_at, row.closes_at


@pytest.mark.parametrize("who", ["client", "other therapist"])
def test_only_the_clients_therapist_or_staff_set_the_interval(client, world, who):
    me = world.people["client_a"]
    before = window(me.id)
    factories.login(client, me if who == "client" else world.people["other_therapist"])
    reply = client.post(f"/clients/{me.id}/visit-interval",
                        data={"min_weeks": "2", "max_weeks": "3"})  # fmt: skip
    assert reply.status_code == 404
    assert window(me.id) == before
    assert db.session.get(VisitInterval, me.id) is None


@pytest.mark.parametrize("role", [Role.CLIENT, Role.THERAPIST])
def test_the_rebook_list_is_for_staff(client, world, role):
    factories.login(client, world.person(role))
    assert client.get("/staff/rebook-due").status_code == 404
    due = world.people["client_a"]
    assert client.post(f"/staff/rebook-due/{due.id}/nudge").status_code == 404
    factories.fresh()
    assert db.session.execute(db.select(Message)).scalars().all() == []
