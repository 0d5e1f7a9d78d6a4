"""Languages: which one a request (or an e-mail) speaks, and dates and times written in it.

The words are gettext catalogues (``spa_app/translations``, compiled at install); the choice is
the person's account setting, else their browser's, else the spa's own language. English dates
are written exactly as ``strftime`` writes them; another language gets its own day and month
names in its own order (Babel's CLDR patterns), for the same shapes of date the pages use.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import cached_property

from babel.dates import format_date, format_time
from flask import g, has_request_context, request
from flask_babel import Babel, Domain, get_locale
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

#: The languages the site speaks, each in its own words (for the language setting).
LANGUAGES = {"en": "English", "es": "Español"}
DEFAULT = "en"


class _KeptDomain(Domain):
    """Flask-Babel's message domain, its translations kept for the context while its locale
    stays the same object (a ``force_locale`` or ``refresh`` gives a new one). Flask-Babel finds
    them again for every string; the desk's calendar says some 1,700."""

    def get_translations(self):
        locale = get_locale()
        if locale is None:  # outside any context: Flask-Babel's own answer
            return super().get_translations()
        kept = g.get("_kept_translations")
        if kept is None or kept[0] is not locale:
            kept = g._kept_translations = (locale, super().get_translations())
        return kept[1]


class _Babel(Babel):
    @cached_property
    def domain_instance(self) -> Domain:
        return _KeptDomain(domain=self.domain)


babel = _Babel()

#: The date shapes the pages use, per language other than English (CLDR patterns).
DATE_PATTERNS = {
    "es": {
        "%A %d %B %Y": "EEEE, d 'de' MMMM 'de' y",
        "%A %d %B": "EEEE, d 'de' MMMM",
        "%a %d %b %Y": "EEE, d MMM y",
        "%a %d %b": "EEE, d MMM",
        "%d %B %Y": "d 'de' MMMM 'de' y",
        "%d %B": "d 'de' MMMM",
        "%d %b %Y": "d MMM y",
        "%d %b": "d MMM",
        "%B %Y": "MMMM 'de' y",
        "%A": "EEEE",
        "%a": "EEE",
    }
}
#: strftime codes and the CLDR letters that write the same thing, for a shape not listed.
_CODES = {"%A": "EEEE", "%a": "EEE", "%d": "dd", "%-d": "d", "%B": "MMMM", "%b": "MMM",
          "%Y": "y", "%m": "MM", "%H": "HH", "%M": "mm", "%S": "ss"}  # fmt: skip
_CODE = re.compile(r"%-?[a-zA-Z]")
#: Formats read by machines (form values, links): the same in every language.
_MACHINE = re.compile(r"^[%YmdHMS:T-]*$")


def select_locale() -> str:
    """The account's language, else the browser's best supported one, else the spa's."""
    if has_request_context():
        chosen = getattr(current_user, "locale", None) if current_user else None
        if chosen in LANGUAGES:
            return chosen
        best = request.accept_languages.best_match(LANGUAGES)
        if best:
            return best
    return spa_language()


def recipient_language(chosen: str | None) -> str:
    """The language of an e-mail to someone who chose ``chosen`` (None: the spa's). A browser's
    choice is not known outside its request."""
    return chosen if chosen in LANGUAGES else spa_language()


def spa_language() -> str:
    from spa_app.business import business  # the settings read lazily, once per context

    try:
        language = business().locale
    except (LookupError, SQLAlchemyError):  # no database (a command on files alone): English
        return DEFAULT
    return language if language in LANGUAGES else DEFAULT


def language() -> str:
    """The language of this request or e-mail ("en", "es")."""
    locale = get_locale()
    return locale.language if locale else DEFAULT


def when(value: date | datetime, fmt: str) -> str:
    """``value`` in the shape ``fmt`` (strftime codes), in the current language."""
    lang = language()
    if lang == "en" or _MACHINE.match(fmt):
        return value.strftime(fmt)
    start = fmt.find("%H")
    date_fmt, time_fmt = (fmt, "") if start < 0 else (fmt[:start], fmt[start:])
    parts = []
    date_fmt = date_fmt.removesuffix(" at ").rstrip(", ")
    if date_fmt:
        shapes = DATE_PATTERNS.get(lang, {})  # a day with or without its leading zero alike
        pattern = shapes.get(date_fmt.replace("%-d", "%d")) or _pattern(date_fmt)
        parts.append(format_date(value, pattern, locale=lang))
    if time_fmt:
        parts.append(format_time(value, _pattern(time_fmt), locale=lang))
    return ", ".join(parts)


def _pattern(fmt: str) -> str:
    """A CLDR pattern writing what the strftime ``fmt`` writes, literals quoted."""
    out, last = [], 0
    for match in _CODE.finditer(fmt):
        if match.start() > last:
            out.append(_literal(fmt[last : match.start()]))
        out.append(_CODES.get(match.group(), ""))
        last = match.end()
    if last < len(fmt):
        out.append(_literal(fmt[last:]))
    return "".join(out)


def _literal(text: str) -> str:
    return "".join(c if c in " ,.:-/" else f"'{c}'" for c in text.replace("'", ""))


def init_app(app) -> None:
    babel.init_app(app, locale_selector=select_locale, default_domain="messages")
    # {% trans %} blocks are read as one line: the catalogue's words do not depend on how the
    # template is wrapped.
    app.jinja_env.policies["ext.i18n.trimmed"] = True
    app.jinja_env.globals["language"] = language
