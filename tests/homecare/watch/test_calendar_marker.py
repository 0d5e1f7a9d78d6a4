"""The therapist's day and week mark the visits of clients whose home care needs a look; the
read is audited, and a client who kept to their plan is not marked."""

from __future__ import annotations

from datetime import timedelta

from spa_app.extensions import db
from spa_app.homecare.models import AuditEntry
from tests import factories
from tests.homecare.watch.conftest import local_today
from tests.sqlcount import count_statements


def visit_today(plan, hhmm: str):
    was = plan.booking
    day = local_today() + timedelta(days=1)  # tomorrow: bookable whatever the hour now
    return factories.booking(was.client, was.therapist, was.room, was.service,
                             factories.at(day, hhmm)), day  # fmt: skip


def marked(page: str, name: str) -> bool:
    """Whether the card of ``name``'s visit carries the home-care marker (its first line holds
    the markers, then the name)."""
    (line,) = [x for x in page.splitlines() if f'<strong class="cal-client">{name}<' in x]
    return 'class="marker care"' in line and "Home care needs a look" in line


def test_the_therapists_day_marks_the_clients_to_look_at(client, clients):
    visit_today(clients["halved"], "10:00")
    _visit, day = visit_today(clients["steady"], "12:00")
    factories.login(client, clients["own"])
    page = client.get(f"/schedule/day?date={day.isoformat()}").get_data(as_text=True)
    assert marked(page, "Halved Client") and not marked(page, "Steady Client")
    assert page.count('class="marker care"') == 3  # the card, the list's line, the legend
    factories.fresh()
    subjects = db.session.scalars(db.select(AuditEntry.subject).where(
        AuditEntry.client_id == clients["halved"].client_id)).all()  # fmt: skip
    assert f"care flags (calendar {day.isoformat()})" in subjects
    assert not db.session.scalars(db.select(AuditEntry).where(
        AuditEntry.client_id == clients["steady"].client_id,
        AuditEntry.subject.like("care flags%"))).all()  # fmt: skip


def test_the_therapists_week_marks_them_too(client, clients):
    _visit, day = visit_today(clients["sore"], "10:00")
    factories.login(client, clients["own"])
    page = client.get(f"/schedule/week?date={day.isoformat()}").get_data(as_text=True)
    assert marked(page, "Sore Client")


def test_the_desk_calendar_does_not_read_it(client, clients):
    """The front desk's day of every therapist reads no home care (nor audits any)."""
    _visit, day = visit_today(clients["halved"], "10:00")
    factories.login(client, factories.user(factories.Role.STAFF))
    page = client.get(f"/staff/calendar?date={day.isoformat()}").get_data(as_text=True)
    assert "Halved Client" in page and 'class="marker care"' not in page


def test_the_marker_costs_five_statements_and_an_audit_whatever_the_visits(client, clients):
    factories.login(client, clients["own"])
    _visit, day = visit_today(clients["halved"], "10:00")
    url = f"/schedule/day?date={day.isoformat()}"
    client.get(url)
    with count_statements() as one:
        client.get(url)
    visit_today(clients["steady"], "12:00")
    visit_today(clients["sore"], "14:00")
    client.get(url)
    with count_statements() as three:
        client.get(url)
    assert len(three) == len(one)
