"""App-wide wiring for accounts: which proxies to trust, cookie flags, hashing, rate limits."""

from __future__ import annotations

import re

from flask import Flask
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


def _check_hash_method(method: str) -> None:
    if not HASH_METHOD.fullmatch(str(method)):
        raise RuntimeError(
            "SPA_PASSWORD_HASH_METHOD must name the method with all its parameters, "
            "e.g. scrypt:131072:8:1 or pbkdf2:sha256:1000000."
        )
