"""Staff keep the technique library: add and edit routines. That nobody else may is in
tests/access/test_homecare_pages.py."""

from __future__ import annotations

import pytest

from spa_app.accounts.models import Role
from spa_app.extensions import db
from spa_app.homecare.library import load_library
from spa_app.homecare.models import Routine
from tests import factories

NEW = {
    "name": "Forearm squeeze",
    "kind": "routine",
    "area": "hands_wrists",
    "summary": "For forearms that grip all day.",
    "steps": "Warm up by shaking out the hands.\n\n  Squeeze along the forearm, elbow to wrist.  ",
    "tools": "massage ball,  , tennis ball",
    "min_minutes": "3",
    "minutes": "4",
    "sides": "1",
    "time_of_day": "",
    "times_per_week": "5",
    "pressure": "2",
    "goals": ["pain_relief"],
    "contexts": ["repetitive_hands"],
    "excluded_by": ["recent_injury"],
    "caution": "",
    "active": "y",
}


def routine(name: str) -> Routine | None:
    factories.fresh()
    return db.session.execute(db.select(Routine).where(Routine.name == name)).scalar_one_or_none()


@pytest.fixture
def staff(client):
    factories.login(client, factories.user(Role.STAFF))


def test_staff_add_a_routine_and_edit_it(client, staff):
    assert client.post("/staff/routines/new", data=NEW).status_code == 302
    added = routine("Forearm squeeze")
    assert added.step_list == [
        "Warm up by shaking out the hands.",
        "Squeeze along the forearm, elbow to wrist.",
    ]
    assert (added.tools, added.excluded_by, added.area) == (
        ["massage ball", "tennis ball"],
        ["recent_injury"],
        "hands_wrists",
    )
    page = client.get(f"/staff/routines/{added.id}").get_data(as_text=True)
    assert "Forearm squeeze" in page and "massage ball, tennis ball" in page
    client.post(f"/staff/routines/{added.id}", data={**NEW, "minutes": "6", "active": ""})
    edited = routine("Forearm squeeze")
    assert (edited.minutes, edited.active) == (6, False)
    assert "Forearm squeeze" in client.get("/staff/routines/").get_data(as_text=True)


@pytest.mark.parametrize(
    "bad,message",
    [
        ({"minutes": "0"}, "Between 1 and 30 minutes."),
        ({"times_per_week": "8"}, "Between 1 and 7 times."),
        ({"area": "elbow"}, "Not a valid choice"),
        ({"steps": ""}, "Please write the steps."),
        ({"name": "two\nlines"}, "single line"),
        ({"excluded_by": ["flu"]}, "not a valid choice"),
    ],
)
def test_bad_input_changes_nothing(client, staff, bad, message):
    reply = client.post("/staff/routines/new", data={**NEW, **bad})
    assert reply.status_code == 400 and message in reply.get_data(as_text=True)
    assert routine("Forearm squeeze") is None


def test_a_name_in_use_is_refused(client, staff, app):
    load_library()
    db.session.commit()
    taken = {**NEW, "name": "Hand and finger massage"}
    reply = client.post("/staff/routines/new", data=taken)
    assert reply.status_code == 400 and "already in use" in reply.get_data(as_text=True)
