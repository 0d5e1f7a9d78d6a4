"""The client's data pages and the staff audit log in Spanish, and the account's language in
the data the client downloads (and forgotten when they delete the account)."""

from __future__ import annotations

import html
import json
import re
from datetime import timedelta
from pathlib import Path

import jsonschema
import pytest
from babel.dates import format_date

from spa_app.accounts.models import Role, User
from spa_app.database import unit_of_work, utcnow
from spa_app.extensions import db
from spa_app.homecare.models import AuditEntry
from spa_app.i18n import LANGUAGES
from spa_app.privacy import export
from tests import factories
from tests.privacy import cast as casting

SCHEMA = json.loads((Path(export.__file__).parent / "export.schema.json").read_text())
PASSWORD = factories.PASSWORD


def page(reply) -> str:
    return html.unescape(reply.get_data(as_text=True))


def text(reply) -> str:
    words = re.sub(r"<[^>]+>", " ", reply.get_data(as_text=True))
    return re.sub(r"\s+([,.:])", r"\1", " ".join(html.unescape(words).split()))


def spanish(user: User) -> User:
    with unit_of_work():
        db.session.get(User, user.id).locale = "es"
    factories.fresh()
    return user


@pytest.fixture
def cast(app):
    return casting.build()


def test_my_data_in_spanish(client, cast):
    factories.login(client, spanish(cast.me))
    got = page(client.get("/account/data"))
    assert '<html lang="es">' in got and "<h1>Mis datos</h1>" in got
    assert "Descarga todo lo que guardamos sobre ti" in got
    assert "tu nombre, tu correo electrónico, tu teléfono y tu idioma" in got
    assert f"({export.FORMAT})" in got
    assert ">Descargar mis datos</a>" in got and ">Eliminar mi cuenta</a>" in got


def test_the_delete_page_in_spanish_with_the_visits_it_cancels(client, cast):
    factories.login(client, spanish(cast.me))
    got = text(client.get("/account/delete"))
    assert "Eliminar mi cuenta" in got and "Qué borramos" in got and "Qué conservamos" in got
    # The visit ahead, its day in Spanish and in Spanish order.
    day = format_date(cast.day, "EEE, d MMM y", locale="es")
    assert f"{day}, 10:00: {cast.svc.name} con {cast.anna.display_name}" in got
    assert "Para asegurarnos de que eres tú." in got


def test_a_wrong_password_is_refused_in_spanish_and_nothing_erased(client, cast):
    factories.login(client, spanish(cast.me))
    reply = client.post("/account/delete", data={"password": "not-it"})
    assert reply.status_code == 422
    assert "Esa contraseña no es correcta; no se ha cambiado nada." in page(reply)
    reply = client.post("/account/delete", data={"password": ""})
    assert reply.status_code == 422 and "Escribe tu contraseña." in page(reply)
    factories.fresh()
    assert db.session.get(User, cast.me.id).name == "Regular Rae"


def test_a_visit_inside_the_window_blocks_deletion_in_spanish(client, cast):
    soon = utcnow() + timedelta(hours=5)
    b = factories.booking(cast.me, cast.ben, cast.past.room, cast.svc, soon.replace(second=0))
    b.created_at = utcnow() - timedelta(days=1)  # past the grace period
    db.session.commit()
    factories.login(client, spanish(cast.me))
    got = text(client.get("/account/delete"))
    assert "no se puede cancelar en línea" in got
    assert "Podrás eliminar tu cuenta cuando esté resuelta." in got


def test_deleting_says_goodbye_in_the_accounts_language_and_forgets_it(client, app):
    me = spanish(factories.user(name="Lucía Pérez"))
    factories.login(client, me)
    reply = client.post("/account/delete", data={"password": PASSWORD})
    assert reply.status_code == 302
    # The page after speaks the browser's language (English here); the flash was made before.
    assert "Tu cuenta se ha eliminado y has cerrado la sesión." in page(client.get(reply.location))
    factories.fresh()
    assert db.session.get(User, me.id).locale is None


# The export ---------------------------------------------------------------------------------


def download(client, user) -> dict:
    factories.login(client, user)
    reply = client.get("/account/data/download")
    assert reply.status_code == 200
    return json.loads(reply.get_data(as_text=True))


def test_the_export_gives_the_accounts_language(client, cast):
    data = download(client, spanish(cast.me))
    jsonschema.validate(data, SCHEMA)
    assert data["profile"]["locale"] == "es"
    assert data["format"] == "spa-personal-data/3"


def test_the_export_gives_none_for_the_browsers(client, app):
    data = download(client, factories.user())
    jsonschema.validate(data, SCHEMA)
    assert data["profile"]["locale"] is None


def test_the_schema_lists_the_languages_the_site_speaks():
    allowed = SCHEMA["properties"]["profile"]["properties"]["locale"]["enum"]
    assert set(allowed) == {*LANGUAGES, None}
    assert "locale" in SCHEMA["properties"]["profile"]["required"]


# The audit log ------------------------------------------------------------------------------


@pytest.fixture
def audited(app):
    rae = factories.user(name="Rae Client", email="rae@example.com")
    tom = factories.user(Role.THERAPIST, name="Tom Therapist")
    db.session.add(AuditEntry(at=utcnow() - timedelta(days=1), actor_id=tom.id,
                              client_id=rae.id, action="read", subject="intake"))  # fmt: skip
    db.session.commit()
    return tom


def test_the_audit_log_in_spanish(client, audited):
    factories.login(client, spanish(factories.user(Role.STAFF, name="Dee Desk")))
    got = page(client.get("/staff/audit"))
    assert "<h1>Registro de acceso a los datos de salud</h1>" in got
    for words in ("Correo del cliente (o parte de él)", ">Cualquiera</option>",
                  ">Terapeutas</option>", "Tom Therapist (terapeuta)",
                  "<caption>Página 1</caption>", '<th scope="col">Quién</th>',
                  "<td>terapeuta</td>", '<button type="submit">Mostrar</button>'):  # fmt: skip
        assert words in got, words
    # Stored words stay as they were: the action and subject are the log's own.
    assert "<td>read</td>" in got and "<td>intake</td>" in got
    nothing = page(client.get("/staff/audit?client_email=nobody"))
    assert "Ninguna entrada coincide con estos filtros." in nothing
