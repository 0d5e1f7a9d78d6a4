"""Ids, counts, days and times read from a query string or a posted form, one way for every view.

Each reader returns None for a value that is missing or unusable; the view decides whether that
means a default, a 404 or a message. Digits are ASCII only: ``str.isdecimal`` and ``int`` also
take other scripts' digits ("١" as 1) and ``isdigit`` takes "²", which ``int`` refuses.
"""

from __future__ import annotations

import re
from datetime import date, time

from flask import request

from spa_app.routing import MAX_ID

_DIGITS = re.compile(r"[0-9]{1,12}")


def as_whole(raw: str | None, *, most: int) -> int | None:
    """``raw`` as a whole number from 0 to ``most``, or None."""
    if raw is None or not _DIGITS.fullmatch(raw):
        return None
    number = int(raw)
    return number if number <= most else None


def as_id(raw: str | None) -> int | None:
    """``raw`` as a database id (1 to MAX_ID), or None."""
    number = as_whole(raw, most=MAX_ID)
    return number or None


def as_day(raw: str | None) -> date | None:
    """``raw`` as an ISO date (2026-03-29), or None."""
    try:
        return date.fromisoformat(raw or "")
    except ValueError:
        return None


def as_time(raw: str | None) -> time | None:
    """``raw`` as a time of day (09:30), or None."""
    try:
        return time.fromisoformat(raw or "")
    except ValueError:
        return None


def arg_id(name: str) -> int | None:
    """The id in the query string's ``name``, or None."""
    return as_id(request.args.get(name))


def arg_day(name: str = "date") -> date | None:
    return as_day(request.args.get(name))


def arg_time(name: str = "time") -> time | None:
    return as_time(request.args.get(name))


def arg_choice(name: str, choices: type, default=None):
    """The member of the enum ``choices`` whose value the query string's ``name`` holds."""
    wanted = request.args.get(name, "")
    return next((member for member in choices if member.value == wanted), default)
