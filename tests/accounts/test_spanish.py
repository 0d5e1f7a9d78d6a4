"""Accounts and e-mail settings in Spanish: log-in, sign-up, password pages, their refusals
and flashes, the time a signed-out client picked, the password-reset e-mail, the e-mail
settings and unsubscribe pages and the staff message log. English is what the other tests
check."""

from __future__ import annotations

import email
import html
import re
from datetime import UTC, datetime
from email import policy
from urllib.parse import quote

import pytest
from babel.dates import format_date
from flask import render_template, url_for
from flask_babel import force_locale

from spa_app.accounts.models import Role
from spa_app.database import unit_of_work
from spa_app.extensions import db
from spa_app.notifications import preferences
from spa_app.notifications.models import (
    KIND_LABELS,
    THERAPIST_KIND_LABELS,
    MessageKind,
    MessageState,
)
from tests import factories
from tests.factories import at
from tests.notifications.conftest import deliver_all, mail_settings

ES = {"Accept-Language": "es-ES,es;q=0.9"}


def text(reply) -> str:
    """The page's words (no tags, spaces collapsed)."""
    words = re.sub(r"<[^>]+>", " ", reply.get_data(as_text=True))
    return re.sub(r"\s+([,.:])", r"\1", " ".join(html.unescape(words).split()))


def page(reply) -> str:
    return html.unescape(reply.get_data(as_text=True))


def spanish(user):
    with unit_of_work():
        db.session.get(type(user), user.id).locale = "es"
    return user


def test_the_login_page_in_spanish(client):
    got = page(client.get("/login", headers=ES))
    assert '<html lang="es">' in got and "<h1>Iniciar sesión</h1>" in got
    for words in ("Correo", "Contraseña", "Mantener la sesión iniciada en este dispositivo",
                  "Déjalo sin marcar en un ordenador compartido.", "¿Has olvidado tu contraseña?",
                  "Crea una cuenta"):  # fmt: skip
        assert words in got, words
    assert '<button type="submit">Iniciar sesión</button>' in got


def test_a_wrong_password_is_refused_in_spanish(client):
    me = factories.user()
    reply = client.post("/login", data={"email": me.email, "password": "wrong"}, headers=ES)
    assert "Ese correo y esa contraseña no corresponden a ninguna cuenta." in page(reply)
    assert "Corrige los campos marcados abajo." in page(reply)


def test_a_spanish_account_is_welcomed_in_spanish(client):
    me = spanish(factories.user(name="Lucía Pérez"))
    reply = factories.login(client, me)
    assert reply.status_code == 302
    assert "Hola de nuevo, Lucía Pérez." in page(client.get(reply.location))


def test_the_sign_up_page_and_its_refusals_in_spanish(client):
    got = page(client.get("/register", headers=ES))
    assert "<h1>Crear una cuenta</h1>" in got
    for words in ("Nombre completo", "Teléfono (opcional)", "Repite la contraseña",
                  "Para poder avisarte si hay que cambiar una cita de hora.",
                  '<button type="submit">Crear cuenta</button>'):  # fmt: skip
        assert words in got, words
    data = {"name": "Ana", "email": "ana@example.com", "password": "short", "confirm": "other"}
    refused = page(client.post("/register", data=data, headers=ES))
    assert "Usa de 10 a 200 caracteres." in refused and "Las contraseñas no coinciden." in refused


def test_the_account_is_ready_in_spanish(client):
    data = {"name": "Ana", "email": "ana@example.com", "password": "long-enough-pw",
            "confirm": "long-enough-pw"}  # fmt: skip
    reply = client.post("/register", data=data, headers=ES)
    assert "Tu cuenta está lista." in page(client.get(reply.location, headers=ES))


def test_the_password_pages_in_spanish(client):
    got = page(client.get("/reset-password", headers=ES))
    assert "<h1>Contraseña olvidada</h1>" in got and "Enviar el enlace" in got
    reply = client.post("/reset-password", data={"email": "nobody@example.com"}, headers=ES)
    assert "Si alguna cuenta usa ese correo" in page(client.get(reply.location, headers=ES))
    reply = client.get("/reset-password/not-a-token", headers=ES)
    assert "Ese enlace ha caducado o ya se usó" in page(client.get(reply.location, headers=ES))


def test_changing_the_password_in_spanish(client):
    me = spanish(factories.user())
    factories.login(client, me)
    got = page(client.get("/account/password"))
    assert "<h1>Cambiar contraseña</h1>" in got and "Contraseña actual" in got
    assert "Al menos 10 caracteres." in got
    assert "Idioma de la web y de tus correos" in got
    data = {"current": "wrong", "password": "a-new-long-pass", "confirm": "a-new-long-pass"}
    assert "Esa no es tu contraseña actual." in page(client.post("/account/password", data=data))


def test_logging_out_and_the_login_needed_notice_in_spanish(client):
    assert "Inicia sesión para continuar." in page(
        client.get("/bookings", headers=ES, follow_redirects=True)
    )
    me = spanish(factories.user())
    factories.login(client, me)
    reply = client.post("/logout")
    assert "Has cerrado la sesión." in page(client.get(reply.location, headers=ES))


def test_the_time_picked_is_written_in_spanish(client, app):
    svc, (anna,), _ = factories.spa()
    saturday = factories.next_weekday(5)
    start = at(saturday, "10:00")
    with app.test_request_context():
        link = url_for(
            "booking.confirm", service_id=svc.id, start=start.isoformat(), therapist=anna.id
        )
    words = text(client.get(f"/login?next={quote(link)}", headers=ES))
    day = format_date(saturday, "EEEE, d 'de' MMMM", locale="es")
    assert f"Vas a reservar: {svc.name}, {day}, 10:00, con {anna.display_name}" in words
    assert "Inicia sesión y te llevaremos de vuelta para confirmarla." in words
    anyone = f"/book/{svc.id}/confirm?start={quote(start.isoformat())}&therapist=any"
    words = text(client.get(f"/register?next={quote(anyone)}", headers=ES))
    assert f"{day}, 10:00, con cualquier terapeuta disponible" in words


def test_the_password_reset_email_comes_in_the_accounts_language(app, client, smtp):
    me = spanish(factories.user(name="Lucía Pérez"))
    factories.settings(business_name="Spa Sol")
    client.post("/reset-password", data={"email": me.email})  # English page, Spanish e-mail
    assert deliver_all(datetime.now(UTC), mail_settings(app, smtp.port))
    (envelope,) = smtp.received
    mail = email.message_from_bytes(envelope.content, policy=policy.default)
    assert mail["Subject"] == "Pon una contraseña nueva para Spa Sol"
    plain = mail.get_body(("plain",)).get_content()
    assert plain.startswith("Hola, Lucía Pérez:")
    assert "Este enlace funciona durante una hora, una sola vez:" in plain
    assert "Si no has sido tú, ignora este correo" in plain
    rich = mail.get_body(("html",)).get_content()
    assert '<html lang="es">' in rich and "Poner una contraseña nueva</a>" in rich


def test_the_unsubscribe_line_of_an_email(app):
    with app.test_request_context(), force_locale("es"):
        line = render_template("emails/_unsubscribe.txt", unsubscribe="https://x.example/u/1")
    assert "¿Prefieres no recibir estos correos? Desactívalos aquí: https://x.example/u/1" in line


# E-mail settings ---------------------------------------------------------------------------


def test_the_email_settings_page_in_spanish(client):
    me = spanish(factories.user())
    factories.login(client, me)
    got = page(client.get("/account/emails"))
    assert "<h1>Ajustes de correo</h1>" in got and "Correos que quiero recibir" in got
    assert "Recordatorios el día antes de una cita" in got
    assert "Hora del recordatorio de la rutina en casa" in got
    assert '<button type="submit">Guardar</button>' in got
    assert 'href="/account/language">elige tu idioma</a>' in got
    refused = page(client.post("/account/emails", data={"routine_time": ""}))
    assert "Indica una hora, por ejemplo 08:00." in refused
    saved = client.post("/account/emails", data={"routine_time": "07:30"})
    assert "Tus ajustes de correo se han guardado." in page(client.get(saved.location))


def test_the_labels_say_what_the_models_say(app):
    """The settings' words, kept beside the form, are the model's labels, in English."""
    with app.test_request_context():
        assert {k: str(v) for k, v in preferences.KIND_WORDS.items()} == {
            **KIND_LABELS,
            **THERAPIST_KIND_LABELS,
        }
        assert {k: str(v) for k, v in preferences.KIND_CHOICES.items()} == {
            k: v.capitalize() for k, v in {**KIND_LABELS, **THERAPIST_KIND_LABELS}.items()
        }


def test_unsubscribing_in_spanish(app, client):
    me = factories.user()
    token = preferences.unsubscribe_token(app.config["SECRET_KEY"], me.id,
                                          MessageKind.APPOINTMENT_REMINDER)  # fmt: skip
    got = page(client.get(f"/unsubscribe/{token}", headers=ES))
    assert "<h1>Darse de baja</h1>" in got
    assert "¿Dejar de recibir recordatorios el día antes de una cita?" in got
    done = page(client.post(f"/unsubscribe/{token}", headers=ES))
    assert "<h1>Te has dado de baja</h1>" in done
    assert "Ya no recibirás recordatorios el día antes de una cita." in done


@pytest.fixture
def failed_message():
    dana = factories.user(name="Dana Doe")
    with unit_of_work():
        from spa_app.notifications.models import Message

        message = Message(kind=MessageKind.BOOKING_CONFIRMED, user_id=dana.id,
                          idempotency_key="es-test", due_at=at(factories.next_weekday(0), "09:00"),
                          state=MessageState.FAILED, attempts=3)  # fmt: skip
        db.session.add(message)
    return message


def test_the_staff_message_log_in_spanish(client, failed_message):
    staff = spanish(factories.user(Role.STAFF))
    factories.login(client, staff)
    got = page(client.get("/staff/messages?state=failed"))
    assert "<h1>Mensajes</h1>" in got and ">Fallido</a>" in got
    assert "<td>reserva confirmada</td>" in got and '<span class="status">fallido</span>' in got
    assert "Volver a enviar</button>" in got
    assert 'aria-label="Volver a enviar: reserva confirmada para Dana Doe"' in got
    reply = client.post(f"/staff/messages/{failed_message.id}/received")
    assert "Solo se puede marcar como recibido un mensaje sin confirmar." in page(
        client.get(reply.location)
    )


def test_too_many_attempts_are_refused_in_spanish(client):
    me = factories.user()
    for _ in range(10):  # the default: ten per account in a quarter of an hour
        client.post("/login", data={"email": me.email, "password": "wrong"}, headers=ES)
    refused = client.post("/login", data={"email": me.email, "password": "wrong"}, headers=ES)
    assert refused.status_code == 429
    assert "Ha habido demasiados intentos para esta cuenta o desde tu red" in page(refused)
