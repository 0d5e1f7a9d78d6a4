"""Booking in Spanish: the staff day and booking form, the therapist's schedule, the series, the
visit link's pages, the rebook list and the waitlist offer's words, and the booking service's
refusals (not free, the client's other visit, the change window naming the spa's phone), for
people whose language is Spanish; English stays as it was."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask_babel import force_locale

from spa_app.accounts.models import Role
from spa_app.booking import links, service
from spa_app.booking.models import Booking
from spa_app.database import unit_of_work
from spa_app.extensions import db
from spa_app.i18n import when
from spa_app.waitlist.service import PARTS_OF_DAY
from tests import factories
from tests.factories import LONDON, at

ES = {"Accept-Language": "es"}
SECRET = "test-secret"  # tests/conftest.base_config's
PHONE = "020 7946 0000"


@pytest.fixture
def spa(app):
    """Two therapists; a client's visit with Anna at 10:00 on a Wednesday next week."""
    svc, (anna, ben), _ = factories.spa(therapists=2, rooms=2)
    factories.settings(phone=PHONE)
    day = factories.next_weekday(2)
    visit = factories.booked_online(svc, anna, day, "10:00")
    return svc, anna, ben, day, visit


def spanish(role: Role = Role.CLIENT, **values):
    user = factories.user(role, **values)
    user.locale = "es"
    db.session.commit()
    return user


def in_spanish(app, fn):
    with app.test_request_context(), force_locale("es"):
        return fn()


def link(booking: Booking) -> str:
    return (
        f"/bookings/{booking.id}/manage/{links.manage_token(SECRET, booking.id, booking.client_id)}"
    )


def test_the_staff_day_and_its_table_are_in_spanish(app, client, spa):
    svc, anna, _, day, visit = spa
    factories.login(client, spanish(Role.STAFF))
    page = client.get(f"/staff/bookings/?date={day}").get_data(as_text=True)
    heading = in_spanish(app, lambda: when(day, "%A %d %B %Y"))
    assert heading.startswith("miércoles, ") and " de " in heading
    assert f"<h1>Reservas del {heading}</h1>" in page
    for words in ('aria-label="Elige un día"', ">Día<", ">Mostrar<", "Día anterior",
                  "Día siguiente", "Reservar para un cliente", ">Hora<", ">Cliente<",
                  ">Servicio<", ">Terapeuta<", ">Sala<", ">Estado<",
                  '<span class="status">reservada</span>'):  # fmt: skip
        assert words in page, words
    assert visit.client.name in page and svc.name in page  # people's words as typed
    assert "Bookings on" not in page and ">booked<" not in page
    empty = client.get(f"/staff/bookings/?date={day + timedelta(days=1)}").get_data(as_text=True)
    assert "No hay reservas este día." in empty
    bad = client.get("/staff/bookings/?date=yesterday").get_data(as_text=True)
    assert "Eso no es una fecha; se muestra hoy." in bad


def test_booking_for_a_client_in_spanish_labels_refusals_and_the_flash(client, spa):
    svc, anna, _, day, _ = spa
    factories.login(client, spanish(Role.STAFF))
    form = client.get("/staff/bookings/new").get_data(as_text=True)
    for words in ("<h1>Reservar para un cliente</h1>", "Correo del cliente",
                  "Nombre del cliente (si es nuevo)", "Teléfono del cliente (si es nuevo)",
                  "Hora de inicio", "Hora local del spa.", "<legend>Cita</legend>",
                  "Buscar un cliente por nombre, correo o teléfono",
                  f"{svc.name} ({svc.duration_min} min)",
                  "Cualquier terapeuta", ">Reservar</button>"):  # fmt: skip
        assert words in form, words
    data = {"client_email": "walkin@example.com", "client_name": "Walk In", "service": svc.id,
            "therapist": str(anna.id), "date": day.isoformat(), "time": "10:00",
            "request_key": "desk-key-1234567890"}  # fmt: skip
    taken = client.post("/staff/bookings/new", data=data)
    text = taken.get_data(as_text=True)
    assert taken.status_code == 409
    assert "Esa hora no está libre. Estas son las horas libres más cercanas." in text
    assert "Libres cerca:" in text and "libre" in text and "not free" not in text
    unknown = dict(data, client_email="nobody@example.com", client_name="", time="15:00")
    text = client.post("/staff/bookings/new", data=unknown).get_data(as_text=True)
    assert "Ningún cliente tiene este correo; escribe un nombre para añadirlo." in text
    booked = client.post("/staff/bookings/new", data=dict(data, time="15:00"),
                         follow_redirects=True).get_data(as_text=True)  # fmt: skip
    assert f"Reserva hecha para Walk In: {svc.name}." in booked
    found = client.get("/staff/bookings/new?find=zzz-nobody").get_data(as_text=True)
    assert "Ningún cliente coincide; rellena abajo los datos de un cliente nuevo." in found


def test_the_service_refusals_read_in_spanish_with_the_phone_and_a_spanish_date(app, spa):
    svc, anna, ben, day, visit = spa
    client = visit.client
    now = at(day, "08:00")  # inside the 24-hour window, the grace long past

    def refusal():
        return service.change_refusal(visit, client, now)

    assert in_spanish(app, refusal) == (
        "Los cambios en línea se cierran 24 horas antes de la cita. "
        f"Llámanos al {PHONE} y haremos lo posible por ayudarte."
    )
    factories.settings(phone="", cancel_window_hours=1)
    assert in_spanish(app, lambda: service.change_refusal(visit, client, at(day, "09:30"))) == (
        "Los cambios en línea se cierran 1 hora antes de la cita. "
        "Habla con recepción y haremos lo posible por ayudarte."
    )
    # English as before.
    with app.test_request_context(), force_locale("en"):
        assert service.change_refusal(visit, client, at(day, "09:30")).startswith(
            "Online changes close 1 hour before the visit."
        )

    def clash():
        factories.fresh()
        with pytest.raises(service.ClientBusy) as busy, unit_of_work():
            service.book(client=client, choice=service.Choice(svc.id, at(day, "10:30"), ben.id),
                         actor=client, now=at(day - timedelta(days=3), "09:00"))  # fmt: skip
        return str(busy.value), when(at(day, "10:00").astimezone(LONDON), "%A %-d %B")

    message, spanish_day = in_spanish(app, clash)
    assert spanish_day.startswith("miércoles, ") and " de " in spanish_day
    assert message == (
        f"Ya tienes una cita a esa hora: {svc.name} a las 10:00 del {spanish_day} "
        f"con {anna.display_name}."
    )


def test_the_visit_link_page_and_its_cancel_are_in_spanish(app, client, spa):
    svc, anna, _, day, visit = spa
    page = client.get(link(visit), headers=ES).get_data(as_text=True)
    long_day = in_spanish(app, lambda: when(at(day, "10:00").astimezone(LONDON), "%A %d %B %Y"))
    for words in (f"<h1>Tu {svc.name}</h1>", "<dt>Cuándo</dt>",
                  f"{long_day}, 10:00 hasta las 11:00",
                  "<dt>Con</dt>", "<dt>Dónde</dt>", "<dt>Precio</dt>", "<dt>Estado</dt>",
                  '<span class="status">reservada</span>', "Añádela a tu calendario",
                  "Añadir a Google Calendar", "(se abre en una pestaña nueva)",
                  "Cambiar a otra hora", "Cancelar esta cita", "Cancelar mi cita",
                  "inicia sesión</a>."):  # fmt: skip
        assert words in page, words
    assert "Cancel my visit" not in page and "Your health form" not in page
    done = client.post(link(visit) + "/cancel", headers=ES, follow_redirects=True)
    text = done.get_data(as_text=True)
    assert "Tu cita está cancelada. Te hemos enviado un correo para confirmarlo." in text
    assert '<span class="status">cancelada</span> (por ti)' in text
    assert "Reservar otra hora" in text


def test_a_refused_link_says_why_in_spanish(client, spa):
    *_, visit = spa
    page = client.get(f"/bookings/{visit.id}/manage/not-a-token", headers=ES)
    text = page.get_data(as_text=True)
    assert page.status_code == 403
    assert "<h1>Este enlace no puede abrir ninguna cita</h1>" in text
    assert "Este enlace no es uno de los que enviamos" in text
    assert "Inicia sesión para ver tus citas" in text and "Ver nuestros servicios" in text
    assert 'Si necesitas ayuda, llámanos al <a href="tel:' in text and "This link" not in text


def test_moving_from_the_link_shows_the_strip_and_parts_of_the_day_in_spanish(app, client, spa):
    svc, anna, _, day, visit = spa
    page = client.get(link(visit) + f"/move?date={day}&therapist=any", headers=ES).get_data(
        as_text=True
    )
    heading = in_spanish(app, lambda: when(day, "%A %d %B %Y"))
    for words in (f"<h1>Cambia la hora de tu {svc.name}</h1>", "Ahora: ",
                  f"<h2>Horas libres del {heading}</h2>", "<h3>Mañana</h3>", "<h3>Tarde</h3>",
                  " libres<", "Semana siguiente", "Mantener la hora actual",
                  'aria-label="Días"', 'aria-label="Buscar una hora nueva"', "Ver horas libres",
                  'aria-label="Cambiar al miércoles, '):  # fmt: skip
        assert words in page, words
    assert "<h3>Morning</h3>" not in page and "Later week" not in page
    # The waitlist still names its parts of the day by the English keys.
    assert list(PARTS_OF_DAY) == ["morning", "afternoon", "evening"]


def test_the_series_preview_is_in_spanish(app, client, spa):
    svc, anna, _, day, _ = spa
    factories.settings(horizon_days=365)
    me = spanish()
    factories.login(client, me)
    factories.fresh()
    with unit_of_work():
        b = service.book(client=me, choice=service.Choice(svc.id, at(day, "12:00"), anna.id),
                         actor=me, now=at(day - timedelta(days=5), "09:00"))  # fmt: skip
    page = client.get(f"/bookings/{b.id}/series?every=4&visits=2").get_data(as_text=True)
    assert f"<h1>Repetir {svc.name} cada 4 semanas</h1>" in page
    assert "2 citas más, cada una comprobada ahora." in page
    for words in ("Las horas, cada una comprobada ahora", ">Deseada<", "Lo que podemos reservar",
                  "Como querías", "Reservar estas 2 citas", "Volver a la cita"):  # fmt: skip
        assert words in page, words
    for every, visits, words in (("9", "2", "Elige cada 4, 5 o 6 semanas."),
                                 ("4", "0", "Elige entre 1 y 12 citas más.")):  # fmt: skip
        refused = client.post(f"/bookings/{b.id}/series", data={"every": every, "visits": visits},
                              follow_redirects=True)  # fmt: skip
        assert words in refused.get_data(as_text=True)


def test_the_rebook_list_and_the_therapist_schedule_are_in_spanish(client, spa):
    factories.login(client, spanish(Role.STAFF))
    page = client.get("/staff/rebook-due").get_data(as_text=True)
    assert "<h1>Clientes a los que les toca reservar</h1>" in page
    assert "No le toca a nadie: todos tienen su próxima cita reservada." in page


def test_english_is_unchanged(client, spa):
    *_, visit = spa
    page = client.get(link(visit)).get_data(as_text=True)
    assert "Cancel my visit" in page and '<span class="status">booked</span>' in page
    assert "Add it to your calendar" in page and "Cancelar" not in page
