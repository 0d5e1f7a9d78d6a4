"""Staff give therapists time off, entered in the business's local time, and remove it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from spa_app.accounts.models import Role
from spa_app.extensions import db
from spa_app.scheduling.models import TimeOff
from tests import factories

NEXT_YEAR = datetime.now(UTC).year + 1


@pytest.fixture
def staff(client):
    factories.login(client, factories.user(Role.STAFF))
    return client


def saved_time_off() -> list[tuple[int, datetime, datetime, str]]:
    """Every time-off row as the next request would see it."""
    db.session.rollback()
    rows = db.session.execute(db.select(TimeOff).order_by(TimeOff.starts_at)).scalars()
    return [(r.therapist_id, r.starts_at, r.ends_at, r.reason) for r in rows]


def last_sunday_of_march(year: int) -> date:
    """The day Europe/London moves its clocks forward (01:00 GMT becomes 02:00 BST)."""
    end_of_march = date(year, 3, 31)
    return end_of_march - timedelta(days=(end_of_march.weekday() + 1) % 7)


def form(start: str, end: str, reason: str = "Holiday") -> dict:
    start_date, start_time = start.split()
    end_date, end_time = end.split()
    return {
        "start_date": start_date,
        "start_time": start_time,
        "end_date": end_date,
        "end_time": end_time,
        "reason": reason,
    }


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_staff_add_time_off_in_local_time(staff):
    ann = factories.therapist("Ann")
    url = f"/staff/therapists/{ann.id}/time-off"
    data = form(f"{NEXT_YEAR}-07-01 09:00", f"{NEXT_YEAR}-07-03 17:30", " Summer break ")
    response = staff.post(url, data=data, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.request.path == url and "Time off added." in page
    # London is on summer time (UTC+1) in July.
    assert saved_time_off() == [
        (ann.id, utc(NEXT_YEAR, 7, 1, 8), utc(NEXT_YEAR, 7, 3, 16, 30), "Summer break")
    ]
    assert "Summer break" in page and "09:00" in page and "17:30" in page


def test_a_time_skipped_by_the_clock_change_is_a_field_error(staff):
    ann = factories.therapist("Ann")
    gap_day = last_sunday_of_march(NEXT_YEAR)
    data = form(f"{gap_day} 01:30", f"{gap_day} 05:00")
    response = staff.post(f"/staff/therapists/{ann.id}/time-off", data=data)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert (
        '<div class="errors" id="start_time-error">'
        "Sorry, that time does not exist on that day (clocks change).</div>" in page
    )
    assert saved_time_off() == []


def test_the_example_day_from_the_issue_is_a_gap_too(staff):
    ann = factories.therapist("Ann")
    data = form("2027-03-28 00:30", "2027-03-28 01:30")
    response = staff.post(f"/staff/therapists/{ann.id}/time-off", data=data)
    assert 'id="end_time-error">Sorry, that time does not exist' in response.get_data(as_text=True)
    assert saved_time_off() == []


def test_the_hour_after_the_change_is_fine(staff):
    ann = factories.therapist("Ann")
    gap_day = last_sunday_of_march(NEXT_YEAR)
    data = form(f"{gap_day} 00:30", f"{gap_day} 02:00")  # 00:30 GMT to 02:00 BST (01:00 UTC)
    assert staff.post(f"/staff/therapists/{ann.id}/time-off", data=data).status_code == 302
    [(_, starts_at, ends_at, _)] = saved_time_off()
    assert (starts_at, ends_at) == (
        utc(gap_day.year, 3, gap_day.day, 0, 30),
        utc(gap_day.year, 3, gap_day.day, 1, 0),
    )


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("07-03 09:00", "07-01 09:00", "The end must be after the start."),
        ("07-01 09:00", "07-01 09:00", "The end must be after the start."),
    ],
)
def test_the_end_must_be_after_the_start(staff, start, end, message):
    ann = factories.therapist("Ann")
    data = form(f"{NEXT_YEAR}-{start}", f"{NEXT_YEAR}-{end}")
    response = staff.post(f"/staff/therapists/{ann.id}/time-off", data=data)
    assert response.status_code == 200
    assert f'id="end_time-error">{message}' in response.get_data(as_text=True)
    assert saved_time_off() == []


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("reason", "Line one\nline two", "Use a single line"),
        ("reason", "x" * 201, "Field cannot be longer than 200 characters."),
        ("start_date", "01/07/2030", "Not a valid date value."),
        ("start_time", "9am", "Not a valid time value."),
        ("end_date", "", "This field is required."),
    ],
)
def test_bad_input_changes_nothing(staff, field, value, message):
    ann = factories.therapist("Ann")
    data = form(f"{NEXT_YEAR}-07-01 09:00", f"{NEXT_YEAR}-07-03 17:30") | {field: value}
    response = staff.post(f"/staff/therapists/{ann.id}/time-off", data=data)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert saved_time_off() == []


def test_time_off_that_is_already_over_is_refused(staff):
    ann = factories.therapist("Ann")
    yesterday = datetime.now(UTC).date() - timedelta(days=1)
    data = form(f"{yesterday} 09:00", f"{yesterday} 17:00")
    response = staff.post(f"/staff/therapists/{ann.id}/time-off", data=data)
    assert 'id="end_time-error">That time off is already over.' in response.get_data(as_text=True)
    assert saved_time_off() == []


def test_dates_at_the_ends_of_the_calendar_are_refused_not_a_crash(staff):
    factories.settings(timezone="Asia/Tokyo")
    ann = factories.therapist("Ann")
    data = form("0001-01-01 00:00", "9999-12-31 23:00")
    response = staff.post(f"/staff/therapists/{ann.id}/time-off", data=data)
    assert response.status_code == 200
    assert "That date is out of range." in response.get_data(as_text=True)
    assert saved_time_off() == []


def test_only_upcoming_time_off_is_listed(staff):
    ann, bob = factories.therapist("Ann"), factories.therapist("Bob")
    now = datetime.now(UTC)
    db.session.add_all(
        [
            TimeOff(
                therapist_id=ann.id,
                starts_at=now - timedelta(days=3),
                ends_at=now - timedelta(days=2),
                reason="Past trip",
            ),
            TimeOff(
                therapist_id=ann.id,
                starts_at=now - timedelta(hours=1),
                ends_at=now + timedelta(hours=1),
                reason="Dentist now",
            ),
            TimeOff(
                therapist_id=ann.id,
                starts_at=now + timedelta(days=9),
                ends_at=now + timedelta(days=10),
                reason="Course",
            ),
            TimeOff(
                therapist_id=bob.id,
                starts_at=now + timedelta(days=9),
                ends_at=now + timedelta(days=10),
                reason="Bob away",
            ),
        ]
    )
    db.session.commit()
    page = staff.get(f"/staff/therapists/{ann.id}/time-off").get_data(as_text=True)
    assert "Dentist now" in page and "Course" in page
    assert "Past trip" not in page and "Bob away" not in page
    assert page.index("Dentist now") < page.index("Course")


def test_staff_delete_time_off_but_only_through_its_therapist(staff):
    ann, bob = factories.therapist("Ann"), factories.therapist("Bob")
    now = datetime.now(UTC)
    entry = TimeOff(
        therapist_id=ann.id,
        starts_at=now + timedelta(days=1),
        ends_at=now + timedelta(days=2),
        reason="Course",
    )
    db.session.add(entry)
    db.session.commit()
    wrong = f"/staff/therapists/{bob.id}/time-off/{entry.id}/delete"
    assert staff.post(wrong).status_code == 404
    assert len(saved_time_off()) == 1
    page = staff.get(f"/staff/therapists/{ann.id}/time-off").get_data(as_text=True)
    right = f"/staff/therapists/{ann.id}/time-off/{entry.id}/delete"
    assert f'action="{right}"' in page
    response = staff.post(right, follow_redirects=True)
    assert "Time off removed." in response.get_data(as_text=True)
    assert saved_time_off() == []
    assert staff.post(right).status_code == 404


def test_bookings_inside_new_time_off_are_pointed_out(staff):
    svc, [ann], [room] = factories.spa()
    day = factories.next_weekday(1)
    factories.booking(
        factories.user(), ann, room, svc, datetime(day.year, day.month, day.day, 10, tzinfo=UTC)
    )
    data = form(f"{day} 00:00", f"{day} 23:00")
    response = staff.post(f"/staff/therapists/{ann.id}/time-off", data=data, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Time off added." in page
    assert "1 booked visit falls in that time: tell the clients or move the visits." in page
    assert len(saved_time_off()) == 1
