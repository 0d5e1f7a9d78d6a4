"""The spa's own details: staff set them once; every page, e-mail and calendar file shows them."""

from __future__ import annotations

import email
from datetime import UTC, datetime
from email import policy

import pytest
from flask import render_template_string
from icalendar import Calendar

from spa_app.accounts.models import Role
from spa_app.booking import service
from spa_app.business import business
from spa_app.database import unit_of_work
from spa_app.extensions import db
from spa_app.scheduling.models import BusinessSettings
from tests import factories
from tests.factories import at
from tests.notifications.conftest import deliver, mail_settings, messages

GOOD = {
    "business_name": "Calm Rooms",
    "address": "14 Orchard Row\r\nLondon N1 7AB",
    "phone": "+44 20 7946 0321",
    "map_url": "https://www.openstreetmap.org/search?query=Orchard%20Row",
    "review_url": "https://reviews.example.com/calm-rooms",
    "opening_hours": "Mon-Sat 09:00-18:00\r\nSunday closed",
    "cancellation_policy": "Give us a day's notice, please.",
    "grace_min": "10",
    "currency": "EUR",
}


@pytest.fixture
def staff(client):
    factories.login(client, factories.user(Role.STAFF))
    return client


def saved() -> BusinessSettings:
    db.session.rollback()
    return db.session.get(BusinessSettings, 1)


def as_it_was() -> tuple:
    row = saved()
    return (row.business_name, row.address, row.phone, row.map_url, row.review_url,
            row.opening_hours,
            row.cancellation_policy, row.grace_min, row.currency)  # fmt: skip


def test_staff_set_the_details_and_every_page_shows_them(staff):
    reply = staff.post("/staff/details", data=GOOD, follow_redirects=True)
    page = reply.get_data(as_text=True)
    assert "The spa&#39;s details are saved." in page
    row = saved()
    assert row.review_url == "https://reviews.example.com/calm-rooms"
    assert (row.address, row.grace_min, row.currency) == (
        "14 Orchard Row\nLondon N1 7AB",
        10,
        "EUR",
    )
    services = staff.get("/").get_data(as_text=True)
    assert '<a class="brand" href="/">Calm Rooms</a>' in services
    assert "<title>Services · Calm Rooms</title>" in services or "· Calm Rooms</title>" in services
    assert "<address>14 Orchard Row<br>\nLondon N1 7AB</address>" in services
    assert '<a href="tel:+442079460321">+44 20 7946 0321</a>' in services
    assert 'href="https://www.openstreetmap.org/search?query=Orchard%20Row"' in services
    assert "Mon-Sat 09:00-18:00<br>\nSunday closed" in services
    assert "Give us a day&#39;s notice, please." in services


def test_markup_typed_into_the_details_is_shown_as_text(staff):
    staff.post("/staff/details", data=GOOD | {"address": "<script>x</script>\r\nLine 2"})
    page = staff.get("/").get_data(as_text=True)
    assert "<script>x</script>" not in page and "&lt;script&gt;x&lt;/script&gt;<br>" in page


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("business_name", "", "This field is required."),
        ("phone", "call 0800 NOW", "Use digits, spaces and + ( ) - only."),
        ("map_url", "javascript:alert(1)", "Use a web address starting with https://."),
        ("map_url", "http://maps.example.com/spa", "Use a web address starting with https://."),
        ("review_url", "javascript:alert(1)", "Use a web address starting with https://."),
        (
            "review_url",
            "http://reviews.example.com/spa",
            "Use a web address starting with https://.",
        ),
        ("grace_min", "121", "Use 0 to 120 minutes."),
        ("grace_min", "-1", "Use 0 to 120 minutes."),
        ("grace_min", "ten", "Not a valid integer value."),
        ("currency", "XYZ", "Not a valid choice."),
        ("address", "a" * 301, "Field cannot be longer than 300 characters."),
        ("opening_hours", "Mon\x00", "Please use plain text."),
    ],
)
def test_bad_details_are_refused_with_a_reason_and_change_nothing(staff, field, value, reason):
    before = as_it_was()
    reply = staff.post("/staff/details", data=GOOD | {field: value})
    assert reply.status_code == 200
    assert reason.replace("'", "&#39;") in reply.get_data(as_text=True)
    assert as_it_was() == before


def test_only_staff_reach_the_details(client):
    assert client.get("/staff/details").status_code in (302, 401)
    factories.login(client, factories.user())
    assert client.get("/staff/details").status_code == 404  # as for every staff page
    assert client.post("/staff/details", data=GOOD).status_code == 404
    assert as_it_was()[0] == "Spa"


def test_prices_are_written_in_the_spa_currency(staff):
    factories.service(name="Hot stones", cents=6550)
    assert "£65.50" in staff.get("/").get_data(as_text=True)
    staff.post("/staff/details", data=GOOD)
    page = staff.get("/").get_data(as_text=True)
    assert "€65.50" in page and "£" not in page


def test_without_an_address_or_phone_the_footer_says_only_what_it_knows(client):
    page = client.get("/").get_data(as_text=True)
    assert "<address>" not in page and "tel:" not in page
    # The rule the site applies, in a sentence, when staff wrote no policy of their own.
    assert "You can cancel or move a visit online up to 24 hours before it starts" in page


def test_every_email_and_its_calendar_file_say_where_the_spa_is(app, staff, smtp):
    staff.post("/staff/details", data=GOOD)
    svc, (t,), _ = factories.spa()
    client = factories.user(name="Dana Doe")
    with unit_of_work():
        service.book(
            client=client,
            choice=service.Choice(svc.id, at(factories.next_weekday(0), "10:00"), t.id),
            actor=client,
            now=datetime.now(UTC),
        )
    (message,) = messages()
    deliver(message.id, datetime.now(UTC), mail_settings(app, smtp.port))
    (envelope,) = smtp.received
    mail = email.message_from_bytes(envelope.content, policy=policy.default)
    text = mail.get_body(("plain",)).get_content().replace("\r\n", "\n")
    html = mail.get_body(("html",)).get_content()
    assert "14 Orchard Row\nLondon N1 7AB\nPhone: +44 20 7946 0321\n" in text
    assert "Cancelling: Give us a day's notice, please." in text
    assert 'href="tel:+442079460321"' in html and "See us on a map" in html
    (part,) = [p for p in mail.iter_attachments() if p.get_content_type() == "text/calendar"]
    (event,) = Calendar.from_ical(part.get_content()).walk("VEVENT")
    assert str(event["location"]).startswith("Calm Rooms, 14 Orchard Row, London N1 7AB (Room ")


def test_a_page_that_asks_to_call_gives_the_number(staff, app):
    """The series preview with no bookable time asks the client to call: the number is there."""
    staff.post("/staff/details", data=GOOD)
    factories.fresh()
    with app.test_request_context():
        html = render_template_string(
            '{% from "_macros/spa.html" import phone with context %}Call us.{{ phone() }}',
            spa=business(),
        )
    assert html == 'Call us. Phone: <a href="tel:+442079460321">+44 20 7946 0321</a>'
