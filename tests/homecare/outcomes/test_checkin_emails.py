"""The check-in link in the e-mails, through the real outbox and a real SMTP server: the
routine reminder of the plan's first day each week, and the appointment reminder of a client
with an intake. The link only: no area, no score, no intake answer."""

from __future__ import annotations

from datetime import date, timedelta
from email import message_from_bytes, policy

import pytest

from spa_app.database import unit_of_work, utcnow
from spa_app.extensions import db
from spa_app.homecare.library import load_library
from spa_app.homecare.models import Intake
from spa_app.homecare.outcomes.links import read_checkin_token
from spa_app.homecare.vocab import AREA_LABELS
from spa_app.notifications import service, visits
from spa_app.notifications.models import MessageKind
from tests import factories
from tests.factories import LONDON, at
from tests.notifications.conftest import deliver_all, mail_settings

SECRET_NOTE = "migraines-since-march"
WEEK_LINE = "How are your areas this week? Rate them in ten seconds: "
VISIT_LINE = "Before your visit, tell your therapist how your areas are: "
SITE = "http://127.0.0.1:5000"


@pytest.fixture
def planned(app):
    """Dana's plan from a visit on Monday 1 March 2027: routines on Wednesdays and Fridays."""
    load_library()
    db.session.commit()
    svc, (t,), (r,) = factories.spa()
    dana = factories.user(name="Dana Doe")
    visit = factories.booking(dana, t, r, svc, at(date(2027, 3, 1), "09:00"))
    factories.intake(dana.id, severity={"neck": 6, "lower_back": 8}, goals=["stress"],
                     conditions=["other"], condition_note=SECRET_NOTE)  # fmt: skip
    return factories.plan(visit, days="24", now=at(date(2027, 3, 1), "11:00"))


def _mails(app, smtp, now, subject: str = "") -> list:
    """The mails sent by a sweep at ``now`` whose subject has ``subject``, in order."""
    deliver_all(now, mail_settings(app, smtp.port))
    mails = [message_from_bytes(e.content, policy=policy.default) for e in smtp.received]
    return [m for m in mails if subject in m["Subject"]]


def _text(mail) -> str:
    return mail.get_body(("plain",)).get_content()


def _link(text: str, line: str) -> str:
    (found,) = [ln for ln in text.splitlines() if ln.startswith(line)]
    return found.removeprefix(line).removeprefix(SITE)


def _nothing_private(mail) -> None:
    """No intake answer, no score; no area name beyond what the routines' names say (the
    lines "- <routine>, <n> minutes")."""
    whole = mail.as_string()
    assert SECRET_NOTE not in whole and "at your intake" not in whole.lower()
    assert "/10" not in whole and "0 to 10" not in whole
    said = "\n".join(ln for ln in _text(mail).splitlines() if not ln.startswith("- "))
    for label in AREA_LABELS.values():
        assert str(label) not in said, label


def _remind(now) -> None:
    with unit_of_work():
        service.schedule_routine_reminders(now, LONDON)


def test_the_first_routine_reminder_of_the_week_carries_the_check_in_link(
    app, planned, smtp, client
):
    wednesday, friday = date(2027, 3, 3), date(2027, 3, 5)
    _remind(at(wednesday, "08:00"))
    _remind(at(friday, "08:00"))
    first, second = _mails(app, smtp, at(friday, "08:00"), "routines")
    text = _text(first)
    assert WEEK_LINE in text and WEEK_LINE not in _text(second)  # once a week
    assert "Rate them in ten seconds" in first.get_body(("html",)).get_content()
    link = _link(text, WEEK_LINE)
    _nothing_private(first)
    # The token names the client and the week (its Monday), nothing else; it works 8 days.
    token = link.removeprefix("/check-in/")
    sent = at(wednesday, "08:00")
    assert read_checkin_token(app.config["SECRET_KEY"], token, sent) == (
        planned.client_id, "week:2027-03-01",
    )  # fmt: skip
    assert read_checkin_token(app.config["SECRET_KEY"], token, sent + timedelta(days=8)) is None
    page = client.get(link)  # no log-in (the link works until 9 March 2027)
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and "Neck" in body and "Lower back" in body
    # The next week's first reminder brings that week's link.
    _remind(at(wednesday + timedelta(days=7), "08:00"))
    smtp.received.clear()
    (later,) = _mails(app, smtp, at(wednesday + timedelta(days=7), "08:00"), "routines")
    later_token = _link(_text(later), WEEK_LINE).removeprefix("/check-in/")
    assert (
        read_checkin_token(app.config["SECRET_KEY"], later_token, sent + timedelta(days=7))[1]
        == "week:2027-03-08"
    )


def _visit_tomorrow(with_intake: bool):
    svc, (t,), (r,) = factories.spa()
    eve = factories.user(name="Eve Visitor")
    starts = utcnow().replace(microsecond=0) + timedelta(days=1)
    booking = factories.booking(eve, t, r, svc, starts)
    if with_intake:
        factories.intake(eve.id, severity={"shoulders": 5}, conditions=["other"],
                         condition_note=SECRET_NOTE)  # fmt: skip
    with unit_of_work():
        visits.queue_notice(MessageKind.APPOINTMENT_REMINDER, booking, starts - timedelta(days=1))
    return booking


def test_the_appointment_reminder_links_a_client_with_an_intake_to_the_check_in(app, smtp, client):
    booking = _visit_tomorrow(with_intake=True)
    (mail,) = _mails(app, smtp, booking.starts_at - timedelta(hours=23))
    text = _text(mail)
    link = _link(text, VISIT_LINE)
    assert "tell your therapist how your areas are" in mail.get_body(("html",)).get_content()
    _nothing_private(mail)
    page = client.get(link)  # no log-in
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and "Before your visit on" in body and "Shoulders" in body
    assert client.post(link, data={"area-shoulders": "3"}).status_code == 200
    # Valid until a day after the visit ends.
    token = link.removeprefix("/check-in/")
    secret = app.config["SECRET_KEY"]
    ends = booking.ends_at
    assert read_checkin_token(secret, token, ends + timedelta(hours=23)) is not None
    assert read_checkin_token(secret, token, ends + timedelta(days=1)) is None


def test_no_check_in_link_without_an_intake(app, smtp):
    booking = _visit_tomorrow(with_intake=False)
    assert db.session.get(Intake, booking.client_id) is None
    (mail,) = _mails(app, smtp, booking.starts_at - timedelta(hours=23))
    assert "/check-in/" not in mail.as_string() and "your areas" not in _text(mail)


def _compose_statements(app, booking) -> int:
    from spa_app.notifications import delivery
    from spa_app.notifications.models import Message
    from tests.sqlcount import count_statements

    message_id = db.session.execute(
        db.select(Message.id).where(Message.booking_id == booking.id)
    ).scalar_one()
    mail = mail_settings(app, 25)
    delivery.compose(message_id, mail)  # the spa's settings, read once
    factories.fresh()
    with count_statements() as statements:
        delivery.compose(message_id, mail)
    return len(statements)


def test_the_link_costs_the_appointment_reminder_one_statement(app):
    """Whether to add the link is one read of the intake (by its key), with or without one:
    six statements composed the reminder before the link, seven now."""
    without = _compose_statements(app, _visit_tomorrow(with_intake=False))
    with_intake = _compose_statements(app, _visit_tomorrow(with_intake=True))
    assert with_intake == without <= 7, (without, with_intake)
