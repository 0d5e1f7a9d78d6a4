"""Optional e-mails carry RFC 8058 one-click unsubscribe; clients choose them in their settings."""

from __future__ import annotations

import pytest

from spa_app.database import unit_of_work
from spa_app.extensions import db
from spa_app.notifications import delivery, preferences, tasks
from spa_app.notifications.models import (
    NUDGE_KINDS,
    OPTIONAL_KINDS,
    MailOptOut,
    MessageKind,
    MessageState,
)
from tests import factories
from tests.notifications.conftest import mail_settings
from tests.notifications.test_reminders import DAY, reminders, sweep, visit


def opted_out(user_id):
    factories.fresh()
    return preferences.opted_out(user_id)


@pytest.fixture
def reminder(app):
    b = visit(factories.next_weekday(2))
    sweep(b.starts_at - DAY)
    (r,) = reminders()
    return b, r


def test_a_reminder_carries_one_click_unsubscribe_headers_and_no_calendar(app, reminder):
    b, r = reminder
    email = delivery.compose(r.id, mail_settings(app, 1))
    assert email["Subject"].startswith("Reminder: ")
    assert email["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = email["List-Unsubscribe"].strip("<>")
    assert url.startswith("http://127.0.0.1:5000/unsubscribe/")
    assert not any(p.get_content_type() == "text/calendar" for p in email.iter_attachments())


def test_one_click_post_without_login_or_form_token_turns_reminders_off(app, client, reminder):
    b, r = reminder
    url = delivery.compose(r.id, mail_settings(app, 1))["List-Unsubscribe"].strip("<>")
    path = url.removeprefix("http://127.0.0.1:5000")
    page = client.get(path)
    assert page.status_code == 200 and "Stop getting reminders" in page.get_data(as_text=True)
    assert opted_out(b.client_id) == set()  # a GET (a link scanner) changes nothing
    done = client.post(path, data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and "unsubscribed" in done.get_data(as_text=True)
    assert client.post(path, data={"List-Unsubscribe": "One-Click"}).status_code == 200
    assert opted_out(b.client_id) == {MessageKind.APPOINTMENT_REMINDER}


def test_an_opted_out_client_gets_no_new_reminder_and_a_queued_one_is_dropped(app, reminder):
    b, r = reminder
    preferences.unsubscribe(b.client_id, MessageKind.APPOINTMENT_REMINDER)
    db.session.commit()
    other = visit(factories.next_weekday(3))
    other.client_id = b.client_id
    db.session.commit()
    assert sweep(other.starts_at - DAY) == 0
    with unit_of_work():
        [(message_id, token)] = delivery.dispatch_due(b.starts_at - DAY)
    assert tasks.send_message(message_id, token.isoformat()) == "dropped"
    assert [m.state for m in reminders()] == [MessageState.DROPPED]


@pytest.mark.parametrize("token", ["garbage", "W1sxLDJdXQ"])
def test_a_forged_token_is_404_and_changes_nothing(client, reminder, token):
    assert client.post(f"/unsubscribe/{token}").status_code == 404
    factories.fresh()
    assert db.session.execute(db.select(MailOptOut)).first() is None


def test_a_token_cannot_unsubscribe_from_booking_confirmations(app, client, reminder):
    b, _ = reminder
    token = preferences.URLSafeSerializer(app.config["SECRET_KEY"], salt="unsubscribe").dumps(
        [b.client_id, MessageKind.BOOKING_CONFIRMED.value]
    )
    assert client.post(f"/unsubscribe/{token}").status_code == 404


def test_clients_choose_their_optional_emails_in_settings(client, app):
    me = factories.user()
    factories.login(client, me)
    page = client.get("/account/emails").get_data(as_text=True)
    assert "Reminders the day before a visit" in page and "checked" in page
    assert "A note when your next visit is due" in page and 'value="08:00"' in page
    at = {"routine_time": "07:30"}
    assert client.post("/account/emails", data=at).status_code == 302
    assert opted_out(me.id) == set(OPTIONAL_KINDS)
    assert preferences.routine_time(me.id).isoformat(timespec="minutes") == "07:30"
    client.post("/account/emails", data={"wanted": ["appointment_reminder"], **at})
    assert opted_out(me.id) == set(NUDGE_KINDS) | {
        MessageKind.ROUTINE_REMINDER,
        MessageKind.WIN_BACK,
        MessageKind.FEEDBACK_REQUEST,
    }
    client.post("/account/emails", data={"wanted": [k.value for k in OPTIONAL_KINDS], **at})
    assert opted_out(me.id) == set()
    bad = client.post("/account/emails", data={"wanted": ["booking_confirmed"], **at})
    assert bad.status_code == 200 and "not a valid choice" in bad.get_data(as_text=True)
    assert opted_out(me.id) == set()
    for wrong in ("25:00", "7.30", ""):
        reply = client.post("/account/emails", data={"routine_time": wrong})
        text = reply.get_data(as_text=True)
        assert reply.status_code == 200
        assert "Not a valid time" in text or "Please give a time" in text
    assert preferences.routine_time(me.id).isoformat(timespec="minutes") == "07:30"


class TestWithCsrf:
    @pytest.fixture
    def app_config(self):
        return {"WTF_CSRF_ENABLED": True}

    def test_one_click_needs_no_csrf_token_but_settings_do(self, app, client, reminder):
        b, _ = reminder
        token = preferences.unsubscribe_token(
            app.config["SECRET_KEY"], b.client_id, MessageKind.APPOINTMENT_REMINDER
        )
        assert (
            client.post(f"/unsubscribe/{token}", data={"List-Unsubscribe": "One-Click"}).status_code
            == 200
        )
        assert opted_out(b.client_id) == {MessageKind.APPOINTMENT_REMINDER}
        with client.session_transaction() as session:
            session["_user_id"] = b.client.get_id()
        assert client.post("/account/emails", data={"wanted": []}).status_code == 400
