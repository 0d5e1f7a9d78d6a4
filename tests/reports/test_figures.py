"""Every report figure against the hand-built spa's known answers (see conftest)."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest

from spa_app.reports.queries import Scope, home_care, outcomes, takings
from tests.factories import LONDON
from tests.reports.conftest import FIRST, LAST
from tests.sqlcount import count_statements


@pytest.fixture(params=["app", "pg_app"])
def database(request):
    """Every figure on SQLite and on PostgreSQL."""
    return request.getfixturevalue(request.param)


def scope(**filters) -> Scope:
    return Scope(FIRST, LAST, LONDON, **filters)


def test_how_visits_turned_out(spa):
    o = outcomes(scope())
    # Completed: 5 March, 1 April 00:30, 10 April, the deleted client's, 30 April 23:00.
    assert (o.completed, o.no_show, o.arrived, o.booked) == (5, 1, 0, 0)
    assert (o.cancelled, o.late_cancelled) == (2, 1)
    assert (o.no_show_rate.share, o.no_show_rate.percent) == (Fraction(1, 6), 17)
    # 1 of 8 is 12.5%: rounded half up.
    assert (o.late_cancel_rate.share, o.late_cancel_rate.percent) == (Fraction(1, 8), 13)


def test_revenue_by_month_across_the_change_of_the_clocks(spa):
    t = takings(scope())
    assert t.by_month == [(date(2027, 3, 1), 2, 6500 + 9500),
                          (date(2027, 4, 1), 3, 9500 + 6500 + 6500)]  # fmt: skip
    assert t.total == 38500


def test_revenue_by_service_and_by_therapist(spa):
    t = takings(scope())
    assert t.by_service == [("Swedish", 3, 19500), ("Deep tissue", 2, 19000)]
    assert t.by_therapist == [("Anna", 3, 22500), ("Ben", 2, 16000)]


def test_one_therapist_or_one_service(spa):
    ben = outcomes(scope(therapist_id=spa["ben"]))
    assert (ben.completed, ben.no_show, ben.cancelled) == (2, 1, 0)
    assert ben.no_show_rate.percent == 33
    deep = takings(scope(service_id=spa["deep"]))
    assert deep.by_month == [(date(2027, 3, 1), 1, 9500), (date(2027, 4, 1), 1, 9500)]


def test_home_care_share_of_completed_visits(spa):
    h = home_care(scope())
    assert (h.with_plan.part, h.with_plan.whole, h.with_plan.percent) == (1, 5, 20)
    assert [(name, r.part, r.whole) for name, r in h.by_therapist] == [
        ("Anna", 1, 3),
        ("Ben", 0, 2),
    ]


def test_a_range_of_one_day_and_a_month_with_nothing(spa):
    one = Scope(date(2027, 4, 30), date(2027, 4, 30), LONDON)
    assert outcomes(one).completed == 1
    empty = Scope(date(2027, 6, 1), date(2027, 7, 31), LONDON)
    t = takings(empty)
    assert t.by_month == [(date(2027, 6, 1), 0, 0), (date(2027, 7, 1), 0, 0)]
    assert outcomes(empty).no_show_rate.percent is None
    assert home_care(empty).with_plan.percent is None


def test_each_report_is_a_fixed_number_of_statements(spa):
    outcomes(scope())  # the first read of anything settles the session
    for report, expected in ((outcomes, 1), (takings, 3), (home_care, 1)):
        with count_statements() as sent:
            report(scope())
        assert len(sent) == expected, report.__name__


def test_monthly_cohorts_of_first_visits_and_who_came_back(spa):
    """Cleo (first visit 5 March, back 1 April 00:30) and the deleted client (20 March) make
    March's cohort; Dora's first visit was on 28 February, so she is in none."""
    from spa_app.reports.queries import Cohort, retention

    assert retention(scope()) == [Cohort(date(2027, 3, 1), 2, [1])]
    # Those whose first visit was with Ben: only the deleted client, who did not come back.
    assert retention(scope(therapist_id=spa["ben"])) == [Cohort(date(2027, 3, 1), 1, [0])]
    with count_statements() as sent:
        retention(scope())
    assert len(sent) == 1


def test_the_ratings_of_the_ranges_visits(spa):
    from spa_app.booking.models import Booking
    from spa_app.database import unit_of_work
    from spa_app.extensions import db
    from spa_app.feedback import service
    from spa_app.reports.queries import ratings
    from tests.reports.conftest import utc

    assert ratings(scope()).rated == 0 and ratings(scope()).mean is None
    done = db.session.scalars(db.select(Booking).where(Booking.status == "completed")
                              .order_by(Booking.starts_at)).all()  # fmt: skip
    # The first (28 February, outside) rated 1; two inside rated 5 and 2.
    with unit_of_work():
        for visit, rating in zip(done[:3], (1, 5, 2), strict=True):
            service.give(db.session.get(Booking, visit.id), rating, "", utc("2027-05-01 10:00"))
    got = ratings(scope())
    assert (got.rated, got.mean, got.low) == (2, 3.5, 1)
    assert [(f.rating, f.therapist, f.service, f.starts_at) for f in got.lows] == [
        (2, "Ben", "Deep tissue", utc("2027-03-20 10:00"))
    ]
    with count_statements() as sent:
        ratings(scope())
    assert len(sent) == 2
