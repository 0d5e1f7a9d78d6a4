"""Staff manage services: duration, price in cents, clean-up buffer, therapists, active flag."""

from __future__ import annotations

import pytest

from spa_app.accounts.models import Role
from spa_app.catalog.models import Service
from spa_app.extensions import db
from tests import factories


@pytest.fixture
def staff(client):
    factories.login(client, factories.user(Role.STAFF))
    return client


def saved_services() -> list[Service]:
    """The services in the database, as the next request would see them (unsaved work dropped)."""
    db.session.rollback()
    return list(db.session.execute(db.select(Service).order_by(Service.id)).scalars())


def form(**changes) -> dict:
    data = {
        "name": "Deep tissue",
        "description": "Firm pressure.",
        "duration_min": "60",
        "price": "65.50",
        "buffer_min": "15",
        "active": "y",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_staff_add_a_service_with_its_therapists(staff):
    ann, bob = factories.therapist("Ann"), factories.therapist("Bob")
    response = staff.post("/staff/services/new", data=form(therapists=[str(ann.id)]))
    assert response.status_code == 302
    assert response.headers["Location"] == "/staff/services/"
    [svc] = saved_services()
    assert (svc.name, svc.description, svc.duration_min) == ("Deep tissue", "Firm pressure.", 60)
    assert (svc.price_cents, svc.buffer_min, svc.active) == (6550, 15, True)
    assert [t.display_name for t in svc.therapists] == ["Ann"]
    assert bob not in svc.therapists
    page = staff.get("/staff/services/").get_data(as_text=True)
    assert "Saved the service" in page and "£65.50" in page


@pytest.mark.parametrize(
    ("typed", "cents"), [("65", 6500), ("65.5", 6550), ("0.99", 99), ("£40.00", 4000), ("0", 0)]
)
def test_prices_are_stored_in_cents(staff, typed, cents):
    assert staff.post("/staff/services/new", data=form(price=typed)).status_code == 302
    assert [s.price_cents for s in saved_services()] == [cents]


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("-5", "The price cannot be negative."),
        ("-0.01", "The price cannot be negative."),
        ("65.505", "Use at most two decimal places"),
        ("sixty", "Enter the price as a number"),
        ("6,50", "Enter the price as a number"),
        ("1e3", "Enter the price as a number"),
        ("", "Enter a price"),
        (None, "Enter a price"),
        ("99999999999", "That price is too high."),
    ],
)
def test_a_bad_price_is_refused_with_a_reason(staff, typed, message):
    response = staff.post("/staff/services/new", data=form(price=typed))
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert saved_services() == []


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("duration_min", "4", "Use 5 to 480 minutes."),
        ("duration_min", "481", "Use 5 to 480 minutes."),
        ("duration_min", "sixty", "Not a valid integer value."),
        ("buffer_min", "-1", "Use 0 to 120 minutes."),
        ("buffer_min", "121", "Use 0 to 120 minutes."),
        ("name", "", "This field is required."),
        ("name", "Deep\r\ntissue", "Use a single line"),
        ("name", "x" * 121, "Field cannot be longer than 120 characters."),
    ],
)
def test_out_of_range_values_are_refused(staff, field, value, message):
    response = staff.post("/staff/services/new", data=form(**{field: value}))
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert saved_services() == []


def test_a_taken_name_is_a_form_error(staff):
    factories.service("Deep Tissue", cents=5000)
    response = staff.post("/staff/services/new", data=form(name="deep tissue"))
    assert response.status_code == 200
    assert "That name is already in use" in response.get_data(as_text=True)
    assert [(s.name, s.price_cents) for s in saved_services()] == [("Deep Tissue", 5000)]


def test_an_unknown_therapist_is_refused(staff):
    response = staff.post("/staff/services/new", data=form(therapists=["424242"]))
    assert response.status_code == 200
    assert "not a valid choice" in response.get_data(as_text=True)
    assert saved_services() == []


def test_the_edit_page_shows_the_current_values(staff):
    ann, bob = factories.therapist("Ann"), factories.therapist("Bob")
    svc = factories.service("Hot stones", minutes=90, buffer=10, cents=8005, therapists=[bob])
    page = staff.get(f"/staff/services/{svc.id}").get_data(as_text=True)
    assert 'value="Hot stones"' in page and 'value="80.05"' in page and 'value="90"' in page
    assert f'checked id="therapists-1" name="therapists" type="checkbox" value="{bob.id}"' in page
    assert f'id="therapists-0" name="therapists" type="checkbox" value="{ann.id}"' in page


def test_staff_edit_a_service_and_deactivate_it(staff):
    ann, bob = factories.therapist("Ann"), factories.therapist("Bob")
    svc = factories.service("Hot stones", therapists=[ann])
    changes = form(name="Hot stones", price="70", active=None, therapists=[str(bob.id)])
    assert staff.post(f"/staff/services/{svc.id}", data=changes).status_code == 302
    [saved] = saved_services()
    assert (saved.price_cents, saved.active, saved.duration_min) == (7000, False, 60)
    assert [t.display_name for t in saved.therapists] == ["Bob"]
    listing = staff.get("/staff/services/").get_data(as_text=True)
    assert "Hot stones" in listing and "inactive" in listing
    assert "Hot stones" not in staff.get("/").get_data(as_text=True)


def test_renaming_to_another_services_name_changes_nothing(staff):
    factories.service("Swedish")
    svc = factories.service("Hot stones", cents=8000)
    response = staff.post(f"/staff/services/{svc.id}", data=form(name="SWEDISH", price="1"))
    assert response.status_code == 200
    assert "That name is already in use" in response.get_data(as_text=True)
    assert [(s.name, s.price_cents) for s in saved_services()] == [
        ("Swedish", 6000),
        ("Hot stones", 8000),
    ]


def test_keeping_its_own_name_is_not_a_clash(staff):
    svc = factories.service("Hot stones", cents=8000)
    assert staff.post(f"/staff/services/{svc.id}", data=form(name="Hot stones")).status_code == 302
    assert [s.price_cents for s in saved_services()] == [6550]
