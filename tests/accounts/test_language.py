"""The account's language: a page where anyone signed in picks English, Español or whatever
their browser says (stored in users.locale), and sign-up keeping the language signed up in."""

from __future__ import annotations

import html

import pytest

from spa_app.accounts.models import Role, User
from spa_app.extensions import db
from spa_app.i18n import LANGUAGES
from tests import factories

ES = {"Accept-Language": "es-ES,es;q=0.9"}


def text(reply) -> str:
    return html.unescape(reply.get_data(as_text=True))


def locale_of(user_id: int) -> str | None:
    factories.fresh()
    return db.session.get(User, user_id).locale


@pytest.fixture
def me(client):
    user = factories.user(name="Dana Doe")
    factories.login(client, user)
    return user


def test_the_page_offers_each_language_and_the_browsers(client, me):
    page = text(client.get("/account/language"))
    assert "<h1>Language</h1>" in page
    for code, name in LANGUAGES.items():
        assert f'value="{code}"' in page and f'<span lang="{code}">{name}</span>' in page
    # Nothing chosen yet: "as my browser says" is the one ticked.
    assert 'checked id="language-0" name="language" type="radio" value="browser"' in page


def test_choosing_spanish_saves_it_and_the_site_speaks_it(client, me):
    reply = client.post("/account/language", data={"language": "es"})
    assert reply.status_code == 302 and reply.location == "/account/language"
    assert locale_of(me.id) == "es"
    page = text(client.get("/account/language"))  # no Accept-Language: the account decides
    assert '<html lang="es">' in page and "<h1>Idioma</h1>" in page
    assert "Tu idioma se ha guardado." in page  # said in the language just chosen
    assert 'checked id="language-2" name="language" type="radio" value="es"' in page


def test_as_my_browser_says_stores_nothing(client, me):
    client.post("/account/language", data={"language": "es"})
    reply = client.post("/account/language", data={"language": "browser"}, headers=ES)
    assert reply.status_code == 302 and locale_of(me.id) is None
    # The browser now decides: Spanish here, English without the header.
    assert "<h1>Idioma</h1>" in text(client.get("/account/language", headers=ES))
    assert "<h1>Language</h1>" in text(client.get("/account/language"))


@pytest.mark.parametrize("value", ["fr", "", "EN", "es-ES", "x" * 300, None])
def test_a_language_off_the_list_is_refused_and_nothing_saved(client, me, value):
    client.post("/account/language", data={"language": "es"})
    reply = client.post("/account/language", data={} if value is None else {"language": value})
    assert reply.status_code == 422
    page = text(reply)
    assert "Elige un idioma de la lista." in page  # the account speaks Spanish still
    assert locale_of(me.id) == "es"


def test_the_refusal_in_english(client, me):
    reply = client.post("/account/language", data={"language": "de"})
    assert reply.status_code == 422 and "Please choose a language from the list." in text(reply)
    assert locale_of(me.id) is None


def test_a_bad_value_past_the_form_is_refused_by_the_service_too(app):
    from spa_app.accounts import service

    user = factories.user()
    with pytest.raises(service.UnknownLanguage):
        service.set_language(user, "fr")
    db.session.rollback()
    assert locale_of(user.id) is None


@pytest.mark.parametrize("role", [Role.STAFF, Role.THERAPIST])
def test_staff_and_therapists_choose_too(client, role):
    user = factories.user(role)
    factories.login(client, user)
    assert client.post("/account/language", data={"language": "es"}).status_code == 302
    assert locale_of(user.id) == "es"
    page = text(client.get("/account/language"))
    assert "/account/emails" not in page  # e-mail settings are a client's page


def test_signed_out_people_are_sent_to_log_in(client):
    reply = client.get("/account/language")
    assert reply.status_code == 302 and reply.location.startswith("/login")
    assert client.post("/account/language", data={"language": "es"}).status_code == 302


def test_linked_from_the_password_and_email_settings_pages(client, me):
    for page in ("/account/password", "/account/emails"):
        assert 'href="/account/language"' in text(client.get(page)), page


def test_the_form_needs_its_csrf_token(app, client, me):
    app.config["WTF_CSRF_ENABLED"] = True
    page = text(client.get("/account/language"))
    assert 'name="csrf_token"' in page
    reply = client.post("/account/language", data={"language": "es"})
    assert reply.status_code in (400, 422) and locale_of(me.id) is None


# Sign-up -------------------------------------------------------------------------------------


def register(client, headers=None):
    data = {"name": "Lucía Pérez", "email": "lucia@example.com", "password": "long-enough-pw",
            "confirm": "long-enough-pw"}  # fmt: skip
    reply = client.post("/register", data=data, headers=headers or {})
    assert reply.status_code == 302
    factories.fresh()
    return db.session.execute(db.select(User).filter_by(email="lucia@example.com")).scalar_one()


def test_signing_up_in_spanish_keeps_spanish_for_the_emails(client):
    assert register(client, ES).locale == "es"


def test_signing_up_in_the_spas_own_language_keeps_nothing(client):
    assert register(client).locale is None


def test_signing_up_in_spanish_at_a_spanish_spa_keeps_nothing(client):
    """The spa's e-mails are in Spanish already; a later change of the spa's language then
    reaches this client too."""
    factories.settings(locale="es")
    assert register(client, ES).locale is None
