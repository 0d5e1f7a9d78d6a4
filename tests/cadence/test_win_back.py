"""After the next-visit window closed with nothing booked: one note four weeks later and a last
one at twelve (the spa may set others), each sent once, stopped by any booking, obeying the
client's one setting for both; then nothing more."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes, policy

import pytest

from spa_app.database import unit_of_work
from spa_app.extensions import db
from spa_app.notifications import outbox, preferences, service
from spa_app.notifications.delivery import Outcome
from spa_app.notifications.models import Message, MessageKind
from tests import factories
from tests.factories import at
from tests.notifications.conftest import deliver, mail_settings
from tests.notifications.test_nudges import completed_visit

FIRST, LAST = MessageKind.WIN_BACK, MessageKind.WIN_BACK_LAST
VISIT = date(2027, 3, 1)
CLOSES = at(date(2027, 4, 12), "10:00")  # six weeks after the 10:00 visit, on the local clock


def sweep(now, first=4, last=12) -> int:
    with unit_of_work():
        return service.schedule_win_backs(now, first, last)


def win_backs() -> list[Message]:
    factories.fresh()
    kinds = Message.kind.in_([FIRST, LAST])
    return db.session.scalars(db.select(Message).where(kinds).order_by(Message.id)).all()


def test_one_note_four_weeks_after_the_window_closed_and_a_last_at_twelve(app):
    b = completed_visit(at(VISIT, "10:00"))
    assert sweep(CLOSES + timedelta(weeks=4) - timedelta(minutes=1)) == 0
    assert sweep(CLOSES + timedelta(weeks=4)) == 1
    assert sweep(CLOSES + timedelta(weeks=4, days=1)) == 0  # a rerun adds nothing
    assert sweep(CLOSES + timedelta(weeks=12)) == 1
    assert sweep(CLOSES + timedelta(weeks=30)) == 0  # and then nothing more
    first, last = win_backs()
    assert (first.kind, first.idempotency_key) == (FIRST, f"win_back:booking-{b.id}")
    assert (last.kind, last.due_at) == (LAST, CLOSES + timedelta(weeks=12))


def test_a_sweep_down_for_over_a_week_sends_no_stale_note(app):
    completed_visit(at(VISIT, "10:00"))
    assert sweep(CLOSES + timedelta(weeks=4) + service.NUDGE_GRACE) == 0


def test_the_delays_are_the_spas_to_set(app):
    completed_visit(at(VISIT, "10:00"))
    assert sweep(CLOSES + timedelta(weeks=2), first=2, last=8) == 1
    assert [m.kind for m in win_backs()] == [FIRST]


def test_any_booking_stops_them_even_one_already_queued(app):
    b = completed_visit(at(VISIT, "10:00"))
    sweep(CLOSES + timedelta(weeks=4))
    (queued,) = win_backs()
    svc, therapist, room = b.service, b.therapist, b.room
    factories.booking(b.client, therapist, room, svc, CLOSES + timedelta(weeks=6))
    factories.fresh()
    assert outbox.is_pointless(db.session.get(Message, queued.id), CLOSES + timedelta(weeks=4))
    assert sweep(CLOSES + timedelta(weeks=12)) == 0


def test_one_setting_turns_both_off_even_once_queued(app):
    b = completed_visit(at(VISIT, "10:00"))
    sweep(CLOSES + timedelta(weeks=4))
    (queued,) = win_backs()
    with unit_of_work():
        preferences.unsubscribe(b.client_id, FIRST)
    assert outbox.is_pointless(db.session.get(Message, queued.id), CLOSES)
    assert sweep(CLOSES + timedelta(weeks=12)) == 0
    # A last note queued before the client turned them off is dropped too.
    other = completed_visit(at(VISIT, "14:00"))
    sweep(CLOSES + timedelta(weeks=12, hours=4))
    last = [m for m in win_backs() if m.user_id == other.client_id][-1]
    assert last.kind is LAST
    with unit_of_work():
        preferences.unsubscribe(other.client_id, FIRST)
    assert outbox.is_pointless(db.session.get(Message, last.id), CLOSES)


@pytest.fixture
def recent(app):
    """A visit whose window closed four weeks and a day ago, on the real clock."""
    starts = datetime.now(UTC).replace(microsecond=0) - timedelta(weeks=10, days=1)
    b = completed_visit(starts)
    assert sweep(datetime.now(UTC)) == 1
    return b


def test_the_note_goes_once_through_the_mail_server(app, smtp, recent):
    factories.settings(business_name="Lime Tree Spa")
    (message,) = win_backs()
    mail = mail_settings(app, smtp.port)
    assert deliver(message.id, datetime.now(UTC), mail) is Outcome.SENT
    assert deliver(message.id, datetime.now(UTC), mail) is None  # sent: nothing more
    (envelope,) = smtp.received
    email = message_from_bytes(envelope.content, policy=policy.default)
    assert email["Subject"] == "We would love to see you again at Lime Tree Spa"
    text = email.get_body(("plain",)).get_content()
    assert "It has been 10 weeks since your " in text
    assert "We would love to see you again" in text
    assert email["List-Unsubscribe"].startswith("<http://127.0.0.1:5000/unsubscribe/")
