"""Rate limits on logging in and on the other password pages: per account and per address.

Views declare their limits with ``@limited(...)``; ``init_app`` gives each app its own
Flask-Limiter and applies them to the registered views. One module-level limiter would not do:
the extension keeps its storage and settings on the object, so the last app made in a process
(the tests make one per test) would count for every other.

Only POSTs are counted. The limit is checked before the view runs: an attempt over it gets a
429 page and changes nothing. Pages that answer a failure by showing the form again (login,
password change) count only failures, so a person logging in many times a day, or many people
behind one office address, are never held back by their successes; the others count every POST.
(Counting after the answer lets as many attempts through at once as there are workers answering
them, at the very moment the limit is reached; each costs a full password hash.) The account key
is counted whether or not an account uses the e-mail, so a limit tells nothing about who has one.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app, request
from flask_babel import lazy_gettext as _l
from flask_limiter import Limiter
from flask_login import current_user

from spa_app.accounts.service import normalize_email

TOO_MANY = _l(
    "There have been too many attempts for this account or from your network in the last few "
    "minutes. Please wait a quarter of an hour, then try again."
)


def submitted_account() -> str:
    """The account an attempt names: a keyed digest of the e-mail in the form, normalised.

    Keyed so that the limiter's storage (Redis in production) holds no e-mail addresses.
    """
    return _digest("email", normalize_email(request.form.get("email", "")[:254]))


def signed_in_account() -> str:
    """The logged-in user, for pages that ask for their current password.

    Limits run before ``login_required``, so an anonymous POST is counted too, apart.
    """
    if not current_user.is_authenticated:
        return "anonymous"
    return _digest("user", str(current_user.id))


def client_address() -> str:
    """The client's address (as ProxyFix set it); IPv6 by /64, which one client usually holds."""
    address = request.remote_addr or ""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address or "unknown"
    if ip.version == 6:
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def _digest(kind: str, value: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return kind + ":" + hmac.new(key, value.encode(), hashlib.sha256).hexdigest()[:32]


@dataclass(frozen=True)
class Rule:
    """A limit read from the setting ``setting`` (e.g. "10 per 15 minutes"), counted by ``key``."""

    setting: str
    key: Callable[[], str]


PER_ACCOUNT = Rule("LOGIN_LIMIT_PER_ACCOUNT", submitted_account)
PER_SIGNED_IN_ACCOUNT = Rule("LOGIN_LIMIT_PER_ACCOUNT", signed_in_account)
PER_ADDRESS = Rule("LOGIN_LIMIT_PER_ADDRESS", client_address)


def limited(*rules: Rule, failures_only: bool = False):
    """Mark a view's POSTs for ``rules``; ``init_app`` applies them to each app.

    With ``failures_only``, an answer that redirects (a success) is not counted.
    """

    def mark(view):
        view.rate_limits = (rules, failures_only)
        return view

    return mark


def _failed(response) -> bool:
    return not 300 <= response.status_code < 400


def init_app(app: Flask) -> Limiter:
    """Bind a limiter of this app's own (storage from RATELIMIT_*) to the views marked limited.

    Call after the blueprints are registered. The storage connects at the first attempt, not here.
    RATELIMIT_ENABLED=false (a load test from one address, say) leaves the views as they are.
    """
    limiter = Limiter(key_func=client_address)
    limiter.init_app(app)
    if not limiter.enabled:
        return limiter
    # The limits hold the limiter by a weak reference: the app keeps it alive.
    app.extensions["spa_limiter"] = limiter
    for endpoint, view in list(app.view_functions.items()):
        rules, failures_only = getattr(view, "rate_limits", ((), False))
        for rule in rules:
            view = limiter.limit(
                _configured(rule.setting),
                key_func=rule.key,
                methods=["POST"],
                error_message=lambda: str(TOO_MANY),  # in the page's language
                deduct_when=_failed if failures_only else None,
            )(view)
        app.view_functions[endpoint] = view
    return limiter


def _configured(setting: str) -> Callable[[], str]:
    return lambda: current_app.config[setting]
