"""Home-care plans in Spanish: the client's plan page, its printout and ticks, the therapist's
editor with its warnings, the day-done page, the no-plan page and the plan e-mails. The plan's
own words (why each routine, the cautions) are written in the client's language, whoever
drafts it; the routines' names and steps are the library's content and stay as written."""

from __future__ import annotations

import html
from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes, policy

import pytest

from spa_app.database import unit_of_work
from spa_app.extensions import db
from spa_app.homecare.library import load_library
from spa_app.homecare.plans.links import day_done_token
from spa_app.notifications import service
from tests import factories
from tests.factories import LONDON, at
from tests.homecare.test_plan_views import ALL_DAYS, editor_form, plan_row, start
from tests.notifications.conftest import deliver_all, mail_settings

ES = {"Accept-Language": "es-ES,es;q=0.9"}


def text(reply) -> str:
    return html.unescape(reply.get_data(as_text=True))


def spanish(user):
    with unit_of_work():
        db.session.get(type(user), user.id).locale = "es"
    return user


@pytest.fixture
def cast(app):
    """A Spanish-speaking client after a visit three hours ago, with a desk worker's intake;
    the therapist's account has no language, so their browser's is used."""
    load_library()
    db.session.commit()
    svc, (own,), (room,) = factories.spa()
    ana = spanish(factories.user(name="Ana García"))
    visit = factories.booking(ana, own, room, svc, datetime.now(UTC) - timedelta(hours=3))
    factories.intake(ana.id, **factories.DESK_WORKER)
    db.session.commit()
    return {"a": ana, "own": own.user, "visit": visit}


@pytest.fixture
def published(client, cast):
    """The suggested plan, drafted by a therapist whose browser speaks English, published with
    every routine daily (the warnings confirmed)."""
    plan = start(client, cast)
    data = editor_form(plan, action="publish", confirm="y", reviewed="y")
    for n in range(len(plan.items)):
        data[f"items-{n}-days"] = ALL_DAYS
    client.post(f"/plans/{plan.id}/edit", data=data)
    client.post("/logout")
    plan = plan_row(plan.id)
    assert plan.published_at is not None
    return plan


def test_the_plans_own_words_are_in_the_clients_language(client, cast):
    plan = start(client, cast)  # an English-speaking therapist drafts it
    editor = text(client.get(f"/plans/{plan.id}/edit"))
    assert "Save the draft" in editor and "Publish to the client" in editor  # their page
    plan = plan_row(plan.id)
    assert any(
        c.startswith("Empieza cada sesión con un minuto de calentamiento") for c in plan.cautions
    )
    openings = ("Una rutina", "Un punto de presión", "Una segunda", "Un segundo", "Otra", "Otro")
    assert all(item.why.startswith(openings) for item in plan.items)
    assert "para esta zona: cuello" in " ".join(item.why for item in plan.items)
    names = {item.name for item in plan.items}
    assert names and all(name.isascii() for name in names)  # the library's names, as written


def test_the_client_reads_and_ticks_the_plan_in_spanish(client, cast, published):
    factories.login(client, cast["a"])
    page = text(client.get(f"/plans/{published.id}"))
    for words in (
        "<title>Plan de cuidados en casa",
        "<h1>Tu plan de cuidados en casa</h1>",
        "Esta semana",
        "de las previstas hasta hoy esta semana",
        "Dónde trabajar",
        "La semana",
        "Las rutinas",
        "Siempre",
        "Marcar como hecha",
        "¿Cómo te ha sentado?",
        "8 – mucho",
        "Por qué: Una rutina para esta zona",
        "Hoja de seguimiento de cuatro semanas",
        "Cómo usarla:",
    ):
        assert words in page, words
    today = datetime.now(UTC).astimezone(LONDON).date()
    weekday = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")
    assert f"Hoy, {weekday[today.weekday()]}" in page
    assert f"Publicado el {today.day} de " in page  # the date in Spanish words and order
    assert "Your home-care plan" not in page and "Mark done" not in page

    item = published.items[0]
    reply = client.post(
        f"/plans/{published.id}/done", data={"item_id": item.id}, follow_redirects=True
    )
    assert "¡Bien hecho! Marcada como hecha hoy." in text(reply)
    assert "Hecha hoy" in text(reply) and "Deshacer" in text(reply)
    refused = client.post(
        f"/plans/{published.id}/done", data={"item_id": "x"}, follow_redirects=True
    )
    assert "Elige una rutina y, si quieres, cómo te sentó de 0 a 10." in text(refused)


def test_the_tick_sheet_gives_the_spas_details_from_its_settings(client, cast, published):
    factories.settings(address="Calle Mayor 1\nMadrid", phone="910 000 000")
    factories.login(client, cast["a"])
    page = text(client.get(f"/plans/{published.id}"))
    sheet = page.split('<section class="tick-sheet print-only"')[1].split("</section>")[0]
    assert "Ana García, con " in sheet and "(Calle Mayor 1, Madrid · 910 000 000)" in sheet
    assert "Semana 1: del " in sheet and "Desde el " in sheet


def test_the_therapists_editor_in_spanish_with_its_warnings(client, cast):
    plan = start(client, cast)
    editor = text(client.get(f"/plans/{plan.id}/edit", headers=ES))
    for words in (
        "Plan de cuidados en casa para Ana García",
        "Borrador, versión 1, de la cita del ",
        "Minutos cada día",
        "Guardar el borrador",
        "Publicar para el cliente",
        "Añadir esta rutina",
        "Elige una rutina",
        ">Minutos</label>",
        ">Presión</label>",
        "Lunes",
    ):
        assert words in editor, words
    plan = plan_row(plan.id)
    data = editor_form(plan, action="save")
    for n in range(len(plan.items)):
        data[f"items-{n}-days"] = ALL_DAYS
    data["items-0-minutes"] = "30"
    asked = client.post(f"/plans/{plan.id}/edit", data=data, headers=ES)
    assert asked.status_code == 409
    page = text(asked)
    assert "Aún no se ha guardado nada: confírmalo" in page
    assert "minutos con el calentamiento y el descanso, más de los 20 que tiene el cliente" in page
    assert "Lunes, Martes" in page and "Seguir con el cambio" in page
    bad = editor_form(plan, action="save", **{"items-0-minutes": "99"})
    assert "Entre 1 y 30 minutos." in text(
        client.post(f"/plans/{plan.id}/edit", data=bad, headers=ES)
    )
    saved = client.post(
        f"/plans/{plan.id}/edit", data=editor_form(plan), headers=ES, follow_redirects=True
    )
    assert "Guardado." in text(saved)


def test_no_plan_yet_in_spanish(client, app):
    factories.login(client, spanish(factories.user()))
    page = text(client.get("/plan"))
    assert "<h1>Mi plan de cuidados en casa</h1>" in page
    assert "Aún no tienes un plan." in page and "rellena tu cuestionario de salud" in page


def test_the_day_done_link_in_spanish(client, app, cast, published):
    wednesday = date(2027, 3, 3)
    token = day_done_token(app.config["SECRET_KEY"], published.id, published.client_id, wednesday)
    url = f"/plans/{published.id}/day-done/{token}"
    page = text(client.get(url, headers=ES))
    assert "Rutinas en casa del miércoles, 3 de marzo" in page
    assert "¿Cuáles hiciste? Desmarca las que te saltaste." in page
    assert "Marcar como hechas las seleccionadas del miércoles" in page
    done = text(client.post(url, data={"done": [str(published.items[0].id)]}, headers=ES))
    assert "Marcadas como hechas: " in done and "¡Bien hecho!" in done


def test_the_plan_emails_in_the_clients_language(app, smtp):
    load_library()
    db.session.commit()
    svc, (t,), (r,) = factories.spa()
    ana = spanish(factories.user(name="Ana García"))
    visit = factories.booking(ana, t, r, svc, at(date(2027, 3, 1), "09:00"))
    factories.intake(ana.id, severity={"neck": 6}, goals=["stress"], contexts=[], pressure=2,
                     minutes_per_day=15)  # fmt: skip
    db.session.commit()
    factories.plan(visit, days="024", now=at(date(2027, 3, 1), "11:00"))
    with unit_of_work():
        service.schedule_routine_reminders(at(date(2027, 3, 3), "08:00"), LONDON)
    deliver_all(at(date(2027, 3, 3), "08:01"), mail_settings(app, smtp.port))
    mails = {m["Subject"]: m for m in (message_from_bytes(e.content, policy=policy.default)
                                       for e in smtp.received)}  # fmt: skip
    ready = mails["Tu plan de cuidados en casa de Spa está listo"]
    body = ready.get_body(("plain",)).get_content()
    assert "Hola, Ana García:" in body and "ha preparado tu plan de cuidados en casa" in body
    reminder = mails["Tus rutinas en casa de hoy"]
    body = reminder.get_body(("plain",)).get_content()
    assert "Tus rutinas en casa de hoy (miércoles):" in body and " minutos" in body
    assert "Los pasos están en tu plan: " in body
    page = reminder.get_body(("html",)).get_content()
    assert "Marca las que hiciste</a> y deja sin marcar las que te saltaste." in page
