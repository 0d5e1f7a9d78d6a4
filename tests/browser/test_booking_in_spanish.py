"""The whole booking journey in Spanish, as a browser set to Spanish sees it, on a phone without
JavaScript: the services, the free times, signing up from the time picked, the summary, the
booking and the visit's page, then cancelling it; dates, prices and every page in Spanish, axe
checking each step, and the confirmation e-mail in Spanish too."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta

import pytest

from spa_app.accounts.models import User
from spa_app.booking.models import Booking, BookingStatus
from spa_app.clock import local_today
from spa_app.extensions import db
from spa_app.notifications.models import Message
from tests import factories
from tests.browser.conftest import PHONE, recorded
from tests.factories import LONDON

pytestmark = pytest.mark.browser

#: English words that would mean a page shows text nobody translated.
ENGLISH = re.compile(r"\b(the|your|with|Book|Confirm|Cancel|Free times|minutes|Morning)\b")


@pytest.fixture
def spanish_phone(chromium, request):
    """A phone whose browser asks for Spanish, JavaScript off; ``step(name, data)`` records the
    step (screenshot, axe, nothing sideways) and checks the page is in Spanish with no English
    left outside ``data``, the names people typed."""
    with recorded(chromium, request, PHONE, locale="es-ES") as journey:
        page = journey.page

        def step(name: str, data: tuple[str, ...] = ()) -> None:
            journey.step(name)
            assert page.locator("html").get_attribute("lang") == "es", name
            text = page.locator("main").inner_text()
            for typed in data:
                text = text.replace(typed, "")
            found = ENGLISH.search(text)
            assert not found, f"{name}: {found.group()!r} in {text!r}"

        page.step = step
        yield page


def test_a_client_books_and_cancels_in_spanish(live_server, spanish_phone, app):
    page = spanish_phone
    today = local_today(datetime.now(UTC), LONDON)
    open_day = today + timedelta(days=3)
    anna = factories.therapist("Ana Ruiz", hours={open_day.weekday(): [(time(9), time(12))]})
    svc = factories.service("Masaje sueco", therapists=[anna], cents=6550)
    factories.room("Sala Olivo")
    factories.settings(address="Calle Mayor 1\nMadrid", phone="+34 910 000 000")
    data = (svc.name, anna.display_name, "Ana", "Sala Olivo", "Calle Mayor 1", "Madrid")

    page.goto(live_server + "/")
    page.step("1-servicios", data)
    page.get_by_role("link", name=f"Reservar {svc.name}").click()
    weekday = ["lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"]
    months = ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
              "septiembre", "octubre", "noviembre", "diciembre"]  # fmt: skip
    spoken = f"{weekday[open_day.weekday()]}, {open_day.day} de {months[open_day.month - 1]}"
    assert spoken in page.locator("main").inner_text()  # the next free day, in Spanish
    page.step("2-horas", data)
    page.get_by_role("link", name=re.compile(r"^09:00")).click()

    assert "/login" in page.url
    page.step("3-iniciar-sesion", data)
    page.get_by_role("link", name="Crea una cuenta").first.click()
    page.get_by_label("Nombre completo").fill("Lucía Pérez")
    page.get_by_label("Correo").fill("lucia@example.com")
    page.get_by_label("Contraseña", exact=True).fill("una-clave-larga")
    page.get_by_label("Repite la contraseña").fill("una-clave-larga")
    page.get_by_role("button", name="Crear cuenta").click()

    assert "/confirm" in page.url
    summary = page.locator("main").inner_text()
    # The price as Spanish writes it, in the spa's currency (CLDR Spanish names pounds GBP).
    assert re.search(r"65,50\sGBP", summary), summary
    assert spoken in summary and "Calle Mayor 1" in summary
    page.step("4-resumen", (*data, "Lucía Pérez"))
    page.get_by_role("button", name=re.compile("Confirmar")).click()
    page.step("5-reservada", (*data, "Lucía Pérez"))

    factories.fresh()
    (booking,) = db.session.execute(db.select(Booking)).scalars().all()
    assert booking.status is BookingStatus.BOOKED
    lucia = db.session.execute(db.select(User).where(User.email == "lucia@example.com")).scalar()
    assert lucia.locale == "es"  # signed up in Spanish: her e-mails will be in Spanish
    (confirmation,) = db.session.execute(db.select(Message)).scalars().all()
    assert confirmation.user_id == lucia.id

    page.goto(f"{live_server}/bookings/{booking.id}")
    page.step("6-cita", (*data, "Lucía Pérez"))
    page.get_by_role("link", name=re.compile("^Cancelar")).first.click()
    page.step("7-cancelar", (*data, "Lucía Pérez"))
    page.get_by_role("button", name=re.compile("^Cancelar")).click()
    factories.fresh()
    assert db.session.get(Booking, booking.id).status is BookingStatus.CANCELLED
    page.step("8-cancelada", (*data, "Lucía Pérez"))
