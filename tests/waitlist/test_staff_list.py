"""The staff waitlist a page at a time: open requests whose days have not all passed, in the
order they joined (the id breaking ties), found by client, service and the therapist asked for
(or none), two statements a page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from spa_app.accounts.models import Role, User
from spa_app.clock import local_today
from spa_app.database import utcnow
from spa_app.extensions import db
from spa_app.waitlist import queries
from spa_app.waitlist.models import WaitlistEntry, WaitlistOffer
from tests import factories
from tests.factories import LONDON
from tests.sqlcount import count_statements

JOINED = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


class Spa:
    def __init__(self):
        (self.anna, self.ben) = (factories.therapist("Anna Kim"), factories.therapist("Ben Ode"))
        self.facial = factories.service("Facial", therapists=[self.anna, self.ben])
        self.massage = factories.service("Massage", therapists=[self.anna])
        self.room = factories.room()
        self.today = local_today(utcnow(), LONDON)
        someone = factories.user(name="Freed By")
        #: Someone else's cancelled visit that freed the offered times.
        self.freed_by = factories.booking(someone, self.anna, self.room, self.facial,
                                          JOINED - timedelta(days=1)).id  # fmt: skip

    def waiting(self, name: str, *, service=None, therapist=None, joined: datetime = JOINED,
                phone: str | None = None, days: tuple[int, int] = (0, 14),
                closed: bool = False) -> WaitlistEntry:  # fmt: skip
        """``name`` waiting for ``service`` (the facial) with ``therapist`` (None: anyone) on the
        days from ``days[0]`` to ``days[1]`` after today."""
        person = User(name=name, email=f"{name.lower().replace(' ', '.')}@example.com",
                      role=Role.CLIENT, phone=phone)  # fmt: skip
        db.session.add(person)
        db.session.flush()
        entry = WaitlistEntry(
            client_id=person.id, service_id=(service or self.facial).id,
            therapist_id=therapist.id if therapist else None,
            first_day=self.today + timedelta(days=days[0]),
            last_day=self.today + timedelta(days=days[1]), created_at=joined,
            closed_at=utcnow() if closed else None, closed_why="left" if closed else None,
        )  # fmt: skip
        db.session.add(entry)
        db.session.commit()
        return entry


@pytest.fixture
def spa(app) -> Spa:
    return Spa()


def names(spa: Spa, filters: queries.WaitingFilters | None = None) -> list[str]:
    page = queries.waiting_page(spa.today, filters or queries.WaitingFilters())
    return [entry.client.name for entry in page.rows]


def staff(client):
    factories.login(client, factories.user(Role.STAFF, name="Dee Desk"))
    return client


def test_pages_hold_everyone_once_in_join_order_the_id_breaking_ties(spa):
    made = [spa.waiting(f"Client {n}", joined=JOINED + timedelta(minutes=(9 - n) // 3))
            for n in range(10)]  # fmt: skip
    seen, number = [], 1
    while True:
        page = queries.waiting_page(spa.today, queries.WaitingFilters(), number, per_page=4)
        seen += [entry.id for entry in page.rows]
        if not page.has_next:
            break
        number += 1
    assert number == 3 and len(page.rows) == 2
    assert seen == [e.id for e in sorted(made, key=lambda e: (e.created_at, e.id))]
    assert seen != [e.id for e in made]  # joined in another order than made


def test_passed_and_closed_requests_are_not_listed(spa):
    spa.waiting("Last Day Today", days=(-5, 0))
    spa.waiting("All Passed", days=(-5, -1))
    spa.waiting("Left Already", closed=True)
    spa.waiting("Later On", days=(3, 9))
    assert names(spa) == ["Last Day Today", "Later On"]


def test_the_filters_find_by_client_service_and_therapist_or_none(spa):
    spa.waiting("Cara Lind", phone="07700 900123", therapist=spa.anna)
    spa.waiting("Dan Moss", service=spa.massage, phone="+44 20 7946 0018")
    spa.waiting("Eve Noor", therapist=spa.ben)
    spa.waiting("Fay Oak")
    f = queries.WaitingFilters
    assert names(spa, f(therapist=queries.NO_PREFERENCE)) == ["Dan Moss", "Fay Oak"]
    assert names(spa, f(therapist=spa.anna.id)) == ["Cara Lind"]
    assert names(spa, f(service_id=spa.massage.id)) == ["Dan Moss"]
    assert names(spa, f(service_id=spa.facial.id, therapist=queries.NO_PREFERENCE)) == ["Fay Oak"]
    assert names(spa, f("900 123")) == ["Cara Lind"]
    assert names(spa, f("7946-0018")) == ["Dan Moss"]
    assert names(spa, f("NOOR")) == ["Eve Noor"]
    assert names(spa, f("noor", therapist=spa.anna.id)) == []
    assert names(spa, f("%")) == []


@pytest.mark.parametrize("count", [3, 60])
def test_a_page_is_two_statements_however_many_wait(spa, count):
    for n in range(count):
        entry = spa.waiting(f"Client {n:02}", therapist=spa.ben if n % 2 else None)
        if n % 3 == 0:
            db.session.add(WaitlistOffer(entry_id=entry.id, therapist_id=spa.anna.id,
                                         starts_at=JOINED, freed_by_id=spa.freed_by))  # fmt: skip
    db.session.commit()
    factories.fresh()
    with count_statements() as statements:
        page = queries.waiting_page(spa.today)
        shown = [(e.client.name, e.service.name, e.therapist and e.therapist.display_name,
                  e.booking, len(e.offers)) for e in page.rows]  # fmt: skip
    assert len(statements) == 2
    # Joined at the same moment, the id decides: the database may return ties in any order.
    assert "ORDER BY waitlist_entries.created_at, waitlist_entries.id" in statements[0]
    assert len(shown) == min(count, 50) and page.has_next is (count > 50)
    assert sum(offers for *_, offers in shown) == len(range(0, min(count, 50), 3))


def test_the_page_shows_fifty_then_the_rest_with_the_filters_kept(client, spa):
    for n in range(52):
        spa.waiting(f"Client {n:02}", joined=JOINED + timedelta(minutes=n))
    spa.waiting("Asked For Anna", therapist=spa.anna)
    staff(client)
    url = f"/staff/waitlist?q=client&service={spa.facial.id}&therapist=any"
    first = client.get(url).get_data(as_text=True)
    assert first.count("<td>Client ") == 50 and "Client 49" in first
    assert "Asked For Anna" not in first
    assert (f'href="/staff/waitlist?page=2&amp;q=client&amp;service={spa.facial.id}'
            '&amp;therapist=any" rel="next"') in first  # fmt: skip
    assert '<option value="any" selected>' in first
    assert f'<option value="{spa.facial.id}" selected>Facial</option>' in first
    second = client.get(url + "&page=2").get_data(as_text=True)
    assert second.count("<td>Client ") == 2 and "Client 51" in second
    assert "This page is past the end" in client.get(url + "&page=3").get_data(as_text=True)
    chosen = client.get(f"/staff/waitlist?therapist={spa.anna.id}").get_data(as_text=True)
    assert "Asked For Anna" in chosen and "Client 00" not in chosen
    assert f'<option value="{spa.anna.id}" selected>Anna Kim</option>' in chosen


def test_a_row_shows_the_phone_the_days_and_the_offers(client, spa):
    entry = spa.waiting("Cara Lind", phone="07700 900123", therapist=spa.ben)
    db.session.add(WaitlistOffer(entry_id=entry.id, therapist_id=spa.ben.id, starts_at=JOINED,
                                 freed_by_id=spa.freed_by))  # fmt: skip
    db.session.commit()
    staff(client)
    html = client.get("/staff/waitlist").get_data(as_text=True)
    assert 'href="tel:07700900123"' in html and "<td>Ben Ode</td>" in html
    first, last = entry.first_day.strftime("%d %b"), entry.last_day.strftime("%d %b")
    assert f'<td data-label="Days">{first} to {last}</td>' in html
    assert '<td data-label="Offers">1</td>' in html


def test_nobody_waiting_and_nobody_matching_say_so(client, spa):
    staff(client)
    assert "Nobody is waiting." in client.get("/staff/waitlist").get_data(as_text=True)
    spa.waiting("Cara Lind")
    html = client.get("/staff/waitlist?q=zed").get_data(as_text=True)
    assert "Nobody waiting matches." in html and "Cara Lind" not in html


def test_bad_filters_get_a_message_and_no_list(client, spa):
    spa.waiting("Cara Lind")
    staff(client)
    for query, words in (
        ({"service": "abc"}, "Choose from the lists."),
        ({"service": "0"}, "Choose from the lists."),
        ({"therapist": "anyone"}, "Choose from the lists."),
        ({"therapist": "١"}, "Choose from the lists."),
        ({"therapist": "99999999999999"}, "Choose from the lists."),
        ({"q": "x" * 121}, "Search for at most 120 characters, on one line."),
        ({"q": "a\u2028b"}, "Search for at most 120 characters, on one line."),
    ):
        reply = client.get("/staff/waitlist", query_string=query)
        html = reply.get_data(as_text=True)
        assert reply.status_code == 422 and words in html, query
        assert "Cara Lind" not in html
    for page in ("abc", "0", "10001"):
        assert client.get(f"/staff/waitlist?page={page}").status_code == 404
    # an id that is a number but names nothing is a filter that finds no one
    reply = client.get("/staff/waitlist?service=999999&therapist=999999")
    assert reply.status_code == 200 and "Nobody waiting matches." in reply.get_data(as_text=True)


def test_only_staff_open_the_list(app, client, spa):
    assert client.get("/staff/waitlist").status_code == 302
    for role in (Role.CLIENT, Role.THERAPIST):
        assert (
            factories.signed_in(app, factories.user(role)).get("/staff/waitlist").status_code == 404
        )
