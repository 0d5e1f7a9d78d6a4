"""Staff add therapists (with their login) and edit their profile and services."""

from __future__ import annotations

import pytest

from spa_app.accounts.models import Role, User
from spa_app.catalog.models import Therapist
from spa_app.extensions import db
from tests import factories


@pytest.fixture
def staff(client):
    factories.login(client, factories.user(Role.STAFF))
    return client


def saved_therapists() -> list[Therapist]:
    """The therapists in the database, as the next request would see them."""
    db.session.rollback()
    return list(db.session.execute(db.select(Therapist).order_by(Therapist.id)).scalars())


def new_therapist(**changes) -> dict:
    data = {"display_name": "Ann Lee", "email": "Ann@Example.com", "password": "long-enough-1"}
    return data | changes


def test_staff_add_a_therapist_with_a_login(staff, app):
    response = staff.post("/staff/therapists/new", data=new_therapist())
    [therapist] = saved_therapists()
    assert response.headers["Location"] == f"/staff/therapists/{therapist.id}"
    assert therapist.display_name == "Ann Lee" and therapist.active
    assert therapist.user.role is Role.THERAPIST
    assert therapist.user.email == "ann@example.com"
    assert therapist.user.check_password("long-enough-1")
    # The new login works and lands on the therapist's schedule.
    other = app.test_client()
    assert factories.login(other, therapist.user, "long-enough-1").status_code == 302


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"password": "short-9ch"}, "Use 10 to 200 characters."),
        ({"email": "not-an-address"}, "Invalid email address."),
        ({"display_name": ""}, "This field is required."),
        ({"display_name": "Ann\rLee"}, "Use a single line"),
    ],
)
def test_bad_details_create_nothing(staff, changes, message):
    users_before = db.session.execute(db.select(db.func.count(User.id))).scalar_one()
    response = staff.post("/staff/therapists/new", data=new_therapist(**changes))
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert saved_therapists() == []
    assert db.session.execute(db.select(db.func.count(User.id))).scalar_one() == users_before


def test_a_taken_email_is_a_form_error(staff):
    factories.user(Role.CLIENT, email="ann@example.com")
    response = staff.post("/staff/therapists/new", data=new_therapist(email="ANN@example.com"))
    assert response.status_code == 200
    assert "An account with this e-mail already exists." in response.get_data(as_text=True)
    assert saved_therapists() == []


def test_the_list_shows_logins_services_and_schedule_links(staff):
    svc = factories.service("Swedish")
    ann = factories.therapist("Ann", services=[svc])
    page = staff.get("/staff/therapists/").get_data(as_text=True)
    assert ann.user.email in page and "Swedish" in page
    assert f'href="/staff/therapists/{ann.id}/hours"' in page
    assert f'href="/staff/therapists/{ann.id}/time-off"' in page


def test_staff_edit_profile_services_and_active_flag(staff):
    swedish, stones = factories.service("Swedish"), factories.service("Hot stones")
    ann = factories.therapist("Ann", services=[swedish])
    page = staff.get(f"/staff/therapists/{ann.id}").get_data(as_text=True)
    assert 'value="Ann"' in page and 'checked id="services-1"' in page
    data = {"display_name": "Ann L.", "bio": "Sports massage.", "services": [str(stones.id)]}
    assert staff.post(f"/staff/therapists/{ann.id}", data=data).status_code == 302
    [saved] = saved_therapists()
    assert (saved.display_name, saved.bio, saved.active) == ("Ann L.", "Sports massage.", False)
    assert [s.name for s in saved.services] == ["Hot stones"]


def test_an_unknown_service_changes_nothing(staff):
    swedish = factories.service("Swedish")
    ann = factories.therapist("Ann", services=[swedish])
    data = {"display_name": "Renamed", "active": "y", "services": ["424242"]}
    response = staff.post(f"/staff/therapists/{ann.id}", data=data)
    assert response.status_code == 200
    assert "not a valid choice" in response.get_data(as_text=True)
    [saved] = saved_therapists()
    assert saved.display_name == "Ann" and [s.name for s in saved.services] == ["Swedish"]
