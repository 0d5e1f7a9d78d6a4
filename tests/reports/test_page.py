"""The Reports page and its downloads: staff only, the range asked for, bad input refused
with a clear message, the CSVs parse to the page's figures, and the page's statements do not
grow with the visits."""

from __future__ import annotations

import csv
import io

import pytest

from spa_app.accounts.models import Role, User
from spa_app.extensions import db
from tests import factories
from tests.reports.conftest import utc
from tests.sqlcount import count_statements

RANGE = "from=2027-03-01&to=2027-04-30"


@pytest.fixture
def desk(client, spa):
    factories.login(client, db.session.get(User, spa["staff"]))
    return client


def rows(reply) -> list[list[str]]:
    assert reply.status_code == 200 and reply.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(reply.get_data(as_text=True))))


def test_the_page_shows_the_figures(desk):
    page = desk.get(f"/staff/reports?{RANGE}").get_data(as_text=True)
    assert "No-shows: 17% of the 6 visits whose time came (1)." in page
    assert "Late cancellations: 13% of the 8 visits booked (1)." in page
    assert "£385.00 from completed visits" in page
    assert "20% of completed visits carry a published home-care plan (1 of 5)." in page
    # Revenue, the open hours booked (therapists, rooms), rebooking and the notes: with titles.
    assert page.count("<svg") == 5 and "<title" in page
    assert '<td data-label="Revenue">£225.00</td>' in page  # April, in the chart's table


def test_the_downloads_carry_the_same_numbers(desk):
    assert rows(desk.get(f"/staff/reports/revenue-by-month.csv?{RANGE}")) == [
        ["month", "completed visits", "revenue"], ["2027-03", "2", "160.00"],
        ["2027-04", "3", "225.00"],
    ]  # fmt: skip
    visits = {r[0]: r[1:] for r in rows(desk.get(f"/staff/reports/visits.csv?{RANGE}"))}
    assert visits["no-show"] == ["1", "6", "17"] and visits["cancelled late"] == ["1", "8", "13"]
    therapists = rows(desk.get(f"/staff/reports/revenue-by-therapist.csv?{RANGE}"))
    assert therapists[1:] == [["Anna", "3", "225.00"], ["Ben", "2", "160.00"]]
    care = rows(desk.get(f"/staff/reports/home-care.csv?{RANGE}"))
    assert care[-1] == ["all", "1", "5", "20"]
    reply = desk.get(f"/staff/reports/revenue-by-service.csv?{RANGE}")
    assert 'filename="revenue-by-service-2027-03-01-to-2027-04-30.csv"' in reply.headers[
        "Content-Disposition"]  # fmt: skip


def test_a_download_speaks_the_readers_language_its_numbers_stay_plain(desk):
    """Header and row names in Spanish for a Spanish reader; the amounts keep their point and
    no thousands mark, so a spreadsheet reads them as numbers."""
    spanish = {"Accept-Language": "es"}
    got = rows(desk.get(f"/staff/reports/revenue-by-month.csv?{RANGE}", headers=spanish))
    assert got[0] == ["mes", "citas completadas", "ingresos"] and got[1] == [
        "2027-03",
        "2",
        "160.00",
    ]
    visits = {
        r[0]: r[1:] for r in rows(desk.get(f"/staff/reports/visits.csv?{RANGE}", headers=spanish))
    }
    assert visits["cancelada tarde"] == ["1", "8", "13"]
    rebooking = rows(desk.get(f"/staff/reports/rebooking.csv?{RANGE}", headers=spanish))
    assert rebooking[0][0] == "citas completadas seguidas"
    assert [r[0] for r in rebooking[1:4]] == [
        "reservó de nuevo antes del plazo", "dentro del plazo", "después del plazo",
    ]  # fmt: skip


def test_a_name_a_spreadsheet_would_run_is_written_as_text(desk, spa):
    from spa_app.catalog.models import Therapist

    db.session.get(Therapist, spa["ben"]).display_name = "=HYPERLINK(1)"
    db.session.commit()
    got = rows(desk.get(f"/staff/reports/revenue-by-therapist.csv?{RANGE}"))
    assert ["'=HYPERLINK(1)", "2", "160.00"] in got


def test_one_therapist(desk, spa):
    page = desk.get(f"/staff/reports?{RANGE}&therapist={spa['ben']}").get_data(as_text=True)
    assert "No-shows: 33% of the 3 visits whose time came (1)." in page
    assert f'<option value="{spa["ben"]}" selected>Ben</option>' in page


@pytest.mark.parametrize(
    "query, message",
    [
        ("from=yesterday&to=2027-04-30", "Please give the dates as 2026-03-29"),
        ("from=2027-05-01&to=2027-04-30", "The range ends before it starts"),
        ("from=2022-01-01&to=2027-06-01", "Please ask for five years at most"),
        ("from=0001-01-01&to=2027-04-30", "Please give the dates as 2026-03-29"),
    ],
)
def test_bad_ranges_are_refused_clearly(desk, query, message):
    reply = desk.get(f"/staff/reports?{query}")
    assert reply.status_code == 422 and message in reply.get_data(as_text=True)
    csv_reply = desk.get(f"/staff/reports/visits.csv?{query}")
    assert csv_reply.status_code == 422 and message in csv_reply.get_data(as_text=True)


def test_an_unknown_download_is_not_found(desk):
    assert desk.get(f"/staff/reports/everything.csv?{RANGE}").status_code == 404


def test_only_staff_see_reports(client, spa):
    assert client.get("/staff/reports").status_code == 302  # to the login page
    factories.login(client, factories.user())
    assert client.get("/staff/reports").status_code == 404
    client.post("/logout")
    factories.login(client, factories.user(Role.THERAPIST))
    assert client.get(f"/staff/reports/visits.csv?{RANGE}").status_code == 404


def test_the_page_costs_the_same_whatever_the_visits(desk, spa):
    url = f"/staff/reports?{RANGE}"
    desk.get(url)
    with count_statements() as before:
        desk.get(url)
    svc, (t,), (r,) = factories.spa()
    for day in range(1, 20):
        factories.booking(factories.user(), t, r, svc,
                          factories.at(factories.date(2027, 4, day), "11:00"))  # fmt: skip
    desk.get(url)
    with count_statements() as after:
        desk.get(url)
    assert len(after) == len(before)


def test_the_rebooking_download(desk):
    """Cleo's 5 March visit was followed 27 local days on (before the window), her 1 April
    one 30 days on (inside); Dora's 10 April one by her no-show two days later (before). The
    last visits' windows are all still to come; the median gap is 27 days."""
    got = {r[0]: r[1:] for r in rows(desk.get(f"/staff/reports/rebooking.csv?{RANGE}"))}
    assert got["inside the window"] == ["1", "33"]
    assert got["booked again before the window"] == ["2", "67"]
    assert got["after the window"] == ["0", "0"]
    assert got["not back yet, the window still open"] == ["2", ""]
    page = desk.get(f"/staff/reports?{RANGE}").get_data(as_text=True)
    assert (
        "Coming back" in page
        and "Median time to the next visit: 3.9 weeks, against a median interval of 5 weeks" in page
    )


def test_the_notes_download_and_the_page(desk):
    got = rows(desk.get(f"/staff/reports/nudges.csv?{RANGE}"))
    assert got[0] == ["note", "sent", "followed by a booking within 7 days", "percent"]
    assert [r[0] for r in got[1:]] == ["When the next visit is due", "When that time runs out",
                                       "Some weeks after, with nothing booked",
                                       "The last note, later still"]  # fmt: skip
    assert all(r[1:] == ["0", "0", ""] for r in got[1:])  # none sent in the hand-built spa
    assert "The notes to book again" in desk.get(f"/staff/reports?{RANGE}").get_data(as_text=True)


def test_the_cohorts_download_and_table(desk):
    got = rows(desk.get(f"/staff/reports/retention.csv?{RANGE}"))
    assert got == [["first visits in", "clients", "2027-04"], ["2027-03", "2", "1"]]
    page = desk.get(f"/staff/reports?{RANGE}").get_data(as_text=True)
    assert (
        '<th scope="row">Mar 2027</th><td data-label="Clients">2</td>'
        '<td data-label="Apr 2027">1</td>' in page
    )


def test_the_open_hours_booked(desk):
    """Anna and Ben work Monday to Saturday, 9 to 18: 53 such days in March and April 2027,
    477 hours. Each held three hours of visits (Ben's no-show and the deleted client's visit
    among them; the cancelled ones not); the one room held all six."""
    got = rows(desk.get(f"/staff/reports/utilisation.csv?{RANGE}"))
    assert got[0] == ["of", "name", "open minutes", "booked minutes", "percent"]
    assert [r for r in got[1:] if r[0] == "therapist"] == [
        ["therapist", "Anna", "28620", "180", "1"], ["therapist", "Ben", "28620", "180", "1"],
    ]  # fmt: skip
    assert [r[2:] for r in got[1:] if r[0] == "room"] == [["28620", "360", "1"]]
    page = desk.get(f"/staff/reports?{RANGE}").get_data(as_text=True)
    assert (
        '<th scope="row">Anna</th>\n          <td data-label="Open hours">477.0</td><td '
        'data-label="Booked hours">3.0</td><td data-label="Share">1%</td>' in page
    )


def test_keeping_to_the_plan_week_by_week(desk, monkeypatch):
    """Cleo's plan (one routine every day, published on Friday 5 March) has had its eight
    weeks by 1 May, with nothing ticked; before it is published, no week has begun."""
    page = desk.get(f"/staff/reports?{RANGE}").get_data(as_text=True)
    assert "No plan published for these visits has begun its first week yet." in page
    monkeypatch.setattr("spa_app.reports.views.utcnow", lambda: utc("2027-05-01 12:00"))
    got = rows(desk.get(f"/staff/reports/home-care-weeks.csv?{RANGE}"))
    assert got[0] == ["week since publishing", "plans", "routines ticked",
                      "routines scheduled", "percent"]  # fmt: skip
    assert got[1:] == [[str(n), "1", "0", "7", "0"] for n in range(1, 9)]
    page = desk.get(f"/staff/reports?{RANGE}").get_data(as_text=True)
    assert page.count("<svg") == 6 and "Keeping to the plan, week by week" in page
    assert '<th scope="row">Week 8</th>' in page


def test_the_low_ratings_are_listed_with_a_link_to_the_client(desk, spa):
    from spa_app.booking.models import Booking
    from spa_app.database import unit_of_work
    from spa_app.feedback import service

    with unit_of_work():
        done = db.select(Booking).where(Booking.status == "completed").order_by(Booking.starts_at)
        first = db.session.scalars(done.offset(1).limit(2)).all()
        service.give(first[0], 1, "The room was <cold>", utc("2027-05-01 10:00"))
        service.give(first[1], 4, "", utc("2027-05-01 10:00"))
        client_id = first[0].client_id
    page = desk.get(f"/staff/reports?{RANGE}").get_data(as_text=True)
    assert "The low ratings" in page
    assert f'href="/clients/{client_id}#feedback">Cleo</a>' in page
    assert "Swedish with Anna on 05 Mar 2027: “The room was &lt;cold&gt;”" in page
    assert "The latest" not in page  # all of them are listed


def test_the_low_ratings_listed_are_the_latest_when_there_are_many(desk, spa, monkeypatch):
    from spa_app.booking.models import Booking
    from spa_app.database import unit_of_work
    from spa_app.feedback import service
    from spa_app.reports import queries

    monkeypatch.setattr(queries, "LOW_LISTED", 1)
    with unit_of_work():
        done = db.select(Booking).where(Booking.status == "completed").order_by(Booking.starts_at)
        first, second = db.session.scalars(done.offset(1).limit(2)).all()
        service.give(first, 1, "Too cold", utc("2027-05-01 10:00"))
        service.give(second, 2, "Too short", utc("2027-05-01 10:00"))
    page = desk.get(f"/staff/reports?{RANGE}").get_data(as_text=True)
    assert "2 rated 2 or less" in page and "The latest 1 of them:" in page
    assert "Too short" in page and "Too cold" not in page  # the later visit's


def test_the_figures_in_spanish_read_the_spanish_way(desk):
    page = desk.get(f"/staff/reports?{RANGE}", headers={"Accept-Language": "es"})
    text = page.get_data(as_text=True)
    assert "Mediana hasta la siguiente cita: 3,9 semanas" in text  # a decimal comma
    assert "intervalo mediano de 5 semanas" in text
    assert '<td data-label="Horas disponibles">477,0</td>' in text
    assert '<th scope="col">Seguida de</th>' in text
