"""Booking e-mails go through a real SMTP server once, with retries only for what is transient."""

from __future__ import annotations

import email
import time as clock
from datetime import UTC, datetime, timedelta
from email import policy

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from icalendar import Calendar

from spa_app.accounts.models import Role
from spa_app.booking import service
from spa_app.database import serialized_writes, unit_of_work
from spa_app.extensions import db
from spa_app.notifications import delivery, tasks
from spa_app.notifications.delivery import Outcome
from spa_app.notifications.models import MessageKind, MessageState
from tests import factories
from tests.conftest import Sink, free_port, serving
from tests.notifications.conftest import deliver, deliver_all, mail_settings, messages, send


def parse(envelope):
    return email.message_from_bytes(envelope.content, policy=policy.default)


def calendar_of(mail):
    (part,) = [p for p in mail.iter_attachments() if p.get_content_type() == "text/calendar"]
    return Calendar.from_ical(part.get_content()), part


def test_booking_queues_one_confirmation_in_the_same_transaction(app, booked):
    booking, message = booked
    assert (message.kind, message.state, message.booking_id) == (
        MessageKind.BOOKING_CONFIRMED,
        MessageState.PENDING,
        booking.id,
    )
    assert message.idempotency_key == f"booking_confirmed:booking-{booking.id}:0"


def test_a_refused_booking_queues_nothing(app, booked):
    booking, _ = booked
    other = factories.user()
    with serialized_writes(), pytest.raises(service.SlotUnavailable):
        service.book(
            client=other,
            choice=service.Choice(booking.service_id, booking.starts_at, booking.therapist_id),
            actor=other,
            now=datetime.now(UTC),
        )
    db.session.rollback()
    assert len(messages()) == 1


def test_the_confirmation_arrives_with_text_html_and_a_calendar_file(app, booked, smtp):
    booking, message = booked
    now = datetime.now(UTC)
    assert deliver(message.id, now, mail_settings(app, smtp.port)) is Outcome.SENT
    (envelope,) = smtp.received
    assert envelope.rcpt_tos == [booking.client.email]
    mail = parse(envelope)
    assert mail["Subject"].startswith(f"Booked: {booking.service.name} on ")
    assert "Dana Doe" in mail["To"]
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    assert "10:00" in text and f"/bookings/{booking.id}" in text and "<p>" in html
    cal, part = calendar_of(mail)
    assert part.get_param("method") == "REQUEST"
    (event,) = cal.walk("VEVENT")
    assert str(event["uid"]) == f"booking-{booking.id}@spa.example"
    assert event.decoded("dtstart") == booking.starts_at and int(event["sequence"]) == 0
    (sent,) = messages()
    assert (sent.state, sent.attempts, sent.sent_at) == (MessageState.SENT, 1, now)
    assert [a.outcome for a in sent.history] == ["sent"]


def test_move_and_cancel_update_the_same_calendar_event(app, booked, smtp):
    booking, _ = booked
    client = booking.client
    later = booking.starts_at + timedelta(hours=2)
    factories.fresh()
    with unit_of_work():
        service.move(
            booking=booking,
            choice=service.Choice(booking.service_id, later),
            actor=client,
            now=datetime.now(UTC),
        )
    service.cancel(booking=booking, actor=client, now=datetime.now(UTC), reason="ill")
    db.session.commit()
    mail = mail_settings(app, smtp.port)
    assert set(deliver_all(datetime.now(UTC), mail).values()) == {Outcome.SENT}
    confirmed, moved, cancelled = (parse(e) for e in smtp.received)
    assert moved["Subject"].startswith("Moved:") and cancelled["Subject"].startswith("Cancelled:")
    events = [calendar_of(m)[0].walk("VEVENT")[0] for m in (confirmed, moved, cancelled)]
    assert len({str(e["uid"]) for e in events}) == 1
    assert [int(e["sequence"]) for e in events] == [0, 1, 2]
    assert events[1].decoded("dtstart") == later
    assert calendar_of(cancelled)[1].get_param("method") == "CANCEL"
    assert str(events[2]["status"]) == "CANCELLED"
    assert "ill" not in cancelled.as_string()  # reasons stay inside the spa


def test_staff_changes_say_so_and_quote_the_front_desk_note(app, booked, smtp, client):
    booking, _ = booked
    staff = factories.user(Role.STAFF)
    later = booking.starts_at + timedelta(hours=2)
    factories.fresh()
    with unit_of_work():
        service.move(
            booking=db.session.get(type(booking), booking.id),
            choice=service.Choice(booking.service_id, later),
            actor=staff,
            now=datetime.now(UTC),
        )
    factories.login(client, staff)
    page = client.get(f"/bookings/{booking.id}/cancel").get_data(as_text=True)
    assert "Please leave out anything about their health" in page
    client.post(
        f"/bookings/{booking.id}/cancel",
        data={"reason": "Client phoned: back pain", "note_to_client": "Your therapist is away"},
    )
    assert set(deliver_all(datetime.now(UTC), mail_settings(app, smtp.port)).values()) == {
        Outcome.SENT
    }
    confirmed, moved, cancelled = (parse(e) for e in smtp.received)
    for mail in (moved, cancelled):
        for part in ("plain", "html"):
            assert "made by our front desk" in mail.get_body((part,)).get_content()
    assert "Their note: Your therapist is away" in cancelled.get_body(("plain",)).get_content()
    assert "back pain" not in cancelled.as_string()  # the internal reason stays with the spa
    assert "front desk" not in confirmed.get_body(("plain",)).get_content()  # the client booked


def test_451_twice_then_250_sends_once(app, booked, smtp):
    _, message = booked
    smtp.answers = ["451 4.3.0 try later", "451 4.3.0 try later"]
    mail = mail_settings(app, smtp.port, MAIL_RETRY_BASE_SECONDS=60)
    now = datetime.now(UTC)
    assert deliver(message.id, now, mail) is Outcome.RETRY
    assert deliver(message.id, now, mail) is None  # not due again yet: no second try
    (m,) = messages()
    assert m.due_at == now + timedelta(seconds=60) and "451" in m.last_error
    now += timedelta(seconds=60)
    assert deliver(message.id, now, mail) is Outcome.RETRY
    (m,) = messages()
    assert m.due_at == now + timedelta(seconds=120)  # doubled
    now += timedelta(seconds=120)
    assert deliver(message.id, now, mail) is Outcome.SENT
    assert len(smtp.received) == 1
    (m,) = messages()
    assert m.attempts == 3 and [a.outcome for a in m.history] == ["retry", "retry", "sent"]


def test_550_fails_at_once_and_is_not_retried(app, booked, smtp):
    _, message = booked
    smtp.answers = ["550 5.1.1 no such mailbox"]
    mail = mail_settings(app, smtp.port)
    now = datetime.now(UTC)
    assert deliver(message.id, now, mail) is Outcome.FAILED
    assert deliver(message.id, now + timedelta(days=1), mail) is None
    (m,) = messages()
    assert (m.state, m.attempts) == (MessageState.FAILED, 1) and "550" in m.last_error
    assert smtp.received == []


def test_a_refused_connection_is_retried_until_the_server_is_back(app, booked, smtp):
    _, message = booked
    now = datetime.now(UTC)
    assert deliver(message.id, now, mail_settings(app, free_port())) is Outcome.RETRY
    (m,) = messages()
    assert "ConnectionRefusedError" in m.last_error
    assert deliver(message.id, m.due_at, mail_settings(app, smtp.port)) is Outcome.SENT
    assert len(smtp.received) == 1


def test_a_server_that_never_answers_times_out(app, booked, silent_server):
    _, message = booked
    started = clock.monotonic()
    assert deliver(message.id, datetime.now(UTC), mail_settings(app, silent_server)) is (
        Outcome.RETRY
    )
    assert clock.monotonic() - started < 5
    (m,) = messages()
    assert "timed out" in m.last_error.lower()


def test_retries_stop_after_the_limit(app, booked):
    _, message = booked
    mail = mail_settings(app, free_port(), MAIL_MAX_ATTEMPTS=3)
    now = datetime.now(UTC)
    outcomes = []
    for _ in range(3):
        outcomes.append(deliver(message.id, now, mail))
        now = messages()[0].due_at
    assert outcomes == [Outcome.RETRY, Outcome.RETRY, Outcome.FAILED]
    (m,) = messages()
    assert m.state is MessageState.FAILED and m.last_error.startswith("gave up after 3")


def test_a_duplicate_task_cannot_send_twice(app, booked, smtp):
    _, message = booked
    now = datetime.now(UTC)
    [(message_id, token)] = delivery.dispatch_due(now)
    db.session.commit()
    assert delivery.dispatch_due(now) == []  # a second beat finds it leased
    assert delivery.claim(message_id, token, now)
    db.session.commit()
    assert not delivery.claim(message_id, token, now)  # the same task delivered twice
    db.session.rollback()
    assert send(message_id, now, mail_settings(app, smtp.port)) is Outcome.SENT
    assert deliver(message.id, now + timedelta(hours=1), mail_settings(app, smtp.port)) is None
    assert len(smtp.received) == 1


def test_a_lost_task_is_dispatched_again_when_its_lease_runs_out(app, booked, smtp):
    _, message = booked
    now = datetime.now(UTC)
    [(_, token)] = delivery.dispatch_due(now)  # ...and the task never reaches a worker
    db.session.commit()
    assert deliver(message.id, now + timedelta(minutes=1), mail_settings(app, smtp.port)) is None
    after_lease = token
    assert deliver(message.id, after_lease, mail_settings(app, smtp.port)) is Outcome.SENT
    assert len(smtp.received) == 1


def test_tries_that_never_report_back_count_and_end_in_failure(app, booked, smtp):
    """Each claim counts a try; a message whose worker dies mid-send every time fails at the
    limit instead of being leased again forever."""
    _, message = booked
    app.config["MAIL_MAX_ATTEMPTS"] = 2
    now = datetime.now(UTC)
    for _ in range(2):  # claimed, then the worker is killed before anything is recorded
        [(message_id, token)] = delivery.dispatch_due(now)
        db.session.commit()
        assert delivery.claim(message_id, token, now)
        db.session.commit()
        now = messages()[0].due_at  # the lease runs out
    [(message_id, token)] = delivery.dispatch_due(now)
    db.session.commit()
    assert tasks.send_message(message_id, token.isoformat()) == "failed"
    (m,) = messages()
    assert (m.state, m.attempts, [a.outcome for a in m.history]) == (
        MessageState.FAILED,
        3,
        ["failed"],
    )
    assert "never reported back" in m.last_error
    assert smtp.received == []


class GrumpyAtGoodbye(Sink):
    """Accepts mail, then answers QUIT with an error."""

    async def handle_QUIT(self, server, session, envelope):
        return "421 4.3.2 shutting down"


def test_what_the_server_says_after_its_250_does_not_send_the_message_again(app, booked):
    _, message = booked
    with serving(GrumpyAtGoodbye()) as sink:
        mail = mail_settings(app, sink.port)
        now = datetime.now(UTC)
        assert deliver(message.id, now, mail) is Outcome.SENT
        assert deliver(message.id, now + timedelta(hours=1), mail) is None
    assert len(sink.received) == 1


def test_every_copy_of_a_message_has_the_same_message_id(app, booked):
    _, message = booked
    mail = mail_settings(app, free_port())
    first, again = delivery.compose(message.id, mail), delivery.compose(message.id, mail)
    assert first["Message-ID"] == again["Message-ID"]
    assert first["Message-ID"].startswith(f"<message-{message.id}.")
    assert first["Message-ID"].endswith("@spa.example>")


def test_a_send_cut_short_by_the_soft_time_limit_is_retried(app, booked, monkeypatch):
    # Celery raises this inside the task when its soft limit passes; here we raise it directly.
    def trickling(email, mail):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(delivery, "_smtp", trickling)
    email = delivery.compose(booked[1].id, mail_settings(app, free_port()))
    outcome, detail = delivery.hand_over(email, mail_settings(app, free_port()))
    assert outcome is Outcome.RETRY and "longer than the task may run" in detail


@pytest.mark.postgres
def test_book_sweep_claim_and_send_on_postgresql(pg_app, smtp):
    svc, (t,), _ = factories.spa()
    factories.booked_online(svc, t, factories.next_weekday(0))
    mail = mail_settings(pg_app, smtp.port)
    now = datetime.now(UTC)
    assert list(deliver_all(now, mail).values()) == [Outcome.SENT]
    assert deliver_all(now, mail) == {}  # nothing left, nothing twice
    assert len(smtp.received) == 1 and messages()[0].state is MessageState.SENT
