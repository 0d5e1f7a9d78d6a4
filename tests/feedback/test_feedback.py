"""Feedback after a visit: asked a day after it was completed (once, unless turned off), given
from the signed link with no log-in, kept once per visit, a low rating told to staff the same
day (and no longer if raised), a high one offered the spa's public review page."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy

import pytest

from spa_app.accounts.models import Role
from spa_app.business import business
from spa_app.database import unit_of_work
from spa_app.extensions import db
from spa_app.feedback import service
from spa_app.feedback.links import feedback_path
from spa_app.feedback.models import Feedback
from spa_app.notifications import emails, outbox, preferences
from spa_app.notifications.delivery import MailSettings
from spa_app.notifications.models import Message, MessageKind
from tests import factories
from tests.notifications.conftest import deliver, mail_settings

REQUEST, LOW = MessageKind.FEEDBACK_REQUEST, MessageKind.LOW_RATING


def visit(ended_ago: timedelta, status=factories.BookingStatus.COMPLETED):
    svc, (t,), (r,) = factories.spa()
    starts = datetime.now(UTC).replace(microsecond=0) - ended_ago - timedelta(hours=1)
    return factories.booking(factories.user(name="Fay"), t, r, svc, starts, status=status)


def sweep(now=None) -> int:
    with unit_of_work():
        return service.schedule_requests(now or datetime.now(UTC))


def messages(kind) -> list[Message]:
    factories.fresh()
    return db.session.scalars(db.select(Message).where(Message.kind == kind)).all()


def link_of(app, message: Message) -> str:
    sender = MailSettings.from_config(app.config).sender
    email = emails.render(db.session.get(Message, message.id), business(), sender)
    text = email.get_body(("plain",)).get_content()
    return re.search(r"http://127.0.0.1:5000(/feedback/\S+)", text).group(1)


def test_asked_once_a_day_after_a_completed_visit(app):
    done = visit(timedelta(days=1, minutes=5))
    visit(timedelta(hours=20))  # not a day yet
    visit(timedelta(days=9))  # too late to ask
    visit(timedelta(days=1, hours=2), status=factories.BookingStatus.NO_SHOW)
    assert sweep() == 1
    assert sweep() == 0
    (asked,) = messages(REQUEST)
    assert asked.booking_id == done.id and asked.user_id == done.client_id


def test_a_client_who_turned_it_off_is_not_asked(app):
    done = visit(timedelta(days=1, minutes=5))
    with unit_of_work():
        preferences.unsubscribe(done.client_id, REQUEST)
    assert sweep() == 0


def test_the_link_rates_the_visit_with_no_log_in_and_a_second_answer_edits(app, client):
    factories.settings(review_url="https://reviews.example/lime-tree")
    visit(timedelta(days=1, minutes=5))
    sweep()
    (asked,) = messages(REQUEST)
    url = link_of(app, asked)
    page = client.get(url).get_data(as_text=True)
    assert "How was your" in page and 'name="rating"' in page
    reply = client.post(url, data={"rating": "5", "comment": "  Lovely, thank you.  "})
    assert reply.status_code == 200
    shown = reply.get_data(as_text=True)
    assert "your answer is saved" in shown and "https://reviews.example/lime-tree" in shown
    client.post(url, data={"rating": "4", "comment": "Good."})
    factories.fresh()
    (kept,) = db.session.scalars(db.select(Feedback)).all()
    assert (kept.rating, kept.comment) == (4, "Good.")
    assert messages(LOW) == []
    # Answered: a request still queued for it would not go.
    assert outbox.is_pointless(db.session.get(Message, asked.id), datetime.now(UTC))


def test_a_low_rating_reaches_every_staff_member_once_and_not_once_raised(app, client):
    desk, owner = factories.user(Role.STAFF, name="Desk"), factories.user(Role.STAFF)
    done = visit(timedelta(days=1, minutes=5))
    sweep()
    url = link_of(app, messages(REQUEST)[0])
    reply = client.post(url, data={"rating": "2", "comment": "The room was cold."})
    assert "leave a review" not in reply.get_data(as_text=True)
    client.post(url, data={"rating": "1", "comment": "Still cold."})
    told = messages(LOW)
    assert sorted(m.user_id for m in told) == sorted([desk.id, owner.id])
    sender = MailSettings.from_config(app.config).sender
    email = emails.render(db.session.get(Message, told[0].id), business(), sender)
    text = email.get_body(("plain",)).get_content()
    assert "Fay rated their" in text and "1 out of 5" in text
    assert "cold" not in text  # the comment stays on the record
    assert f"/clients/{done.client_id}" in text
    client.post(url, data={"rating": "3", "comment": "Better on reflection."})
    factories.fresh()
    assert outbox.is_pointless(db.session.get(Message, told[0].id), datetime.now(UTC))


@pytest.mark.parametrize(
    "form, message",
    [
        ({"comment": "no rating"}, "Please choose a rating from 1 to 5."),
        ({"rating": "6"}, "Please choose a rating from 1 to 5."),
        ({"rating": "five"}, "Please choose a rating from 1 to 5."),
        ({"rating": "3", "comment": "x" * 1001}, "Please keep the comment under 1000"),
    ],
)
def test_bad_answers_are_refused_and_keep_nothing(app, client, form, message):
    visit(timedelta(days=1, minutes=5))
    sweep()
    reply = client.post(link_of(app, messages(REQUEST)[0]), data=form)
    assert reply.status_code == 400 and message in reply.get_data(as_text=True)
    factories.fresh()
    assert db.session.scalars(db.select(Feedback)).all() == []


def test_a_wrong_or_old_link_opens_nothing(app, client):
    done = visit(timedelta(days=1, minutes=5))
    secret = app.config["SECRET_KEY"]
    later = datetime.now(UTC) + timedelta(days=3)
    assert (
        client.get(feedback_path(secret, done.id, done.client_id, later) + "x").status_code == 404
    )
    assert client.get(feedback_path("other", done.id, done.client_id, later)).status_code == 404
    assert client.get(feedback_path(secret, done.id, done.client_id + 1, later)).status_code == 404
    gone = datetime.now(UTC) - timedelta(minutes=1)
    assert client.get(feedback_path(secret, done.id, done.client_id, gone)).status_code == 404


def test_the_request_goes_through_the_mail_server_once(app, smtp):
    factories.settings(business_name="Lime Tree Spa")
    visit(timedelta(days=1, minutes=5))
    sweep()
    (asked,) = messages(REQUEST)
    mail = mail_settings(app, smtp.port)
    assert deliver(asked.id, datetime.now(UTC), mail).value == "sent"
    assert deliver(asked.id, datetime.now(UTC), mail) is None
    (envelope,) = smtp.received
    email = message_from_bytes(envelope.content, policy=policy.default)
    assert email["Subject"] == "How was your visit to Lime Tree Spa?"
    assert email["List-Unsubscribe"].startswith("<http://127.0.0.1:5000/unsubscribe/")


def test_the_record_shows_the_feedback_and_erasure_removes_it(app, client):
    from spa_app.accounts.models import User
    from spa_app.privacy import erasure

    done = visit(timedelta(days=1, minutes=5))
    with unit_of_work():
        service.give(db.session.get(type(done), done.id), 2, "Too firm.", datetime.now(UTC))
    desk = factories.user(Role.STAFF)
    factories.login(client, desk)
    page = client.get(f"/clients/{done.client_id}").get_data(as_text=True)
    assert "2 out of 5" in page and "Too firm." in page
    factories.fresh()
    with unit_of_work():
        leaving, staff = db.session.get(User, done.client_id), db.session.get(User, desk.id)
        erasure.erase_for_client(leaving, actor=staff, now=datetime.now(UTC))
    factories.fresh()
    assert db.session.scalars(db.select(Feedback)).all() == []
