"""The client booking pages in Spanish: the free times (with who you can see), confirming, the
visit, My bookings, moving (and 'move from X to Y?'), cancelling, their flashes and refusals,
with dates in Spanish words and order; English stays as it was."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest

from spa_app.accounts.models import Role
from spa_app.booking.models import Booking, BookingStatus
from spa_app.extensions import db
from spa_app.i18n import when
from tests import factories
from tests.factories import LONDON, at

ES = {"Accept-Language": "es"}
CSRF = r'name="csrf_token" [^>]*value="([^"]+)"'


@pytest.fixture
def spa(app):
    """Two therapists (one with a bio) and a Spanish-speaking client's visit with Anna at 10:00
    on a Wednesday at least a week ahead."""
    svc, (anna, ben), _ = factories.spa(therapists=2, rooms=2)
    anna.bio = "Masajes de tejido profundo desde 2010."
    db.session.commit()
    day = factories.next_weekday(2)
    visit = factories.booked_online(svc, anna, day, "10:00")
    visit.client.locale = "es"
    db.session.commit()
    return svc, anna, ben, day, visit


def spanish_day(app, value, fmt):
    with app.test_request_context(headers=ES):
        return when(value, fmt)


def page(response) -> str:
    return response.get_data(as_text=True)


def test_the_free_times_page_in_spanish_with_who_you_can_see(app, client, spa):
    svc, anna, ben, day, _ = spa
    html = page(client.get(f"/book/{svc.id}?date={day}", headers=ES))
    heading = spanish_day(app, day, "%A %d %B %Y")
    assert heading.startswith("miércoles, ") and " de " in heading
    for words in (f"<h1>Reservar {svc.name}</h1>", "60 minutos",
                  'aria-label="Buscar una hora libre"', ">Ver horas libres</button>",
                  "Las horas se muestran en la hora de Europe/London.",
                  f"<h2>Horas libres del {heading}</h2>", "<h3>Mañana</h3>", "Día anterior",
                  "Día siguiente", "¿No te va bien ninguna?", "Apúntate a la lista de espera",
                  '<h2 id="who-h">Quién te puede atender</h2>',
                  "Masajes de tejido profundo desde 2010.",
                  f'<h3 class="person-name">{ben.display_name}</h3>'):  # fmt: skip
        assert words in html, words
    assert "Free times on" not in html and "Who you can see" not in html
    # The strip, the heading and the times are one element the script can swap.
    times = html[html.index('<div id="times">') :]
    times = times[: times.index("</div>")]
    assert (
        'class="strip"' in times and "<h2>Horas libres del" in times and "<h3>Mañana</h3>" in times
    )
    links = re.findall(r'<a href="/book/[^"]*date=[^"]*"[^>]*>', times)
    assert len(links) >= 7 and all('data-swap="#times"' in a for a in links[:7])


def test_the_free_times_page_in_english_lists_the_therapists_too(client, spa):
    svc, anna, ben, day, _ = spa
    html = page(client.get(f"/book/{svc.id}?date={day}"))
    assert f"Free times on {day:%A %d %B %Y}" in html and "Who you can see" in html
    assert html.index("Who you can see") > html.index(f"Free times on {day:%A %d %B %Y}")
    assert f'<h3 class="person-name">{anna.display_name}</h3>' in html
    initials = "".join(w[0] for w in ben.display_name.split()[:2]).upper()
    assert f'<span class="person-initials" aria-hidden="true">{initials}</span>' in html


def test_a_day_out_of_range_and_a_passed_day_say_so_in_spanish(app, client, spa):
    svc = spa[0]
    settings = factories.settings()
    today = datetime.now(UTC).astimezone(LONDON).date()
    last = today + timedelta(days=settings.horizon_days)
    html = page(client.get(f"/book/{svc.id}?date=2099-01-01", headers=ES))
    spoken = spanish_day(app, last, "%A %-d %B %Y")
    assert (
        f"Aceptamos reservas con hasta {settings.horizon_days} días de antelación: el último "
        f"día que puedes reservar es el {spoken}. Aquí tienes los días más cercanos que puedes "
        "reservar."
    ) in html
    passed = page(client.get(f"/book/{svc.id}?date={today - timedelta(days=3)}", headers=ES))
    assert "Ese día ya ha pasado." in passed


def test_confirming_a_time_in_spanish_then_the_visit_and_my_bookings(app, client, spa):
    svc, anna, _, day, visit = spa
    factories.settings(cancellation_policy="Avisa con 24 horas.")
    factories.login(client, visit.client)
    start = at(day + timedelta(days=1), "14:00")
    url = f"/book/{svc.id}/confirm?start={quote(start.isoformat())}&therapist={anna.id}"
    html = page(client.get(url))
    spoken = spanish_day(app, start.astimezone(LONDON), "%A %-d %B %Y, %H:%M")
    assert spoken.startswith("jueves")
    for words in ("<h1>Confirma tu reserva</h1>", '<h2 id="summary-h">Tu cita</h2>',
                  f"{svc.name}, 60 minutos", f"{spoken} hasta las 15:00", ">Terapeuta<",
                  ", se paga en el spa", "<h3>Si cambian tus planes</h3>",
                  "¿Has cambiado de idea? Durante 10 minutos después de reservar",
                  ">Confirmar la reserva</button>", "Elegir otra hora"):  # fmt: skip
        assert words in html, words
    key = re.search(r'name="request_key" [^>]*value="([^"]+)"', html).group(1)
    token = re.search(CSRF, html).group(1)
    form = {"csrf_token": token, "start": start.isoformat(), "therapist": str(anna.id),
            "request_key": key}  # fmt: skip
    booked = page(client.post(f"/book/{svc.id}/confirm", data=form, follow_redirects=True))
    for words in ("Tu cita está reservada.", ">Cuándo<", ">Sala<", ">Precio<", ">Estado<",
                  '<span class="status">reservada</span>', "Cuestionario de salud",
                  "Rellénalo antes de la cita",
                  "Cambiar a otra hora", "Cancelar esta cita"):  # fmt: skip
        assert words in booked, words
    mine = page(client.get("/bookings"))
    for words in ("<h1>Mis reservas</h1>", "<h2>Próximas</h2>", ">Cuándo<", ">Detalles<",
                  "Ver, cambiar o cancelar", "<h2>Pasadas y canceladas</h2>",
                  "Aún no tienes citas pasadas.", "cuestionario de salud</a>"):  # fmt: skip
        assert words in mine, words
    assert "My bookings" not in mine and "Upcoming" not in mine


def test_an_incomplete_request_and_a_move_without_a_time_are_refused_in_spanish(client, spa):
    svc, _, _, _, visit = spa
    factories.login(client, visit.client)
    token = re.search(CSRF,
                      page(client.get(f"/bookings/{visit.id}/cancel"))).group(1)  # fmt: skip
    refused = client.post(f"/book/{svc.id}/confirm", data={"csrf_token": token},
                          follow_redirects=True)  # fmt: skip
    assert "A esa solicitud de reserva le faltaban datos; elige una hora otra vez." in page(refused)
    moved = client.get(f"/bookings/{visit.id}/move/confirm", follow_redirects=True)
    assert "Primero elige una de las horas libres." in page(moved)
    nothing = page(client.get(f"/book/{svc.id}/confirm"))
    assert "Primero <a href=" in nothing and ">elige una hora</a>." in nothing


def test_moving_a_visit_in_spanish(app, client, spa):
    svc, anna, _, day, visit = spa
    factories.login(client, visit.client)
    html = page(client.get(f"/bookings/{visit.id}/move"))
    now = spanish_day(app, visit.starts_at.astimezone(LONDON), "%a %d %b %Y, %H:%M")
    for words in (f"<h1>Cambia la hora de tu {svc.name}</h1>",
                  f"Ahora: {now} con {anna.display_name}.",
                  "Elige una hora nueva: verás las dos antes de que cambie nada.",
                  'aria-label="Buscar una hora nueva"', "Mantener la hora actual",
                  '<div id="times">', 'data-swap="#times"'):  # fmt: skip
        assert words in html, words
    target = at(day, "15:00")
    spoken = spanish_day(app, target.astimezone(LONDON), "%A %-d %B")
    assert f'aria-label="Cambiar al {spoken}, 15:00"' in html
    url = f"/bookings/{visit.id}/move/confirm?start={quote(target.isoformat())}&therapist={anna.id}"
    step = page(client.get(url))
    before = spanish_day(app, visit.starts_at.astimezone(LONDON), "%a %-d %b, %H:%M")
    after = spanish_day(app, target.astimezone(LONDON), "%a %-d %b, %H:%M")
    for words in (f"<h1>¿Cambiar la cita del {before} al {after}?</h1>",
                  ">Desde<", ">Hasta<", f"con {anna.display_name}",
                  ">Confirmar el cambio</button>"):  # fmt: skip
        assert words in step, words
    token = re.search(CSRF, step).group(1)
    moved = client.post(f"/bookings/{visit.id}/move", follow_redirects=True,
                        data={"csrf_token": token, "start": target.isoformat(),
                              "therapist": str(anna.id)})  # fmt: skip
    assert "La cita ha cambiado de hora." in page(moved)


def test_cancelling_a_visit_in_spanish_with_a_refusal_first(app, client, spa):
    svc, _, _, _, visit = spa
    factories.login(client, visit.client)
    html = page(client.get(f"/bookings/{visit.id}/cancel"))
    spoken = spanish_day(app, visit.starts_at.astimezone(LONDON), "%A %-d %B at %H:%M")
    assert spoken.startswith("miércoles, ") and spoken.endswith(", 10:00")
    for words in (f"<h1>¿Cancelar tu cita de {svc.name} del {spoken}?</h1>",
                  '<h2 id="summary-h">La cita</h2>', '<h2 id="cancel-h">Cancelarla</h2>',
                  "Motivo (opcional)", "Lo vemos tú y nosotros", ">Cancelar la cita</button>",
                  "Mantener mi cita"):  # fmt: skip
        assert words in html, words
    token = re.search(CSRF, html).group(1)
    too_long = client.post(f"/bookings/{visit.id}/cancel", follow_redirects=True,
                           data={"csrf_token": token, "reason": "x" * 481})  # fmt: skip
    assert (
        "Los motivos y las notas son texto sin formato, de 480 caracteres como máximo. "
        "No se ha cambiado nada."
    ) in page(too_long)
    assert db.session.get(Booking, visit.id).status is BookingStatus.BOOKED
    done = page(client.post(f"/bookings/{visit.id}/cancel", follow_redirects=True,
                            data={"csrf_token": token, "reason": "Viaje"}))  # fmt: skip
    assert "La cita está cancelada." in done, re.findall(r'class="flash[^>]*>[^<]*', done)
    assert "cancelada</span> (por ti: Viaje)" in done


def test_staff_mark_a_visit_in_spanish(client, spa):
    svc, anna, _, _, _ = spa
    staff = factories.user(Role.STAFF)
    staff.locale = "es"
    db.session.commit()
    soon = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(minutes=20)
    b = factories.booking(factories.user(), anna, factories.room(), svc, soon)
    factories.login(client, staff)
    html = page(client.get(f"/bookings/{b.id}"))
    assert "<h2>En el spa</h2>" in html and ">Marcar: ha llegado</button>" in html
    assert ">Cliente<" in html and "Aún sin rellenar" in html
    token = re.search(CSRF, html).group(1)
    marked = client.post(f"/bookings/{b.id}/status", data={"csrf_token": token,
                         "status": "arrived"}, follow_redirects=True)  # fmt: skip
    assert "Marcada: ha llegado." in page(marked)
