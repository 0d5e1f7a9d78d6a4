"""A slow mail server gets each e-mail once: a short timeout for every step up to the message,
a long one for the answer to it, and no blind second copy when that answer never comes."""

from __future__ import annotations

import asyncio
import time as clock
from datetime import UTC, datetime, timedelta

import pytest
from celery.exceptions import SoftTimeLimitExceeded

from spa_app.database import unit_of_work
from spa_app.extensions import db
from spa_app.notifications import delivery, service
from spa_app.notifications.delivery import Outcome
from spa_app.notifications.models import Message, MessageState
from spa_app.privacy.erasure import erase_account
from tests import factories
from tests.conftest import serving
from tests.notifications.conftest import deliver, mail_settings, messages

SHORT, LONG = 0.5, 4.0


class LateAnswer:
    """Takes the message, then answers the end of DATA only after ``delay`` seconds."""

    def __init__(self, delay: float):
        self.delay = delay
        self.received = []

    async def handle_DATA(self, server, session, envelope):
        self.received.append(envelope)
        await asyncio.sleep(self.delay)
        return "250 OK"


@pytest.fixture
def slow(request):
    with serving(LateAnswer(request.param)) as server:
        yield server


def history(message_id):
    db.session.expire_all()
    return [a.outcome for a in db.session.get(Message, message_id).history]


@pytest.mark.parametrize("slow", [SHORT * 4], indirect=True)
def test_an_answer_slower_than_every_other_step_may_be_still_counts_once(app, booked, slow):
    """The probe's case: the answer to the message comes after the per-step timeout (here 2 s
    against 0.5 s) but within the long one; it is sent once and recorded sent."""
    _, message = booked
    mail = mail_settings(app, slow.port, MAIL_TIMEOUT_SECONDS=SHORT, MAIL_DATA_TIMEOUT_SECONDS=LONG)
    now = datetime.now(UTC)
    assert deliver(message.id, now, mail) is Outcome.SENT
    for later in (timedelta(minutes=20), timedelta(hours=7)):
        assert deliver(message.id, now + later, mail) is None
    assert len(slow.received) == 1
    assert history(message.id) == ["sent"]


@pytest.mark.parametrize("slow", [LONG * 2], indirect=True)
def test_no_answer_to_the_whole_message_holds_it_unconfirmed_and_sends_no_second_copy(
    app, booked, slow
):
    _, message = booked
    mail = mail_settings(app, slow.port, MAIL_TIMEOUT_SECONDS=SHORT, MAIL_DATA_TIMEOUT_SECONDS=1)
    now = datetime.now(UTC)
    assert deliver(message.id, now, mail) is Outcome.UNCONFIRMED
    for later in (timedelta(minutes=20), timedelta(hours=7), timedelta(days=3)):
        assert deliver(message.id, now + later, mail) is None
    assert len(slow.received) == 1  # the server has its one copy; nothing went again
    (m,) = messages()
    assert (m.state, m.attempts, m.sent_at) == (MessageState.UNCONFIRMED, 1, None)
    assert "never answered" in m.last_error and "may have arrived" in m.last_error
    assert history(message.id) == ["unconfirmed"]


def test_a_hung_greeting_gives_up_after_the_short_timeout_not_the_long_one(
    app, booked, silent_server
):
    _, message = booked
    mail = mail_settings(
        app, silent_server, MAIL_TIMEOUT_SECONDS=SHORT, MAIL_DATA_TIMEOUT_SECONDS=30
    )
    started = clock.monotonic()
    assert deliver(message.id, datetime.now(UTC), mail) is Outcome.RETRY
    assert clock.monotonic() - started < 10  # nowhere near the 30 s kept for the answer
    assert "timed out" in messages()[0].last_error.lower()


class RefusesAfterAWhile(LateAnswer):
    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(self.delay)
        return "451 4.3.0 try again later"


def test_a_late_refusal_is_an_answer_and_is_retried(app, booked):
    _, message = booked
    with serving(RefusesAfterAWhile(SHORT * 3)) as server:
        mail = mail_settings(
            app, server.port, MAIL_TIMEOUT_SECONDS=SHORT, MAIL_DATA_TIMEOUT_SECONDS=LONG
        )
        assert deliver(message.id, datetime.now(UTC), mail) is Outcome.RETRY
    (m,) = messages()
    assert m.state is MessageState.PENDING and "451" in m.last_error


def test_the_send_tasks_time_running_out_after_the_message_went_out_is_unconfirmed(
    app, booked, monkeypatch
):
    """Celery's soft limit raises inside the task; after the whole message is out, that is
    no answer (held), before it a retry."""
    _, message = booked

    def limit_reached_waiting_for_the_answer(self):
        if self.message_sent:
            raise SoftTimeLimitExceeded()
        return real_getreply(self)

    real_getreply = delivery._Session.getreply
    monkeypatch.setattr(delivery._Session, "getreply", limit_reached_waiting_for_the_answer)
    with serving(LateAnswer(0)) as server:
        email = delivery.compose(message.id, mail_settings(app, server.port))
        outcome, detail = delivery.hand_over(email, mail_settings(app, server.port))
    assert outcome is Outcome.UNCONFIRMED and "ran out of time" in detail


@pytest.mark.parametrize("slow", [LONG * 2], indirect=True)
def test_staff_send_an_unconfirmed_message_again_or_mark_it_received(app, booked, slow, client):
    _, message = booked
    mail = mail_settings(app, slow.port, MAIL_TIMEOUT_SECONDS=SHORT, MAIL_DATA_TIMEOUT_SECONDS=1)
    now = datetime.now(UTC)
    assert deliver(message.id, now, mail) is Outcome.UNCONFIRMED
    factories.login(client, factories.user(factories.Role.STAFF))

    page = client.get("/staff/messages?state=unconfirmed").get_data(as_text=True)
    assert "never said whether it took it" in page
    assert "Send again" in page and "Mark received" in page

    reply = client.post(f"/staff/messages/{message.id}/received", data={"state": "unconfirmed"})
    assert reply.status_code == 302 and reply.location.endswith("state=unconfirmed")
    (m,) = messages()
    assert m.state is MessageState.SENT and m.sent_at is not None
    assert history(message.id) == ["unconfirmed", "received"]
    assert client.post(f"/staff/messages/{message.id}/retry").status_code == 302
    assert messages()[0].state is MessageState.SENT  # a received message is not sent again

    m.state = MessageState.UNCONFIRMED
    db.session.commit()
    client.post(f"/staff/messages/{message.id}/retry", data={"state": "unconfirmed"})
    (m,) = messages()
    assert (m.state, m.attempts) == (MessageState.PENDING, 0)


def test_an_erased_clients_unconfirmed_message_is_dropped(app, booked):
    booking, message = booked
    m = db.session.get(Message, message.id)
    m.state = MessageState.UNCONFIRMED
    db.session.commit()
    with unit_of_work():
        erase_account(booking.client, factories.PASSWORD, datetime.now(UTC))
    assert messages()[0].state is MessageState.DROPPED  # and so is the cancellation notice
    assert service.send_again(message.id, datetime.now(UTC)) is None


def test_an_attempt_a_crash_cut_short_stays_in_the_history(app, booked, smtp):
    """The send task writes its attempt before talking to the server; a worker that dies then
    leaves it "sending", and the next try marks it cut short: the log shows both copies."""
    _, message = booked
    now = datetime.now(UTC)
    delivery.begin_attempt(message.id, now)  # ... and the worker dies here
    db.session.commit()
    assert history(message.id) == ["sending"]
    assert deliver(message.id, now, mail_settings(app, smtp.port)) is Outcome.SENT
    assert history(message.id) == ["cut short", "sent"]
    (m,) = messages()
    assert "may have this copy" in m.history[0].detail


def test_the_send_task_gets_time_for_the_long_answer_and_the_lease_outlasts_it(app):
    soft, hard = delivery.send_time_limits(app.config)
    assert app.config["MAIL_DATA_TIMEOUT_SECONDS"] < soft < hard < app.config["MAIL_LEASE_SECONDS"]
