"""The staff audit log page: newest first, a hundred a page, filtered by client and by actor."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import inspect, select

from spa_app.accounts.models import Role, User
from spa_app.database import utcnow
from spa_app.extensions import db
from spa_app.homecare.access import audit_read
from spa_app.homecare.models import AuditEntry
from tests import factories
from tests.sqlcount import count_statements


@pytest.fixture
def log(app):
    """Two clients; a therapist and a staff member who read their health data."""
    people = {
        "rae": factories.user(name="Rae Client", email="rae@example.com"),
        "sam": factories.user(name="Sam Client", email="sam@example.com"),
        "tom": factories.user(Role.THERAPIST, name="Tom Therapist"),
        "dee": factories.user(Role.STAFF, name="Dee Desk"),
    }
    start = utcnow() - timedelta(days=1)
    entries = [
        ("tom", "rae", "read", "intake"),
        ("dee", "sam", "read", "plan 7"),
        ("tom", "sam", "publish", "plan 8"),
    ]
    for n, (actor, client, action, subject) in enumerate(entries):
        db.session.add(AuditEntry(at=start + timedelta(minutes=n), actor_id=people[actor].id,
                                  client_id=people[client].id, action=action,
                                  subject=subject))  # fmt: skip
    db.session.commit()
    return people


def table_rows(html: str) -> list[list[str]]:
    """The table's body as text: one list of cells per row (tags dropped, spaces squeezed)."""
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in html else ""
    return [
        [
            " ".join(re.sub(r"<[^>]+>", " ", cell).split())
            for cell in re.findall(r"<td>(.*?)</td>", row, re.S)
        ]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def staff_view(client, people, query: str = ""):
    factories.login(client, people["dee"])
    return client.get("/staff/audit" + query)


def test_newest_first_with_who_whom_what(client, log):
    reply = staff_view(client, log)
    assert reply.status_code == 200
    rows = table_rows(reply.get_data(as_text=True))
    assert [r[1:] for r in rows] == [
        ["Tom Therapist", "therapist", "Sam Client sam@example.com", "publish", "plan 8"],
        ["Dee Desk", "staff", "Sam Client sam@example.com", "read", "plan 7"],
        ["Tom Therapist", "therapist", "Rae Client rae@example.com", "read", "intake"],
    ]
    assert all(re.fullmatch(r"\d\d \w\w\w \d{4}, \d\d:\d\d", r[0]) for r in rows)


@pytest.mark.parametrize(
    ("query", "subjects"),
    [
        ("?client_email=SAM@", ["plan 8", "plan 7"]),
        ("?client_email=rae%40example.com", ["intake"]),
        ("?role=staff", ["plan 7"]),
        ("?role=therapist&client_email=sam", ["plan 8"]),
        ("?client_email=nobody", []),
    ],
)
def test_filters_by_client_email_and_role(client, log, query, subjects):
    rows = table_rows(staff_view(client, log, query).get_data(as_text=True))
    assert [r[-1] for r in rows] == subjects


def test_filters_by_person(client, log):
    rows = table_rows(staff_view(client, log, f"?actor={log['tom'].id}").get_data(as_text=True))
    assert [r[-1] for r in rows] == ["plan 8", "intake"]


def test_a_person_who_is_not_staff_or_therapist_is_not_a_choice(client, log):
    reply = staff_view(client, log, f"?actor={log['rae'].id}")
    assert reply.status_code == 422 and "Not a valid choice" in reply.get_data(as_text=True)


def test_a_hundred_a_page_with_links_both_ways_that_keep_the_filters(client, log):
    now = utcnow()
    db.session.add_all(
        AuditEntry(at=now - timedelta(seconds=n), actor_id=log["tom"].id,
                   client_id=log["rae"].id, action="read", subject=f"plan {n}")
        for n in range(150)
    )  # fmt: skip
    db.session.commit()
    first = staff_view(client, log, "?client_email=rae").get_data(as_text=True)
    rows = table_rows(first)
    assert len(rows) == 100 and rows[0][-1] == "plan 0" and rows[-1][-1] == "plan 99"
    assert "Newer entries" not in first
    older = re.search(r'href="([^"]+)" rel="next"', first).group(1).replace("&amp;", "&")
    assert "client_email=rae" in older and "page=2" in older
    second = client.get(older).get_data(as_text=True)
    assert [r[-1] for r in table_rows(second)] == [f"plan {n}" for n in range(100, 150)] + [
        "intake"
    ]
    assert "Older entries" not in second and 'rel="prev"' in second


@pytest.mark.parametrize("page", ["0", "10001"])
def test_a_page_out_of_range_is_not_found(client, log, page):
    assert staff_view(client, log, f"?page={page}").status_code == 404


def test_the_staff_home_links_to_it(client, log):
    factories.login(client, log["dee"])
    assert 'href="/staff/audit"' in client.get("/staff/").get_data(as_text=True)


def test_an_audited_read_is_committed_and_leaves_the_pages_objects_loaded(app):
    """The audit row goes in on its own connection: the page keeps what it loaded (no reload,
    no expired objects), and the row is there for any other connection at once."""
    client, staff = factories.user(name="Rae Client"), factories.user(Role.STAFF)
    staff_id, client_id = staff.id, client.id
    shown = db.session.get(User, client_id)
    assert shown.name == "Rae Client"
    with count_statements() as statements:
        audit_read(staff, client_id, "intake")
        assert shown.name == "Rae Client"
    assert not inspect(shown).expired
    assert len(statements) == 1 and statements[0].lstrip().upper().startswith("INSERT")
    with db.engine.connect() as other:
        rows = other.execute(
            select(AuditEntry.actor_id, AuditEntry.client_id, AuditEntry.subject)
        ).all()
    assert rows == [(staff_id, client_id, "intake")]
