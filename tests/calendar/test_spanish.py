"""The calendar in Spanish: the day and week pages, their markers and the subscription page and
feed, for staff, therapists and clients whose language is Spanish."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask_babel import force_locale
from icalendar import Calendar

from spa_app.accounts.models import Role
from spa_app.extensions import db
from spa_app.i18n import when
from spa_app.scheduling.models import Closure, TimeOff
from tests import factories
from tests.factories import at

ES = {"Accept-Language": "es"}


@pytest.fixture
def spa(app):
    """Anna and Ben, a flagged regular with Anna at 10:00 on a Wednesday next week."""
    svc, (anna, ben), (room, _) = factories.spa(therapists=2, rooms=2)
    day = factories.next_weekday(2)
    rae = factories.user(name="Regular Rae")
    visit = factories.booking(rae, anna, room, svc, at(day, "10:00"))
    factories.intake(rae.id, conditions=["varicose_veins"])
    return svc, anna, ben, day, visit


def spanish(role: Role, **values):
    user = factories.user(role, **values)
    user.locale = "es"
    db.session.commit()
    return user


def spanish_date(app, day, fmt: str) -> str:
    with app.test_request_context(), force_locale("es"):
        return when(day, fmt)


def test_the_staff_day_is_in_spanish(app, client, spa):
    svc, anna, _, day, _ = spa
    factories.login(client, spanish(Role.STAFF))
    page = client.get(f"/staff/calendar?date={day}").get_data(as_text=True)
    heading = spanish_date(app, day, "%A %d %B %Y")
    assert heading.startswith("miércoles, ") and " de " in heading
    assert f"<h1>{heading}</h1>" in page
    assert f"<title>Calendario, {spanish_date(app, day, '%a %d %b %Y')}" in page
    for words in ("Día anterior", ">Hoy<", "Día siguiente", ">Ir a<", ">Mostrar<",
                  "Columnas:", "<strong>terapeutas</strong>", ">salas<", "Añadir un cierre",
                  "contraindicación marcada", "aún sin cuestionario de salud",
                  "Abre una cita para verla entera.", 'aria-label="Cuadrícula del calendario"',
                  f'aria-label="Semana de {anna.display_name}"', ">ausencia<",
                  f'aria-label="Añadir una ausencia de {anna.display_name}"',
                  f'aria-label="Reservar: {anna.display_name}, 09:00"',
                  "1 cita en forma de lista, con las marcas en palabras"):  # fmt: skip
        assert words in page, words
    # The card says the status and the markers in Spanish; the names are as they were typed.
    assert f"{svc.name} · reservada" in page
    tip = page[page.index('role="tooltip"') :]
    assert "<strong>Regular Rae</strong>" in tip and "<span>Contraindicación marcada</span>" in tip
    assert "Previous day" not in page and "· booked" not in page


def test_a_closed_day_and_no_columns_say_so_in_spanish(app, client, spa):
    *_, day, _ = spa
    db.session.add(Closure(day=day, reason="Formación"))
    db.session.commit()
    factories.login(client, spanish(Role.STAFF))
    page = client.get(f"/staff/calendar?date={day}", headers=ES).get_data(as_text=True)
    assert "El spa está cerrado este día: Formación." in page
    bare = factories.next_weekday(2, weeks_ahead=2)
    factories.fresh()
    db.session.add(Closure(day=bare, reason=""))
    db.session.commit()
    page = client.get(f"/staff/calendar?date={bare}").get_data(as_text=True)
    assert "El spa está cerrado este día." in page


def test_a_therapists_week_is_in_spanish(app, client, spa):
    _, anna, _, day, _ = spa
    db.session.add(TimeOff(therapist_id=anna.id, starts_at=at(day, "14:00"),
                           ends_at=at(day, "15:00"), reason=None))  # fmt: skip
    db.session.add(Closure(day=day + timedelta(days=1), reason="Inventario"))
    anna.user.locale = "es"
    db.session.commit()
    factories.login(client, anna.user)
    page = client.get(f"/schedule/week?date={day}").get_data(as_text=True)
    monday = day - timedelta(days=day.weekday())
    assert f"{anna.display_name}: semana del {spanish_date(app, monday, '%d %B %Y')}" in page
    for words in (
        "Semana anterior",
        "Esta semana",
        "Semana siguiente",
        "Vista de día",
        spanish_date(app, day, "%a %d %b"),
        "Cerrado: Inventario",
        ">Ausencia<",
    ):
        assert words in page, words
    # The therapist's own day, in Spanish too.
    page = client.get(f"/schedule/day?date={day}").get_data(as_text=True)
    assert ">Mi semana<" in page and "Día anterior" in page


def test_the_calendar_link_page_and_notice_are_in_spanish(client, spa):
    *_, visit = spa
    factories.login(client, visit.client)
    page = client.get("/account/calendar-feed", headers=ES).get_data(as_text=True)
    assert "<h1>Tu enlace de calendario</h1>" in page and "tus citas aparecerán" in page
    assert "Ahora mismo no tienes enlace de calendario." in page and ">Crear mi enlace<" in page
    reply = client.post("/account/calendar-feed", data={"action": "new"}, headers=ES)
    page = client.get(reply.location, headers=ES).get_data(as_text=True)
    assert "Aquí tienes tu nuevo enlace de calendario" in page
    assert ">Tu enlace<" in page and ">Crear un enlace nuevo<" in page
    assert ">Desactivar el enlace<" in page
    reply = client.post("/account/calendar-feed", data={"action": "off"}, headers=ES)
    page = client.get(reply.location, headers=ES).get_data(as_text=True)
    assert "Tu enlace de calendario está desactivado." in page


def test_the_feed_is_named_in_its_owners_language(client, spa):
    svc, anna, _, _, visit = spa
    factories.settings(business_name="Lime Tree Spa")
    rae = visit.client
    rae.locale = "es"
    db.session.commit()
    factories.login(client, rae)
    client.post("/account/calendar-feed", data={"action": "new"})
    page = client.get("/account/calendar-feed").get_data(as_text=True)
    start = page.index("http://localhost/feeds/")
    path = page[start : page.index('"', start)].removeprefix("http://localhost")
    client.post("/logout")
    # The phone's calendar app fetches it, in whatever language it has: the owner's words.
    feed = Calendar.from_ical(client.get(path, headers={"Accept-Language": "en"}).data)
    assert str(feed["x-wr-calname"]) == "Lime Tree Spa: mis citas"
    (event,) = feed.walk("VEVENT")
    assert str(event["summary"]) == f"{svc.name} en Lime Tree Spa"


def test_english_is_as_before(client, spa):
    *_, day, _ = spa
    factories.login(client, factories.user(Role.STAFF))
    page = client.get(f"/staff/calendar?date={day}").get_data(as_text=True)
    assert f"<h1>{day.strftime('%A %d %B %Y')}</h1>" in page
    assert "Previous day" in page and "contraindication ticked" in page and "· booked" in page


def test_each_language_says_its_own_card_words_one_after_the_other(app, spa):
    """The cards' marker and status words are translated once per language: an English desk,
    then a Spanish one, then the English one again, each read their own."""
    day = spa[3]
    english, spanish_desk = factories.user(Role.STAFF), spanish(Role.STAFF)
    pages = []
    for who in (english, spanish_desk, english):
        with app.test_client() as client:
            factories.login(client, who)
            pages.append(client.get(f"/staff/calendar?date={day}").get_data(as_text=True))
    for page, words in zip(pages, ("Contraindication ticked", "Contraindicación marcada",
                                   "Contraindication ticked"), strict=True):  # fmt: skip
        assert f"<span>{words}</span>" in page
    assert "Status: booked" in pages[0] and "Status: booked" in pages[2]
    assert "Estado: reservada" in pages[1] and "Contraindication" not in pages[1]
