"""The waitlist in Spanish: the join form, its refusals and notices, the staff list, and the
e-mails of a freed time and of the next visit's nudges, in the reader's language."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask_babel import force_locale

from spa_app.accounts.models import Role
from spa_app.booking import service as booking_service
from spa_app.booking.models import Booking, BookingStatus
from spa_app.business import business
from spa_app.database import unit_of_work
from spa_app.extensions import db
from spa_app.i18n import when
from spa_app.notifications import emails
from spa_app.notifications import service as notifications
from spa_app.notifications.delivery import MailSettings
from spa_app.notifications.models import Message, MessageKind
from tests import factories
from tests.factories import LONDON, at, signed_in
from tests.waitlist.helpers import entries, join

ES = {"Accept-Language": "es"}


@pytest.fixture
def spa(app):
    """Anna and Ben offer a 60-minute massage; a visit with Anna at 10:00 on a day next week."""
    svc, (anna, ben), (room, _) = factories.spa(therapists=2, rooms=2)
    day = factories.next_weekday(2)
    visit = factories.booking(factories.user(name="Leaving Client"), anna, room, svc,
                              at(day, "10:00"))  # fmt: skip
    return svc, anna, ben, day, visit


def spanish(role: Role = Role.CLIENT, **values):
    user = factories.user(role, **values)
    user.locale = "es"
    db.session.commit()
    return user


def in_spanish(app, value, fmt: str) -> str:
    with app.test_request_context(), force_locale("es"):
        return when(value, fmt)


def today():
    return datetime.now(UTC).astimezone(LONDON).date()


def test_the_join_form_is_in_spanish(client, spa):
    svc, *_ = spa
    factories.login(client, factories.user())
    page = client.get(f"/waitlist/join/{svc.id}", headers=ES).get_data(as_text=True)
    for words in (f"<title>Lista de espera: {svc.name}",
                  "<h1>Avísame cuando se libere una hora</h1>", f"{svc.name}, 60 minutos.",
                  "Quien la reserve primero se la queda.",
                  ">Momento del día<", ">Hasta<", "El primer día que podrías venir.",
                  "El último día que podrías venir (en la zona horaria del spa).",
                  "Mañana (antes de las 12:00)", "Tarde (de 12:00 a 17:00)",
                  "Noche (desde las 17:00)", "Apuntarme a la lista de espera",
                  "Ver las horas libres"):  # fmt: skip
        assert words in page, words
    assert "Join the waitlist" not in page and "Morning" not in page


@pytest.mark.parametrize(
    ("first", "last", "message"),
    [
        (-1, 3, "El primer día ya ha pasado; empieza hoy o más adelante."),
        (5, 4, "El último día no puede ser anterior al primero."),
        (1, 91, "Aceptamos reservas con hasta 90 días de antelación."),
        (1, None, "Indica el último día."),
    ],
)
def test_refusals_are_in_spanish(client, spa, first, last, message):
    svc, *_ = spa
    factories.login(client, spanish())
    last_day = str(today() + timedelta(days=last)) if last is not None else ""
    data = {"therapist": "any", "first_day": str(today() + timedelta(days=first)),
            "last_day": last_day}  # fmt: skip
    reply = client.post(f"/waitlist/join/{svc.id}", data=data)
    assert reply.status_code == 422 and message in reply.get_data(as_text=True)
    assert entries() == []


def test_joining_changing_and_leaving_say_so_in_spanish(app, spa):
    svc, anna, _, day, _ = spa
    me = spanish()
    browser = signed_in(app, me)
    reply = join(browser, svc, day, day + timedelta(days=2), anna.id)
    page = browser.get(reply.location).get_data(as_text=True)
    assert "Ya estás en la lista de espera: te escribiremos un correo" in page
    page = browser.get(f"/waitlist/join/{svc.id}").get_data(as_text=True)
    assert "Ya esperas este servicio desde el " in page and ">Cambiar mi solicitud<" in page
    reply = join(browser, svc, day, day + timedelta(days=3))
    page = browser.get(reply.location).get_data(as_text=True)
    assert "Tu solicitud en la lista de espera ha cambiado; conservas tu puesto." in page
    (entry,) = entries()
    reply = browser.post(f"/waitlist/{entry.id}/leave")
    assert "Has salido de la lista de espera." in browser.get(reply.location).get_data(as_text=True)


def test_bringing_a_visit_earlier_says_when_it_is_in_spanish(app, spa):
    svc, anna, _, day, visit = spa
    mine = factories.booking(spanish(), anna, visit.room, svc, at(day, "15:00"))
    page = signed_in(app, mine.client).get(f"/waitlist/join/{svc.id}?booking={mine.id}")
    text = page.get_data(as_text=True)
    starts = in_spanish(app, mine.starts_at.astimezone(LONDON), "%a %d %b %Y, %H:%M")
    assert f"Tienes cita el <strong>{starts}</strong>; solo te ofreceremos horas anteriores" in text


def test_the_staff_list_is_in_spanish(app, spa):
    svc, *_, day, _ = spa
    join(signed_in(app, factories.user(name="Wren")), svc, day, day + timedelta(days=2))
    desk = signed_in(app, spanish(Role.STAFF))
    page = desk.get("/staff/waitlist").get_data(as_text=True)
    first, last = (in_spanish(app, d, "%d %b") for d in (day, day + timedelta(days=2)))
    for words in ("<h1>Lista de espera</h1>", ">Se apuntó<", ">Cliente<", ">Servicio<",
                  ">Terapeuta<", ">Días<", ">Ofertas<", "<td>Cualquiera</td>",
                  f"del {first} al {last}"):  # fmt: skip
        assert words in page, words
    factories.fresh()
    for entry in entries():
        with unit_of_work():
            db.session.delete(db.session.merge(entry))
    assert "No hay nadie esperando." in desk.get("/staff/waitlist").get_data(as_text=True)


def rendered(app, message: Message):
    sender = MailSettings.from_config(app.config).sender
    email = emails.render(message, business(), sender)
    return (
        email["Subject"],
        email.get_body(("plain",)).get_content(),
        email.get_body(("html",)).get_content(),
    )


def test_the_offer_e_mail_is_in_the_clients_language(app, spa):
    svc, anna, _, day, visit = spa
    factories.settings(business_name="Lime Tree Spa")
    me = spanish(name="Wren")
    join(signed_in(app, me), svc, day, day)
    factories.fresh()
    with unit_of_work():
        booking_service.cancel(booking=db.session.get(Booking, visit.id),
                               actor=factories.user(Role.STAFF), now=datetime.now(UTC))  # fmt: skip
    factories.fresh()
    (message,) = db.session.scalars(
        db.select(Message).where(Message.kind == MessageKind.WAITLIST_OFFER)
    ).all()
    subject, text, html = rendered(app, message)
    starts = visit.starts_at.astimezone(LONDON)
    short = in_spanish(app, starts, "%a %d %b, %H:%M")
    assert subject == f"Se ha liberado una hora: {svc.name} el {short}"
    long = in_spanish(app, starts, "%A %d %B %Y, %H:%M")
    for body in (text, html):
        assert long in body and f"Con {anna.display_name}" in body
        assert "Nos pediste que te avisáramos cuando se liberara una hora" in body
        assert "sigues en la lista y te escribiremos cuando se libere otra hora." in body
    assert "Hola, Wren:" in text and "Para reservarla:" in text
    assert ">Reservar esta hora</a>" in html


def nudge_for(app, client_user, *, weeks: int) -> Message:
    """The nudge ``weeks`` after a visit with its client's therapist, completed and swept."""
    svc, (t,), (r,) = factories.spa()
    starts_at = datetime.now(UTC).replace(microsecond=0) - timedelta(weeks=weeks, days=1)
    b = factories.booking(client_user, t, r, svc, starts_at)
    with unit_of_work():
        booking = db.session.get(Booking, b.id)
        booking_service.mark(booking=booking, status=BookingStatus.COMPLETED,
                             actor=booking.therapist.user,
                             now=starts_at + timedelta(hours=1))  # fmt: skip
    with unit_of_work():
        notifications.schedule_nudges(datetime.now(UTC))
    factories.fresh()
    return db.session.scalars(db.select(Message).where(Message.user_id == client_user.id)).all()


def test_the_next_visit_nudges_are_in_the_clients_language(app):
    factories.settings(business_name="Lime Tree Spa")
    (opening,) = nudge_for(app, spanish(name="Rae"), weeks=4)
    subject, text, html = rendered(app, opening)
    assert subject == "Es hora de reservar tu próxima cita en Lime Tree Spa"
    therapist = opening.booking.therapist.display_name
    for body in (text, html):
        assert f"Han pasado 4 semanas desde tu {opening.booking.service.name}" in body
        assert "Te sugerimos una cita cada 4 a 6 semanas" in body
    assert f"reservar la siguiente con {therapist}:" in text and "Hola, Rae:" in text
    assert f">Reserva tu próxima cita con {therapist}</a>" in html
    assert "no hagas caso de este aviso" in text
    day = in_spanish(app, opening.visit_starts_at.astimezone(LONDON), "%A %d %B")
    assert f" el {day}." in text

    closing = [m for m in nudge_for(app, spanish(name="Sol"), weeks=6)
               if m.kind is MessageKind.REBOOK_WINDOW_CLOSING]  # fmt: skip
    subject, text, html = rendered(app, closing[0])
    assert subject == "6 semanas desde tu última cita en Lime Tree Spa"
    for body in (text, html):
        assert "Han pasado 6 semanas desde tu " in body
        assert "Es el último aviso que te enviamos sobre esa cita." in body
    assert "Si quieres mantenerlo, reserva tu próxima cita con " in text


def test_english_e_mails_are_as_before(app):
    factories.settings(business_name="Lime Tree Spa")
    (opening,) = nudge_for(app, factories.user(name="Rae"), weeks=4)
    subject, text, _ = rendered(app, opening)
    assert subject == "Time to book your next visit to Lime Tree Spa"
    assert text.startswith("Hello Rae,\n\nIt has been 4 weeks since your ")
    assert "\nWe suggest a visit every 4 to 6 weeks, so now is a good time to book" in text
