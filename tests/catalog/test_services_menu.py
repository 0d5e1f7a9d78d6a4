"""The services page: grouped by category in the order staff set, with who gives each service,
their photo or initials and their "About" text; staff set a service's category and position."""

from __future__ import annotations

import re

import pytest

from spa_app.accounts.models import Role
from spa_app.catalog import service as catalog
from spa_app.catalog.models import Service
from spa_app.extensions import db
from tests import factories
from tests.sqlcount import count_statements


@pytest.fixture
def staff(client):
    factories.login(client, factories.user(Role.STAFF))
    return client


def placed(name: str, category: str = "", position: int = 0, **kwargs) -> Service:
    svc = factories.service(name, **kwargs)
    svc.category, svc.position = category, position
    db.session.commit()
    return svc


def order_on(page: str, names) -> list[str]:
    return sorted(names, key=lambda name: page.index(f">{name}<"))


def form(**changes) -> dict:
    data = {"name": "Hot stones", "description": "", "duration_min": "60", "price": "70",
            "buffer_min": "0", "active": "y", "category": "", "position": "0"}  # fmt: skip
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def saved() -> list[Service]:
    db.session.rollback()
    return list(db.session.execute(db.select(Service).order_by(Service.id)).scalars())


def test_services_are_grouped_by_category_then_position_then_name(client):
    placed("Zen back", "Relaxation", 2)
    placed("Swedish", "Relaxation", 1)
    placed("Aroma", "Relaxation", 2)
    placed("Sports", "Deep work", 5)
    placed("Foot rub")  # no category: listed last, under a heading of its own
    page = client.get("/").get_data(as_text=True)
    headings = re.findall(r'<h2 id="category-\d+">([^<]+)</h2>', page)
    assert headings == ["Deep work", "Relaxation", "More treatments"]
    names = ["Zen back", "Swedish", "Aroma", "Sports", "Foot rub"]
    assert order_on(page, names) == ["Sports", "Swedish", "Aroma", "Zen back", "Foot rub"]
    assert re.search(r"<h3>Sports</h3>", page)  # a level below its category


def test_without_categories_there_are_no_category_headings(client):
    placed("Swedish", position=2)
    placed("Deep", position=1)
    page = client.get("/").get_data(as_text=True)
    assert "category-1" not in page and "More treatments" not in page
    assert "<h2>Deep</h2>" in page and order_on(page, ["Swedish", "Deep"]) == ["Deep", "Swedish"]


def test_the_staff_list_is_in_the_order_clients_see(staff):
    placed("B", "Zest", 0)
    placed("A", "Calm", 3)
    placed("C", "Calm", 1)
    page = staff.get("/staff/services/").get_data(as_text=True)
    assert order_on(page, ["A", "B", "C"]) == ["C", "A", "B"]


def test_the_page_reads_services_and_their_therapists_in_two_statements(app):
    ann, bob = factories.therapist("Ann"), factories.therapist("Bob")
    for n in range(4):
        placed(f"S{n}", f"C{n % 2}", therapists=[ann, bob])
    db.session.rollback()
    with count_statements() as statements:
        menu = catalog.menu()
    assert len(statements) == 2
    assert [t.display_name for t in menu.therapists] == ["Ann", "Bob"]


def test_a_page_without_any_picture_shows_initials_names_and_bios(client):
    ann = factories.therapist("Ann Lee")
    ann.bio = "Ten years of sports massage.\nLoves a tennis ball."
    db.session.commit()
    placed("Deep tissue", "Massage", therapists=[ann])
    page = client.get("/").get_data(as_text=True)
    assert "<img" not in page.split("<main", 1)[1]
    assert '<span class="person-initials" aria-hidden="true">AL</span>' in page
    assert "Ten years of sports massage.<br>\nLoves a tennis ball." in page
    assert f'<a href="#therapist-{ann.id}">Ann Lee</a>' in page
    assert f'id="therapist-{ann.id}"' in page and "Who you can see" in page


def test_an_inactive_therapist_is_not_offered_to_clients(client):
    ann, bob = factories.therapist("Ann Lee"), factories.therapist("Bob Roe")
    bob.active, bob.bio = False, "Away this year."
    db.session.commit()
    placed("Deep tissue", therapists=[ann, bob])
    page = client.get("/").get_data(as_text=True)
    assert "Bob Roe" not in page and "Away this year." not in page
    assert "Ann Lee" in page


def test_a_service_nobody_gives_yet_is_listed_and_nobody_is_introduced(client):
    placed("Hot stones")
    page = client.get("/").get_data(as_text=True)
    assert "Hot stones" in page and "No therapist yet" in page
    assert "Who you can see" not in page


def test_staff_set_the_category_and_position(staff):
    placed("Swedish", "Relaxation")
    reply = staff.post("/staff/services/new", data=form(category="  relaxation ", position="7"))
    assert reply.status_code == 302
    hot = saved()[-1]
    assert (hot.category, hot.position) == ("Relaxation", 7)  # joins the category in use
    page = staff.get(f"/staff/services/{hot.id}").get_data(as_text=True)
    assert '<datalist id="categories"><option value="Relaxation"></datalist>' in page
    assert 'list="categories"' in page and 'value="7"' in page


def test_the_only_service_in_a_category_may_change_its_spelling(staff):
    svc = placed("Swedish", "relaxation")
    data = form(name="Swedish", category="Relaxation")
    assert staff.post(f"/staff/services/{svc.id}", data=data).status_code == 302
    assert saved()[0].category == "Relaxation"


def test_a_form_without_a_position_keeps_the_services_place(staff):
    svc = placed("Swedish", "Relaxation", 4)
    data = form(name="Swedish", category="Relaxation", position=None)
    assert staff.post(f"/staff/services/{svc.id}", data=data).status_code == 302
    assert saved()[0].position == 4


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"position": "-1"}, "Use a whole number from 0 to 999."),
        ({"position": "1000"}, "Use a whole number from 0 to 999."),
        ({"position": "two"}, "Not a valid integer value."),
        ({"position": "٣"}, "Not a valid integer value."),
        ({"category": "x" * 81}, "Field cannot be longer than 80 characters."),
        ({"category": "Calm\nBcc: x"}, "Use a single line without control characters."),
    ],
)
def test_a_bad_category_or_position_is_refused_with_a_reason(staff, changes, message):
    reply = staff.post("/staff/services/new", data=form(**changes))
    assert reply.status_code == 200
    assert message in reply.get_data(as_text=True)
    assert saved() == []
