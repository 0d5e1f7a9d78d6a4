"""The client directory: found by name, e-mail, phone in any format or tag, a page at a time
in a stable order, each therapist seeing only their own clients, one statement a page."""

from __future__ import annotations

import pytest

from spa_app.accounts.models import Role, User, no_email_address
from spa_app.booking.models import BookingStatus
from spa_app.clients import queries
from spa_app.clients.models import ClientTag
from spa_app.database import utcnow
from spa_app.extensions import db
from tests import factories
from tests.clients.conftest import days_ago
from tests.sqlcount import count_statements


def client(name: str, *, email: str | None = None, phone: str | None = None) -> User:
    person = factories.user(name=name, email=email)
    person.phone = phone
    db.session.commit()
    return person


def tag(person: User, *tags: str) -> None:
    db.session.add_all(ClientTag(client_id=person.id, tag=t) for t in tags)
    db.session.commit()


def names(viewer: User, term: str = "", tag: str = "") -> list[str]:
    page = queries.directory_page(viewer, queries.DirectoryFilters(term, tag), utcnow())
    return [row.name for row in page.rows]


@pytest.fixture
def people(spa):
    cara = client("Cara Lind", email="cara@example.com", phone="07700 900123")
    dan = client("dan Moss", email="dan.moss@mail.example", phone="+44 (0)20 7946 0018")
    eve = client("Eve Noor", email=no_email_address(), phone="0161 496 0555")
    tag(cara, "VIP", "Prefers mornings")
    tag(eve, "vip")
    return {"cara": cara, "dan": dan, "eve": eve}


def test_everyone_is_listed_by_name_whatever_its_case(spa, people):
    assert names(spa.staff) == ["Cara Lind", "dan Moss", "Eve Noor"]


@pytest.mark.parametrize(
    ("term", "found"),
    [
        ("lind", ["Cara Lind"]),
        ("MOSS", ["dan Moss"]),
        ("mail.example", ["dan Moss"]),
        ("CARA@", ["Cara Lind"]),
        ("07700900123", ["Cara Lind"]),
        ("07700-900-123", ["Cara Lind"]),
        ("(07700) 900 123", ["Cara Lind"]),
        ("7946 0018", ["dan Moss"]),
        ("+44 (0)20", ["dan Moss"]),
        ("+44 21", []),  # the digits in order: 4421 is in no number
        ("496-0555", ["Eve Noor"]),
        ("no-email", []),  # a placeholder address is never searched
        ("%", []),
    ],
)
def test_a_search_finds_by_name_e_mail_or_phone_in_any_format(spa, people, term, found):
    assert names(spa.staff, term) == found


def test_the_tag_filter_ignores_case(spa, people):
    assert names(spa.staff, tag="VIP") == ["Cara Lind", "Eve Noor"]
    assert names(spa.staff, tag="prefers MORNINGS") == ["Cara Lind"]
    assert names(spa.staff, tag="mornings") == []  # a whole tag, not part of one
    assert names(spa.staff, "eve", tag="vip") == ["Eve Noor"]


def test_deleted_clients_and_staff_logins_are_not_listed(spa, people):
    gone = client("Zed Gone", email="deleted-99@deleted.invalid")
    assert "Zed Gone" not in names(spa.staff) and gone.is_deleted
    assert spa.anna.display_name not in names(spa.staff)
    assert spa.staff.name not in names(spa.staff)


def test_a_row_shows_next_and_last_visit_phone_and_tags(app, spa, people):
    cara = people["cara"]
    spa.visit(cara, days_ago(30), BookingStatus.COMPLETED)
    spa.visit(cara, days_ago(20), BookingStatus.NO_SHOW)  # not a visit that took place
    spa.visit(cara, days_ago(-5), BookingStatus.CANCELLED)
    coming = spa.visit(cara, days_ago(-9))
    (row,) = queries.directory_page(spa.staff, queries.DirectoryFilters("cara"), utcnow()).rows
    assert row.next_visit == coming.starts_at
    assert row.last_visit == days_ago(30)
    assert row.tags == ["Prefers mornings", "VIP"]
    assert row.email == "cara@example.com" and row.phone == "07700 900123"
    (eve,) = queries.directory_page(spa.staff, queries.DirectoryFilters("eve"), utcnow()).rows
    assert eve.email == "" and eve.next_visit is None and eve.last_visit is None


def test_the_page_shows_tel_links_no_e_mail_and_tag_links(app, client, spa, people):
    factories.login(client, spa.staff)
    html = client.get("/staff/clients").get_data(as_text=True)
    assert 'href="tel:07700900123"' in html and 'href="tel:+4402079460018"' in html
    assert "no e-mail" in html and "no-email.invalid" not in html
    assert f'href="/clients/{people["cara"].id}"' in html
    assert 'href="/staff/clients?tag=VIP"' in html


def test_pages_hold_every_client_once_in_a_stable_order(spa):
    # Two of each name: the id decides between them, so no one shows twice or not at all.
    made = [client(f"Twin {n % 4}") for n in range(10)]
    filters = queries.DirectoryFilters()
    seen, number = [], 1
    while True:
        page = queries.directory_page(spa.staff, filters, utcnow(), number, per_page=3)
        seen += [row.id for row in page.rows]
        if not page.has_next:
            break
        number += 1
    assert number == 4 and len(page.rows) == 1
    assert seen == [p.id for p in sorted(made, key=lambda p: (p.name, p.id))]


def test_a_last_page_that_is_full_has_no_next_page(spa):
    for n in range(6):
        client(f"Client {n}")
    second = queries.directory_page(spa.staff, queries.DirectoryFilters(), utcnow(), 2, 3)
    assert len(second.rows) == 3 and not second.has_next
    third = queries.directory_page(spa.staff, queries.DirectoryFilters(), utcnow(), 3, 3)
    assert third.rows == [] and not third.has_next


def test_a_therapist_sees_only_clients_with_a_visit_with_them_not_cancelled(spa, people):
    cara, dan, eve = people["cara"], people["dan"], people["eve"]
    spa.visit(cara, days_ago(3), BookingStatus.NO_SHOW)
    spa.visit(dan, days_ago(-3), BookingStatus.CANCELLED)
    spa.visit(eve, days_ago(-3), therapist=spa.ben)
    assert names(spa.anna.user) == ["Cara Lind"]
    assert names(spa.ben.user) == ["Eve Noor"]
    assert names(spa.anna.user, "dan") == []
    assert names(people["cara"]) == []  # a client lists no one


def test_the_page_for_a_therapist_and_who_may_open_it(app, client, spa, people):
    spa.visit(people["cara"], days_ago(-3))
    assert client.get("/staff/clients").status_code == 302  # to the login
    factories.login(client, spa.anna.user)
    html = client.get("/staff/clients").get_data(as_text=True)
    assert "Cara Lind" in html and "dan Moss" not in html
    assert "Your clients" in html
    other = factories.signed_in(app, people["dan"])
    assert other.get("/staff/clients").status_code == 404


def test_a_search_too_long_or_with_control_characters_is_refused_with_a_message(
    app, client, spa, people
):
    factories.login(client, spa.staff)
    reply = client.get("/staff/clients", query_string={"q": "x" * 121})
    assert reply.status_code == 422 and "at most 120 characters" in reply.get_data(as_text=True)
    assert client.get("/staff/clients", query_string={"tag": "a\x00b"}).status_code == 422
    assert client.get("/staff/clients?page=0").status_code == 404


def test_a_search_with_no_match_says_so(app, client, spa, people):
    factories.login(client, spa.staff)
    html = client.get("/staff/clients?q=nobody-at-all").get_data(as_text=True)
    assert "No client matches." in html


def _page_statements(client, url: str) -> int:
    with count_statements() as statements:
        assert client.get(url).status_code == 200
    return len(statements)


@pytest.mark.parametrize("viewer", ["staff", "therapist"])
def test_a_page_costs_one_statement_however_many_clients_bookings_and_tags(
    app, client, spa, viewer
):
    person = spa.staff if viewer == "staff" else spa.anna.user
    factories.login(client, person)
    few = [client_ for client_ in [factories.user(name="First One")]]
    spa.visit(few[0], days_ago(2), BookingStatus.COMPLETED)
    url = "/staff/clients?q=o"
    before = _page_statements(client, url)
    for n in range(30):
        someone = factories.user(name=f"Person {n:02d}o")
        tag(someone, f"tag {n}", "regular")
        spa.visit(someone, days_ago(40 + n), BookingStatus.COMPLETED)
        spa.visit(someone, days_ago(-10 - n))
    assert _page_statements(client, url) == before
    # The user loader, the spa's details, and the page's one statement.
    assert before == 3
    assert "Person 29o" in client.get(url).get_data(as_text=True)
    with count_statements() as tagged:
        client.get("/staff/clients?tag=REGULAR")
    assert len(tagged) == before


def test_a_therapists_directory_never_lists_staff_or_therapists_they_booked(spa):
    # A therapist booked as a client elsewhere is not a client record.
    spa.visit(spa.ben.user, days_ago(-2))
    assert spa.ben.user.role is Role.THERAPIST
    assert names(spa.anna.user) == []
