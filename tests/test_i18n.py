"""Two languages: every marked word has its Spanish, the choice follows the person, and dates,
times and money are written the way each language writes them."""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from flask_babel import force_locale

from spa_app.accounts.models import Role
from spa_app.database import unit_of_work
from spa_app.extensions import db
from spa_app.i18n import LANGUAGES, when
from spa_app.scheduling.queries import get_settings
from spa_app.templating import money
from tests import factories
from tests.conftest import PROJECT_ROOT

TRANSLATIONS = PROJECT_ROOT / "spa_app" / "translations"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def marked() -> dict[str, str]:
    """Every text the code and the templates mark for translation, with where it is."""
    with open(TRANSLATIONS / "babel.cfg") as f:
        method_map, options_map = parse_mapping_cfg(f)
    found = {}
    for filename, _line, message, _comments, _context in extract_from_dir(
        str(PROJECT_ROOT), method_map, options_map, keywords=KEYWORDS,
        directory_filter=_searched,
    ):  # fmt: skip
        found.setdefault(message if isinstance(message, str) else message[0], filename)
    return found


def _searched(dirpath: str) -> bool:
    """Every folder but hidden ones and caches (Babel's default skips templates/_macros too)."""
    name = dirpath.rstrip("/").rsplit("/", 1)[-1]
    return not name.startswith(".") and name not in ("__pycache__", ".venv")


def catalogue(language: str):
    with open(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po", "rb") as f:
        return read_po(f, locale=language)


@pytest.mark.parametrize("language", [code for code in LANGUAGES if code != "en"])
def test_every_marked_text_has_its_translation(language):
    translated = {
        m.id if isinstance(m.id, str) else m.id[0]: m
        for m in catalogue(language)
        if m.id and "fuzzy" not in m.flags
        and (all(m.string) if isinstance(m.string, tuple) else m.string)
    }  # fmt: skip
    missing = {text: where for text, where in marked().items() if text not in translated}
    assert not missing, f"{len(missing)} untranslated, e.g. " + "; ".join(
        f"{where}: {text!r}" for text, where in list(missing.items())[:15]
    )


@pytest.mark.parametrize("language", [code for code in LANGUAGES if code != "en"])
def test_translations_keep_every_placeholder(language):
    for m in catalogue(language):
        if not m.id:
            continue
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        wanted = set(PLACEHOLDER.findall(" ".join(ids)))
        for string in filter(None, strings):  # an untranslated one is the test above's
            assert set(PLACEHOLDER.findall(string)) == wanted, (m.id, string)


@pytest.mark.parametrize("language", [code for code in LANGUAGES if code != "en"])
def test_the_compiled_catalogue_is_the_current_one(language):
    """`make` compiles the catalogues at install; a stale .mo would show old words."""
    compiled = TRANSLATIONS / language / "LC_MESSAGES" / "messages.mo"
    assert compiled.exists(), "run `make venv` to compile the catalogues"
    with open(compiled, "rb") as f:
        mo = {_key(m.id): _key(m.string) for m in read_mo(f) if m.id}
    for m in catalogue(language):
        translated = all(m.string) if isinstance(m.string, tuple) else m.string
        if m.id and translated and "fuzzy" not in m.flags:
            assert mo.get(_key(m.id)) == _key(m.string), m.id


def _key(value):
    return tuple(value) if isinstance(value, list | tuple) else value


def test_the_browser_language_chooses_the_pages_language(client):
    factories.spa()
    english = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.8"})
    spanish = client.get("/", headers={"Accept-Language": "es-ES,es;q=0.9,en;q=0.5"})
    assert '<html lang="en">' in english.get_data(as_text=True)
    page = spanish.get_data(as_text=True)
    assert '<html lang="es">' in page and ">Servicios</a>" in page and ">Menú<" in page
    other = client.get("/", headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    assert '<html lang="en">' in other.get_data(as_text=True)  # the spa's own language


def test_the_account_setting_wins_over_the_browser(client):
    user = factories.user()
    user.locale = "es"
    db.session.commit()
    factories.login(client, user)
    page = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="es">' in page and "Mis reservas" in page


def test_the_spa_language_is_the_default(client):
    with unit_of_work():
        get_settings().locale = "es"
    assert '<html lang="es">' in client.get("/").get_data(as_text=True)


def test_english_dates_are_as_before_and_spanish_ones_are_spanish(app):
    saturday = datetime(2026, 12, 5, 9, 30)
    with app.test_request_context():
        with force_locale("en"):
            assert when(saturday, "%A %d %B %Y") == "Saturday 05 December 2026"
            assert when(saturday, "%a %d %b, %H:%M") == "Sat 05 Dec, 09:30"
        with force_locale("es"):
            assert when(saturday, "%A %d %B %Y") == "sábado, 5 de diciembre de 2026"
            assert when(saturday, "%A %d %B %Y, %H:%M") == "sábado, 5 de diciembre de 2026, 09:30"
            assert when(saturday, "%H:%M") == "09:30"
            assert when(date(2026, 3, 29), "%a %d %b") == "dom, 29 mar"
            assert when(saturday, "%A %-d %B %Y") == "sábado, 5 de diciembre de 2026"
            # What machines read (form values, links) is the same in every language.
            assert when(saturday, "%Y-%m-%d") == "2026-12-05"


def test_money_is_written_as_the_language_writes_it(app):
    with unit_of_work():
        get_settings().currency = "EUR"
    with app.test_request_context():
        with force_locale("en"):
            assert money(6550) == "€65.50"
        with force_locale("es"):
            assert money(6550) == "65,50\xa0€"


def test_staff_pages_speak_the_staff_language_too(client):
    staff = factories.user(Role.STAFF)
    staff.locale = "es"
    db.session.commit()
    factories.login(client, staff)
    page = client.get("/staff/details").get_data(as_text=True)
    assert "<h1>Los datos del spa</h1>" in page and "Guardar los datos" in page


def test_a_contexts_kept_words_follow_each_change_of_language(app, monkeypatch):
    """The words are found once per context and language, not per string; a force_locale (an
    e-mail in the client's language) and a refresh() (a changed setting) each speak their own
    language, and the request's own comes back after."""
    from flask_babel import Domain, gettext, lazy_gettext, refresh

    looked_up = []
    found = Domain.get_translations
    monkeypatch.setattr(Domain, "get_translations", lambda d: looked_up.append(1) or found(d))
    with app.test_request_context(headers={"Accept-Language": "es"}):
        for _ in range(3):
            assert gettext("Reports") == "Informes" and str(lazy_gettext("Reports")) == "Informes"
        assert len(looked_up) == 1
        with force_locale("en"):
            assert gettext("Reports") == "Reports"
        assert gettext("Reports") == "Informes"
        with force_locale("es"):  # another object for the same language: the same words
            assert gettext("Reports") == "Informes"
        monkeypatch.setattr(app.extensions["babel"], "locale_selector", lambda: "en")
        refresh()
        assert gettext("Reports") == "Reports"
