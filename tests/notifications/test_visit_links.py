"""The visit e-mails' links, as they arrive through a real SMTP server: Add to Google Calendar and
Add to Outlook beside the calendar file, and 'see, move or cancel' as the signed link that opens
the visit with no log-in."""

from __future__ import annotations

import email
import re
from datetime import UTC, datetime, timedelta
from email import policy
from html import unescape
from urllib.parse import parse_qs, urlsplit

from spa_app.booking import links, service
from spa_app.business import business
from spa_app.database import unit_of_work
from spa_app.notifications import visits
from spa_app.notifications.delivery import Outcome
from spa_app.notifications.models import MessageKind
from tests import factories
from tests.notifications.conftest import deliver_all, mail_settings

SITE = "http://127.0.0.1:5000"  # PUBLIC_URL in the tests


def received(smtp, app, now=None) -> list[email.message.EmailMessage]:
    outcomes = deliver_all(now or datetime.now(UTC), mail_settings(app, smtp.port))
    assert set(outcomes.values()) == {Outcome.SENT}
    return [email.message_from_bytes(e.content, policy=policy.default) for e in smtp.received]


def bodies(mail) -> tuple[str, str]:
    return mail.get_body(("plain",)).get_content(), mail.get_body(("html",)).get_content()


def manage_links(text: str) -> list[str]:
    return re.findall(re.escape(SITE) + r"/bookings/\d+/manage/[A-Za-z0-9_.-]+", text)


def calendar_links(html: str) -> dict[str, dict[str, str]]:
    """The Google and Outlook links of an HTML part: {host: its query}."""
    found = {}
    for href in re.findall(r'href="(https://[^"]+)"', html):
        parts = urlsplit(unescape(href))
        found[parts.netloc] = {k: v[0] for k, v in parse_qs(parts.query).items()}
    return found


def test_the_confirmation_has_the_calendar_links_and_the_signed_link(app, booked, smtp, client):
    booking, _ = booked
    (mail,) = received(smtp, app)
    text, html = bodies(mail)
    (link,) = set(manage_links(text))
    assert manage_links(html) == [link]  # the layout's 'See, move or cancel your visit'
    token = link.rsplit("/", 1)[1]
    assert links.read_manage_token(app.config["SECRET_KEY"], token) == (
        booking.id,
        booking.client_id,
    )
    # The link from the e-mail opens the visit with no log-in.
    page = client.get(link.removeprefix(SITE))
    assert page.status_code == 200 and booking.service.name in page.get_data(as_text=True)

    found = calendar_links(html)
    google = found["calendar.google.com"]
    outlook = found["outlook.live.com"]
    start, end = booking.starts_at.astimezone(UTC), booking.ends_at.astimezone(UTC)
    assert google["dates"] == f"{start:%Y%m%dT%H%M%SZ}/{end:%Y%m%dT%H%M%SZ}"
    assert (outlook["startdt"], outlook["enddt"]) == (
        f"{start:%Y-%m-%dT%H:%M:%SZ}",
        f"{end:%Y-%m-%dT%H:%M:%SZ}",
    )
    assert (
        google["text"]
        == outlook["subject"]
        == f"{booking.service.name} at {business().business_name}"
    )
    assert booking.room.name in google["location"] and booking.room.name in outlook["location"]
    # The web calendars get the log-in link, never the signed one (events there may be shared).
    for details in (google["details"], outlook["body"]):
        assert details.endswith(f"{SITE}/bookings/{booking.id}") and token not in details
    assert "Add to Google Calendar" in html and "Add to Outlook" in html
    assert "Add to Google Calendar: https://calendar.google.com/" in text
    assert "Add to Outlook: https://outlook.live.com/" in text


def test_the_move_notice_and_the_reminder_carry_the_signed_link(app, booked, smtp):
    booking, _ = booked
    later = booking.starts_at + timedelta(hours=2)
    factories.fresh()
    with unit_of_work():
        service.move(booking=booking, choice=service.Choice(booking.service_id, later),
                     actor=booking.client, now=datetime.now(UTC))  # fmt: skip
    with unit_of_work():
        visits.queue_notice(MessageKind.APPOINTMENT_REMINDER, booking, datetime.now(UTC))
    confirmed, moved, reminder = received(smtp, app)
    assert reminder["Subject"].startswith("Reminder:")
    signed = {m["Subject"]: set(manage_links(bodies(m)[0])) for m in (confirmed, moved, reminder)}
    assert all(len(found) == 1 for found in signed.values())
    # One visit, one link: the confirmation's still opens the moved visit. (Each e-mail signs
    # its own token, which carries the second it was made: compare the visit they name.)
    assert len({link.split("/manage/")[0] for found in signed.values() for link in found}) == 1
    google = calendar_links(bodies(moved)[1])["calendar.google.com"]
    assert google["dates"].startswith(f"{later.astimezone(UTC):%Y%m%dT%H%M%SZ}/")
    assert "calendar.google.com" not in bodies(reminder)[1]  # a reminder changes nothing


def test_the_cancellation_links_to_the_visit_shown_cancelled(app, booked, smtp, client):
    booking, _ = booked
    factories.fresh()
    with unit_of_work():
        service.cancel(booking=booking, actor=booking.client, now=datetime.now(UTC))
    _, cancelled = received(smtp, app)
    text, html = bodies(cancelled)
    (link,) = set(manage_links(text))
    assert "calendar.google.com" not in html and "outlook.live.com" not in html
    page = client.get(link.removeprefix(SITE)).get_data(as_text=True)
    assert "cancelled" in page and "Book another time" in page
