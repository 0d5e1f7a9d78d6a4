"""The staff message log a page at a time (newest first, found by state, kind and recipient, two
statements a page), each message's times in an order that makes sense, and one message's
e-mail as it would go out now: shown to staff, written nowhere, with links that open nothing."""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from spa_app.accounts import service as accounts
from spa_app.accounts.models import Role, User
from spa_app.booking.links import read_manage_token
from spa_app.business import business
from spa_app.database import unit_of_work
from spa_app.extensions import db
from spa_app.homecare.library import load_library
from spa_app.notifications import delivery, emails, queries
from spa_app.notifications import service as notifications
from spa_app.notifications.models import Message, MessageAttempt, MessageKind, MessageState
from spa_app.notifications.views import _back_to_log
from tests import factories
from tests.factories import LONDON, at
from tests.sqlcount import count_statements

T0 = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
_keys = iter(range(1, 10**9))


def person(name: str, email: str) -> User:
    """A recipient, without the cost of a password hash."""
    row = User(name=name, email=email, role=Role.CLIENT)
    db.session.add(row)
    db.session.commit()
    return row


def message(to: User, *, kind=MessageKind.BOOKING_CONFIRMED, state=MessageState.PENDING,
            created=T0, due=None, attempts=0, sent=None, tries=()) -> Message:  # fmt: skip
    """A message row as the outbox and delivery leave it, with ``tries`` as (at, outcome)."""
    row = Message(
        kind=kind,
        idempotency_key=f"log-test-{next(_keys)}",
        user_id=to.id,
        state=state,
        created_at=created,
        due_at=due or created,
        attempts=attempts,
        sent_at=sent,
    )
    row.history = [MessageAttempt(at=when, outcome=outcome) for when, outcome in tries]
    db.session.add(row)
    db.session.commit()
    return row


def staff(client):
    factories.login(client, factories.user(Role.STAFF, name="Dee Desk"))
    return client


def ids(page) -> list[int]:
    return [row.id for row in page.rows]


@pytest.fixture
def dana(app):
    return person("Dana Doe", "dana@example.com")


# --- the list -----------------------------------------------------------------------------


def test_pages_hold_every_message_once_newest_first_the_id_breaking_ties(app, dana):
    made = [message(dana, created=T0 + timedelta(minutes=n // 3)) for n in range(10)]
    seen, number = [], 1
    while True:
        page = queries.log_page(queries.LogFilters(), number, per_page=3)
        seen += ids(page)
        if not page.has_next:
            break
        number += 1
    assert number == 4 and len(page.rows) == 1
    assert seen == [m.id for m in sorted(made, key=lambda m: (m.created_at, m.id), reverse=True)]
    assert queries.log_page(queries.LogFilters(), 5, per_page=3).rows == []


def test_state_kind_and_recipient_filter_together(app, dana):
    eli = person("Eli Fox", "eli@mail.example")
    wanted = message(eli, state=MessageState.FAILED, kind=MessageKind.APPOINTMENT_REMINDER)
    message(eli, state=MessageState.FAILED)  # another kind
    message(eli, kind=MessageKind.APPOINTMENT_REMINDER)  # another state
    message(dana, state=MessageState.FAILED, kind=MessageKind.APPOINTMENT_REMINDER)
    both = queries.LogFilters(MessageState.FAILED, MessageKind.APPOINTMENT_REMINDER)
    assert len(queries.log_page(both).rows) == 2
    for term in ("FOX", "mail.example", "eli@"):
        found = queries.log_page(dataclasses.replace(both, term=term))
        assert ids(found) == [wanted.id]
    assert queries.log_page(dataclasses.replace(both, term="%")).rows == []


@pytest.mark.parametrize("count", [5, 60])
def test_a_page_is_two_statements_however_many_messages(app, dana, count):
    eli = person("Eli Fox", "eli@example.com")
    db.session.add_all(
        Message(
            kind=MessageKind.BOOKING_CONFIRMED,
            idempotency_key=f"many-{n}",
            user_id=(dana if n % 2 else eli).id,
            due_at=T0,
            created_at=T0,
            history=[MessageAttempt(at=T0, outcome="retry")],
        )  # fmt: skip
        for n in range(count)
    )
    db.session.commit()
    factories.fresh()
    with count_statements() as statements:
        page = queries.log_page(queries.LogFilters())
        shown = [(m.user.name, len(m.history)) for m in page.rows]
    assert len(statements) == 2
    assert len(shown) == min(count, 50) and page.has_next is (count > 50)


def test_the_page_shows_fifty_then_the_rest_on_page_two(client, dana):
    db.session.add_all(
        Message(
            kind=MessageKind.BOOKING_CONFIRMED,
            idempotency_key=f"view-{n}",
            user_id=dana.id,
            due_at=T0,
            created_at=T0 + timedelta(seconds=n),
        )  # fmt: skip
        for n in range(53)
    )
    db.session.commit()
    staff(client)
    first = client.get("/staff/messages").get_data(as_text=True)
    assert first.count("<td>Dana Doe<br>") == 50
    assert 'href="/staff/messages?page=2" rel="next">Older messages' in first
    second = client.get("/staff/messages?page=2").get_data(as_text=True)
    assert second.count("<td>Dana Doe<br>") == 3 and 'rel="next"' not in second
    assert 'href="/staff/messages?page=1" rel="prev">Newer messages' in second


def test_page_links_and_state_links_keep_the_filters(client, dana):
    for n in range(3):
        message(dana, state=MessageState.FAILED, kind=MessageKind.APPOINTMENT_REMINDER,
                created=T0 + timedelta(minutes=n))  # fmt: skip
    staff(client)
    html = client.get("/staff/messages?state=failed&kind=appointment_reminder&q=dana")
    text = html.get_data(as_text=True)
    assert text.count("<td>Dana Doe<br>") == 3
    assert 'href="/staff/messages?state=sent&amp;kind=appointment_reminder&amp;q=dana"' in text
    # the retry forms carry the filters back (and no page: this is the first)
    assert 'name="kind" value="appointment_reminder"' in text and 'name="page"' not in text


def test_a_page_past_the_end_says_so(client, dana):
    message(dana)
    staff(client)
    reply = client.get("/staff/messages?page=7&state=pending")
    html = reply.get_data(as_text=True)
    assert reply.status_code == 200 and "This page is past the end of the list." in html
    assert 'href="/staff/messages?state=pending">Back to the first page' in html


def test_a_page_that_is_no_page_number_is_not_found_and_the_last_allowed_is_answered(client, dana):
    staff(client)
    for page in ("abc", "0", "-1", "2.5", "١", "99999999999999", "10001"):
        assert client.get(f"/staff/messages?page={page}").status_code == 404, page
    reply = client.get("/staff/messages?page=10000")
    assert reply.status_code == 200 and "past the end" in reply.get_data(as_text=True)


def test_words_no_list_can_search_get_a_message_not_an_error(client, dana):
    message(dana)
    staff(client)
    for term in ("x" * 121, "dana\x00", "da\nna", "a\u2028b", "\x7f", "\x9b"):
        reply = client.get("/staff/messages", query_string={"q": term, "state": "pending"})
        html = reply.get_data(as_text=True)
        assert reply.status_code == 422, repr(term)
        assert "Search for at most 120 characters, on one line." in html
        assert "<td>Dana Doe<br>" not in html
    assert client.get("/staff/messages", query_string={"q": "x" * 120}).status_code == 200


def test_unknown_state_or_kind_shows_everything(client, dana):
    message(dana)
    staff(client)
    reply = client.get("/staff/messages?state=bogus&kind=%00")
    assert reply.status_code == 200 and "<td>Dana Doe<br>" in reply.get_data(as_text=True)


def test_sending_again_returns_to_the_same_page_and_filters(client, dana):
    failed = message(dana, state=MessageState.FAILED, attempts=3)
    staff(client)
    reply = client.post(f"/staff/messages/{failed.id}/retry",
                        data={"state": "failed", "kind": "booking_confirmed", "q": " dana ",
                              "page": "3"})  # fmt: skip
    assert reply.status_code == 302
    assert reply.location == "/staff/messages?state=failed&kind=booking_confirmed&q=dana&page=3"


def test_marking_received_returns_to_the_log_without_junk(client, dana):
    unsure = message(dana, state=MessageState.UNCONFIRMED, attempts=1)
    staff(client)
    reply = client.post(f"/staff/messages/{unsure.id}/received",
                        data={"state": "bogus", "kind": "<b>", "q": "x" * 121,
                              "page": "1"})  # fmt: skip
    assert reply.status_code == 302 and reply.location == "/staff/messages"
    factories.fresh()
    assert db.session.get(Message, unsure.id).state is MessageState.SENT


@pytest.mark.parametrize(
    ("form", "back"),
    [
        ({}, {}),
        ({"page": "0"}, {}),
        ({"page": "1"}, {}),
        ({"page": "2"}, {"page": "2"}),
        ({"page": "abc"}, {}),
        ({"page": "10001"}, {}),
        ({"page": "١٢"}, {}),
        ({"state": "sent", "kind": "nope"}, {"state": "sent"}),
        ({"q": "   "}, {}),
        ({"q": "y" * 120}, {"q": "y" * 120}),
    ],
)
def test_the_way_back_to_the_log_keeps_only_good_values(form, back):
    assert _back_to_log(form) == back


# --- when ---------------------------------------------------------------------------------


def steps(row: Message) -> list[str]:
    return [moment.step.value for moment in queries.timeline(row)]


def test_an_immediate_message_sent_at_once_says_so_and_no_due_after_sent(app, dana):
    # The sweep moved due_at to the end of its lease, after the send: never shown.
    row = message(dana, state=MessageState.SENT, due=T0 + timedelta(minutes=10), attempts=1,
                  sent=T0 + timedelta(seconds=40),
                  tries=[(T0 + timedelta(seconds=30), "sent")])  # fmt: skip
    assert steps(row) == ["queued", "sent at once"]


def test_a_scheduled_reminder_shows_when_it_is_for(app, dana):
    row = message(dana, kind=MessageKind.APPOINTMENT_REMINDER, due=T0 + timedelta(hours=20))
    assert steps(row) == ["queued", "scheduled"]
    assert steps(message(dana)) == ["queued", "due at once"]


def test_a_retried_message_shows_its_next_try_and_one_being_sent_shows_since(app, dana):
    retry = message(dana, due=T0 + timedelta(minutes=5), attempts=1,
                    tries=[(T0 + timedelta(seconds=20), "retry")])  # fmt: skip
    assert queries.timeline(retry)[-1] == queries.Moment(queries.Step.NEXT_TRY, retry.due_at)
    sending = message(dana, due=T0 + timedelta(minutes=5), attempts=1,
                      tries=[(T0 + timedelta(seconds=20), delivery.SENDING)])  # fmt: skip
    assert steps(sending) == ["queued", "sending"]


@pytest.mark.parametrize(
    ("state", "last"),
    [(MessageState.FAILED, "failed"), (MessageState.DROPPED, "dropped"),
     (MessageState.UNCONFIRMED, "unconfirmed")],
)  # fmt: skip
def test_a_closed_message_ends_with_how_and_when(app, dana, state, last):
    ended = T0 + timedelta(minutes=1)
    row = message(dana, state=state, attempts=1, tries=[(ended, "x")])
    assert queries.timeline(row)[-1] == queries.Moment(queries.Step(last), ended)
    assert len(queries.timeline(row)) == 2


def test_a_message_first_tried_long_after_it_was_queued_shows_that_try(app, dana):
    first, then = T0 + timedelta(hours=3), T0 + timedelta(hours=3, minutes=4)
    row = message(dana, state=MessageState.SENT, attempts=2, sent=then,
                  tries=[(first, "retry"), (then, "sent")])  # fmt: skip
    assert steps(row) == ["queued", "first try", "sent"]
    assert [m.at for m in queries.timeline(row)] == [T0, first, then]


def test_the_log_writes_the_times_in_words(client, dana):
    # March 2027: London is on GMT, so the times read as in UTC.
    message(
        dana,
        state=MessageState.SENT,
        due=T0 + timedelta(minutes=10),
        attempts=1,
        sent=T0 + timedelta(seconds=40),
        tries=[(T0 + timedelta(seconds=30), "sent")],
    )
    message(
        dana,
        kind=MessageKind.APPOINTMENT_REMINDER,
        created=T0 + timedelta(minutes=1),
        due=datetime(2027, 3, 2, 9, 0, tzinfo=UTC),
    )
    message(
        dana,
        created=T0 + timedelta(minutes=2),
        due=T0 + timedelta(minutes=30),
        attempts=1,
        tries=[(T0 + timedelta(minutes=2, seconds=5), "retry")],
    )
    message(
        dana,
        state=MessageState.SENT,
        created=T0 + timedelta(minutes=3),
        attempts=1,
        sent=T0 + timedelta(hours=5),
        tries=[(T0 + timedelta(hours=5), "sent")],
    )
    staff(client)
    html = client.get("/staff/messages").get_data(as_text=True)
    assert "Queued 01 Mar 09:00<br>Sent at once, 01 Mar 09:00" in html
    assert "Scheduled for 02 Mar 09:00" in html
    assert "Next try 01 Mar 09:30" in html
    assert "First tried 01 Mar 14:00<br>Sent 01 Mar 14:00" in html
    assert "Due" not in html.split("<tbody>")[1]


# --- one message's e-mail -----------------------------------------------------------------


def tables() -> dict[str, int]:
    factories.fresh()
    counts = {}
    for name in ("messages", "message_attempts", "audit_log", "bookings", "users"):
        counts[name] = db.session.execute(sa.text(f"SELECT count(*) FROM {name}")).scalar()
    return counts


def test_staff_see_the_e_mail_and_its_links_open_nothing(app, client, booked):
    booking, confirmation = booked
    staff(client)
    before = tables()
    row_before = (confirmation.state, confirmation.attempts, confirmation.due_at)
    with count_statements() as statements:
        reply = client.get(f"/staff/messages/{confirmation.id}")
    html = reply.get_data(as_text=True)
    assert reply.status_code == 200
    assert "From</dt><dd>" in html and "Dana Doe &lt;" in html
    assert f"Subject</dt><dd>Booked: {booking.service.name} on " in html
    assert "Hello Dana Doe," in html and "visit.ics" in html  # the text, and its attachment
    tokens = set(re.findall(rf"/bookings/{booking.id}/manage/([A-Za-z0-9_.\-]+)", html))
    assert tokens, "the preview shows the visit's manage link"
    secret = app.config["SECRET_KEY"]
    assert all(read_manage_token(secret, token) is None for token in tokens)
    # the same composer with the app's key: a link that works (so the check above can fail)
    real = delivery.compose(confirmation.id, delivery.MailSettings.from_config(app.config))
    (good,) = set(re.findall(rf"/bookings/{booking.id}/manage/([A-Za-z0-9_.\-]+)",
                             real.get_body(("plain",)).get_content()))  # fmt: skip
    assert read_manage_token(secret, good) == (booking.id, booking.client_id)
    anyone = app.test_client()
    assert anyone.get(f"/bookings/{booking.id}/manage/{good}").status_code == 200
    for token in tokens:
        assert anyone.get(f"/bookings/{booking.id}/manage/{token}").status_code == 403
    writes = [s for s in statements if s.lstrip().upper().startswith(("INSERT", "UPDATE",
                                                                        "DELETE"))]  # fmt: skip
    assert writes == []
    assert tables() == before
    again = db.session.get(Message, confirmation.id)
    assert (again.state, again.attempts, again.due_at) == row_before and again.history == []


def test_a_password_reset_preview_carries_no_working_reset_link(app, client, booked):
    _, confirmation = booked
    dana = confirmation.user
    with unit_of_work():
        accounts.request_password_reset(dana.email, datetime.now(UTC))
    reset = db.session.execute(
        sa.select(Message).where(Message.kind == MessageKind.PASSWORD_RESET)
    ).scalar_one()
    staff(client)
    html = client.get(f"/staff/messages/{reset.id}").get_data(as_text=True)
    tokens = set(re.findall(r"/reset-password/([A-Za-z0-9_.\-]+)", html))
    assert tokens
    assert all(accounts.user_for_reset(app.config["SECRET_KEY"], t) is None for t in tokens)
    real = delivery.compose(reset.id, delivery.MailSettings.from_config(app.config))
    (good,) = re.findall(
        r"/reset-password/([A-Za-z0-9_.\-]+)", real.get_body(("plain",)).get_content()
    )
    assert accounts.user_for_reset(app.config["SECRET_KEY"], good).id == dana.id
    for token in tokens:
        page = client.get(f"/reset-password/{token}")
        assert page.status_code != 200 or "new password" not in page.get_data(as_text=True)


def test_an_unknown_message_is_not_found(client, dana):
    staff(client)
    assert client.get("/staff/messages/99999999").status_code == 404
    assert client.get("/staff/messages/0").status_code == 404
    assert client.get("/staff/messages/abc").status_code == 404


@pytest.mark.parametrize("path", ["/staff/messages", "/staff/messages/{id}"])
def test_only_staff_open_the_log_and_a_message(app, client, dana, path):
    row = message(dana)
    url = path.format(id=row.id)
    assert client.get(url).status_code == 302 and "/login" in client.get(url).location
    for role in (Role.CLIENT, Role.THERAPIST):
        assert factories.signed_in(app, factories.user(role)).get(url).status_code == 404
    # the recipient themselves neither
    dana.set_password(factories.PASSWORD)
    db.session.commit()
    assert factories.signed_in(app, dana).get(url).status_code == 404


def test_a_routine_reminder_preview_shows_no_health_data(app, client):
    load_library()
    db.session.commit()
    svc, (t,), (r,) = factories.spa()
    rae = factories.user(name="Rae Routine")
    visit = factories.booking(rae, t, r, svc, at(date(2027, 3, 1), "09:00"))
    factories.intake(rae.id, severity={"neck": 6}, conditions=["other"],
                     condition_note="migraines since March")  # fmt: skip
    plan = factories.plan(visit, days="0123456", now=at(date(2027, 3, 1), "11:00"))
    with unit_of_work():
        notifications.schedule_routine_reminders(at(date(2027, 3, 3), "08:00"), LONDON)
    reminder = db.session.execute(
        sa.select(Message).where(Message.kind == MessageKind.ROUTINE_REMINDER)
    ).scalar_one()
    factories.fresh()
    plan = db.session.merge(plan)
    private = ["migraines", "6/10", *(item.steps[:40] for item in plan.items),
               *(item.name for item in plan.items)]  # fmt: skip
    staff(client)
    before = tables()
    reply = client.get(f"/staff/messages/{reminder.id}")
    html = reply.get_data(as_text=True)
    assert reply.status_code == 200 and "Today&#39;s home routines" in html
    for words in private:
        assert str(words) not in html, words
    assert tables() == before
    # the e-mail itself (to the client) lists the routines: what the page withholds
    real = emails.render(db.session.get(Message, reminder.id), business(),
                         delivery.MailSettings.from_config(app.config).sender)  # fmt: skip
    assert plan.items[0].name in real.get_body(("plain",)).get_content()
