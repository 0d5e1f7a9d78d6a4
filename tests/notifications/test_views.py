"""Staff see every message and can resend a failed one; the local sink is readable in dev only."""

from __future__ import annotations

import mailbox
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest

from spa_app.accounts.models import Role
from spa_app.extensions import db
from spa_app.notifications import sink
from spa_app.notifications.models import Message, MessageKind, MessageState
from tests import factories


@pytest.fixture
def log(app):
    svc, (t,), (r,) = factories.spa()
    client = factories.user(name="Dana Doe")
    b = factories.booking(client, t, r, svc, datetime.now(UTC) + timedelta(days=3))
    now = datetime.now(UTC)
    rows = {
        state: Message(
            kind=MessageKind.BOOKING_CONFIRMED,
            idempotency_key=f"k-{state}",
            user_id=client.id,
            booking_id=b.id,
            state=state,
            due_at=now,
            attempts=3 if state is MessageState.FAILED else 1,
            last_error="550 5.1.1 no such mailbox" if state is MessageState.FAILED else None,
        )
        for state in MessageState
    }
    db.session.add_all(rows.values())
    db.session.commit()
    return rows


def staff_client(client):
    factories.login(client, factories.user(Role.STAFF))
    return client


def test_staff_see_every_message_and_filter_by_state(client, log):
    staff_client(client)
    everything = client.get("/staff/messages").get_data(as_text=True)
    assert everything.count("<td>Dana Doe<br>") == len(MessageState)
    assert "550 5.1.1" in everything
    failed = client.get("/staff/messages?state=failed").get_data(as_text=True)
    assert failed.count("<td>Dana Doe<br>") == 1 and "Send again" in failed
    assert client.get("/staff/messages?state=bogus").status_code == 200


def test_a_failed_message_can_be_sent_again_and_nothing_else_can(client, log):
    staff_client(client)
    failed, sent = log[MessageState.FAILED], log[MessageState.SENT]
    assert client.post(f"/staff/messages/{sent.id}/retry").status_code == 302
    assert client.post(f"/staff/messages/{failed.id}/retry").status_code == 302
    factories.fresh()
    failed, sent = db.session.get(Message, failed.id), db.session.get(Message, sent.id)
    assert (failed.state, failed.attempts) == (MessageState.PENDING, 0)
    assert sent.state is MessageState.SENT
    assert client.post("/staff/messages/99999999999/retry").status_code == 404


def test_the_sink_is_not_there_in_production(client, log):
    staff_client(client)
    assert client.get("/staff/mail-sink").status_code == 404


class TestLocalSink:
    @pytest.fixture
    def app_config(self, tmp_path):
        return {"MAIL_SINK_DIR": str(tmp_path / "mail")}

    def test_staff_read_what_the_sink_received(self, app, client):
        box = mailbox.Maildir(app.config["MAIL_SINK_DIR"], create=True)
        mail = EmailMessage()
        mail["To"], mail["Subject"] = "dana@example.com", "Booked: <Deep tissue>"
        mail.set_content("Hello Dana")
        key = box.add(mail)
        staff_client(client)
        index = client.get("/staff/mail-sink").get_data(as_text=True)
        assert "Booked: &lt;Deep tissue&gt;" in index
        letter = client.get(f"/staff/mail-sink/{key}").get_data(as_text=True)
        assert "Hello Dana" in letter
        assert client.get("/staff/mail-sink/..%2F..%2Fetc").status_code == 404
        assert client.get("/staff/mail-sink/nope").status_code == 404

    def test_the_newest_letter_comes_first_within_one_second(self, app):
        """Maildir names carry unpadded microseconds: 9 must not sort after 10 as text."""
        folder = Path(app.config["MAIL_SINK_DIR"])
        mailbox.Maildir(folder, create=True)
        for name, subject in (("1800000000.M9P1Q1.host", "first"),
                              ("1800000000.M10P1Q2.host", "second")):  # fmt: skip
            (folder / "new" / name).write_bytes(f"Subject: {subject}\n\nHello\n".encode())
        assert [letter.subject for letter in sink.letters(str(folder))] == ["second", "first"]
