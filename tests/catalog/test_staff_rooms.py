"""Staff manage treatment rooms: add, rename, open and close them."""

from __future__ import annotations

import re

import pytest

from spa_app.accounts.models import Role
from spa_app.catalog import service
from spa_app.catalog.models import Room
from spa_app.extensions import db
from tests import factories


@pytest.fixture
def staff(client):
    factories.login(client, factories.user(Role.STAFF))
    return client


def saved_rooms() -> list[tuple[str, bool]]:
    """(name, active) of every room in the database, as the next request would see them."""
    db.session.rollback()
    return [
        (r.name, r.active) for r in db.session.execute(db.select(Room).order_by(Room.id)).scalars()
    ]


def test_staff_add_a_room(staff):
    response = staff.post("/staff/rooms/new", data={"name": "  Lavender "}, follow_redirects=True)
    assert response.request.path == "/staff/rooms/"
    assert "Saved the room “Lavender”." in response.get_data(as_text=True)
    assert saved_rooms() == [("Lavender", True)]


def test_staff_rename_a_room(staff):
    room = factories.room("Lavender")
    page = staff.get(f"/staff/rooms/{room.id}").get_data(as_text=True)
    assert 'value="Lavender"' in page
    assert staff.post(f"/staff/rooms/{room.id}", data={"name": "Rose"}).status_code == 302
    assert saved_rooms() == [("Rose", True)]


def test_a_taken_name_is_a_form_error_on_add_and_rename(staff):
    factories.room("Lavender")
    rose = factories.room("Rose")
    for url in ("/staff/rooms/new", f"/staff/rooms/{rose.id}"):
        response = staff.post(url, data={"name": "lavender"})
        assert response.status_code == 200
        assert "That name is already in use" in response.get_data(as_text=True)
    assert saved_rooms() == [("Lavender", True), ("Rose", True)]


@pytest.mark.parametrize(
    ("name", "message"),
    [("", "This field is required."), ("Rose\nRoom", "Use a single line"), ("x" * 81, "80")],
)
def test_bad_names_are_refused(staff, name, message):
    response = staff.post("/staff/rooms/new", data={"name": name})
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert saved_rooms() == []


def test_staff_deactivate_and_reactivate_a_room(staff):
    room = factories.room("Lavender")
    listing = staff.get("/staff/rooms/").get_data(as_text=True)
    assert f'action="/staff/rooms/{room.id}/active"' in listing and "Deactivate" in listing
    response = staff.post(f"/staff/rooms/{room.id}/active", data={"active": "0"})
    assert response.status_code == 302
    assert saved_rooms() == [("Lavender", False)]
    assert "Activate Lavender" in staff.get("/staff/rooms/").get_data(as_text=True)
    staff.post(f"/staff/rooms/{room.id}/active", data={"active": "1"})
    assert saved_rooms() == [("Lavender", True)]


@pytest.mark.parametrize("value", ["maybe", ""])
def test_a_bad_active_value_is_a_400(staff, value):
    room = factories.room("Lavender")
    assert staff.post(f"/staff/rooms/{room.id}/active", data={"active": value}).status_code == 400
    assert saved_rooms() == [("Lavender", True)]


def test_a_name_taken_by_a_concurrent_request_is_name_taken(app, monkeypatch):
    factories.room("Lavender")
    answers = iter([False, True])  # the check passes, then the insert meets the unique index
    monkeypatch.setattr(service, "_name_in_use", lambda *args: next(answers))
    with pytest.raises(service.NameTaken):
        service.save_room(None, "Lavender")
    assert [r.name for r in service.all_rooms()] == ["Lavender"]  # the session is still usable


def _token(page: str) -> str:
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page)[1]


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_changes_need_the_forms_csrf_token(client):
    room = factories.room("Lavender")
    login_page = client.get("/login").get_data(as_text=True)
    user = factories.user(Role.STAFF)
    client.post(
        "/login",
        data={
            "email": user.email,
            "password": factories.PASSWORD,
            "csrf_token": _token(login_page),
        },
    )
    assert client.post("/staff/rooms/new", data={"name": "Rose"}).status_code == 400
    url = f"/staff/rooms/{room.id}/active"
    assert client.post(url, data={"active": "0"}).status_code == 400
    assert saved_rooms() == [("Lavender", True)]
    token = _token(client.get("/staff/rooms/new").get_data(as_text=True))
    assert (
        client.post("/staff/rooms/new", data={"name": "Rose", "csrf_token": token}).status_code
        == 302
    )
    listing = client.get("/staff/rooms/").get_data(as_text=True)
    assert client.post(url, data={"active": "0", "csrf_token": _token(listing)}).status_code == 302
    assert saved_rooms() == [("Lavender", False), ("Rose", True)]
