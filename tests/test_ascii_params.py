"""Ids, pages and days in query strings are ASCII digits: another script's digits ("١", "７")
are no id, on every page that reads one (spa_app.params), and never a 5xx."""

from __future__ import annotations

import pytest

from spa_app.accounts.models import Role
from tests import factories as f

OTHER_DIGITS = ["١", "７", "²", "1١"]


@pytest.fixture
def staff(app, client):
    with app.app_context():
        person = f.user(Role.STAFF)
        f.therapist("Anna")
        f.login(client, person)
    return person


@pytest.mark.parametrize("raw", OTHER_DIGITS)
def test_the_audit_log_has_no_page_in_other_digits(client, staff, raw):
    assert client.get(f"/staff/audit?page={raw}").status_code == 404
    assert client.get("/staff/audit?page=1").status_code == 200


@pytest.mark.parametrize("raw", OTHER_DIGITS)
def test_the_week_grid_reads_no_therapist_from_other_digits(client, staff, raw):
    """No such therapist: a 404, as without one (before, "١" was therapist 1)."""
    assert client.get("/staff/calendar/week?therapist=1").status_code == 200
    assert client.get(f"/staff/calendar/week?therapist={raw}").status_code == 404


@pytest.mark.parametrize("raw", OTHER_DIGITS)
def test_the_staff_day_list_takes_no_date_in_other_digits(client, staff, raw):
    reply = client.get(f"/staff/bookings/?date=2026-0{raw}-01", follow_redirects=True)
    assert reply.status_code == 200
    assert "That is not a date; showing today." in reply.get_data(as_text=True)


@pytest.mark.parametrize("raw", OTHER_DIGITS)
def test_the_free_times_api_refuses_a_service_id_in_other_digits(client, raw):
    reply = client.get(f"/api/availability?service={raw}")
    assert reply.status_code == 400
    assert reply.get_json() == {"error": "'service' must be a positive id"}


def test_a_session_naming_a_user_in_other_digits_is_no_session(app):
    from spa_app.accounts.views import load_user

    with app.app_context():
        person = f.user()
        stamp = person.get_id().partition(".")[2]
        assert load_user(person.get_id()) == person
        assert (
            load_user(
                f"{str(person.id).translate(str.maketrans('0123456789', '٠١٢٣٤٥٦٧٨٩'))}.{stamp}"
            )
            is None
        )


@pytest.mark.parametrize("raw", ["６０", "٦٠", "6٠"])
def test_a_number_typed_in_other_digits_is_refused_and_nothing_is_saved(app, client, staff, raw):
    from spa_app.catalog.models import Service
    from spa_app.extensions import db

    reply = client.post(
        "/staff/services/new",
        data={"name": "Digits", "duration_min": raw, "price": "60", "buffer_min": "0"},
    )
    assert reply.status_code == 200
    assert "Not a valid integer value." in reply.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(Service).filter_by(name="Digits")) is None


def test_choices_of_numbers_coerce_ascii_digits_only():
    from spa_app.fields import whole

    assert whole("15") == 15 and whole(15) == 15
    for raw in ("١٥", "１５", "", "1.5"):
        with pytest.raises(ValueError):
            whole(raw)
