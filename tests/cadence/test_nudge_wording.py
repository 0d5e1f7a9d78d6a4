"""The nudges name the client's own rhythm: a therapist's three weeks, or eight to ten, not the
usual four to six; and the weeks since the visit as they are when the note is queued."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from spa_app.accounts.models import Role
from spa_app.business import business
from spa_app.cadence.models import VisitInterval
from spa_app.extensions import db
from spa_app.notifications import emails
from spa_app.notifications.delivery import MailSettings
from spa_app.notifications.models import Message
from tests import factories
from tests.factories import at
from tests.notifications.test_nudges import CLOSING, OPEN, completed_visit, nudges, sweep


def letters(app) -> dict:
    """Each nudge's (subject, text, html), by kind."""
    sender = MailSettings.from_config(app.config).sender
    found = {}
    for message in nudges():
        email = emails.render(db.session.get(Message, message.id), business(), sender)
        found[message.kind] = (email["Subject"], email.get_body(("plain",)).get_content(),
                               email.get_body(("html",)).get_content())  # fmt: skip
    return found


@pytest.mark.parametrize(
    "weeks, opens_after, closes_after, every",
    [
        ((3, 3), 3, 3, "every 3 weeks"),  # a window of one day: one note
        ((8, 10), 8, 10, "every 8 to 10 weeks"),
        (None, 4, 6, "every 4 to 6 weeks"),  # no interval set: the usual rhythm
    ],
)
def test_the_nudges_name_the_clients_own_interval(app, weeks, opens_after, closes_after, every):
    client = factories.user(name="Ivy")
    if weeks is not None:
        staff = factories.user(Role.STAFF)
        db.session.add(VisitInterval(client_id=client.id, min_weeks=weeks[0],
                                     max_weeks=weeks[1], set_by_id=staff.id))  # fmt: skip
        db.session.commit()
    visit_day = date(2027, 3, 1)  # the clocks go forward within the window
    completed_visit(at(visit_day, "10:00"), client=client)
    sweep(at(visit_day + timedelta(weeks=opens_after), "10:00"))
    sweep(at(visit_day + timedelta(weeks=closes_after), "10:00"))
    found = letters(app)
    if closes_after != opens_after:  # a window of one day: its one note is the last
        subject, text, html = found[OPEN]
        assert f"It has been {opens_after} weeks since your " in text
        assert f"We suggest a visit {every}, so now is a good time to book" in text
        assert f"We suggest a visit {every}, so now" in html
        assert "four" not in text and "six" not in text.lower()
    subject, text, _html = found[CLOSING]
    assert "four" not in text and "six" not in text.lower()
    if closes_after:
        assert subject.startswith(f"{closes_after} weeks since your last visit to ")
        assert f"It has been {closes_after} weeks since your " in text
        assert f"We suggest a visit {every}. If you would like to keep to it" in text
