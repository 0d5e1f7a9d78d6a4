"""Log-in and sign-up remember the time a signed-out client picked, and lead back to it."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from flask import url_for

from spa_app.accounts.models import Role
from spa_app.extensions import db
from tests import factories
from tests.factories import at
from tests.sqlcount import count_statements

BOOKING = "You are booking:"


@pytest.fixture
def pick(app):
    """Anna and Ben give a massage; the link of Anna's 10:00 on a Saturday ahead, as the
    free-times page writes it, and what the log-in page should say of it."""
    svc, (anna, ben), _ = factories.spa(therapists=2)
    saturday = factories.next_weekday(5)
    start = at(saturday, "10:00")
    with app.test_request_context():  # the link exactly as the free-times page writes it
        link = url_for(
            "booking.confirm", service_id=svc.id, start=start.isoformat(), therapist=anna.id
        )
    said = (
        f"{svc.name}, {saturday:%A} {saturday.day} {saturday:%B}, 10:00, with {anna.display_name}"
    )
    return svc, anna, ben, start, link, said


def asked_to_log_in(client, link: str) -> str:
    """Follow the time's link signed out: the log-in page's URL it leads to."""
    reply = client.get(link)
    assert reply.status_code == 302 and reply.location.startswith("/login?")
    return reply.location


def next_of(url: str) -> str:
    (target,) = parse_qs(urlsplit(url).query)["next"]
    return target


def text(reply) -> str:
    """The page's words, as a person reads them (no tags, spaces collapsed)."""
    words = re.sub(r"<[^>]+>", " ", reply.get_data(as_text=True))
    return re.sub(r"\s+([,.:])", r"\1", " ".join(html.unescape(words).split()))


def test_the_login_and_sign_up_pages_show_the_time_picked(client, pick):
    *_, link, said = pick
    login = asked_to_log_in(client, link)
    assert next_of(login) == link
    page = text(client.get(login))
    assert f"{BOOKING} {said}" in page
    sign_up = text(client.get(f"/register?next={quote(link)}"))
    assert f"{BOOKING} {said}" in sign_up


@pytest.mark.parametrize("page", ["/login", "/register"])
def test_each_page_links_to_the_other_keeping_next(client, pick, page):
    *_, link, _ = pick
    other = "/register" if page == "/login" else "/login"
    reply = client.get(f"{page}?next={quote(link)}")
    hrefs = [
        html.unescape(part.split('"', 1)[0])
        for part in reply.get_data(as_text=True).split('href="')[1:]
    ]
    (to_other,) = [h for h in hrefs if h.startswith(other + "?next=")]
    assert next_of(to_other) == link


def test_anyone_will_do_says_so(client, pick):
    svc, _, _, start, _, said = pick
    link = f"/book/{svc.id}/confirm?start={quote(start.isoformat())}&therapist=any"
    page = text(client.get(f"/login?next={quote(link)}"))
    assert BOOKING in page and "with any available therapist" in page


def test_the_pick_costs_one_statement_more_than_the_page(client, pick):
    *_, link, _ = pick
    with count_statements() as plain:
        client.get("/login")
    with count_statements() as picked:
        assert BOOKING in text(client.get(f"/login?next={quote(link)}"))
    assert len(picked) == len(plain) + 1, picked


def _forged(svc, anna, ben, start, *_):
    """``next`` values that are not a time on the free-times page: each shows no pick."""
    when = quote(start.isoformat())
    other = factories.service(therapists=[ben])
    closed = factories.service(therapists=[anna])
    closed.active = False
    db.session.commit()
    gone = factories.therapist(services=[svc])
    gone.active = False
    db.session.commit()
    base = f"/book/{svc.id}/confirm"
    passed = quote((start - timedelta(days=400)).isoformat())
    return {
        "another site": f"//evil.example{base}?start={when}&therapist={anna.id}",
        "another site, with a scheme": f"https://evil.example{base}?start={when}",
        "a backslash": f"/\\evil.example{base}?start={when}",
        "another page": f"/bookings?start={when}&therapist={anna.id}",
        "a page with a slash more": f"{base}/?start={when}",
        "no time": f"{base}?therapist={anna.id}",
        "a time that is not one": f"{base}?start=tomorrow&therapist={anna.id}",
        "a time without its zone": f"{base}?start={start:%Y-%m-%dT%H:%M}",
        "a time out of range": f"{base}?start=9999-12-31T23:59:59-23:59",
        "a time that has passed": f"{base}?start={passed}",
        "a therapist that is no id": f"{base}?start={when}&therapist=1%20OR%201",
        "a therapist in other digits": f"{base}?start={when}&therapist=%D9%A1",
        "a therapist who does not give it": (
            f"/book/{other.id}/confirm?start={when}&therapist={anna.id}"
        ),
        "a therapist who has left": f"{base}?start={when}&therapist={gone.id}",
        "a therapist who does not exist": f"{base}?start={when}&therapist=2147483647",
        "a service no longer offered": f"/book/{closed.id}/confirm?start={when}",
        "a service that does not exist": f"/book/999999/confirm?start={when}",
        "an id too large": f"/book/99999999999999/confirm?start={when}",
        "an id of nought": f"/book/0/confirm?start={when}",
        "bytes that are no text": f"{base}?start=%FF%FE&therapist={anna.id}",
        "nonsense": "%%%\x00",
    }


@pytest.mark.parametrize("page", ["/login", "/register"])
def test_a_forged_or_foreign_next_shows_no_pick(client, pick, page):
    for why, target in _forged(*pick).items():
        reply = client.get(page, query_string={"next": target})
        assert reply.status_code == 200, why
        assert BOOKING not in text(reply), why


def test_the_confirm_link_still_works_after_a_forged_next_is_refused(client, pick):
    """A foreign ``next`` is never followed; a local one that names nothing bookable is (the
    confirm page then says to pick a time)."""
    svc, anna, *_ = pick
    me = factories.user()
    foreign = f"//evil.example/book/{svc.id}/confirm?start=x&therapist={anna.id}"
    reply = client.post(
        "/login", data={"email": me.email, "password": factories.PASSWORD, "next": foreign}
    )
    assert reply.status_code == 302 and reply.location == "/bookings"
    client.post("/logout")
    local = f"/book/{svc.id}/confirm?start=tomorrow"
    reply = client.post(
        "/login", data={"email": me.email, "password": factories.PASSWORD, "next": local}
    )
    assert reply.location == local
    assert "pick a time" in text(client.get(local))


def test_after_logging_in_the_client_lands_on_the_confirm_page(client, pick):
    svc, anna, _, start, link, _ = pick
    me = factories.user()
    login = asked_to_log_in(client, link)
    reply = client.post(
        login,
        data={"email": me.email, "password": factories.PASSWORD, "next": next_of(login)},
        follow_redirects=True,
    )
    page = text(reply)
    assert reply.request.path == f"/book/{svc.id}/confirm"
    assert "Confirm your booking" in page and anna.display_name in page
    assert f"{start.astimezone(factories.LONDON):%H:%M}" in page


def test_a_wrong_password_keeps_the_pick_on_the_page(client, pick):
    *_, link, said = pick
    me = factories.user()
    reply = client.post("/login", data={"email": me.email, "password": "wrong!", "next": link})
    assert f"{BOOKING} {said}" in text(reply)


def test_after_signing_up_the_client_lands_on_the_confirm_page(client, pick):
    svc, anna, _, _, link, said = pick
    sign_up = f"/register?next={quote(link)}"
    assert f"{BOOKING} {said}" in text(client.get(sign_up))
    reply = client.post(
        sign_up,
        data={
            "name": "Dana Doe",
            "email": "dana@example.com",
            "password": "long-enough-pw",
            "confirm": "long-enough-pw",
            "next": link,
        },
        follow_redirects=True,
    )
    assert reply.request.path == f"/book/{svc.id}/confirm"
    assert "Confirm your booking" in text(reply) and anna.display_name in text(reply)


@pytest.mark.parametrize("role", [Role.STAFF, Role.THERAPIST])
def test_staff_and_therapists_who_log_in_from_a_pick_land_on_their_own_page(client, pick, role):
    *_, link, _ = pick
    someone = factories.user(role)
    reply = client.post(
        "/login", data={"email": someone.email, "password": factories.PASSWORD, "next": link}
    )
    assert reply.status_code == 302 and reply.location not in (link, "/bookings")
    assert client.get(reply.location).status_code == 200
