"""A staff reason for cancelling stays with the spa: never on the client's pages, e-mails,
calendar or data download; staff and the visit's therapist read it."""

from __future__ import annotations

import pytest

from spa_app.accounts.models import Role
from spa_app.business import business
from spa_app.calendar import feeds
from spa_app.extensions import db
from spa_app.notifications import emails
from spa_app.notifications.delivery import MailSettings
from spa_app.notifications.models import Message, MessageKind
from tests import factories
from tests.factories import at

STAFF_NOTE = "card declined twice; speak to the manager"
TOLD = "Your therapist is unwell; please rebook"
OWN = "a family wedding"


@pytest.fixture
def visit(app):
    svc, (anna,), (room,) = factories.spa()
    me = factories.user(name="Cara Client")
    start = at(factories.next_weekday(2), "10:00")
    return factories.booking(me, anna, room, svc, start), me, anna


def as_user(app, user):
    browser = app.test_client()
    factories.login(browser, user)
    return browser


def pages_of_the_client(app, booking_id, client):
    """Everything the client can read about the visit: its page, My bookings, the e-mails
    (text, HTML and calendar file), the calendar feed and the data download."""
    browser = as_user(app, client)
    urls = (f"/bookings/{booking_id}", "/bookings", "/account/data/download")
    texts = [browser.get(url).get_data(as_text=True) for url in urls]
    factories.fresh()
    token = feeds.new_token(client.id)
    db.session.commit()
    texts.append(browser.get(f"/feeds/{token}.ics").get_data(as_text=True))
    sender = MailSettings.from_config(app.config).sender
    for message in db.session.scalars(db.select(Message).where(Message.user_id == client.id)):
        email = emails.render(message, business(), sender)
        texts += [part.get_content() for part in email.walk() if not part.is_multipart()]
    return texts


def test_the_client_never_reads_the_staff_reason_and_staff_and_therapist_do(app, visit):
    booking, me, anna = visit
    desk = factories.user(Role.STAFF)
    reply = as_user(app, desk).post(
        f"/bookings/{booking.id}/cancel", data={"reason": STAFF_NOTE, "note_to_client": TOLD}
    )
    assert reply.status_code == 302
    texts = pages_of_the_client(app, booking.id, me)
    assert len(texts) >= 6  # three pages, the feed, the cancellation e-mail's parts
    assert not [t for t in texts if STAFF_NOTE in t or "card declined" in t]
    assert "(by the spa)" in texts[0]
    assert any(TOLD in t for t in texts[4:])  # the note to the client is in their e-mail
    kinds = [m.kind for m in db.session.scalars(db.select(Message))]
    assert MessageKind.BOOKING_CANCELLED in kinds
    for reader in (desk, anna.user):
        page = as_user(app, reader).get(f"/bookings/{booking.id}").get_data(as_text=True)
        assert f"(by staff: {STAFF_NOTE})" in page, reader.role


def test_the_clients_own_reason_is_theirs_to_read_and_the_spas(app, visit):
    booking, me, anna = visit
    assert as_user(app, me).post(f"/bookings/{booking.id}/cancel",
                                 data={"reason": OWN}).status_code == 302  # fmt: skip
    assert f"(by you: {OWN})" in pages_of_the_client(app, booking.id, me)[0]
    for reader in (factories.user(Role.STAFF), anna.user):
        page = as_user(app, reader).get(f"/bookings/{booking.id}").get_data(as_text=True)
        assert f"(by the client: {OWN})" in page


def test_the_cancel_form_says_which_note_the_client_sees(app, visit):
    booking, me, _ = visit
    staff_page = as_user(app, factories.user(Role.STAFF)).get(f"/bookings/{booking.id}/cancel")
    html = staff_page.get_data(as_text=True)
    assert "Staff only: kept with the visit for staff and its therapist. The client never" in html
    assert "The client sees this: it is quoted in their cancellation e-mail." in html
    own = as_user(app, me).get(f"/bookings/{booking.id}/cancel").get_data(as_text=True)
    assert "Seen by you and by us" in own and 'name="note_to_client"' not in own
