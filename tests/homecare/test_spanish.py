"""Home care in Spanish: the health intake, the staff's technique library and condition rules,
the safety reasons a therapist reads and the body map's words. English is what the other tests
check; the reviewed health content (library.json, conditions.json) stays as it was written."""

from __future__ import annotations

import html
import json
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from flask import render_template_string
from flask_babel import force_locale

from spa_app.accounts.models import Role
from spa_app.database import unit_of_work
from spa_app.extensions import db
from spa_app.homecare import bodymap, library
from spa_app.homecare.library import load_library
from spa_app.homecare.models import Intake
from spa_app.homecare.safety import (
    Needs,
    Technique,
    client_cautions,
    exclusion,
    pressure_cap,
    review_reasons,
)
from spa_app.homecare.vocab import AREA_LABELS, LABELS, Area, Condition, Kind, Pressure
from tests import factories

ES = {"Accept-Language": "es-ES,es;q=0.9"}


def text(reply) -> str:
    return html.unescape(reply.get_data(as_text=True))


def intake_form(**overrides) -> dict:
    data = {f"pain_{a.value}": "0" for a in Area}
    data |= {"pain_neck": "7", "goals": ["sleep"], "contexts": ["desk_work"], "pressure": "2",
             "minutes_per_day": "15", "conditions": ["none"], "condition_note": ""}  # fmt: skip
    return data | overrides


@pytest.fixture
def spanish_client(client):
    user = factories.user(name="Lucía Pérez")
    with unit_of_work():
        db.session.get(type(user), user.id).locale = "es"
    factories.login(client, user)
    return user


@pytest.fixture
def staff(client):
    factories.login(client, factories.user(Role.STAFF))


def test_the_intake_form_speaks_the_clients_language(client, spanish_client):
    page = text(client.get("/account/intake"))
    assert '<html lang="es"' in page
    assert "<title>Cuestionario de salud" in page and "<h1>Tu cuestionario de salud</h1>" in page
    assert "¿Dónde notas tensión y cuánta? (0 nada, 10 lo peor)" in page
    for words in ("Cuello", "Parte baja de la espalda", "0 – nada", "10 – lo peor", "Dormir mejor",
                  "Trabajo de escritorio", "Presión que te gusta", "Suave", "Embarazo",
                  "Nada de esto", "Minutos al día que puedes dedicarle (de 5 a 60)",
                  "¿Dónde? (una lesión u operación reciente)", "En otra parte",
                  "Guardar mi cuestionario"):  # fmt: skip
        assert words in page, words
    assert "Neck" not in page and "Save my intake" not in page


def test_a_refused_intake_says_why_in_spanish(client, spanish_client):
    reply = client.post("/account/intake", data=intake_form(conditions=[], minutes_per_day="90"))
    page = text(reply)
    assert reply.status_code == 400
    assert "Marca lo que corresponda, o «Nada de esto»." in page
    assert "Entre 5 y 60 minutos, por favor." in page
    reply = client.post(
        "/account/intake", data=intake_form(conditions=["recent_injury"], minutes_per_day="10")
    )
    assert "Marca dónde, por favor: una lesión u operación reciente" in text(reply)


def test_a_saved_intake_thanks_in_spanish_and_dates_it_in_spanish(client, spanish_client):
    reply = client.post("/account/intake", data=intake_form(), follow_redirects=True)
    page = text(reply)
    assert "Gracias: tu cuestionario de salud está guardado. Tu terapeuta lo verá." in page
    factories.fresh()
    with unit_of_work():
        intake = db.session.get(Intake, spanish_client.id)
        intake.updated_at = datetime(2026, 3, 2, 10, 30, tzinfo=UTC)
    page = text(client.get("/account/intake"))
    assert "Última actualización: lun, 2 mar 2026" in page, page[page.find("Última") :][:80]


def test_staff_read_an_intake_in_spanish(client, spanish_client, staff):
    client.post("/logout")
    factories.login(client, spanish_client)
    client.post(
        "/account/intake",
        data=intake_form(conditions=["recent_injury"], areas_recent_injury=["neck"]),
    )
    client.post("/logout")
    factories.login(client, factories.user(Role.STAFF))
    page = text(client.get(f"/clients/{spanish_client.id}/intake", headers=ES))
    for words in ("Cuestionario de salud: Lucía Pérez", "Ten cuidado con",
                  "Una lesión u operación reciente (en los últimos tres meses): Cuello",
                  "Zonas con tensión", "Intensidad (0–10)", "Objetivos", "Dormir mejor",
                  "Presión preferida", "Media", "Minutos al día"):  # fmt: skip
        assert words in page, words
    assert "Be careful of" not in page


def test_the_technique_library_in_spanish(client, staff):
    load_library()
    db.session.commit()
    page = text(client.get("/staff/routines/", headers=ES))
    assert "<h1>Biblioteca de técnicas</h1>" in page and "Añade una rutina" in page
    assert "Rutina de automasaje" in page and "Punto de presión" in page
    form = text(client.get("/staff/routines/new", headers=ES))
    for words in ("<h1>Añadir una rutina</h1>", "Zona del cuerpo", "Pasos, uno por línea",
                  "Mejor momento del día", "A cualquier hora", "En cada lado", "Las muñecas",
                  "Dejarla fuera para clientes con", "Guardar", "Cancelar"):  # fmt: skip
        assert words in form, words
    reply = client.post("/staff/routines/new", data={"name": "Prueba", "steps": ""}, headers=ES)
    assert reply.status_code == 400 and "Escribe los pasos, por favor." in text(reply)


def test_the_condition_rules_in_spanish(client, staff):
    page = text(client.get("/staff/conditions/", headers=ES))
    assert "<h1>Reglas de las afecciones</h1>" in page and "biblioteca de técnicas" in page
    assert "Embarazo" in page and "todas las rutinas" in page  # the fever pauses everything
    assert "solo las rutinas que la incluyen" in page  # pregnancy: only routines listing it
    assert "las zonas indicadas" in page and "Piernas y pies" in page  # an injury; a clot
    edit = text(client.get("/staff/conditions/pregnancy", headers=ES))
    assert "<h1>Regla: Embarazo</h1>" in edit and "Pausar todas las rutinas" in edit
    data = {"names_areas": "", "excludes_named_areas": "y", "pressure_cap": "1"}
    reply = client.post("/staff/conditions/pregnancy", data=data, headers=ES)
    assert "No se pregunta al cliente por zonas" in text(reply)
    data = {"names_areas": "y", "excludes_named_areas": "y", "pressure_cap": "1"}
    reply = client.post("/staff/conditions/pregnancy", data=data, headers=ES, follow_redirects=True)
    assert "Regla de «Embarazo» guardada." in text(reply)


NEEDS = Needs(
    severity={Area.NECK: 9, Area.LOWER_LEGS_FEET: 3},
    goals=frozenset(),
    contexts=frozenset(),
    pressure=Pressure.FIRM,
    minutes_per_day=15,
    conditions={Condition.BLOOD_CLOTS: frozenset(), Condition.RECENT_INJURY: frozenset()},
    medicines="aspirina",
)
CALF = Technique(1, "Calf", Kind.ROUTINE, Area.LOWER_LEGS_FEET, 3, 5, 3, Pressure.FIRM)
NECK = Technique(2, "Neck", Kind.ROUTINE, Area.NECK, 3, 5, 3, Pressure.FIRM)


def test_the_safety_reasons_in_spanish(app):
    rules = library.shipped_rules()
    with app.test_request_context(), force_locale("es"):
        assert exclusion(CALF, NEEDS, rules) == (
            "Zonas sin trabajar por un coágulo de sangre: piernas y pies."
        )
        cap, why = pressure_cap(NECK, NEEDS, rules)
        assert cap is Pressure.LIGHT and why == "Presión suave por un coágulo de sangre."
        # The plan editor quotes the reason from its third word on.
        assert why.split(" ", 2)[-1] == "por un coágulo de sangre."
        reasons = review_reasons(NEEDS, rules)
        assert reasons[0].startswith("El cliente marcó: Un coágulo de sangre, ahora o en el pasado")
        assert "no indicó ninguna zona del mapa del cuerpo" in reasons[1]
        assert "Dolor intenso (9/10) en esta zona: cuello." in reasons
        assert reasons[-1].startswith("El cliente indicó medicamentos o alergias")
        assert client_cautions(NEEDS, rules)[-1].startswith(
            "Nos hablaste de «una lesión u operación reciente», pero no de dónde"
        )
    with app.test_request_context(), force_locale("en"):
        assert cap is Pressure.LIGHT and pressure_cap(NECK, NEEDS, rules)[1] == (
            "Light pressure because of a blood clot."
        )


def test_the_labels_are_words_of_the_page_and_plain_strings_on_demand(app):
    with app.test_request_context(), force_locale("es"):
        assert str(AREA_LABELS[Area.NECK]) == "Cuello"
        assert json.dumps({"area": str(LABELS["where"]["elsewhere"])}) == (
            '{"area": "En otra parte"}'
        )
    with app.test_request_context(), force_locale("en"):
        assert str(AREA_LABELS[Area.NECK]) == "Neck"


def test_the_body_map_words_in_spanish(app):
    plan = SimpleNamespace(
        items=[
            SimpleNamespace(name="Muñecas", area="hands_wrists", kind="routine", spots=["wrists"]),
            SimpleNamespace(name="Punto", area="lower_back", kind="pressure_point", spots=[]),
        ]
    )
    with app.test_request_context(), force_locale("es"):
        figure = bodymap.figure(plan)
        names = {m.name for m in figure.marks if m.number == 1}
        assert names == {
            "1. Muñecas: las muñecas, lado derecho. Ir a sus pasos",
            "1. Muñecas: las muñecas, lado izquierdo. Ir a sus pasos",
        }
        wrists, point = figure.places
        assert wrists.summary == (
            "1. Muñecas (manos y muñecas): las muñecas (figura de frente). En ambos lados."
        )
        assert point.summary.startswith(
            "2. Punto (parte baja de la espalda), un punto de presión en la figura de espalda:"
        )
        assert {c.caption for c in wrists.closeups} == {
            "Lado derecho, de frente",
            "Lado izquierdo, de frente",
        }
        assert [w for w, _x, _a in point.closeups[0].side_labels] == ["Izquierda", "Derecha"]
        page = html.unescape(
            render_template_string(
                '{% from "homecare/_bodymap.html" import body_map, closeups %}'
                "{{ body_map(m, 'the client’s') }}{{ closeups(m, m.places[0]) }}",
                m=figure,
            )
        )
    for words in ("Mapa del cuerpo: un marcador numerado", ">Derecha<", ">Izquierda<",
                  "De frente, mirándote", "Espalda, desde detrás",
                  "Izquierda y Derecha son las del cliente", "Dónde actúa cada rutina",
                  "(punto de presión): los hoyuelos", "Detalle, lado derecho, de frente: dónde "
                  "actúa 1. Muñecas"):  # fmt: skip
        assert words in page, words
