"""Staff set a therapist's weekly hours: several windows a day, parsed strictly, saved whole."""

from __future__ import annotations

from datetime import time

import pytest

from spa_app.accounts.models import Role
from spa_app.extensions import db
from spa_app.scheduling import service
from spa_app.scheduling.models import WorkingHours
from tests import factories

DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@pytest.fixture
def staff(client):
    factories.login(client, factories.user(Role.STAFF))
    return client


def saved_hours(therapist_id: int) -> list[tuple[int, str, str]]:
    """(weekday, starts, ends) rows in the database, as the next request would see them."""
    db.session.rollback()
    rows = db.session.execute(
        db.select(WorkingHours)
        .where(WorkingHours.therapist_id == therapist_id)
        .order_by(WorkingHours.weekday, WorkingHours.starts)
    ).scalars()
    return [(r.weekday, f"{r.starts:%H:%M}", f"{r.ends:%H:%M}") for r in rows]


FACTORY_WEEK = [(day, "09:00", "18:00") for day in range(6)]


def week(**days) -> dict:
    return {name: days.get(name, "") for name in DAYS}


def test_the_page_shows_the_current_hours(staff):
    ann = factories.therapist("Ann", hours={0: [(time(9), time(13)), (time(14), time(18))]})
    page = staff.get(f"/staff/therapists/{ann.id}/hours").get_data(as_text=True)
    assert '<label for="monday">Monday</label>' in page
    assert 'name="monday" type="text" value="09:00-13:00, 14:00-18:00"' in page
    assert 'name="sunday" type="text" value=""' in page
    assert "Europe/London" in page


def test_staff_replace_the_whole_week(staff):
    ann = factories.therapist("Ann")
    other = factories.therapist("Bob")
    data = week(monday="14:00-18:00, 09:00-13:00", tuesday=" 10:00 - 12:30 ", sunday="")
    response = staff.post(f"/staff/therapists/{ann.id}/hours", data=data, follow_redirects=True)
    assert "Saved the working hours of Ann." in response.get_data(as_text=True)
    assert saved_hours(ann.id) == [
        (0, "09:00", "13:00"),
        (0, "14:00", "18:00"),
        (1, "10:00", "12:30"),
    ]
    assert saved_hours(other.id) == FACTORY_WEEK


def test_windows_that_touch_are_allowed(staff):
    ann = factories.therapist("Ann")
    data = week(friday="09:00-13:00,13:00-17:00")
    assert staff.post(f"/staff/therapists/{ann.id}/hours", data=data).status_code == 302
    assert saved_hours(ann.id) == [(4, "09:00", "13:00"), (4, "13:00", "17:00")]


def test_overlapping_windows_are_a_field_error_and_nothing_changes(staff):
    ann = factories.therapist("Ann")
    data = week(monday="10:00-12:00", wednesday="09:00-13:00, 12:00-18:00")
    response = staff.post(f"/staff/therapists/{ann.id}/hours", data=data)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert '<div class="errors" id="wednesday-error">09:00-13:00 and 12:00-18:00 overlap.' in page
    assert 'value="09:00-13:00, 12:00-18:00"' in page  # what was typed stays for correcting
    assert saved_hours(ann.id) == FACTORY_WEEK


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("9-5", "“9-5” is not a window written like 09:00-13:00."),
        ("9:00-17:00", "“9:00-17:00” is not a window written like 09:00-13:00."),
        ("09:00 to 17:00", "is not a window written like 09:00-13:00."),
        ("09:00-13:00,,14:00-18:00", "An empty entry between commas is not a window"),
        ("09:00-13:00;14:00-18:00", "is not a window written like"),
        ("14:00-13:00", "14:00-13:00 does not start before it ends."),
        ("10:00-10:00", "10:00-10:00 does not start before it ends."),
        ("09:00-24:00", "“09:00-24:00” is not a time of day (00:00 to 23:59)."),
        ("09:60-12:00", "is not a time of day"),
        ("09:00-18:00, 10:00-11:00", "09:00-18:00 and 10:00-11:00 overlap."),
        ("09:00-10:00, " * 20, "Use at most 200 characters."),
    ],
)
def test_every_mistake_is_named_and_nothing_changes(staff, typed, message):
    ann = factories.therapist("Ann")
    response = staff.post(f"/staff/therapists/{ann.id}/hours", data=week(thursday=typed))
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert saved_hours(ann.id) == FACTORY_WEEK


def test_several_mistakes_on_several_days_are_all_reported(staff):
    ann = factories.therapist("Ann")
    data = week(monday="nine to five, 12:00-11:00", saturday="08:00-12:00, 11:00-13:00")
    page = staff.post(f"/staff/therapists/{ann.id}/hours", data=data).get_data(as_text=True)
    assert "“nine to five” is not a window" in page
    assert "12:00-11:00 does not start before it ends." in page
    assert "08:00-12:00 and 11:00-13:00 overlap." in page
    assert saved_hours(ann.id) == FACTORY_WEEK


def test_parse_windows_sorts_and_reads_an_empty_day_as_off():
    assert service.parse_windows("  ") == []
    assert service.parse_windows("14:00-18:00, 08:30–12:00") == [
        (time(8, 30), time(12)),
        (time(14), time(18)),
    ]


def test_replace_weekly_hours_refuses_an_overlap_and_keeps_the_old_week(app):
    ann = factories.therapist("Ann")
    bad = {0: [(time(9), time(12))], 2: [(time(9), time(12)), (time(11), time(13))]}
    with pytest.raises(service.BadHours) as caught:
        service.replace_weekly_hours(ann.id, bad)
    assert caught.value.weekday == 2
    assert caught.value.problems == ["09:00-12:00 and 11:00-13:00 overlap."]
    # Still in the same transaction: the refusal came before any row was touched.
    unsaved = db.session.execute(
        db.select(db.func.count(WorkingHours.id)).where(WorkingHours.therapist_id == ann.id)
    )
    assert unsaved.scalar_one() == len(FACTORY_WEEK)
