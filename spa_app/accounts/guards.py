"""View guards: who may open a page, and where a login may send someone next."""

from __future__ import annotations

import functools
from urllib.parse import urlsplit

from flask import abort
from flask_login import current_user, login_required

from spa_app.accounts.models import Role


def role_required(*roles: Role):
    """Require a login with one of ``roles``; any other role gets 404, so nothing is revealed."""

    def decorator(view):
        @functools.wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(404)
            return view(*args, **kwargs)

        return wrapped

    return decorator


staff_required = role_required(Role.STAFF)


def safe_next(target: str | None) -> str | None:
    """``target`` if it is a path on this site, else None (no open redirects)."""
    if not target or "\\" in target or any(ord(c) < 32 for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target
