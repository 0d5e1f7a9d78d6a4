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
