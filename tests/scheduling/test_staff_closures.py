"""Staff close the spa on whole local days (holidays) and reopen them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from spa_app.accounts.models import Role
from spa_app.clock import local_today, zone
from spa_app.extensions import db
from spa_app.scheduling.models import Closure
from tests import factories


@pytest.fixture
def staff(client):
    factories.login(client, factories.user(Role.STAFF))
    return client


def saved_closures() -> list[tuple[date, str]]:
    """(day, reason) of every closure, as the next request would see them."""
    db.session.rollback()
    rows = db.session.execute(db.select(Closure).order_by(Closure.day)).scalars()
    return [(c.day, c.reason) for c in rows]


def london_today() -> date:
    return local_today(datetime.now(UTC), zone("Europe/London"))


def test_staff_close_a_day(staff):
    day = london_today() + timedelta(days=30)
    data = {"day": day.isoformat(), "reason": " Bank holiday "}
    response = staff.post("/staff/closures", data=data, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert f"Closed on {day:%A %d %B %Y}." in page
    assert "Bank holiday" in page
    assert saved_closures() == [(day, "Bank holiday")]


def test_today_can_be_closed(staff):
    assert (
        staff.post("/staff/closures", data={"day": london_today().isoformat()}).status_code == 302
    )
    assert saved_closures() == [(london_today(), "")]


def test_a_day_closed_twice_is_a_form_error(staff):
    day = london_today() + timedelta(days=30)
    db.session.add(Closure(day=day, reason="Christmas"))
    db.session.commit()
    response = staff.post("/staff/closures", data={"day": day.isoformat(), "reason": "Again"})
    assert response.status_code == 200
    assert (
        '<div class="errors" id="day-error">The spa is already closed on that day.</div>'
        in response.get_data(as_text=True)
    )
    assert saved_closures() == [(day, "Christmas")]


@pytest.mark.parametrize(
    ("day", "reason", "message"),
    [
        ("past", "", "That day has passed."),
        ("far", "", "Pick a day within the next 10 years."),
        ("", "", "This field is required."),
        ("31/12/2030", "", "Not a valid date value."),
        ("soon", "New\r\nYear", "Use a single line"),
        ("soon", "x" * 201, "Field cannot be longer than 200 characters."),
    ],
)
def test_bad_input_changes_nothing(staff, day, reason, message):
    today = london_today()
    named = {
        "past": today - timedelta(days=1),
        "far": today.replace(year=today.year + 11, day=1),
        "soon": today + timedelta(days=3),
    }
    typed = named[day].isoformat() if day in named else day
    response = staff.post("/staff/closures", data={"day": typed, "reason": reason})
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert saved_closures() == []


def test_only_upcoming_closures_are_listed_soonest_first(staff):
    today = london_today()
    db.session.add_all(
        [
            Closure(day=today - timedelta(days=1), reason="Yesterday off"),
            Closure(day=today + timedelta(days=40), reason="Later"),
            Closure(day=today, reason="Today off"),
        ]
    )
    db.session.commit()
    page = staff.get("/staff/closures").get_data(as_text=True)
    assert "Yesterday off" not in page
    assert page.index("Today off") < page.index("Later")


def test_staff_reopen_a_day(staff):
    closure = Closure(day=london_today() + timedelta(days=5), reason="Training")
    db.session.add(closure)
    db.session.commit()
    url = f"/staff/closures/{closure.id}/delete"
    assert f'action="{url}"' in staff.get("/staff/closures").get_data(as_text=True)
    response = staff.post(url, follow_redirects=True)
    assert "Closure removed." in response.get_data(as_text=True)
    assert saved_closures() == []
    assert staff.post(url).status_code == 404


def test_bookings_on_a_newly_closed_day_are_pointed_out(staff):
    svc, [ann], [room] = factories.spa()
    day = factories.next_weekday(2)
    starts = datetime(day.year, day.month, day.day, 11, tzinfo=UTC)
    for offset in (0, 2):
        factories.booking(factories.user(), ann, room, svc, starts + timedelta(hours=offset))
    response = staff.post("/staff/closures", data={"day": day.isoformat()}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "2 booked visits fall in that time: tell the clients or move the visits." in page
    assert saved_closures() == [(day, "")]
