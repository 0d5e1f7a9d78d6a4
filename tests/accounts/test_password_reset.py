"""Password reset by e-mail: one-hour, single-use links that reveal nothing about accounts."""

from __future__ import annotations

import email
import re
import threading
import time
from datetime import UTC, datetime, timedelta
from email import policy

import pytest

from spa_app.accounts import service
from spa_app.extensions import db
from spa_app.notifications import outbox
from spa_app.notifications.models import Message, MessageKind
from tests import factories
from tests.notifications.conftest import deliver_all, mail_settings


def reset_messages():
    factories.fresh()
    return (
        db.session.execute(db.select(Message).where(Message.kind == MessageKind.PASSWORD_RESET))
        .scalars()
        .all()
    )


def link_from(smtp) -> str:
    (envelope,) = smtp.received
    mail = email.message_from_bytes(envelope.content, policy=policy.default)
    text = mail.get_body(("plain",)).get_content()
    return re.search(r"http://127\.0\.0\.1:5000(/reset-password/\S+)", text).group(1)


def test_a_client_resets_a_forgotten_password_by_email(app, client, smtp):
    me = factories.user()
    answer = client.post("/reset-password", data={"email": me.email.upper()})
    assert answer.status_code == 302
    assert deliver_all(datetime.now(UTC), mail_settings(app, smtp.port))
    path = link_from(smtp)
    assert client.get(path).status_code == 200
    done = client.post(path, data={"password": "a-new-long-pass", "confirm": "a-new-long-pass"})
    assert done.status_code == 302 and done.location == "/login"
    login = client.post("/login", data={"email": me.email, "password": "a-new-long-pass"})
    assert login.status_code == 302
    # The link is spent: the password it was made for has changed.
    again = client.get(path)
    assert again.status_code == 302 and again.location == "/reset-password"


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client):
    address = factories.user().email
    known = client.post("/reset-password", data={"email": address}, follow_redirects=True).get_data(
        as_text=True
    )
    unknown = client.post(
        "/reset-password", data={"email": "nobody@example.com"}, follow_redirects=True
    ).get_data(as_text=True)
    notice = "If an account uses that address"
    assert notice in known and notice in unknown
    assert [m.user.email for m in reset_messages()] == [address]


def test_repeated_requests_queue_one_mail_per_ten_minutes(app):
    me = factories.user()
    now = datetime(2026, 12, 1, 10, 1, tzinfo=UTC)
    for minutes in (0, 3, 8):
        service.request_password_reset(me.email, now + timedelta(minutes=minutes))
    service.request_password_reset(me.email, now + timedelta(minutes=10))
    db.session.commit()
    assert len(reset_messages()) == 2


def test_the_outbox_holds_no_reset_secret(app, smtp):
    me = factories.user()
    service.request_password_reset(me.email, datetime.now(UTC))
    db.session.commit()
    deliver_all(datetime.now(UTC), mail_settings(app, smtp.port))
    token = link_from(smtp).rsplit("/", 1)[-1]
    assert service.user_for_reset(app.config["SECRET_KEY"], token) == me
    (row,) = reset_messages()
    stored = " ".join(str(getattr(row, c.key)) for c in row.__table__.columns)
    assert token not in stored and token[:20] not in stored


def reset_mail(user_id, now):
    kind = MessageKind.PASSWORD_RESET
    return outbox.enqueue(kind, to=user_id, key="k", due_at=now, created_at=now)


@pytest.mark.postgres
def test_two_requests_at_once_queue_one_mail_and_neither_fails(pg_app):
    me_id = factories.user().id
    now = datetime(2026, 12, 1, 10, 1, tzinfo=UTC)
    first_inserted, results = threading.Event(), {}

    def first():
        with pg_app.app_context():
            results["first"] = reset_mail(me_id, now)
            first_inserted.set()
            time.sleep(0.5)  # hold the uncommitted row while the second request arrives
            db.session.commit()

    thread = threading.Thread(target=first)
    thread.start()
    first_inserted.wait(5)
    with pg_app.app_context():  # a second request, its own connection
        results["second"] = reset_mail(me_id, now)
        db.session.commit()
    thread.join()
    assert results == {"first": True, "second": False}
    assert len(reset_messages()) == 1


def test_expired_forged_and_bad_links_are_refused(app, client, monkeypatch):
    me = factories.user()
    token = service.reset_token(app.config["SECRET_KEY"], me)
    assert service.user_for_reset(app.config["SECRET_KEY"], token) == me
    assert service.user_for_reset(app.config["SECRET_KEY"], token + "x") is None
    assert service.user_for_reset("another-secret", token) is None
    monkeypatch.setattr(service, "RESET_MAX_AGE", timedelta(seconds=-1))
    assert service.user_for_reset(app.config["SECRET_KEY"], token) is None
    assert client.get("/reset-password/garbage").status_code == 302


def test_a_short_new_password_is_refused(app, client):
    me = factories.user()
    path = f"/reset-password/{service.reset_token(app.config['SECRET_KEY'], me)}"
    page = client.post(path, data={"password": "short", "confirm": "short"})
    assert page.status_code == 200 and "10 to 200" in page.get_data(as_text=True)
    factories.fresh()
    assert db.session.get(type(me), me.id).check_password(factories.PASSWORD)


def test_a_walk_in_client_without_a_password_can_set_one(app, client):
    walk_in = factories.user()
    walk_in.password_hash = None
    db.session.commit()
    path = f"/reset-password/{service.reset_token(app.config['SECRET_KEY'], walk_in)}"
    assert (
        client.post(
            path, data={"password": "first-password-1", "confirm": "first-password-1"}
        ).status_code
        == 302
    )
    assert (
        client.post(
            "/login", data={"email": walk_in.email, "password": "first-password-1"}
        ).status_code
        == 302
    )
