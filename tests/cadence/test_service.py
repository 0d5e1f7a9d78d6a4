"""The cadence's rules, decided in the service: the weeks a therapist may set and who may set
them, the list of clients due to rebook, and the nudge the desk sends now."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
import sqlalchemy as sa

from spa_app.accounts.models import Role
from spa_app.booking.models import BookingStatus
from spa_app.cadence import queries
from spa_app.cadence import service as cadence
from spa_app.cadence.models import NextVisit, VisitInterval
from spa_app.database import unit_of_work, utcnow
from spa_app.extensions import db
from spa_app.notifications.models import Message, MessageKind, MessageState
from tests import factories
from tests.factories import LONDON

WHOLE = "Please give the weeks as whole numbers."
BOUNDS = "From 1 to 12 weeks, to at most 16 and not fewer than the first."


@pytest.fixture
def regular(app):
    return factories.regular()


@pytest.mark.parametrize(
    ("low", "high", "weeks"), [("1", "1", (1, 1)), ("12", "16", (12, 16)), ("4", "06", (4, 6))]
)
def test_weeks_within_the_bounds_are_taken(app, low, high, weeks):
    assert cadence.weeks_from(low, high) == weeks


@pytest.mark.parametrize(
    ("low", "high", "message"),
    [
        ("0", "3", BOUNDS),
        ("13", "14", BOUNDS),
        ("5", "4", BOUNDS),
        ("3", "17", BOUNDS),
        ("x", "4", WHOLE),
        ("", "4", WHOLE),
        (None, "4", WHOLE),
        ("4", None, WHOLE),
        ("-1", "4", WHOLE),
        ("2.5", "4", WHOLE),
        ("²", "²", WHOLE),  # a digit to str.isdigit, refused by int()
        ("١", "٣", WHOLE),  # Arabic-Indic digits: int() would take them
        ("７", "８", WHOLE),  # full-width digits: int() would take them too
        ("999", "999", WHOLE),
    ],
)
def test_weeks_that_are_no_whole_numbers_or_out_of_bounds_are_refused(app, low, high, message):
    with pytest.raises(cadence.IntervalRefused, match=message):
        cadence.weeks_from(low, high)


def test_set_interval_stores_the_weeks_and_moves_the_window(regular):
    me, anna, *_, visit = regular
    with unit_of_work():
        weeks = cadence.set_interval(me.id, "2", "3", anna.user, utcnow())
    assert weeks == (2, 3)
    factories.fresh()
    row = db.session.get(VisitInterval, me.id)
    assert (row.min_weeks, row.max_weeks, row.set_by_id) == (2, 3, anna.user_id)
    window = db.session.get(NextVisit, me.id)
    local = visit.starts_at.astimezone(LONDON)
    assert window.opens_at == (local + timedelta(weeks=2)).astimezone(UTC)
    assert window.closes_at == (local + timedelta(weeks=3)).astimezone(UTC)


@pytest.mark.parametrize("who", ["client", "other therapist", "staff as client", "nobody"])
def test_only_staff_or_the_clients_own_therapist_set_it_for_a_client(regular, who):
    me, anna, ben, *_ = regular
    staff = factories.user(Role.STAFF)
    by, client_id = {
        "client": (me, me.id),
        "other therapist": (ben.user, me.id),
        "staff as client": (staff, factories.user(Role.STAFF).id),
        "nobody": (staff, 999_999),
    }[who]
    with pytest.raises(cadence.NotYourClient), unit_of_work():
        cadence.set_interval(client_id, "2", "3", by, utcnow())
    factories.fresh()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(VisitInterval)) == 0


def test_staff_may_set_it_for_any_client(regular):
    me, *_ = regular
    assert cadence.may_set_interval(factories.user(Role.STAFF), me)


@pytest.mark.parametrize("weeks", [("١", "٣"), ("７", "８"), ("²", "²")])
def test_non_ascii_digits_in_the_form_are_refused_with_nothing_saved(client, regular, weeks):
    me, anna, *_, visit = regular
    before = db.session.get(NextVisit, me.id).opens_at
    factories.login(client, anna.user)
    back = f"/bookings/{visit.id}"
    data = {"min_weeks": weeks[0], "max_weeks": weeks[1], "back": back}
    reply = client.post(f"/clients/{me.id}/visit-interval", data=data)
    assert reply.status_code == 302 and reply.location == back
    assert WHOLE in client.get(back).get_data(as_text=True)
    factories.fresh()
    assert db.session.get(VisitInterval, me.id) is None
    assert db.session.get(NextVisit, me.id).opens_at == before


@pytest.mark.parametrize("back", ["/bookings/١", "/bookings/²", "/bookings/", "https://x.example/"])
def test_a_back_address_that_is_no_visit_page_goes_to_the_day(client, regular, back):
    me, anna, *_ = regular
    factories.login(client, anna.user)
    reply = client.post(f"/clients/{me.id}/visit-interval",
                        data={"min_weeks": "2", "max_weeks": "3", "back": back})  # fmt: skip
    assert reply.status_code == 302 and reply.location == "/schedule/day"


def test_the_rebook_list_has_the_due_clients_and_their_nudges(regular):
    me, anna, _, svc, visit = regular
    # A visit stored completed, never marked so: no window, so not on the list.
    una = factories.user(name="Unmarked Una")
    week_before = visit.starts_at - timedelta(days=7)
    factories.booking(una, anna, visit.room, svc, week_before, status=BookingStatus.COMPLETED)
    now = utcnow()
    (due,) = queries.rebook_due(now).rows
    assert (due.window.client_id, due.name, due.email) == (me.id, me.name, me.email)
    assert (due.therapist_name, due.nudges_sent) == (anna.display_name, 0)

    with unit_of_work():
        assert cadence.nudge_now(me.id, now) is True
    factories.fresh()
    db.session.execute(sa.update(Message).values(state=MessageState.SENT))
    db.session.commit()
    (due,) = queries.rebook_due(now).rows
    assert due.nudges_sent == 1
    assert [d.nudges_sent for d in queries.all_rebook_due(now)] == [1]


def test_the_desk_nudge_goes_once_a_day(regular):
    me, _, _, _, visit = regular
    now = utcnow()
    with unit_of_work():
        assert cadence.nudge_now(me.id, now) is True
    with unit_of_work():
        assert cadence.nudge_now(me.id, now + timedelta(minutes=5)) is False
    factories.fresh()
    (nudge,) = db.session.execute(sa.select(Message)).scalars()
    assert (nudge.kind, nudge.user_id, nudge.booking_id) == (
        MessageKind.REBOOK_WINDOW_OPEN, me.id, visit.id)  # fmt: skip
    # The day in the key is the UTC day, as it was when the view built it.
    assert nudge.idempotency_key.endswith(f"booking-{visit.id}:desk-{now.date()}")


def test_no_nudge_when_nothing_is_due(regular):
    me, anna, _, svc, visit = regular
    nobody = factories.user()
    with pytest.raises(cadence.NothingDue, match="nothing due"), unit_of_work():
        cadence.nudge_now(nobody.id, utcnow())
    factories.booking(me, anna, visit.room, svc, visit.starts_at + timedelta(weeks=5))
    with pytest.raises(cadence.NothingDue), unit_of_work():
        cadence.nudge_now(me.id, utcnow())
    factories.fresh()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Message)) == 0
