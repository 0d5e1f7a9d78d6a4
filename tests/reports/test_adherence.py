"""Adherence by week since publishing against plans whose weeks are known: one replaced by the
client's next plan mid-week, one still followed today (days to come count in no week), one
published just after midnight on the spa's clock the night the clocks went forward, a draft
and a plan of a visit outside the range (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from spa_app.booking.models import BookingStatus
from spa_app.extensions import db
from spa_app.homecare.library import load_library
from spa_app.homecare.models import Routine
from spa_app.reports.adherence import by_week
from spa_app.reports.queries import Scope
from tests import factories
from tests.factories import LONDON
from tests.sqlcount import count_statements

MARCH = (date(2027, 3, 1), date(2027, 3, 31))
NOW = datetime(2027, 4, 2, 12, 0, tzinfo=UTC)  # Friday 2 April


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture(params=["app", "pg_app"])
def database(request):
    return request.getfixturevalue(request.param)


@pytest.fixture
def plans(database):
    load_library()
    db.session.commit()
    anna = factories.therapist("Anna")
    svc = factories.service(therapists=[anna])
    room = factories.room()
    cleo, dora = factories.user(name="Cleo"), factories.user(name="Dora")
    two = db.session.scalars(db.select(Routine).order_by(Routine.id).limit(2)).all()

    def visit(who, at: str):
        return factories.booking(who, anna, room, svc, utc(at), BookingStatus.COMPLETED)

    first = visit(cleo, "2027-03-01 10:00")  # Monday
    p1 = factories.plan(first, two, now=utc("2027-03-01 12:00"))
    p1.items[0].days = "024"  # Monday, Wednesday, Friday; the other routine every day
    db.session.commit()
    second = visit(cleo, "2027-03-24 10:00")  # Wednesday: its plan replaces the first
    p2 = factories.plan(second, two[:1], now=utc("2027-03-24 12:00"))
    # 00:30 on Monday 29 March in London, the clocks having gone forward on the Sunday.
    p3 = factories.plan(visit(dora, "2027-03-27 10:00"), two[:1], days="06",
                        now=utc("2027-03-28 23:30"))  # fmt: skip
    factories.plan(visit(dora, "2027-03-10 10:00"), two, published=False)  # a draft
    february = factories.plan(visit(dora, "2027-02-22 10:00"), two, now=utc("2027-02-22 12:00"))

    def ticks(plan, item, *days):
        for d in days:
            factories.completion(plan, date(2027, *d), item=plan.items[item])

    ticks(p1, 0, (3, 1), (3, 3), (3, 22))  # weeks one and four
    ticks(p1, 1, *((3, d) for d in (1, 2, 3, 4, 5, 15, 16, 17, 18, 19, 20, 21, 22)))
    ticks(p1, 1, (3, 24))  # after it was replaced: in no week
    ticks(p2, 0, (3, 24), (3, 25), (3, 26), (3, 27), (4, 1))
    ticks(p3, 0, (3, 28), (3, 29))  # the Sunday is before it was published: in no week
    ticks(february, 0, (3, 1))  # a visit outside the range
    return {"therapist": anna.id}


def weeks(found) -> list[tuple[int, int, int, int, int | None]]:
    return [(w.number, w.plans, w.ticked.part, w.ticked.whole, w.ticked.percent) for w in found]


def test_adherence_week_by_week_since_publishing(plans):
    found = by_week(Scope(*MARCH, LONDON), NOW)
    assert weeks(found) == [
        # 10 + 7 + 1 scheduled: the first plan's 3 + 7, the second's 7, the third's Monday (not the
        # Sunday before: by the spa's clock it was published on the Monday).
        (1, 3, 7 + 4 + 1, 18, 67),
        # The first plan's 10; the second's Wednesday to today (Friday): 3; the third's
        # second week has not begun.
        (2, 2, 0 + 1, 13, 8),
        (3, 1, 7, 10, 70),
        # Monday and Tuesday, then the second plan took over: 1 + 2 scheduled.
        (4, 1, 2, 3, 67),
    ]


def test_a_therapist_with_no_plans_and_a_range_with_none(plans):
    assert by_week(Scope(*MARCH, LONDON, therapist_id=plans["therapist"] + 99), NOW) == []
    assert by_week(Scope(date(2027, 5, 1), date(2027, 5, 31), LONDON), NOW) == []


def test_one_statement(plans):
    by_week(Scope(*MARCH, LONDON), NOW)
    with count_statements() as sent:
        by_week(Scope(*MARCH, LONDON), NOW)
    assert len(sent) == 1


def test_a_deleted_clients_plans_count_no_longer(plans):
    from spa_app.accounts.models import Role, User
    from spa_app.database import unit_of_work
    from spa_app.privacy import erasure

    desk_id = factories.user(Role.STAFF).id
    factories.fresh()
    with unit_of_work():
        dora = db.session.scalars(db.select(User).where(User.name == "Dora")).one()
        erasure.erase_for_client(dora, actor=db.session.get(User, desk_id), now=NOW)
    found = by_week(Scope(*MARCH, LONDON), NOW)
    # Week one without her plan (its one scheduled Monday, ticked).
    assert weeks(found)[0] == (1, 2, 7 + 4, 17, 65)
