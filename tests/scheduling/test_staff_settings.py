"""Staff change the business settings: IANA time zone, slot step, notice, horizon, policy. The
spa's name is set on the spa's details page (profile), so this form leaves it alone."""

from __future__ import annotations

import pytest

from spa_app.accounts.models import Role
from spa_app.extensions import db
from spa_app.scheduling import service
from spa_app.scheduling.models import BusinessSettings
from tests import factories

DEFAULTS = ("Spa", "Europe/London", 15, 120, 90, 24)


@pytest.fixture
def staff(client):
    factories.login(client, factories.user(Role.STAFF))
    return client


def saved() -> tuple:
    """The settings row as the next request would see it."""
    db.session.rollback()
    row = db.session.get(BusinessSettings, 1)
    return (
        row.business_name,
        row.timezone,
        row.slot_step_min,
        row.min_notice_min,
        row.horizon_days,
        row.cancel_window_hours,
    )


def form(**changes) -> dict:
    data = {
        "timezone": "America/New_York",
        "slot_step_min": "30",
        "min_notice_min": "0",
        "horizon_days": "365",
        "cancel_window_hours": "48",
    }
    return data | changes


def test_the_page_shows_the_current_settings(staff):
    page = staff.get("/staff/settings").get_data(as_text=True)
    assert 'value="Europe/London"' in page and 'value="120"' in page
    assert '<option selected value="15">15 minutes</option>' in page


def test_staff_change_the_settings(staff):
    response = staff.post("/staff/settings", data=form(), follow_redirects=True)
    assert "Settings saved." in response.get_data(as_text=True)
    assert saved() == ("Spa", "America/New_York", 30, 0, 365, 48)


def test_the_business_name_is_not_on_this_form(staff):
    page = staff.get("/staff/settings").get_data(as_text=True)
    assert 'name="business_name"' not in page
    response = staff.post("/staff/settings", data=form(business_name="Calm Rooms"))
    assert response.status_code == 302
    assert saved() == ("Spa", "America/New_York", 30, 0, 365, 48)


def test_an_unknown_time_zone_is_a_field_error(staff):
    response = staff.post("/staff/settings", data=form(timezone="Mars/Olympus_Mons"))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Unknown time zone; use an IANA name such as Europe/London" in page
    assert 'aria-invalid="true"' in page
    assert saved() == DEFAULTS


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("slot_step_min", "7", "Not a valid choice."),
        ("slot_step_min", "", "Invalid Choice: could not coerce."),
        ("min_notice_min", "-1", "Use 0 to 10080 min."),
        ("min_notice_min", "10081", "Use 0 to 10080 min."),
        ("horizon_days", "0", "Use 1 to 365 days."),
        ("horizon_days", "366", "Use 1 to 365 days."),
        ("cancel_window_hours", "337", "Use 0 to 336 hours."),
        ("cancel_window_hours", "99999999999999999999", "Use 0 to 336 hours."),
        ("timezone", "", "This field is required."),
    ],
)
def test_out_of_range_settings_change_nothing(staff, field, value, message):
    response = staff.post("/staff/settings", data=form(**{field: value}))
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert saved() == DEFAULTS


def test_the_service_refuses_what_the_database_would(app):
    change = service.SettingsChange("Europe/Paris", 15, 0, 400, 24)
    with pytest.raises(ValueError, match="horizon_days"):
        service.update_settings(change)
    with pytest.raises(service.UnknownTimeZone):
        service.update_settings(service.SettingsChange("Nowhere/Else", 15, 0, 90, 24))
    assert saved() == DEFAULTS
