"""Template filters and response headers shared by every page."""

from __future__ import annotations

import logging
import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel.numbers import format_currency, get_currency_name
from flask import Flask, g
from markupsafe import Markup, escape
from sqlalchemy.exc import SQLAlchemyError

from spa_app.business import Business, business, business_tz
from spa_app.config import served_over_https
from spa_app.i18n import language, when

log = logging.getLogger(__name__)

#: What a page shows of the spa when its settings cannot be read (an error page while the
#: database is down): the name alone.
UNREAD = Business(
    business_name="Spa", timezone="UTC", tz=ZoneInfo("UTC"), slot_step_min=15,
    min_notice_min=0, horizon_days=1, cancel_window_hours=0, grace_min=0, address="",
    phone="", map_url="", review_url="", opening_hours="", cancellation_policy="",
    currency="GBP", locale="en",
)  # fmt: skip


def use_timezone(tz: ZoneInfo) -> None:
    """Tell this request's templates the business time zone (saves a query when known)."""
    g.business_tz = tz


def _business_tz() -> ZoneInfo:
    """The business time zone, read once per request (pages show every time in it)."""
    if "business_tz" not in g:
        use_timezone(business_tz())
    return g.business_tz


def local(value: datetime, fmt: str = "%a %d %b %Y, %H:%M") -> str:
    """An instant on the business clock, in the shape ``fmt``, in the page's language."""
    return when(value.astimezone(_business_tz()), fmt)


def day(value: date, fmt: str = "%A %d %B %Y") -> str:
    """A calendar day in the shape ``fmt``, in the page's language."""
    return when(value, fmt)


def first_name(name: str) -> str:
    """The first word of a person's name ("Anna" of "Anna Berg"), for tight places."""
    return name.split(maxsplit=1)[0] if name.strip() else name


def money(cents: int) -> str:
    """A price in the spa's currency, written the way its language writes money."""
    settings = business()
    return format_currency(Decimal(cents) / 100, settings.currency, locale=language())


def currency_name(code: str) -> str:
    """The currency's name in the page's language ("pounds sterling", "euros")."""
    return get_currency_name(code, count=2, locale=language())


def nl2br(text: str) -> Markup:
    """Text typed over several lines (an address, opening hours), escaped, lines kept."""
    return Markup("<br>\n").join(escape(line) for line in text.strip().splitlines())


def tel(phone: str) -> str:
    """A phone number as a ``tel:`` link wants it: digits and a leading +."""
    return re.sub(r"(?!^\+)[^0-9]", "", phone.strip())


def _the_spa() -> dict:
    """``spa`` in every template: the spa's details for the header, the footer and e-mails."""
    try:
        return {"spa": business()}
    except (SQLAlchemyError, LookupError):
        log.warning("the spa's details could not be read; the page shows its name only")
        return {"spa": UNREAD}


#: On every response. The policy allows scripts, styles, images and fonts from this site only,
#: and no inline script or style attribute at all: markup injected into a page cannot run or
#: restyle anything. Pages keep to it (tests/accounts/test_security.py reads the templates).
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # Links carry tokens (password reset, calendar feeds): never send our URLs to another site.
    "Referrer-Policy": "same-origin",
    # No page needs any of these; a script that got in could not ask for them either.
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=(), "
    "accelerometer=(), gyroscope=(), magnetometer=()",
    # A page opened from ours (or ours from another site) gets no handle on the other window.
    "Cross-Origin-Opener-Policy": "same-origin",
}

#: Sent only when the site is https: browsers then refuse plain http to it for a year.
HSTS = "max-age=31536000; includeSubDomains"


def init_app(app: Flask) -> None:
    app.add_template_filter(local)
    app.add_template_filter(day)
    app.add_template_filter(money)
    app.add_template_filter(first_name)
    app.add_template_filter(nl2br)
    app.add_template_filter(currency_name)
    app.add_template_filter(tel)
    app.context_processor(_the_spa)
    app.jinja_env.globals["timedelta"] = timedelta

    @app.after_request
    def security_headers(response):
        if app.config["SEND_SECURITY_HEADERS"]:
            for name, value in SECURITY_HEADERS.items():
                response.headers.setdefault(name, value)
            if served_over_https(app.config):
                response.headers.setdefault("Strict-Transport-Security", HSTS)
        return response
