"""Security headers on every page, pages that keep to the CSP, and the cookie flags."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from spa_app.accounts.models import Role
from spa_app.extensions import db
from spa_app.scheduling.models import TimeOff
from tests import factories
from tests.conftest import PROJECT_ROOT
from tests.factories import at

HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=(), "
    "accelerometer=(), gyroscope=(), magnetometer=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}
HSTS = "max-age=31536000; includeSubDomains"
HTTPS = {"PUBLIC_URL": "https://spa.example"}


@pytest.mark.parametrize("path", ["/", "/login", "/no-such-page", "/static/style.css"])
def test_every_security_header_on_pages_errors_and_files(client, path):
    with client.get(path) as reply:  # closes the static file's stream
        headers = reply.headers
    for name, value in HEADERS.items():
        assert headers.get(name) == value, name
    assert "Strict-Transport-Security" not in headers  # plain http: make run


def test_the_policy_allows_no_inline_script_or_style():
    directives = dict(d.split(" ", 1) for d in HEADERS["Content-Security-Policy"].split("; "))
    for name in ("script-src", "style-src", "default-src"):
        assert directives[name] == "'self'", name
    assert "unsafe" not in HEADERS["Content-Security-Policy"]


class TestOverHttps:
    @pytest.fixture
    def app_config(self):
        return HTTPS

    def test_hsts_joins_the_headers(self, client):
        reply = client.get("/")
        assert reply.headers["Strict-Transport-Security"] == HSTS
        assert reply.headers["Content-Security-Policy"] == HEADERS["Content-Security-Policy"]

    def test_session_and_remember_me_cookies_are_secure_httponly_and_lax(self, client):
        me = factories.user()
        reply = client.post(
            "/login", data={"email": me.email, "password": factories.PASSWORD, "remember": "y"}
        )
        cookies = set_cookies(reply)
        assert set(cookies) >= {"session", "remember_token"}
        for name in ("session", "remember_token"):
            assert {"secure", "httponly", "samesite=lax"} <= cookies[name], name


def test_over_plain_http_cookies_are_not_secure_or_the_browser_would_drop_them(client):
    me = factories.user()
    reply = client.post(
        "/login", data={"email": me.email, "password": factories.PASSWORD, "remember": "y"}
    )
    cookies = set_cookies(reply)
    for name in ("session", "remember_token"):
        assert {"httponly", "samesite=lax"} <= cookies[name] and "secure" not in cookies[name]


class TestSecureCookiesSetExplicitly:
    @pytest.fixture
    def app_config(self):
        return {"SESSION_COOKIE_SECURE": True}  # e.g. a site tried over http behind TLS

    def test_a_setting_overrides_the_public_address(self, app):
        assert app.config["SESSION_COOKIE_SECURE"] is True
        assert app.config["REMEMBER_COOKIE_SECURE"] is False


def set_cookies(reply) -> dict[str, set[str]]:
    """Each cookie's attributes, lower-cased, from the Set-Cookie headers."""
    found = {}
    for header in reply.headers.getlist("Set-Cookie"):
        name, _, rest = header.partition("=")
        found[name] = {part.strip().lower() for part in rest.split(";")[1:]}
    return found


# Pages: no inline script, style element, style attribute or event handler anywhere.

INLINE = re.compile(
    r"<script(?![^>]*\ssrc=)|<style|\sstyle\s*=|\son[a-z]+\s*=|javascript:", re.IGNORECASE
)


def test_no_template_outside_the_e_mails_has_inline_script_or_style():
    templates = PROJECT_ROOT / "templates"
    offending = [
        f"{path.relative_to(templates)}: {match.group(0)!r}"
        for path in sorted(templates.rglob("*.html"))
        if "emails" not in path.relative_to(templates).parts
        for match in INLINE.finditer(path.read_text())
    ]
    assert offending == []


def test_the_calendar_grid_keeps_to_the_policy_and_every_class_it_uses_exists(client):
    """The grid placed its cells with inline styles; its classes must all be in style.css."""
    svc, (anna, ben), (r1, r2) = factories.spa(therapists=2, rooms=2)
    day = factories.next_weekday(2)
    start = at(day, "10:15")
    factories.booking(factories.user(), anna, r1, svc, start)
    db.session.add(
        TimeOff(therapist_id=ben.id, starts_at=start, ends_at=start + timedelta(hours=2))
    )
    db.session.commit()
    factories.login(client, factories.user(Role.STAFF))
    page = client.get(f"/staff/calendar?date={day.isoformat()}").get_data(as_text=True)
    assert INLINE.search(page) is None
    used = set(re.findall(r"\b(g[rs]-\d+)\b", page))
    assert {"gr-6", "gs-4", "gs-8"} <= used  # 10:15 in 15-minute rows from 09:00
    css = (PROJECT_ROOT / "spa_app" / "static" / "style.css").read_text()
    defined = set(re.findall(r"\.(g[rs]-\d+)\{", css))
    assert used <= defined
    # The grid can be as long as a day in 5-minute steps.
    assert {f"gr-{n}" for n in range(1, 289)} | {f"gs-{n}" for n in range(1, 289)} <= defined
