"""The 24-hour reminder: made by the sweep in one statement, real hours on DST days, re-armed."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from spa_app.accounts.models import Role
from spa_app.booking import service as booking_service
from spa_app.database import unit_of_work
from spa_app.extensions import db
from spa_app.notifications import delivery, outbox, service, tasks
from spa_app.notifications.models import Message, MessageKind, MessageState
from tests import factories
from tests.factories import LONDON, at

DAY = timedelta(hours=24)


def visit(day: date, hhmm: str = "10:00", booked_days_ahead: int = 7):
    """A booked visit at ``hhmm`` local time, made ``booked_days_ahead`` days before."""
    svc, (t,), (r,) = factories.spa()
    starts_at = at(day, hhmm)
    b = factories.booking(factories.user(), t, r, svc, starts_at)
    b.created_at = starts_at - timedelta(days=booked_days_ahead)
    db.session.commit()
    return b


def reminders(state=None):
    factories.fresh()
    query = db.select(Message).where(Message.kind == MessageKind.APPOINTMENT_REMINDER)
    if state is not None:
        query = query.where(Message.state == state)
    return db.session.execute(query.order_by(Message.id)).scalars().all()


def sweep(now) -> int:
    with unit_of_work():
        added = service.schedule_reminders(now, DAY)
    return added


def test_one_reminder_exactly_24_real_hours_before_and_a_rerun_adds_nothing(app):
    b = visit(factories.next_weekday(2))
    assert sweep(b.starts_at - DAY - timedelta(minutes=1)) == 0
    assert sweep(b.starts_at - DAY) == 1
    assert sweep(b.starts_at - DAY + timedelta(minutes=1)) == 0
    (r,) = reminders()
    assert (r.booking_id, r.user_id, r.state) == (b.id, b.client_id, MessageState.PENDING)
    assert (r.visit_starts_at, r.visit_sequence, r.due_at) == (b.starts_at, 0, b.starts_at - DAY)
    assert r.idempotency_key == f"appointment_reminder:booking-{b.id}:0"


@pytest.mark.parametrize(
    "day,local_trigger",
    [
        (date(2027, 3, 28), "09:00"),  # clocks go forward overnight: 24 h before 10:00 is 09:00
        (date(2027, 10, 31), "11:00"),  # clocks go back overnight: 24 h before 10:00 is 11:00
    ],
)
def test_on_daylight_saving_days_the_reminder_is_24_real_hours_early(app, day, local_trigger):
    b = visit(day)
    trigger = b.starts_at - DAY
    assert trigger.astimezone(LONDON).strftime("%H:%M") == local_trigger
    assert sweep(trigger - timedelta(seconds=1)) == 0
    assert sweep(trigger) == 1


def test_a_visit_booked_less_than_a_day_ahead_gets_no_reminder(app):
    b = visit(factories.next_weekday(2), booked_days_ahead=0)
    b.created_at = b.starts_at - timedelta(hours=5)
    db.session.commit()
    assert sweep(b.starts_at - timedelta(hours=4)) == 0


def test_moving_drops_the_reminder_and_the_next_sweep_arms_one_for_the_new_time(app):
    b = visit(factories.next_weekday(2))
    sweep(b.starts_at - DAY)
    later = b.starts_at + timedelta(hours=3)
    factories.fresh()
    with unit_of_work():
        booking = db.session.get(type(b), b.id)
        booking_service.move(
            booking=booking,
            choice=booking_service.Choice(booking.service_id, later),
            actor=factories.user(Role.STAFF),
            now=b.starts_at - DAY,
        )
    assert [r.state for r in reminders()] == [MessageState.DROPPED]
    assert sweep(later - DAY) == 1
    new = reminders(MessageState.PENDING)[0]
    assert (new.visit_starts_at, new.visit_sequence) == (later, 1)


def test_cancelling_drops_the_reminder_for_good(app):
    b = visit(factories.next_weekday(2))
    sweep(b.starts_at - DAY)
    factories.fresh()
    booking = db.session.get(type(b), b.id)
    booking_service.cancel(booking=booking, actor=factories.user(Role.STAFF), now=b.starts_at - DAY)
    db.session.commit()
    assert [r.state for r in reminders()] == [MessageState.DROPPED]
    assert sweep(b.starts_at - timedelta(hours=1)) == 0


def test_a_reminder_in_flight_when_the_visit_changes_is_stale(app):
    b = visit(factories.next_weekday(2))
    sweep(b.starts_at - DAY)
    (r,) = reminders()
    assert not outbox.is_pointless(r, b.starts_at - DAY)
    booking = db.session.get(type(b), b.id)
    booking.sequence += 1  # a change committed after the reminder was dispatched
    db.session.commit()
    (r,) = reminders()
    assert outbox.is_pointless(r, b.starts_at - DAY)
    assert outbox.is_pointless(r, b.starts_at)  # and a visit that has begun needs no reminder


def test_the_send_task_drops_a_stale_reminder_without_sending(app):
    b = visit(factories.next_weekday(2))
    now = b.starts_at - DAY
    sweep(now)
    with unit_of_work():
        [(message_id, token)] = delivery.dispatch_due(now)
        booking = db.session.get(type(b), b.id)
        booking.sequence += 1  # the visit changed while the task waited in the queue
    # No mail server is listening: a send attempt would be recorded as a retry.
    assert tasks.send_message(message_id, token.isoformat()) == "dropped"
    (r,) = reminders()
    assert r.state is MessageState.DROPPED and [a.outcome for a in r.history] == ["dropped"]


@pytest.mark.postgres
def test_reminders_and_dispatch_on_postgresql(pg_app):
    b = visit(factories.next_weekday(2))
    now = b.starts_at - DAY
    assert sweep(now) == 1 and sweep(now) == 0
    with unit_of_work():
        leased = delivery.dispatch_due(now)
    assert [message_id for message_id, _ in leased] == [r.id for r in reminders()]
    assert delivery.dispatch_due(now) == []
