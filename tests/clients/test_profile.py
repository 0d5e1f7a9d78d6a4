"""A client's profile: contact details, visits behind and ahead with their counts, health data
at a glance (audited), tags, desk notes and, for staff, e-mails and the waitlist; who may open
it; a fixed number of statements however long the client's history."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from spa_app.booking.models import BookingStatus
from spa_app.clients import queries
from spa_app.clients.models import ClientTag, DeskNote
from spa_app.database import utcnow
from spa_app.extensions import db
from spa_app.homecare.library import load_library
from spa_app.homecare.models import AuditEntry
from spa_app.notifications.models import Message, MessageKind, MessageState
from tests import factories
from tests.clients.conftest import days_ago
from tests.factories import LONDON
from tests.sqlcount import count_statements


@pytest.fixture
def cara(spa):
    person = factories.user(name="Cara Lind", email="cara@example.com")
    person.phone = "07700 900123"
    db.session.commit()
    return person


def page(client, person, url):
    factories.login(client, person)
    reply = client.get(url)
    return reply.status_code, reply.get_data(as_text=True)


def test_counts_take_each_visit_once_on_the_edges(spa, cara):
    spa.visit(cara, days_ago(40), BookingStatus.COMPLETED)
    spa.visit(cara, days_ago(30), BookingStatus.COMPLETED)
    spa.visit(cara, days_ago(20), BookingStatus.NO_SHOW)
    spa.visit(cara, days_ago(15), BookingStatus.CANCELLED)  # in good time: neither
    late = spa.visit(cara, days_ago(10), BookingStatus.CANCELLED)
    late.late_cancel = True
    db.session.commit()
    spa.visit(cara, days_ago(-7))  # ahead: counted nowhere yet
    counts = queries.counts(cara.id)
    assert (counts.completed, counts.no_shows, counts.late_cancels) == (2, 1, 1)
    assert counts.since == days_ago(40)


def test_a_client_with_no_visits_has_nothing_counted(spa, cara):
    assert queries.counts(cara.id) == queries.Counts(0, 0, 0, None)


def test_history_is_past_visits_latest_first_and_the_future_is_ahead(spa, cara):
    old = spa.visit(cara, days_ago(30), BookingStatus.COMPLETED)
    cancelled = spa.visit(cara, days_ago(5), BookingStatus.CANCELLED)
    soon = spa.visit(cara, days_ago(-3))
    later = spa.visit(cara, days_ago(-30))
    spa.visit(cara, days_ago(-20), BookingStatus.CANCELLED)  # not ahead any more
    now = utcnow()
    assert [b.id for b in queries.history(cara.id, now).rows] == [cancelled.id, old.id]
    assert [b.id for b in queries.ahead(cara.id, now).rows] == [soon.id, later.id]


def test_the_profile_shows_contact_counts_and_visits(app, client, spa, cara):
    spa.visit(cara, days_ago(30), BookingStatus.COMPLETED)
    late = spa.visit(cara, days_ago(10), BookingStatus.CANCELLED)
    late.late_cancel = True
    db.session.commit()
    ahead = spa.visit(cara, days_ago(-3))
    status, html = page(client, spa.staff, f"/clients/{cara.id}")
    assert status == 200
    assert "<h1>Cara Lind</h1>" in html
    assert 'href="tel:07700900123"' in html and "cara@example.com" in html
    first = days_ago(30).astimezone(LONDON)
    assert f"Since their first visit on {first:%d %b %Y}:" in html
    assert "1 completed visit<" in html and "0 no-shows" in html
    assert "1 late cancellation<" in html
    assert f'href="/bookings/{ahead.id}"' in html
    assert "late</strong>" in html  # the late cancellation in the history
    assert "Edit contact details" in html and "Download their data" in html


def test_a_long_history_shows_the_latest_ten_and_links_to_every_visit(app, client, spa, cara):
    visits = [spa.visit(cara, days_ago(7 * n + 1), BookingStatus.COMPLETED) for n in range(12)]
    status, html = page(client, spa.staff, f"/clients/{cara.id}")
    shown = [int(i) for i in re.findall(r'href="/bookings/(\d+)"', html)]
    assert shown == [v.id for v in visits[:10]]
    assert f'href="/clients/{cara.id}/visits">See all past visits' in html
    listed = client.get(f"/clients/{cara.id}/visits").get_data(as_text=True)
    assert [int(i) for i in re.findall(r'href="/bookings/(\d+)"', listed)] == [v.id for v in visits]


def test_ten_visits_or_fewer_have_no_see_all_link(app, client, spa, cara):
    for n in range(10):
        spa.visit(cara, days_ago(7 * n + 1), BookingStatus.COMPLETED)
    _, html = page(client, spa.staff, f"/clients/{cara.id}")
    assert "See all past visits" not in html


def test_the_visits_page_is_paged(app, client, spa, cara):
    for n in range(52):
        spa.visit(cara, days_ago(3 * n + 1), BookingStatus.COMPLETED)
    factories.login(client, spa.staff)
    first = client.get(f"/clients/{cara.id}/visits").get_data(as_text=True)
    second = client.get(f"/clients/{cara.id}/visits?page=2").get_data(as_text=True)
    ids = re.findall(r'href="/bookings/(\d+)"', first) + re.findall(
        r'href="/bookings/(\d+)"', second
    )
    assert len(ids) == 52 == len(set(ids))
    assert f'href="/clients/{cara.id}/visits?page=2"' in first


def test_staff_see_the_e_mails_sent_and_the_waitlist(app, client, spa, cara):
    now = utcnow()
    db.session.add(
        Message(kind=MessageKind.APPOINTMENT_REMINDER, idempotency_key="profile-1",
                user_id=cara.id, state=MessageState.SENT, due_at=now, sent_at=now)
    )  # fmt: skip
    db.session.commit()
    _, html = page(client, spa.staff, f"/clients/{cara.id}")
    assert "appointment reminder" in html and "sent" in html
    assert "Not waiting for any time." in html


def test_health_data_is_shown_at_a_glance_and_the_read_audited(app, client, spa, cara):
    load_library()
    db.session.commit()
    done = spa.visit(cara, days_ago(9), BookingStatus.COMPLETED)
    factories.intake(cara.id)
    plan = factories.plan(done, now=days_ago(8))
    factories.completion(plan, days_ago(2).astimezone(LONDON).date())
    status, html = page(client, spa.anna.user, f"/clients/{cara.id}")
    assert status == 200
    assert f'href="/clients/{cara.id}/intake">Intake on file (updated ' in html
    assert f'href="/plans/{plan.id}">Current plan: version 1, published' in html
    assert re.search(r"1 of \d+ planned routines? done between", html)
    factories.fresh()
    (entry,) = db.session.scalars(sa.select(AuditEntry)).all()
    assert (entry.actor_id, entry.client_id, entry.action) == (spa.anna.user_id, cara.id, "read")
    assert entry.subject == f"intake date, plan {plan.id} adherence, check-ins"
    # The profile shows neither the intake's answers nor the plan's routines, but how the
    # weeks went: the reading and the bars.
    assert plan.items[0].name not in html
    assert "One full week so far: 1 of 14 done in week 1 (7%)." in html
    assert 'class="care-flag drop_off"' in html and "<svg" in html


def test_a_profile_without_health_data_audits_nothing(app, client, spa, cara):
    spa.visit(cara, days_ago(-2))
    status, html = page(client, spa.staff, f"/clients/{cara.id}")
    assert "No health intake yet." in html and "No home-care plan published yet." in html
    factories.fresh()
    assert db.session.scalars(sa.select(AuditEntry)).all() == []


def test_a_therapist_sees_their_own_clients_profile_without_the_desks_tools(app, client, spa, cara):
    spa.visit(cara, days_ago(-2))
    db.session.add(ClientTag(client_id=cara.id, tag="VIP"))
    db.session.add(DeskNote(client_id=cara.id, author_id=spa.staff.id, body="Pays by invoice"))
    db.session.commit()
    status, html = page(client, spa.anna.user, f"/clients/{cara.id}")
    assert status == 200
    assert "VIP" in html and "Pays by invoice" in html and "by Dee Desk" in html
    for tool in (
        "Edit contact details",
        "Add tag",
        "Add note",
        "E-mails sent to them",
        "Put on the waitlist",
        "Download their data",
        "Delete their account",
    ):
        assert tool not in html, tool  # fmt: skip


@pytest.mark.parametrize(
    "who", ["other_therapist", "cancelled_therapist", "the_client", "another_client"]
)
def test_anyone_else_gets_a_404(app, client, spa, cara, who):
    spa.visit(cara, days_ago(-2), BookingStatus.CANCELLED, therapist=spa.ben)
    people = {
        "other_therapist": factories.therapist().user,
        "cancelled_therapist": spa.ben.user,
        "the_client": cara,
        "another_client": factories.user(),
    }
    for url in (
        f"/clients/{cara.id}",
        f"/clients/{cara.id}/visits",
        f"/clients/{cara.id}/notes",
        f"/clients/{cara.id}/messages",
    ):
        status, html = page(client, people[who], url)
        assert status == 404 and "07700" not in html, url  # fmt: skip


def test_anonymous_is_sent_to_log_in(app, client, cara):
    reply = client.get(f"/clients/{cara.id}")
    assert reply.status_code == 302 and reply.location.startswith("/login")


def test_a_deleted_client_or_a_staff_login_has_no_profile(app, client, spa, cara):
    cara.email = f"deleted-{cara.id}@deleted.invalid"
    db.session.commit()
    assert page(client, spa.staff, f"/clients/{cara.id}")[0] == 404
    assert client.get(f"/clients/{spa.anna.user_id}").status_code == 404
    assert client.get("/clients/999999").status_code == 404


def test_desk_notes_show_newest_first_and_the_rest_on_their_own_page(app, client, spa, cara):
    start = utcnow() - timedelta(days=30)
    for n in range(12):
        db.session.add(DeskNote(client_id=cara.id, author_id=spa.staff.id, body=f"note {n:02d}",
                                created_at=start + timedelta(days=n)))  # fmt: skip
    db.session.commit()
    _, html = page(client, spa.staff, f"/clients/{cara.id}")
    shown = re.findall(r"note (\d\d)", html)
    assert shown == [f"{n:02d}" for n in range(11, 1, -1)]
    assert "See all desk notes" in html
    every = client.get(f"/clients/{cara.id}/notes").get_data(as_text=True)
    assert re.findall(r"note (\d\d)", every) == [f"{n:02d}" for n in range(11, -1, -1)]


def _statements(client, url: str) -> int:
    with count_statements() as statements:
        assert client.get(url).status_code == 200
    return len(statements)


@pytest.mark.parametrize("viewer", ["staff", "therapist"])
def test_the_profile_costs_the_same_statements_however_long_the_record(
    app, client, spa, cara, viewer
):
    load_library()
    db.session.commit()
    done = spa.visit(cara, days_ago(60), BookingStatus.COMPLETED)
    factories.intake(cara.id)
    factories.plan(done, now=days_ago(59))
    factories.login(client, spa.staff if viewer == "staff" else spa.anna.user)
    url = f"/clients/{cara.id}"
    before = _statements(client, url)
    now = utcnow()
    for n in range(15):
        spa.visit(cara, days_ago(2 * n + 1), BookingStatus.COMPLETED)
        spa.visit(cara, days_ago(-2 * n - 1))
        db.session.add(ClientTag(client_id=cara.id, tag=f"tag {n}"))
        db.session.add(DeskNote(client_id=cara.id, author_id=spa.staff.id, body=f"note {n}"))
        db.session.add(Message(kind=MessageKind.BOOKING_CONFIRMED, idempotency_key=f"p-{n}",
                               user_id=cara.id, state=MessageState.SENT, due_at=now))  # fmt: skip
    db.session.commit()
    assert _statements(client, url) == before
    # Staff: the user loader, the client, the spa's details, counts, ahead, history, the
    # health glance (intake, plan, its items, its ticks, the check-ins and the audit row), tags,
    # notes, the visits' feedback, then the desk's: services, therapists, e-mail opt-outs and
    # time, waitlist, messages. A therapist: none of the desk's, but whether they have the
    # client, asked for the record and again for its health data.
    assert before == (22 if viewer == "staff" else 17)
