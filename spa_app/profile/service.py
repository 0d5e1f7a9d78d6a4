"""Saving the spa's details; the rules on each value live here, the form only shapes them."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from flask_babel import gettext as _

from spa_app.extensions import db
from spa_app.scheduling.queries import get_settings

#: The currencies the spa can price in (ISO 4217); Babel writes each one for the language.
CURRENCIES = ("GBP", "EUR", "USD", "CHF", "SEK", "NOK", "DKK", "PLN", "CZK", "CAD", "AUD", "NZD")
GRACE_RANGE = (0, 120)
#: Only links a client's browser opens safely; a typed "javascript:" is not one.
MAP_URL_SCHEMES = ("https://",)


class BadDetails(ValueError):
    """A value out of its range; ``field`` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class SpaDetails:
    business_name: str
    address: str
    phone: str
    map_url: str
    review_url: str
    opening_hours: str
    cancellation_policy: str
    grace_min: int
    currency: str


def _tidy(text: str) -> str:
    """One kind of line break (a browser's textarea sends CRLF), no blanks around."""
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


def update_details(details: SpaDetails) -> None:
    """Write ``details`` to the settings row (flushed), or raise BadDetails and change nothing."""
    values = {k: _tidy(v) if isinstance(v, str) else v for k, v in asdict(details).items()}
    if not values["business_name"]:
        raise BadDetails("business_name", _("Please give the spa's name."))
    if values["currency"] not in CURRENCIES:
        raise BadDetails("currency", _("Please choose a currency from the list."))
    low, high = GRACE_RANGE
    if not low <= values["grace_min"] <= high:
        raise BadDetails("grace_min", _("Use %(min)s to %(max)s minutes.", min=low, max=high))
    for link in ("map_url", "review_url"):
        if values[link] and not values[link].startswith(MAP_URL_SCHEMES):
            raise BadDetails(link, _("Use a web address starting with https://."))
    row = get_settings()
    for name, value in values.items():
        setattr(row, name, value)
    db.session.flush()
