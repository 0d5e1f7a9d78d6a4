"""The services page and the staff's catalogue pages in Spanish: headings, labels, buttons, the
refusals and what was saved. English is what the other tests check; names staff typed (services,
rooms, therapists) stay as they were written."""

from __future__ import annotations

import html
import io

import pytest

from spa_app.accounts.models import Role
from spa_app.database import unit_of_work
from spa_app.extensions import db
from tests import factories

ES = {"Accept-Language": "es-ES,es;q=0.9"}


def text(reply) -> str:
    return html.unescape(reply.get_data(as_text=True))


@pytest.fixture
def staff(client):
    """A staff member whose account speaks Spanish (whatever the browser says)."""
    user = factories.user(Role.STAFF)
    with unit_of_work():
        db.session.get(type(user), user.id).locale = "es"
    factories.login(client, user)
    return client


def test_the_services_page_speaks_the_browsers_language(client):
    ana = factories.therapist("Ana Ruiz")
    factories.service("Deep Tissue", minutes=60, cents=6500, therapists=[ana])
    page = text(client.get("/", headers=ES))
    assert '<html lang="es"' in page
    assert "<title>Masajes y precios" in page and "<h1>Reserva un masaje</h1>" in page
    assert "Te recomendamos un masaje profesional cada cuatro a seis semanas" in page
    assert "<h2>Deep Tissue</h2>" in page  # the service's name, as staff typed it
    assert "<strong>60 minutos</strong>" in page and "65,00" in page
    assert f'Con <a href="#therapist-{ana.id}">Ana Ruiz</a>' in page
    assert 'aria-label="Reservar Deep Tissue">Reservar</a>' in page
    assert "Quién te puede atender" in page
    assert "Book a massage" not in page and "minutes" not in page


def test_an_empty_menu_says_so_in_spanish(client):
    page = text(client.get("/", headers=ES))
    assert "Todavía no hay servicios abiertos a reservas." in page


def test_the_manage_page_in_spanish_links_to_the_spas_details(staff):
    page = text(staff.get("/staff/"))
    assert "<h1>Gestionar el spa</h1>" in page
    for words in ("Lo que ofrecemos", "Salas de tratamiento", "Cuándo abrimos",
                  "Ajustes del negocio", "Lista de espera",
                  "Registro de acceso a los datos de salud"):  # fmt: skip
        assert words in page, words
    assert '<a href="/staff/details">Los datos del spa</a>' in page
    assert "What we offer" not in page


def test_the_manage_page_in_english_links_to_the_spas_details(client):
    factories.login(client, factories.user(Role.STAFF))
    page = text(client.get("/staff/"))
    assert '<a href="/staff/details">The spa\'s details</a>' in page
    assert page.index("/staff/settings") < page.index("/staff/details")  # next to the settings


def test_the_service_form_and_its_refusals_in_spanish(staff):
    page = text(staff.get("/staff/services/new"))
    assert "<h1>Añadir un servicio</h1>" in page
    for words in ("Duración (minutos)", "Precio", "Margen de limpieza (minutos)",
                  "Abierto a reservas", "Terapeutas que lo ofrecen", "Imagen (opcional)",
                  "Todavía no hay terapeutas.", "Un JPEG, PNG o WebP de hasta 2 MB",
                  ">Guardar</button>", ">Cancelar</a>"):  # fmt: skip
        assert words in page, words
    reply = staff.post("/staff/services/new", data={"name": "Hot Stones", "duration_min": "600",
                       "price": "-5", "buffer_min": "0"})  # fmt: skip
    page = text(reply)
    assert reply.status_code == 200
    assert "El precio no puede ser negativo." in page
    assert "Usa de 5 a 480 minutos." in page


def test_a_picture_refused_in_spanish(staff):
    reply = staff.post(
        "/staff/services/new",
        data={
            "name": "Hot Stones",
            "duration_min": "60",
            "price": "65",
            "buffer_min": "0",
            "image": (io.BytesIO(b"GIF89a" + b"\0" * 64), "stones.gif"),
        },  # fmt: skip
        content_type="multipart/form-data",
    )
    assert reply.status_code == 200
    assert "Eso es un GIF. Elige una imagen JPEG, PNG o WebP." in text(reply)


def test_a_saved_service_is_said_in_spanish(staff):
    reply = staff.post("/staff/services/new", data={"name": "Hot Stones", "duration_min": "60",
                       "price": "65", "buffer_min": "0"}, follow_redirects=True)  # fmt: skip
    page = text(reply)
    assert "Se ha guardado el servicio «Hot Stones»." in page
    assert "<h1>Servicios</h1>" in page and "60 min" in page and "(sin categoría)" in page


def test_rooms_in_spanish(staff):
    reply = staff.post("/staff/rooms/new", data={"name": "Lavanda"}, follow_redirects=True)
    page = text(reply)
    assert "Se ha guardado la sala «Lavanda»." in page
    assert "<h1>Salas de tratamiento</h1>" in page and "disponible" in page
    assert 'aria-label="Desactivar Lavanda">Desactivar</button>' in page
    taken = text(staff.post("/staff/rooms/new", data={"name": "lavanda"}))
    assert "Ese nombre ya está en uso; elige otro, por favor." in taken


def test_therapists_in_spanish(staff):
    factories.user(email="taken@example.com")
    page = text(staff.get("/staff/therapists/new"))
    assert "<h1>Añadir un terapeuta</h1>" in page and "Contraseña inicial" in page
    reply = staff.post("/staff/therapists/new", data={"display_name": "Ana Ruiz",
                       "email": "taken@example.com", "password": "a long password"})  # fmt: skip
    assert "Ya existe una cuenta con este correo electrónico." in text(reply)
    short = text(staff.post("/staff/therapists/new", data={"display_name": "Ana Ruiz",
                 "email": "ana@example.com", "password": "short"}))  # fmt: skip
    assert "Usa de 10 a 200 caracteres." in short
    ana = factories.therapist("Ana Ruiz")
    listing = text(staff.get("/staff/therapists/"))
    assert "<h1>Terapeutas</h1>" in listing and "en activo" in listing
    assert 'aria-label="Horario de trabajo de Ana Ruiz">Horario de trabajo</a>' in listing
    form = text(staff.get(f"/staff/therapists/{ana.id}"))
    assert "<h1>Editar Ana Ruiz</h1>" in form and "Presentación" in form
    assert "Foto (opcional)" in form and "Acepta reservas" in form
