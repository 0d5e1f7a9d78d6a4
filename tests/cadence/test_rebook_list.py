"""The rebook-due list a page at a time (oldest window first, the client breaking ties, one
statement a page), found by name, e-mail, phone and therapist, and the whole list as a CSV file
that no spreadsheet runs as formulas, with days on the spa's calendar."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest

from spa_app.accounts.models import Role, User
from spa_app.cadence import queries
from spa_app.cadence.export import safe_cell
from spa_app.cadence.models import NextVisit
from spa_app.cadence.views import _back_to_list
from spa_app.clock import local_today
from spa_app.database import utcnow
from spa_app.extensions import db
from tests import factories
from tests.factories import LONDON
from tests.sqlcount import count_statements

LONG_AGO = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


class Spa:
    def __init__(self):
        self.svc, (self.anna, self.ben), (self.room,) = factories.spa(therapists=2)
        someone = User(name="Old Visit", email="old-visit@example.com", role=Role.CLIENT)
        db.session.add(someone)
        db.session.commit()
        self.visit = factories.booking(someone, self.anna, self.room, self.svc,
                                       LONG_AGO - timedelta(days=60))  # fmt: skip

    def due(self, name: str, *, email: str | None = None, phone: str | None = None,
            therapist=None, opens: datetime = LONG_AGO, last: datetime | None = None,
            closes: datetime | None = None) -> User:  # fmt: skip
        """A client whose next-visit window opened at ``opens``, with nothing booked since."""
        person = User(name=name, email=email or f"{name.lower().replace(' ', '.')}@example.com",
                      role=Role.CLIENT, phone=phone)  # fmt: skip
        db.session.add(person)
        db.session.flush()
        last = last or opens - timedelta(weeks=4)
        db.session.add(NextVisit(
            client_id=person.id, booking_id=self.visit.id,
            therapist_id=(therapist or self.anna).id, service_id=self.svc.id,
            last_visit_at=last, opens_at=opens, closes_at=closes or opens + timedelta(weeks=2),
        ))  # fmt: skip
        db.session.commit()
        return person


@pytest.fixture
def spa(app) -> Spa:
    return Spa()


def names(filters: queries.DueFilters | None = None) -> list[str]:
    page = queries.rebook_due(utcnow(), filters or queries.DueFilters())
    return [row.name for row in page.rows]


def staff(client):
    factories.login(client, factories.user(Role.STAFF, name="Dee Desk"))
    return client


def test_pages_hold_every_client_once_oldest_window_first_the_client_breaking_ties(spa):
    made = [spa.due(f"Client {n}", opens=LONG_AGO + timedelta(days=n // 3)) for n in range(7)]
    spa.due("Not Yet", opens=utcnow() + timedelta(days=1))  # the window is still to open
    seen, number = [], 1
    while True:
        page = queries.rebook_due(utcnow(), queries.DueFilters(), number, per_page=3)
        seen += [row.window.client_id for row in page.rows]
        if not page.has_next:
            break
        number += 1
    assert number == 3 and len(page.rows) == 1
    assert seen == [p.id for p in made]  # made in window order, ids rising within a day
    assert queries.rebook_due(utcnow(), queries.DueFilters(), 4, per_page=3).rows == []


@pytest.mark.parametrize("count", [3, 60])
def test_a_page_and_the_whole_list_are_one_statement_each(spa, count):
    for n in range(count):
        spa.due(f"Client {n:02}", therapist=spa.ben if n % 2 else spa.anna)
    factories.fresh()
    with count_statements() as statements:
        page = queries.rebook_due(utcnow())
        shown = [(row.name, row.therapist_name, row.nudges_sent, row.window.opens_at)
                 for row in page.rows]  # fmt: skip
    assert len(statements) == 1
    # Windows opening at the same moment: the client decides, whatever order the database uses.
    assert "ORDER BY next_visits.opens_at, next_visits.client_id" in statements[0]
    assert len(shown) == min(count, 50) and page.has_next is (count > 50)
    with count_statements() as statements:
        everyone = queries.all_rebook_due(utcnow())
    assert len(statements) == 1 and len(everyone) == count


def test_a_client_who_booked_since_is_not_due(spa):
    booked = spa.due("Booked Bo")
    spa.due("Waiting Wyn")
    factories.booking(booked, spa.anna, spa.room, spa.svc, utcnow() + timedelta(days=3))
    assert names() == ["Waiting Wyn"]


def test_the_therapist_and_the_words_filter_together(spa):
    spa.due("Cara Lind", phone="07700 900123")
    spa.due("Dan Moss", phone="+44 7700 900456", therapist=spa.ben)
    spa.due("Eve Noor", email="eve@mail.example", therapist=spa.ben)
    assert names(queries.DueFilters(therapist_id=spa.ben.id)) == ["Dan Moss", "Eve Noor"]
    assert names(queries.DueFilters("mail.example", spa.ben.id)) == ["Eve Noor"]
    assert names(queries.DueFilters("cara", spa.ben.id)) == []
    assert names(queries.DueFilters(therapist_id=999_999)) == []


PHONE_SEARCHES = [
    ("7700 900", ["Cara Lind", "Dan Moss"]),  # the digits, however either is written
    ("07700-900-123", ["Cara Lind"]),
    ("(07700) 900123", ["Cara Lind"]),
    ("+44 7700 900456", ["Dan Moss"]),
    ("447700900456", ["Dan Moss"]),
    # A national number with its trunk 0 finds the same number saved with its country code.
    ("07700 900456", ["Dan Moss"]),
    ("+07700 900456", []),  # a + says the digits are international: taken as typed
    ("0770 0900", ["Cara Lind", "Dan Moss"]),  # the start of both numbers
    ("77", []),  # fewer than three digits: no phone search (and no name has them)
    ("%", []),
]


def test_a_phone_number_finds_the_client_whatever_its_spaces(spa):
    spa.due("Cara Lind", phone="07700 900123")
    spa.due("Dan Moss", phone="+44 7700 900456")
    spa.due("No Phone")
    for term, found in PHONE_SEARCHES:
        assert names(queries.DueFilters(term)) == found, term


def test_the_page_shows_fifty_then_the_rest_with_the_filters_kept(client, spa):
    for n in range(53):
        spa.due(f"Client {n:02}", therapist=spa.ben, opens=LONG_AGO + timedelta(minutes=n))
    spa.due("Anna's Client")
    staff(client)
    url = f"/staff/rebook-due?q=client&therapist={spa.ben.id}"
    first = client.get(url).get_data(as_text=True)
    assert first.count('aria-label="Send Client ') == 50 and "Client 49" in first
    assert f'href="/staff/rebook-due?page=2&amp;q=client&amp;therapist={spa.ben.id}"' in first
    assert f'href="/staff/rebook-due.csv?q=client&amp;therapist={spa.ben.id}"' in first
    second = client.get(url + "&page=2").get_data(as_text=True)
    assert second.count('aria-label="Send Client ') == 3 and "Client 52" in second
    assert "Anna&#39;s Client" not in first + second
    # each nudge form carries the page and filters back
    assert '<input type="hidden" name="page" value="2">' in second
    assert f'<input type="hidden" name="therapist" value="{spa.ben.id}">' in second
    past = client.get(url + "&page=9").get_data(as_text=True)
    assert "This page is past the end of the list." in past


def test_bad_filters_get_a_message_and_no_list(client, spa):
    spa.due("Cara Lind")
    staff(client)
    for query, words in (
        ({"therapist": "abc"}, "Choose a therapist from the list."),
        ({"therapist": "0"}, "Choose a therapist from the list."),
        ({"therapist": "١"}, "Choose a therapist from the list."),
        ({"q": "x" * 121}, "Search for at most 120 characters, on one line."),
        ({"q": "cara\x00"}, "Search for at most 120 characters, on one line."),
    ):
        reply = client.get("/staff/rebook-due", query_string=query)
        html = reply.get_data(as_text=True)
        assert reply.status_code == 422 and words in html, query
        assert "Cara Lind" not in html
        csv_reply = client.get("/staff/rebook-due.csv", query_string=query)
        assert csv_reply.status_code == 422 and csv_reply.mimetype == "text/plain"
        assert csv_reply.get_data(as_text=True) == words
    for page in ("abc", "0", "10001"):
        assert client.get(f"/staff/rebook-due?page={page}").status_code == 404


def read_csv(reply) -> list[list[str]]:
    body = reply.get_data().decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def test_the_csv_has_every_page_and_no_formulas(client, spa):
    for n in range(55):
        spa.due(f"Client {n:02}", opens=LONG_AGO + timedelta(minutes=n))
    spa.due("=HYPERLINK(\"http://x.example\",\"hi\")", email="eq@example.com",
            phone="+44 7700 900123", opens=LONG_AGO + timedelta(days=1))  # fmt: skip
    spa.due("@SUM(A1)", email="at@example.com", opens=LONG_AGO + timedelta(days=2))
    staff(client)
    reply = client.get("/staff/rebook-due.csv")
    assert reply.status_code == 200 and reply.mimetype == "text/csv"
    assert reply.headers["Content-Type"] == "text/csv; charset=utf-8"
    today = local_today(utcnow(), LONDON).isoformat()
    assert reply.headers["Content-Disposition"] == f'attachment; filename="rebook-due-{today}.csv"'
    header, *rows = read_csv(reply)
    assert header == ["Client", "E-mail", "Phone", "Therapist", "Last visit", "Window opens",
                      "Window closes", "Overdue", "Nudges sent"]  # fmt: skip
    assert len(rows) == 57 and [r[0] for r in rows[:55]] == [f"Client {n:02}" for n in range(55)]
    assert rows[55][:3] == ["'=HYPERLINK(\"http://x.example\",\"hi\")", "eq@example.com",
                            "'+44 7700 900123"]  # fmt: skip
    assert rows[56][0] == "'@SUM(A1)"
    assert rows[0][3:] == [spa.anna.display_name, "2026-05-04", "2026-06-01", "2026-06-15",
                           "yes", "0"]  # fmt: skip
    filtered = read_csv(client.get("/staff/rebook-due.csv?q=client+0"))
    assert [r[0] for r in filtered[1:]] == [f"Client 0{n}" for n in range(10)]


@pytest.mark.parametrize(
    ("value", "cell"),
    [("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@x", "'@x"), ("\tx", "'\tx"),
     ("\rx", "'\rx"), ("a=b", "a=b"), (None, ""), (3, "3"), ("", "")],
)  # fmt: skip
def test_a_cell_a_spreadsheet_would_run_gets_a_quote(value, cell):
    assert safe_cell(value) == cell


def test_csv_days_are_the_spas_across_the_clocks_going_back(client, spa):
    """Sunday 25 October 2026 the clocks go back at 02:00 BST: 00:30 that night in London is
    23:30 on the 24th in UTC, and 00:30 a week later is 00:30 UTC."""
    last = datetime(2026, 10, 24, 23, 30, tzinfo=UTC)
    spa.due("Night Owl", last=last, opens=datetime(2026, 11, 1, 0, 30, tzinfo=UTC),
            closes=datetime(2026, 11, 14, 23, 30, tzinfo=UTC))  # fmt: skip
    staff(client)
    (row,) = read_csv(client.get("/staff/rebook-due.csv"))[1:]
    assert row[4:7] == ["2026-10-25", "2026-11-01", "2026-11-14"]
    html = client.get("/staff/rebook-due").get_data(as_text=True)
    assert "25 Oct 2026" in html and "01 Nov to 14 Nov" in html


def test_only_staff_open_the_list_and_the_file(app, client, spa):
    for url in ("/staff/rebook-due", "/staff/rebook-due.csv"):
        assert client.get(url).status_code == 302
        for role in (Role.CLIENT, Role.THERAPIST):
            assert factories.signed_in(app, factories.user(role)).get(url).status_code == 404


def test_a_nudge_returns_to_the_same_page_and_filters(client, spa):
    cara = spa.due("Cara Lind")
    staff(client)
    reply = client.post(
        f"/staff/rebook-due/{cara.id}/nudge",
        data={"q": " cara ", "therapist": str(spa.anna.id), "page": "2"},
    )
    assert reply.status_code == 302
    assert reply.location == f"/staff/rebook-due?q=cara&therapist={spa.anna.id}&page=2"
    again = client.post(f"/staff/rebook-due/{cara.id}/nudge",
                        data={"q": "x" * 121, "therapist": "abc", "page": "0"})  # fmt: skip
    assert again.status_code == 302 and again.location == "/staff/rebook-due"


@pytest.mark.parametrize(
    ("form", "back"),
    [({}, {}), ({"page": "1"}, {}), ({"page": "١"}, {}), ({"therapist": "0"}, {}),
     ({"therapist": "7", "q": "a"}, {"therapist": "7", "q": "a"})],
)  # fmt: skip
def test_the_way_back_to_the_list_keeps_only_good_values(form, back):
    assert _back_to_list(form) == back
