"""Staff edit what a checklist condition does; the suggestion follows at once."""

from __future__ import annotations

import html

import pytest

from spa_app.accounts.models import Role
from spa_app.extensions import db
from spa_app.homecare import library
from spa_app.homecare.models import ConditionRule
from spa_app.homecare.vocab import Area, Condition, Pressure
from tests import factories


@pytest.fixture
def staff(client):
    factories.login(client, factories.user(Role.STAFF))


def form(**changes) -> dict:
    data = {
        "names_areas": "y",
        "excludes_named_areas": "y",
        "excludes_areas": ["lower_legs_feet"],
        "pressure_cap": "1",
        "therapist_note": "Ask which trimester.",
        "client_caution": "We left out the leg work.",
    }
    return data | changes


def test_staff_see_every_rule_and_change_one(client, staff):
    page = html.unescape(client.get("/staff/conditions/").get_data(as_text=True))
    for label in ("Pregnancy", "A fever or an infection", "Diabetes, or reduced feeling"):
        assert label in page
    assert "every routine" in page  # the fever pauses everything
    edit = client.get("/staff/conditions/pregnancy").get_data(as_text=True)
    assert 'name="pressure_cap"' in edit
    assert client.post("/staff/conditions/pregnancy", data=form()).status_code == 302
    factories.fresh()
    rule = library.rules()[Condition.PREGNANCY]
    assert rule.pressure_cap is Pressure.LIGHT and rule.names_areas
    assert rule.excludes_areas == {Area.LOWER_LEGS_FEET}
    assert db.session.get(ConditionRule, "pregnancy").therapist_note == "Ask which trimester."
    # The other conditions keep the shipped rules.
    assert library.rules()[Condition.FEVER_INFECTION].pauses_all


@pytest.mark.parametrize(
    "bad,message",
    [
        ({"names_areas": ""}, "The client is not asked for areas"),
        ({"pressure_cap": "4"}, "Not a valid choice"),
        ({"excludes_areas": ["throat"]}, "not a valid choice"),
        ({"client_caution": "x" * 501}, "Field cannot be longer than 500"),
    ],
)
def test_bad_input_changes_nothing(client, staff, bad, message):
    reply = client.post("/staff/conditions/pregnancy", data=form(**bad))
    assert reply.status_code == 400 and message in reply.get_data(as_text=True)
    factories.fresh()
    assert db.session.get(ConditionRule, "pregnancy") is None
