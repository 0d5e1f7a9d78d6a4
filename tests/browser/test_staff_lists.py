"""The desk's long lists in Chromium on a phone (JavaScript off): the message log filtered and
paged to one message's e-mail, the clients due to rebook filtered by therapist with the CSV
link, and the waitlist; axe checks each page and a screenshot of each is kept."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from spa_app.accounts.models import Role, User
from spa_app.cadence.models import NextVisit
from spa_app.clock import local_today
from spa_app.database import utcnow
from spa_app.extensions import db
from spa_app.notifications.models import Message, MessageKind, MessageState
from spa_app.waitlist.models import WaitlistEntry
from tests import factories
from tests.browser.conftest import ARTIFACTS, log_in
from tests.factories import LONDON

pytestmark = pytest.mark.browser

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def someone(name: str, phone: str | None = None) -> User:
    person = User(name=name, email=f"{name.lower().replace(' ', '.')}@example.com",
                  role=Role.CLIENT, phone=phone)  # fmt: skip
    db.session.add(person)
    db.session.commit()
    return person


def the_desk_lists():
    svc, (anna, ben), (room,) = factories.spa(therapists=2)
    dana = someone("Dana Doe", "07700 900123")
    visit = factories.booking(dana, anna, room, svc, T0 + timedelta(days=30))
    eli = someone("Eli Fox")
    for n in range(55):
        db.session.add(Message(
            kind=MessageKind.APPOINTMENT_REMINDER, idempotency_key=f"reminder-{n}",
            user_id=dana.id, booking_id=visit.id, visit_starts_at=visit.starts_at,
            visit_ends_at=visit.ends_at, state=MessageState.FAILED, attempts=5,
            last_error="550 5.1.1 mailbox unavailable",
            created_at=T0 + timedelta(minutes=n), due_at=T0 + timedelta(minutes=n),
        ))  # fmt: skip
    for n in range(3):
        db.session.add(Message(
            kind=MessageKind.BOOKING_CONFIRMED, idempotency_key=f"eli-{n}", user_id=eli.id,
            state=MessageState.SENT, attempts=1, created_at=T0, due_at=T0,
            sent_at=T0 + timedelta(seconds=30),
        ))  # fmt: skip
    today = local_today(utcnow(), LONDON)
    for n, name in enumerate(("Cara Lind", "Dan Moss", "Eve Noor")):
        client = someone(name, f"0161 496 05{n}{n}")
        opens = utcnow() - timedelta(days=10 + n)
        db.session.add(NextVisit(
            client_id=client.id, booking_id=visit.id, therapist_id=(ben if n else anna).id,
            service_id=svc.id, last_visit_at=opens - timedelta(weeks=4), opens_at=opens,
            closes_at=opens + timedelta(weeks=2),
        ))  # fmt: skip
        db.session.add(WaitlistEntry(
            client_id=client.id, service_id=svc.id, therapist_id=anna.id if n == 1 else None,
            first_day=today, last_day=today + timedelta(days=14),
            created_at=utcnow() - timedelta(hours=3 - n),
        ))  # fmt: skip
    db.session.commit()
    return anna, ben


def test_the_desk_pages_through_messages_rebookings_and_the_waitlist(
    live_server, phone, app, axe_check
):
    anna, ben = the_desk_lists()
    ARTIFACTS.mkdir(exist_ok=True)

    def seen(name: str) -> None:
        phone.screenshot(path=str(ARTIFACTS / f"lists-{name}.png"), full_page=True)
        assert axe_check(phone.url, phone.context.cookies()) == [], phone.url

    log_in(phone, live_server, factories.user(Role.STAFF, name="Dee Desk"))
    phone.goto(live_server + "/staff/messages")
    assert phone.get_by_role("heading", name="Messages", level=1).is_visible()
    seen("01-messages")

    phone.get_by_label("Recipient's name or e-mail").fill("dana")
    phone.get_by_label("Kind").select_option("appointment_reminder")
    phone.get_by_role("button", name="Show").click()
    phone.get_by_role("navigation", name="Filter by state").get_by_role(
        "link", name="Failed"
    ).click()
    rows = phone.locator("table tbody tr")
    assert rows.count() == 50 and "Eli Fox" not in phone.content()
    phone.get_by_role("link", name="Older messages").click()
    assert "page=2" in phone.url and "q=dana" in phone.url and "state=failed" in phone.url
    assert rows.count() == 5 and phone.get_by_text("Page 2", exact=True).is_visible()
    assert phone.get_by_role("link", name="Newer messages").is_visible()
    seen("02-messages-page-2")

    phone.get_by_role("link", name="See the e-mail: appointment reminder to Dana Doe").first.click()
    assert phone.get_by_role(
        "heading", name="Appointment reminder to Dana Doe", level=1, exact=True
    ).is_visible()
    assert phone.frame_locator("iframe").get_by_text("Hello Dana Doe,").is_visible()
    assert phone.get_by_role("heading", name="The e-mail as it would go out now").is_visible()
    assert phone.get_by_role(
        "button", name="Send the appointment reminder to Dana Doe again"
    ).is_visible()
    seen("03-message")

    phone.goto(live_server + "/staff/rebook-due")
    assert phone.locator("table tbody tr").count() == 3
    phone.get_by_label("Therapist at their last visit").select_option(str(ben.id))
    phone.get_by_role("button", name="Show").click()
    assert phone.locator("table tbody tr").count() == 2 and "Cara Lind" not in phone.content()
    csv_link = phone.get_by_role("link", name="Download this list (CSV, every page)")
    assert csv_link.get_attribute("href") == f"/staff/rebook-due.csv?therapist={ben.id}"
    assert phone.get_by_role("button", name="Send Dan Moss a nudge now").is_visible()
    seen("04-rebook-due")

    phone.goto(live_server + "/staff/waitlist")
    assert phone.locator("table tbody tr").count() == 3
    phone.get_by_label("Therapist asked for").select_option("any")
    phone.get_by_role("button", name="Show").click()
    assert phone.locator("table tbody tr").count() == 2 and "Dan Moss" not in phone.content()
    assert phone.get_by_role("link", name="Call Cara Lind on 0161 496 0500").is_visible()
    seen("05-waitlist")
