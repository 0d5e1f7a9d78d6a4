"""Staff limit a service to the rooms that suit it; clients' free times follow."""

from __future__ import annotations

import pytest

from spa_app.accounts.models import Role
from spa_app.catalog.models import Room, Service
from spa_app.extensions import db
from tests import factories
from tests.factories import at


@pytest.fixture
def staff(client):
    factories.login(client, factories.user(Role.STAFF))
    return client


def form(**changes) -> dict:
    data = {"name": "Couples massage", "duration_min": "60", "price": "90", "buffer_min": "0",
            "active": "y"}  # fmt: skip
    data.update(changes)
    return data


def rooms_of(name: str) -> list[str]:
    factories.fresh()
    svc = db.session.execute(db.select(Service).where(Service.name == name)).scalar_one()
    return [r.name for r in svc.rooms]


def test_staff_limit_a_service_to_some_rooms_and_lift_it(staff):
    big, small = factories.room("Big room"), factories.room("Small room")
    page = staff.get("/staff/services/new").get_data(as_text=True)
    assert "<legend>Rooms it may use</legend>" in page and "any open room" in page
    reply = staff.post("/staff/services/new", data=form(rooms=[str(big.id)]))
    assert reply.status_code == 302 and rooms_of("Couples massage") == ["Big room"]
    svc_id = db.session.execute(db.select(Service.id)).scalar_one()
    edit = staff.get(f"/staff/services/{svc_id}").get_data(as_text=True)
    assert f'checked id="rooms-0" name="rooms" type="checkbox" value="{big.id}"' in edit
    assert f'id="rooms-1" name="rooms" type="checkbox" value="{small.id}"' in edit
    assert staff.post(f"/staff/services/{svc_id}", data=form()).status_code == 302
    assert rooms_of("Couples massage") == []


def test_a_closed_room_says_so_and_an_unknown_one_is_refused(staff):
    shut = factories.room("Old room")
    factories.fresh()
    db.session.get(Room, shut.id).active = False
    db.session.commit()
    assert "Old room (closed)" in staff.get("/staff/services/new").get_data(as_text=True)
    reply = staff.post("/staff/services/new", data=form(rooms=["999999"]))
    assert reply.status_code == 200 and "is not a valid choice" in reply.get_data(as_text=True)
    factories.fresh()
    assert db.session.execute(db.select(Service)).first() is None


def test_clients_free_times_are_only_when_one_of_its_rooms_is_free(staff, client):
    svc, (anna, ben), (first, second) = factories.spa(therapists=2, rooms=2)
    day = factories.next_weekday(2)
    factories.booking(factories.user(), anna, second, svc, at(day, "10:00"))
    times = f"/book/{svc.id}?therapist={ben.id}&date={day.isoformat()}"
    assert "start=" + at(day, "10:00").isoformat().replace("+", "%2B") in client.get(
        times
    ).get_data(as_text=True)
    factories.fresh()
    db.session.get(Service, svc.id).rooms = [db.session.get(Room, second.id)]
    db.session.commit()
    page = client.get(times).get_data(as_text=True)
    assert "start=" + at(day, "10:00").isoformat().replace("+", "%2B") not in page
    assert "start=" + at(day, "11:00").isoformat().replace("+", "%2B") in page
