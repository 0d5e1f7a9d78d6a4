"""Template filters and response headers shared by every page."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import Flask, g

from spa_app.clock import zone
from spa_app.scheduling.service import get_settings


def use_timezone(tz: ZoneInfo) -> None:
    """Tell this request's templates the business time zone (saves a query when known)."""
    g.business_tz = tz


def _business_tz() -> ZoneInfo:
    """The business time zone, read once per request (pages show every time in it)."""
    if "business_tz" not in g:
        use_timezone(zone(get_settings().timezone))
    return g.business_tz


def local(value: datetime, fmt: str = "%a %d %b %Y, %H:%M") -> str:
    return value.astimezone(_business_tz()).strftime(fmt)


def money(cents: int) -> str:
    return f"£{cents // 100}.{cents % 100:02d}"


SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": "default-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'self'",
}


def init_app(app: Flask) -> None:
    app.add_template_filter(local)
    app.add_template_filter(money)
    app.jinja_env.globals["timedelta"] = timedelta

    @app.after_request
    def security_headers(response):
        if app.config["SEND_SECURITY_HEADERS"]:
            for name, value in SECURITY_HEADERS.items():
                response.headers.setdefault(name, value)
        return response
