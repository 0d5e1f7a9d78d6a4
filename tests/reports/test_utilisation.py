"""Utilisation against a hand-built week whose open and booked minutes are known: a closed
day, time off that overlaps itself, a window the clocks cut short, a visit booked outside the
hours, a cancelled one, a no-show, an inactive therapist and room (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date, time

import pytest

from spa_app.booking.models import BookingStatus
from spa_app.extensions import db
from spa_app.reports.queries import Scope
from spa_app.reports.utilisation import utilisation
from spa_app.scheduling.models import Closure, TimeOff
from tests import factories
from tests.factories import LONDON, at
from tests.sqlcount import count_statements

# Monday 22 to Sunday 28 March 2027; the clocks go forward at 01:00 on the Sunday.
MONDAY, SUNDAY = date(2027, 3, 22), date(2027, 3, 28)
#: Sunday 31 October 2027: the clocks go back at 02:00 (01:00 to 02:00 comes twice).
FALL_BACK = date(2027, 10, 31)


def day(n: int) -> date:
    return date(2027, 3, 22 + n)


@pytest.fixture(params=["app", "pg_app"])
def database(request):
    return request.getfixturevalue(request.param)


@pytest.fixture
def week(database):
    nine_to_five = [(time(9), time(17))]
    anna = factories.therapist(
        "Anna", hours={**{d: nine_to_five for d in range(5)}, 6: [(time(0), time(4))]}
    )
    ben = factories.therapist("Ben", hours={0: [(time(10), time(12)), (time(13), time(15))]})
    cara = factories.therapist("Cara")  # left the spa: her hours are still on file
    swedish = factories.service("Swedish", minutes=60, buffer=15, therapists=[anna, ben])
    long = factories.service("Long", minutes=90, therapists=[anna])
    one, two, shut = factories.room("One"), factories.room("Two"), factories.room("Shut")
    cara.active = shut.active = False
    db.session.add(Closure(day=day(2), reason="Holiday"))  # Wednesday
    db.session.add_all(
        TimeOff(therapist_id=anna.id, starts_at=at(day(3), a), ends_at=at(day(3), b))
        for a, b in (("12:00", "15:00"), ("14:00", "16:00"))  # Thursday: four hours, merged
    )
    db.session.add(  # Saturday, outside her hours: nothing lost
        TimeOff(therapist_id=anna.id, starts_at=at(day(5), "09:00"), ends_at=at(day(5), "12:00"))
    )
    db.session.commit()
    client = factories.user()
    visit = factories.booking
    visit(client, anna, one, swedish, at(day(0), "10:00"), BookingStatus.COMPLETED)
    visit(client, anna, one, long, at(day(1), "10:00"), BookingStatus.NO_SHOW)
    visit(client, anna, one, long, at(day(1), "14:00"), BookingStatus.CANCELLED)
    visit(client, anna, one, swedish, at(day(5), "10:00"))  # a Saturday, booked by staff
    visit(factories.user(), ben, two, swedish, at(day(0), "10:00"))
    visit(client, ben, two, swedish, at(day(7), "10:00"))  # the Monday after: outside
    return {"anna": anna.id, "ben": ben.id, "long": long.id}


def uses(found) -> dict[str, tuple[int, int, int | None]]:
    return {u.name: (u.open_minutes, u.booked_minutes, u.rate.percent) for u in found}


def test_each_therapists_open_and_booked_minutes(week):
    found = utilisation(Scope(MONDAY, SUNDAY, LONDON))
    # Anna: Mon, Tue, Thu less four hours, Fri at 8 h; Wednesday closed; the Sunday's
    # 00:00-04:00 is three real hours (the clocks skip one). Booked: 60 + 90 + 60.
    assert uses(found.therapists) == {"Anna": (31 * 60, 210, 11), "Ben": (240, 60, 25)}


def test_each_rooms_minutes_against_the_spas_merged_hours(week):
    found = utilisation(Scope(MONDAY, SUNDAY, LONDON))
    # The spa is open when anyone works: Monday 9-17 (Ben's hours lie inside Anna's), Tuesday,
    # Thursday (time off is a therapist's, not the room's), Friday 8 h, the Sunday 3 h.
    assert uses(found.rooms) == {"One": (35 * 60, 210, 10), "Two": (35 * 60, 60, 3)}


def test_one_service_or_one_therapist(week):
    by_service = utilisation(Scope(MONDAY, SUNDAY, LONDON, service_id=week["long"]))
    assert uses(by_service.therapists) == {"Anna": (1860, 90, 5), "Ben": (240, 0, 0)}
    by_therapist = utilisation(Scope(MONDAY, SUNDAY, LONDON, therapist_id=week["ben"]))
    assert uses(by_therapist.therapists) == {"Ben": (240, 60, 25)}
    assert uses(by_therapist.rooms)["Two"] == (2100, 60, 3)


def test_the_night_the_clocks_go_back_is_an_hour_longer(week):
    found = utilisation(Scope(FALL_BACK, FALL_BACK, LONDON))
    # 00:00 BST to 04:00 GMT: five real hours. Ben has no Sunday hours and no visits.
    assert uses(found.therapists) == {"Anna": (300, 0, 0)}
    assert uses(found.rooms) == {"One": (300, 0, 0), "Two": (300, 0, 0)}


def test_a_closed_day_alone_has_no_open_hours(week):
    found = utilisation(Scope(day(2), day(2), LONDON))
    assert found.therapists == []
    assert uses(found.rooms) == {"One": (0, 0, None), "Two": (0, 0, None)}


def test_two_statements_whatever_the_range(week):
    utilisation(Scope(MONDAY, SUNDAY, LONDON))  # the first read settles the session
    for last in (SUNDAY, date(2031, 12, 31)):
        with count_statements() as sent:
            utilisation(Scope(MONDAY, last, LONDON))
        assert len(sent) == 2
