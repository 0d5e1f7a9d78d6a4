"""Rebooking against each client's own window, counted in local days: a next visit 28 days
on is inside a four-to-six-week window even when the clocks went forward in between."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest

from spa_app.accounts.models import Role
from spa_app.cadence.models import VisitInterval
from spa_app.database import UTCDateTime
from spa_app.extensions import db
from spa_app.reports.localdays import day_number, local_day, transitions
from spa_app.reports.queries import Scope, rebooking
from tests import factories
from tests.factories import LONDON
from tests.reports.conftest import CANCELLED, COMPLETED, utc
from tests.sqlcount import count_statements

NOW = utc("2027-05-10 12:00")
BOOKED = factories.BookingStatus.BOOKED


@pytest.fixture(params=["app", "pg_app"])
def database(request):
    """Each test on SQLite and on PostgreSQL: the local days are computed in either."""
    return request.getfixturevalue(request.param)


@pytest.fixture
def followed(database):
    svc, (anna,), (room,) = factories.spa()
    staff = factories.user(Role.STAFF)

    def client(name, *visits, weeks=None):
        who = factories.user(name=name)
        if weeks:
            db.session.add(VisitInterval(client_id=who.id, min_weeks=weeks[0],
                                         max_weeks=weeks[1], set_by_id=staff.id))  # fmt: skip
            db.session.commit()
        for at, status in visits:
            factories.booking(who, anna, room, svc, utc(at), status=status)

    # 00:30 on 29 March in London, the day after the clocks went forward: 28 local days.
    client("Inside", ("2027-03-01 10:00", COMPLETED), ("2027-03-28 23:30", BOOKED))
    client("Late for three weeks", ("2027-03-03 10:00", COMPLETED),
           ("2027-04-07 10:00", BOOKED), weeks=(3, 3))  # fmt: skip
    client("Before", ("2027-03-10 10:00", COMPLETED), ("2027-03-24 10:00", COMPLETED))
    client("Never", ("2027-03-15 10:00", COMPLETED))
    client("Waiting", ("2027-04-28 10:00", COMPLETED))
    client("Late after a cancellation", ("2027-03-20 10:00", COMPLETED),
           ("2027-04-20 10:00", CANCELLED), ("2027-05-30 10:00", BOOKED))  # fmt: skip


def scope() -> Scope:
    return Scope(date(2027, 3, 1), date(2027, 4, 30), LONDON)


def test_each_completed_visit_by_how_it_was_followed(followed):
    r = rebooking(scope(), NOW)
    # "Before"'s next visit (24 March) was completed in the range too: followed by nothing,
    # its window closed on 5 May, so "never" on 10 May.
    assert r.counts == {"before": 1, "inside": 1, "late": 2, "never": 2, "waiting": 1}
    assert r.completed == 7
    assert r.rate("inside").share == Fraction(1, 6)


def test_the_median_weeks_to_the_next_visit(followed):
    # Gaps in days: 14 (before), 28 (inside), 35 (three weeks), 71 (after a cancellation):
    # the two middle ones' mean, 31.5 days.
    # Their intervals' middles: 5, 5, 3 (three weeks) and 5 weeks.
    r = rebooking(scope(), NOW)
    assert (r.median_weeks, r.median_interval_weeks) == (4.5, 5.0)


def test_one_statement_whatever_the_visits(followed):
    rebooking(scope(), NOW)
    with count_statements() as sent:
        rebooking(scope(), NOW)
    assert len(sent) == 1


def test_local_day_numbers_in_the_database_over_a_change_of_the_clocks(database):
    start, end = utc("2027-01-01 00:00"), utc("2028-01-01 00:00")
    for instant, day in (("2027-03-28 00:59", date(2027, 3, 28)),
                         ("2027-03-28 23:30", date(2027, 3, 29)),  # 00:30 BST
                         ("2027-10-30 23:30", date(2027, 10, 31)),  # 00:30 BST
                         ("2027-10-31 23:30", date(2027, 10, 31))):  # 23:30 GMT  # fmt: skip
        got = db.session.execute(
            db.select(
                local_day(db.literal(utc(instant), UTCDateTime()), LONDON, start, end)
            )  # fmt: skip
        ).scalar_one()
        assert got == day_number(day), instant


def test_the_changes_of_the_clocks_are_found_to_the_minute():
    found = transitions(LONDON, utc("2027-01-01 00:00"), utc("2028-01-01 00:00"))
    assert [(at, ms // 3_600_000) for at, ms in found] == [
        (utc("2027-01-01 00:00"), 0), (utc("2027-03-28 01:00"), 1), (utc("2027-10-31 01:00"), 0),
    ]  # fmt: skip
    assert transitions(LONDON, utc("2027-05-01 00:00"), utc("2027-06-01 00:00"))[1:] == []
