"""The visit e-mails in the client's language, through the real local mail server: a client whose
account speaks Spanish gets the confirmation, the move and cancellation notices, the reminder and
the needs-a-new-time notice in Spanish (subject, text, HTML, the dates, the calendar event); a
client with no language set gets them in English, as before."""

from __future__ import annotations

import email
from datetime import UTC, datetime, timedelta
from email import policy

import pytest
from flask_babel import force_locale
from icalendar import Calendar

from spa_app.accounts.models import Role
from spa_app.booking import service
from spa_app.booking.models import Booking
from spa_app.database import unit_of_work
from spa_app.extensions import db
from spa_app.i18n import when
from spa_app.notifications import service as notifications
from spa_app.notifications.delivery import Outcome
from tests import factories
from tests.factories import LONDON, at
from tests.notifications.conftest import deliver_all, mail_settings

DAY = timedelta(hours=24)
SPA = {
    "business_name": "Lime Tree Spa",
    "phone": "020 7946 0000",
    "address": "1 Lime Street\nLondon",
    "map_url": "https://maps.example/lime",
    "opening_hours": "Mon-Sat 9-18",
}
#: English a Spanish e-mail must not carry (it would be a string left unmarked).
ENGLISH = ("Hello", "Phone", "Opening hours", "Cancelling", "visit", "calendar file",
           "front desk", "Their note", "See you soon", "Book another", "Add to",
           "Turn them off")  # fmt: skip


def visit(app, locale: str | None):
    """A visit booked online by Dana (her account in ``locale``) with Anna, a week on at 10:00."""
    factories.settings(**SPA)
    svc, (anna,), _ = factories.spa()
    dana = factories.user(name="Dana Doe")
    dana.locale = locale
    db.session.commit()
    with unit_of_work():
        booking = service.book(
            client=dana,
            choice=service.Choice(svc.id, at(factories.next_weekday(0), "10:00"), anna.id),
            actor=dana,
            now=datetime.now(UTC),
        )
    return booking


def changed_by_the_front_desk(booking: Booking) -> None:
    """The front desk moves the visit two hours later, then cancels it with a note to Dana."""
    staff = factories.user(Role.STAFF)
    factories.fresh()
    with unit_of_work():
        service.move(
            booking=db.session.get(Booking, booking.id),
            choice=service.Choice(booking.service_id, booking.starts_at + timedelta(hours=2)),
            actor=staff,
            now=datetime.now(UTC),
        )
    factories.fresh()
    with unit_of_work():
        service.cancel(
            booking=db.session.get(Booking, booking.id),
            actor=staff,
            now=datetime.now(UTC),
            reason="Therapist ill",
            note_to_client="Anna is unwell, sorry",
        )


def received(app, smtp, now=None) -> list:
    """Send what is due through the test's mail server; every e-mail it has got so far."""
    outcomes = deliver_all(now or datetime.now(UTC), mail_settings(app, smtp.port))
    assert set(outcomes.values()) <= {Outcome.SENT}
    return [email.message_from_bytes(e.content, policy=policy.default) for e in smtp.received]


def parts(mail) -> tuple[str, str, str]:
    """The subject, text and HTML, with the lines as the templates write them (no CRLF)."""
    return (mail["Subject"], *(mail.get_body((kind,)).get_content().replace("\r\n", "\n")
                               for kind in ("plain", "html")))  # fmt: skip


def event(mail):
    (part,) = [p for p in mail.iter_attachments() if p.get_content_type() == "text/calendar"]
    return Calendar.from_ical(part.get_content()).walk("VEVENT")[0]


def spanish(app, value: datetime, fmt: str) -> str:
    with app.test_request_context(), force_locale("es"):
        return when(value.astimezone(LONDON), fmt)


def no_english(*bodies: str) -> None:
    for body in bodies:
        for words in ENGLISH:
            assert words not in body, words


def test_the_confirmation_is_in_spanish(app, smtp):
    booking = visit(app, "es")
    (mail,) = received(app, smtp)
    subject, text, html = parts(mail)
    short = spanish(app, booking.starts_at, "%a %d %b, %H:%M")
    assert subject == f"Cita reservada: {booking.service.name} el {short}"
    assert short.startswith("lun")  # the day's name in Spanish
    long = spanish(app, booking.starts_at, "%A %d %B %Y, %H:%M")
    assert long.startswith("lunes, ") and " de " in long
    therapist = booking.therapist.display_name
    for body in (text, html):
        assert f"{long} a 11:00" in body
        assert f"Con {therapist}, {booking.room.name}" in body
        assert "Tu cita en Lime Tree Spa está reservada" in body
        assert "El archivo de calendario adjunto la añade a tu calendario." in body
        assert "Cancelaciones: Puedes cancelar o cambiar una cita en línea" in body
        assert "Horario:" in body and "Mon-Sat 9-18" in body
    no_english(text, html)
    assert text.startswith("Hola, Dana Doe:\n\nTu cita en Lime Tree Spa está reservada:\n")
    assert (
        "Para verla, cambiarla de hora o cancelarla (sin iniciar sesión, hasta la cita): http"
        in text
    )
    assert "Añadir a Google Calendar: http" in text and "¡Hasta pronto!" in text
    assert "Teléfono: 020 7946 0000" in text and "Mapa: https://maps.example/lime" in text
    assert '<html lang="es">' in html and "<p>Hola, Dana Doe:</p>" in html
    assert "¿Usas un calendario web?" in html and ">Añádela a Google Calendar</a>" in html
    assert ">Ver, cambiar de hora o cancelar tu cita</a>" in html
    assert "Teléfono: <a href=" in html and ">Ver en el mapa</a>" in html
    assert str(event(mail)["summary"]) == f"{booking.service.name} en Lime Tree Spa"


def test_the_front_desk_move_and_cancellation_are_in_spanish(app, smtp):
    booking = visit(app, "es")
    later = booking.starts_at + timedelta(hours=2)
    changed_by_the_front_desk(booking)
    _, moved, cancelled = received(app, smtp)
    name = booking.service.name
    subject, text, html = parts(moved)
    assert subject == f"Cita cambiada: {name} ahora es el {spanish(app, later, '%a %d %b, %H:%M')}"
    for body in (text, html):
        assert f"{spanish(app, later, '%A %d %B %Y, %H:%M')} a 13:00" in body
        assert "Este cambio lo ha hecho nuestra recepción." in body
    no_english(text, html)
    assert "Tu cita en Lime Tree Spa ha cambiado de hora. Ahora es:" in text
    assert "¿La añadiste a mano a un calendario web? Borra allí la hora antigua" in text
    assert ">añade la nueva a Google Calendar</a>" in html

    subject, text, html = parts(cancelled)
    assert subject == f"Cita cancelada: {name} el {spanish(app, later, '%a %d %b, %H:%M')}"
    for body in (text, html):
        assert "Esta cita en Lime Tree Spa está cancelada" in body
        assert "Su nota: Anna is unwell, sorry" in body  # the desk's own words stay as typed
    no_english(text, html)
    assert f"Para reservar otra hora, mira las horas libres de {name}: http" in text
    assert "La cita cancelada: http" in text
    assert f">Reservar otra hora de {name}</a>" in html and ">Ver la cita cancelada</a>" in html
    assert "Therapist ill" not in cancelled.as_string()  # the reason stays inside the spa


def test_the_reminder_is_in_spanish(app, smtp):
    booking = visit(app, "es")
    due = booking.starts_at - DAY
    with unit_of_work():
        assert notifications.schedule_reminders(due, DAY) == 1
    _, reminder = received(app, smtp, due)
    subject, text, html = parts(reminder)
    short = spanish(app, booking.starts_at, "%a %d %b, %H:%M")
    assert subject == f"Recordatorio: {booking.service.name} el {short}"
    no_english(text, html)
    assert "Te recordamos tu cita en Lime Tree Spa:" in text
    assert "Si no puedes venir, avísanos, por favor: http" in text
    assert "¿Prefieres no recibir estos correos? Desactívalos aquí: http" in text
    assert ">¿No puedes venir? Avísanos</a>" in html and ">Desactívalos</a>." in html
    assert not list(reminder.iter_attachments())  # a reminder changes nothing


def test_the_needs_a_new_time_notice_is_in_spanish(app, smtp, client):
    booking = visit(app, "es")
    factories.login(client, factories.user(Role.STAFF))
    day = booking.starts_at.astimezone(LONDON).date()
    client.post("/staff/closures", data={"day": day.isoformat(), "reason": "Works"})
    factories.fresh()
    from spa_app.scheduling.models import Closure

    closure = db.session.execute(db.select(Closure).where(Closure.day == day)).scalar_one()
    client.post(f"/staff/closures/{closure.id}/visits",
                data={"visit": str(booking.id), "note": "Perdona las molestias."})  # fmt: skip
    _, notice = received(app, smtp)
    subject, text, html = parts(notice)
    short = spanish(app, booking.starts_at, "%a %d %b, %H:%M")
    assert subject == f"Elige otra hora, por favor: {booking.service.name} el {short}"
    for body in (text, html):
        assert "Lo sentimos: Lime Tree Spa está cerrado a la hora de tu cita" in body
        assert "Una nota nuestra: Perdona las molestias." in body
        assert "tu cita sigue reservada hasta que lo hagas" in body
    no_english(text, html)
    assert "Si ninguna hora te viene bien, ponte en contacto con nosotros" in text
    assert ">Elegir otra hora</a>" in html


@pytest.mark.parametrize("locale", [None, "en"])
def test_without_spanish_the_e_mails_are_in_english_as_before(app, smtp, locale):
    booking = visit(app, locale)
    starts = booking.starts_at.astimezone(LONDON)
    later = starts + timedelta(hours=2)
    changed_by_the_front_desk(booking)
    confirmed, moved, cancelled = received(app, smtp)
    name = booking.service.name
    assert confirmed["Subject"] == f"Booked: {name} on {starts:%a %d %b}, 10:00"
    assert moved["Subject"] == f"Moved: {name} is now on {later:%a %d %b}, 12:00"
    assert cancelled["Subject"] == f"Cancelled: {name} on {later:%a %d %b}, 12:00"
    _, text, html = parts(confirmed)
    assert text.startswith("Hello Dana Doe,\n\nYour visit at Lime Tree Spa is booked:\n\n")
    assert f"{starts:%A %d %B %Y}, 10:00 to 11:00\nWith " in text
    assert "\nSee you soon,\nLime Tree Spa\n" in text
    assert text.endswith("Phone: 020 7946 0000\nMap: https://maps.example/lime\n\n"
                         "Opening hours:\nMon-Sat 9-18\n\nCancelling: You can cancel or move a "
                         "visit online up to 24 hours before it starts, and within 10 minutes of "
                         "booking it whenever it is.\n")  # fmt: skip
    assert '<html lang="en">' in html and "<p>Hello Dana Doe,</p>" in html
    assert ">See, move or cancel your visit</a>" in html
    assert str(event(confirmed)["summary"]) == f"{name} at Lime Tree Spa"
    _, text, _ = parts(cancelled)
    assert "This change was made by our front desk.\nTheir note: Anna is unwell, sorry" in text
    assert f"To book another time, see the free times for {name}: " in text
