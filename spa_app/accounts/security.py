"""App-wide wiring for accounts: which proxies to trust, cookie flags, hashing, rate limits."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask import Flask, abort, request
from flask_babel import gettext
from werkzeug.middleware.proxy_fix import ProxyFix

from spa_app.accounts import limits
from spa_app.config import served_over_https

#: The full forms werkzeug writes at the head of a hash, so a stored one can be compared.
HASH_METHOD = re.compile(r"scrypt:\d+:\d+:\d+|pbkdf2:[a-z0-9_]+:\d+")


def init_app(app: Flask) -> None:
    """Apply the security settings to ``app``; call once the blueprints are registered."""
    _check_hash_method(app.config["PASSWORD_HASH_METHOD"])
    _secure_cookies(app)
    _trust_proxies(app)
    _same_origin_changes(app)
    _bounded_bodies(app)
    limits.init_app(app)


def _secure_cookies(app: Flask) -> None:
    """Secure cookies over https unless a setting says otherwise; over http they would be lost."""
    for key in ("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE"):
        if app.config.get(key) is None:
            app.config[key] = served_over_https(app.config)


def _trust_proxies(app: Flask) -> None:
    """Take the client's address and scheme from the last PROXY_COUNT proxies' headers.

    Off by default: without a proxy in front, anyone could send X-Forwarded-For and pass for
    any address, and so dodge the per-address limits.
    """
    count = int(app.config["PROXY_COUNT"])
    if count < 0:
        raise RuntimeError("SPA_PROXY_COUNT must be 0 (no proxy) or the number of proxies.")
    if count:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count)


#: Requests that change nothing; anything else must not come from another site's page.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: Endpoints that a mail app may POST to from its own servers (RFC 8058 one-click unsubscribe).
FOREIGN_POSTS_ALLOWED = frozenset({"notifications.unsubscribe"})


def _same_origin_changes(app: Flask) -> None:
    """Refuse (400) a state-changing request whose browser says it came from another site.

    The CSRF token already stops a forged form; this adds the browser's own word, over http as
    well as https (Flask-WTF checks the referrer only over https). Browsers send Origin on every
    cross-site POST; a request without one (a script, a mail app) is left to the token.
    """

    @app.before_request
    def check_origin():
        if request.method in SAFE_METHODS or request.endpoint in FOREIGN_POSTS_ALLOWED:
            return
        origin = request.headers.get("Origin")
        if origin is None:
            return
        own = {_origin_of(request.host_url), _origin_of(app.config["PUBLIC_URL"])}
        if _origin_of(origin) not in own:
            abort(
                400,
                description=gettext("This request came from another site, so nothing was done."),
            )


def _bounded_bodies(app: Flask) -> None:
    """A body announced as larger than MAX_CONTENT_LENGTH gets a 413 at once, whatever the
    endpoint (werkzeug alone refuses only when a view reads the body; one sent in chunks
    without a length is still cut off there)."""

    @app.before_request
    def refuse_large_bodies():
        limit = request.max_content_length  # MAX_CONTENT_LENGTH, unless a blueprint raised it
        if limit is not None and (request.content_length or 0) > limit:
            abort(413)


def _origin_of(url: str) -> tuple[str, str]:
    """(scheme, host[:port]) of a URL, lower-cased; ("", "") for "null" or nonsense."""
    parts = urlsplit(url.strip().lower())
    return (parts.scheme, parts.netloc) if parts.scheme and parts.netloc else ("", "")


def _check_hash_method(method: str) -> None:
    if not HASH_METHOD.fullmatch(str(method)):
        raise RuntimeError(
            "SPA_PASSWORD_HASH_METHOD must name the method with all its parameters, "
            "e.g. scrypt:131072:8:1 or pbkdf2:sha256:1000000."
        )
