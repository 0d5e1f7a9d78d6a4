"""The search box of the staff lists: the words typed, read one way, and who they match.

A person matches when their name or e-mail contains the words (case-insensitive, with % and _
taken as themselves), or when the words are a phone number (digits with spaces, dashes, dots,
brackets or a leading +) whose digits appear in that order in the person's phone, however
either was written (a national number with its trunk 0 finds the same number saved with its
country code).
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask import request
from flask_babel import lazy_gettext as _l

#: Longer than any name, e-mail or phone number: a paste gone wrong, not a search.
MAX_TERM = 120
#: A term of fewer digits matches too much of every phone number to mean one.
MIN_PHONE_DIGITS = 3
#: What a list says of words ``arg_term`` refuses.
TERM_REFUSED = _l("Search for at most 120 characters, on one line.")

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_PHONE = re.compile(r"\+?[0-9 ().-]+")
_PHONE_PUNCTUATION = (" ", "-", ".", "(", ")", "+")


def arg_term(name: str = "q") -> str | None:
    """The query string's search words, stripped ("" when absent); None for words no list can
    search (too long, or with control characters, which PostgreSQL would refuse)."""
    term = request.args.get(name, "").strip()
    if len(term) > MAX_TERM or _CONTROL.search(term):
        return None
    return term


def person_matches(term: str, *, name, email, phone=None) -> sa.ColumnElement[bool]:
    """A condition on the columns ``name``, ``email`` (and ``phone``) that ``term`` matches;
    ``term`` is not empty."""
    lowered = term.lower()
    found = [
        sa.func.lower(name).contains(lowered, autoescape=True),
        sa.func.lower(email).contains(lowered, autoescape=True),
    ]
    if phone is not None:
        found += [_digits_of(phone).contains(d, autoescape=True) for d in phone_digits(term)]
    return sa.or_(*found)


def phone_digits(term: str) -> list[str]:
    """The digit runs a phone number typed as ``term`` is looked for by (none when ``term`` is
    no phone number, or too short to mean one). A number typed with its trunk 0 ("07700
    900123") is also looked for without it, so it finds the same number saved in its
    international form ("+44 7700 900123")."""
    digits = re.sub(r"[^0-9]", "", term)
    if not _PHONE.fullmatch(term) or len(digits) < MIN_PHONE_DIGITS:
        return []
    national = digits[1:] if digits.startswith("0") and not term.startswith("+") else ""
    return [digits, national] if len(national) > MIN_PHONE_DIGITS else [digits]


def _digits_of(column):
    for mark in _PHONE_PUNCTUATION:
        column = sa.func.replace(column, mark, "")
    return column
