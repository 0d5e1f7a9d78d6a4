"""The schedule's staff pages in Spanish: the settings, working hours, time off and closures, the
visits a closure falls on, their refusals and flashes, dates in Spanish words and order, and the
'needs a new time' e-mail's subject in the client's language. English is what the other tests
check."""

from __future__ import annotations

import email
import html
from datetime import UTC, date, datetime, timedelta
from email import policy

import pytest
from flask_babel import force_locale

from spa_app.accounts.models import Role, User
from spa_app.database import unit_of_work
from spa_app.extensions import db
from spa_app.i18n import when
from spa_app.notifications import delivery, tasks
from spa_app.scheduling.models import Closure
from tests import factories
from tests.factories import at

ES = {"Accept-Language": "es-ES,es;q=0.9"}


def text(reply) -> str:
    return html.unescape(reply.get_data(as_text=True))


def speaks_spanish(user: User) -> User:
    with unit_of_work():
        db.session.get(User, user.id).locale = "es"
    return user


@pytest.fixture
def staff(client):
    factories.login(client, speaks_spanish(factories.user(Role.STAFF)))
    return client


def settings_form(**changes) -> dict:
    data = {"timezone": "Europe/Madrid", "slot_step_min": "15", "min_notice_min": "120",
            "horizon_days": "90", "cancel_window_hours": "24"}  # fmt: skip
    return data | changes


def test_the_settings_page_in_spanish(staff):
    page = text(staff.get("/staff/settings"))
    assert "<title>Ajustes del negocio" in page and "<h1>Ajustes del negocio</h1>" in page
    for words in ("Zona horaria", "Intervalo entre horas", '<option selected value="15">15 minutos',
                  "Antelación mínima (minutos)", "Plazo de cancelación (horas)",
                  ">Guardar los ajustes</button>", "Volver a la gestión del spa",
                  '<a href="/staff/details">Los datos del spa</a>'):  # fmt: skip
        assert words in page, words
    assert "Time zone" not in page


def test_settings_refused_and_saved_in_spanish(staff):
    page = text(staff.post("/staff/settings", data=settings_form(timezone="Mars/Olympus")))
    assert "Zona horaria desconocida; usa un nombre IANA como Europe/Madrid" in page
    page = text(staff.post("/staff/settings", data=settings_form(horizon_days="400")))
    assert "Usa de 1 a 365 días." in page
    page = text(staff.post("/staff/settings", data=settings_form(min_notice_min="-1")))
    assert "Usa de 0 a 10080 min." in page
    saved = staff.post("/staff/settings", data=settings_form(), follow_redirects=True)
    assert "Ajustes guardados." in text(saved)


def test_working_hours_in_spanish(staff):
    ana = factories.therapist("Ana Ruiz")
    page = text(staff.get(f"/staff/therapists/{ana.id}/hours"))
    assert "<h1>Horario de trabajo de Ana Ruiz</h1>" in page
    assert (
        "Hora local del spa (Europe/London)." in page
        and "<kbd>09:00-13:00, 14:00-18:00</kbd>" in page
    )
    for day in ("Lunes", "Martes", "Miércoles", "Jueves", "Viernes", "Sábado", "Domingo"):
        assert f">{day}</label>" in page, day
    week = dict.fromkeys(("monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
                          "sunday"), "")  # fmt: skip
    bad = week | {"monday": "9-13", "tuesday": "10:00-12:00, 11:00-13:00"}
    refused = text(staff.post(f"/staff/therapists/{ana.id}/hours", data=bad))
    assert "«9-13» no es un tramo escrito como 09:00-13:00." in refused
    assert "10:00-12:00 y 11:00-13:00 se solapan." in refused
    saved = staff.post(f"/staff/therapists/{ana.id}/hours", data=week | {"monday": "09:00-13:00"},
                       follow_redirects=True)  # fmt: skip
    assert "Se ha guardado el horario de trabajo de Ana Ruiz." in text(saved)


def test_time_off_in_spanish(staff):
    ana = factories.therapist("Ana Ruiz")
    url = f"/staff/therapists/{ana.id}/time-off"
    page = text(staff.get(url))
    assert "<h1>Ausencias de Ana Ruiz</h1>" in page and "No hay ausencias previstas." in page
    assert "Desde (fecha)" in page and ">Añadir ausencia</button>" in page
    day = factories.next_weekday(0, weeks_ahead=3)
    dates = {"start_date": day.isoformat(), "end_date": day.isoformat()}
    refused = text(staff.post(url, data=dates | {"start_time": "12:00", "end_time": "10:00"}))
    assert "El final tiene que ser posterior al inicio." in refused
    times = {"start_time": "10:00", "end_time": "12:00"}
    added = text(staff.post(url, data=dates | times, follow_redirects=True))
    assert "Ausencia añadida." in added
    with force_locale("es"):
        shown = when(at(day, "10:00").astimezone(factories.LONDON), "%a %d %b %Y, %H:%M")
    assert f'<th scope="row">{shown}</th>' in added
    assert shown.startswith("lun") and ", 10:00" in shown


def test_a_closure_in_spanish_with_its_date_in_spanish_words(staff):
    day = date(2030, 1, 7)  # a Monday
    page = text(staff.post("/staff/closures", data={"day": day.isoformat()}, follow_redirects=True))
    assert "Cerrado el lunes, 7 de enero de 2030." in page
    assert "<h1>Cierres</h1>" in page and ">lunes, 7 de enero de 2030</th>" in page
    assert 'aria-label="Eliminar el cierre del 7 de enero de 2030">Eliminar</button>' in page
    again = text(staff.post("/staff/closures", data={"day": day.isoformat()}))
    assert "El spa ya está cerrado ese día." in again
    past = text(staff.post("/staff/closures", data={"day": "2020-01-06"}))
    assert "Ese día ya ha pasado." in past


def test_the_visits_a_closure_falls_on_in_spanish(staff):
    svc, (ann,), (room,) = factories.spa()
    day = factories.next_weekday(2, weeks_ahead=2)
    factories.booking(factories.user(name="Alicia Cliente"), ann, room, svc, at(day, "10:00"))
    landed = staff.post("/staff/closures", data={"day": day.isoformat()}, follow_redirects=True)
    page = text(landed)
    with force_locale("es"):
        long_day = when(day, "%A %d %B %Y")
        short_day = when(day, "%d %B")
    assert "Hay 1 cita reservada en ese tiempo: avisa al cliente o cambia la cita de hora." in page
    assert "<h1>Citas que necesitan otra hora</h1>" in page
    assert f"Citas del {long_day}, día en que el spa está cerrado." in page
    assert ">Avisar al cliente</button>" in page and ">Cambiar de hora</a>" in page
    assert "Sin avisar todavía" in page and ">Avisar al cliente aún sin avisar</button>" in page
    listing = text(staff.get("/staff/closures"))
    assert f'1 cita necesita otra hora<span class="skip"> el {short_day}</span>' in listing
    told = text(staff.post(landed.request.path, data={"visit": "all"}, follow_redirects=True))
    assert "Correo en cola para el cliente: desde él puede elegir otra hora." in told
    assert "Correo en cola" in told and "Ya se ha avisado a todos los clientes" in told
    nobody = text(staff.post(landed.request.path, data={"visit": "abc"}, follow_redirects=True))
    assert "Esa no es una cita de esta lista. No se ha avisado a nadie." in nobody


def test_the_new_time_e_mail_subject_is_in_the_clients_language(app, client, smtp):
    svc, (ann,), (room,) = factories.spa()
    day = factories.next_weekday(2, weeks_ahead=2)
    alicia = speaks_spanish(factories.user(name="Alicia Cliente"))
    factories.booking(alicia, ann, room, svc, at(day, "10:00"))
    factories.login(client, factories.user(Role.STAFF))  # staff in English: the client's words
    client.post("/staff/closures", data={"day": day.isoformat()})
    factories.fresh()
    closure = db.session.execute(db.select(Closure.id).where(Closure.day == day)).scalar_one()
    client.post(f"/staff/closures/{closure}/visits", data={"visit": "all"})
    app.config["MAIL_PORT"] = smtp.port
    factories.fresh()
    with unit_of_work():
        leased = delivery.dispatch_due(datetime.now(UTC) + timedelta(seconds=1))
    assert [tasks.send_message(m, token.isoformat()) for m, token in leased] == ["sent"]
    (envelope,) = smtp.received
    sent = email.message_from_bytes(envelope.content, policy=policy.default)
    with force_locale("es"):
        starts = when(at(day, "10:00").astimezone(factories.LONDON), "%a %d %b, %H:%M")
    assert sent["Subject"] == f"Elige otra hora, por favor: {svc.name} el {starts}"
    assert starts.startswith("mié")
