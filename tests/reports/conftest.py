"""A hand-built spa whose report figures are known: March and April 2027 in London (the clocks
go forward on 28 March), two therapists, two services, visits of every outcome, one just
either side of each edge, and a deleted client's."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from spa_app.accounts.models import Role, User
from spa_app.booking.models import BookingStatus
from spa_app.database import unit_of_work
from spa_app.extensions import db
from spa_app.homecare.library import load_library
from spa_app.homecare.models import Routine
from spa_app.privacy import erasure
from tests import factories

FIRST, LAST = date(2027, 3, 1), date(2027, 4, 30)
COMPLETED, NO_SHOW, CANCELLED = (
    BookingStatus.COMPLETED, BookingStatus.NO_SHOW, BookingStatus.CANCELLED,
)  # fmt: skip


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture
def database(app):
    """The app the spa is built in (SQLite; a module may ask for PostgreSQL too)."""
    return app


@pytest.fixture
def spa(database):
    load_library()
    db.session.commit()
    anna, ben = factories.therapist("Anna"), factories.therapist("Ben")
    swedish = factories.service("Swedish", cents=6500, therapists=[anna, ben])
    deep = factories.service("Deep tissue", cents=9500, therapists=[anna, ben])
    room = factories.room()
    client, other = factories.user(name="Cleo"), factories.user(name="Dora")
    gone = factories.user(name="Gone Soon")

    def visit(who, therapist, svc, at: str, status=COMPLETED, late=False):
        b = factories.booking(who, therapist, room, svc, utc(at), status=status)
        b.late_cancel = late
        db.session.commit()
        return b

    planned = visit(client, anna, swedish, "2027-03-05 10:00")
    visit(client, anna, deep, "2027-03-31 23:30")  # 00:30 on 1 April in London: April's
    visit(other, ben, swedish, "2027-04-10 09:00")
    visit(other, ben, swedish, "2027-04-12 09:00", NO_SHOW)
    visit(client, anna, swedish, "2027-04-14 09:00", CANCELLED, late=True)
    visit(client, anna, swedish, "2027-04-15 09:00", CANCELLED)
    visit(other, ben, deep, "2027-02-28 23:30")  # 23:30 on 28 February in London: outside
    visit(gone, ben, deep, "2027-03-20 10:00")  # the client is deleted below: still counted
    visit(other, anna, swedish, "2027-04-30 22:00")  # 23:00 on the last day: inside
    visit(client, ben, swedish, "2027-04-30 23:15")  # 00:15 on 1 May in London: outside
    routine = db.session.scalars(db.select(Routine).limit(1)).first()
    factories.plan(planned, [routine], now=utc("2027-03-05 12:00"))
    staff = factories.user(Role.STAFF, name="Desk")
    gone_id, staff_id = gone.id, staff.id
    factories.fresh()
    with unit_of_work():
        leaving, desk = db.session.get(User, gone_id), db.session.get(User, staff_id)
        erasure.erase_for_client(leaving, actor=desk, now=utc("2027-06-01 12:00"))
    return {"anna": anna.id, "ben": ben.id, "swedish": swedish.id, "deep": deep.id,
            "staff": staff_id}  # fmt: skip
