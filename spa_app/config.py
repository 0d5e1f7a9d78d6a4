"""Configuration: defaults here, then ``SPA_*`` environment variables, then test overrides.

Nothing reads the environment at import time; ``create_app`` applies the layers in order.

Security settings follow the site's address: when ``PUBLIC_URL`` starts with ``https://``, the
session and remember-me cookies are marked Secure and every response carries HSTS; over plain
http (``make run``) both stay off, or the browser would drop the cookies. Setting
``SESSION_COOKIE_SECURE`` or ``REMEMBER_COOKIE_SECURE`` explicitly overrides that rule. The
cookies are always HttpOnly and SameSite=Lax.

Login, password-reset and registration attempts are rate-limited per account and per client
address (``spa_app.accounts.limits``). The counts live in ``RATELIMIT_STORAGE_URI``: memory of
one process by default, a Redis URL in production so that every gunicorn worker shares them. The
client address is the connecting peer unless ``PROXY_COUNT`` says how many reverse proxies in
front of the app to trust for ``X-Forwarded-For`` and ``X-Forwarded-Proto`` (never more than
there really are: a client could then claim any address).
"""

from __future__ import annotations

import os
from datetime import timedelta

#: scrypt at one of OWASP's password-storage settings of equal strength: N=2^15, r=8, p=3 holds
#: 32 MiB for about a third of a second (N=2^17, r=8, p=1 costs as much time but 128 MiB, which
#: a few logins at once in threaded web workers would multiply). Either is accepted: a hash made
#: with other parameters is replaced at the next successful login.
PASSWORD_HASH_METHOD = "scrypt:32768:8:3"

DEFAULTS = {
    "SECRET_KEY": None,
    # Relative SQLite paths are resolved inside the instance folder by Flask-SQLAlchemy.
    "SQLALCHEMY_DATABASE_URI": "sqlite:///spa.db",
    "SQLALCHEMY_ENGINE_OPTIONS": {},
    "WTF_CSRF_TIME_LIMIT": None,
    # The largest request body accepted (413 beyond it, before anything is parsed). The largest
    # form (a 40-item plan draft with every note full) is well under 100 KiB. Only the staff
    # pages that take a picture accept more (catalog.images.body_limit: a few pictures' worth).
    "MAX_CONTENT_LENGTH": 256 * 1024,
    # Pictures staff upload (services, therapists): where they are kept, outside the code
    # (None: "uploads" in the instance folder), and the largest file taken.
    "UPLOAD_FOLDER": None,
    "MAX_IMAGE_BYTES": 2 * 1024 * 1024,
    "MAX_FORM_MEMORY_SIZE": 256 * 1024,
    "MAX_FORM_PARTS": 1000,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    # None: Secure exactly when PUBLIC_URL is https (see the module docstring).
    "SESSION_COOKIE_SECURE": None,
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_SECURE": None,
    "REMEMBER_COOKIE_DURATION": timedelta(days=30),
    "SEND_SECURITY_HEADERS": True,
    # Full werkzeug form (method:parameters), so a stored hash can be compared with it; a hash
    # made another way is replaced at the next successful login.
    "PASSWORD_HASH_METHOD": PASSWORD_HASH_METHOD,
    # Reverse proxies to trust for the client's address and scheme; 0 trusts none.
    "PROXY_COUNT": 0,
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_STRATEGY": "moving-window",
    # Retry-After and X-RateLimit-* headers on limited routes.
    "RATELIMIT_HEADERS_ENABLED": True,
    # If the shared storage is down, count in each process rather than refuse every login.
    "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
    "RATELIMIT_KEY_PREFIX": "spa",
    "LOGIN_LIMIT_PER_ACCOUNT": "10 per 15 minutes",
    "LOGIN_LIMIT_PER_ADDRESS": "50 per 15 minutes",
    # One JSON line per request and per task (spa_app.ops.logs) at this level and above.
    "LOG_LEVEL": "INFO",
    "CELERY": {},
    # Outgoing mail. The defaults suit a local sink; production sets SPA_MAIL_* variables.
    "MAIL_HOST": "127.0.0.1",
    "MAIL_PORT": 8025,
    "MAIL_SECURITY": "none",  # none, starttls or ssl
    "MAIL_USERNAME": None,
    "MAIL_PASSWORD": None,
    "MAIL_FROM": "Spa <bookings@spa.example>",
    # Connecting, the greeting and each command: a server that is down or hung shows quickly.
    "MAIL_TIMEOUT_SECONDS": 10,
    # The answer once the whole message is sent: the server may be checking it (RFC 5321
    # 4.5.3.2.6 gives it ten minutes). No answer by then holds the message as unconfirmed.
    "MAIL_DATA_TIMEOUT_SECONDS": 600,
    "MAIL_MAX_ATTEMPTS": 8,
    "MAIL_RETRY_BASE_SECONDS": 60,
    # How long a dispatched message is held for its send task; a task lost with its worker or
    # broker is sent again once this runs out. Keep it above the send task's hard time limit
    # (seven timeouts, the data timeout and one more timeout: 680 s by default), so a send
    # still running is killed before its message can go out again.
    "MAIL_LEASE_SECONDS": 900,
    # A Maildir that a local aiosmtpd writes to (make run sets it); staff can read it at
    # /staff/mail-sink. Unset in production.
    "MAIL_SINK_DIR": None,
    # How long before a visit its reminder goes out (real hours, so DST-proof).
    "REMINDER_LEAD_HOURS": 24,
    # After a client's next-visit window closed with nothing booked: a note this many weeks
    # later, and a last one at the second figure.
    "WIN_BACK_AFTER_WEEKS": 4,
    "WIN_BACK_LAST_AFTER_WEEKS": 12,
    # When the therapists' daily digest goes, on the spa's clock ("HH:MM").
    "CARE_DIGEST_AT": "07:00",
    # The most items a suggested home-care plan holds (a small plan is followed).
    "PLAN_MAX_ITEMS": 5,
    # Where links in e-mails point.
    "PUBLIC_URL": "http://127.0.0.1:5000",
}


def mail_domain(config) -> str:
    """The domain of the spa's From address: it names e-mail Message-IDs and calendar UIDs."""
    return config["MAIL_FROM"].rsplit("@", 1)[-1].strip(" >") or "localhost"


def served_over_https(config) -> bool:
    """Whether the site's public address is https: the switch for Secure cookies and HSTS."""
    return str(config["PUBLIC_URL"]).lower().startswith("https://")


def celery_defaults(instance_path: str) -> dict:
    """Celery settings for a machine with no servers: a filesystem broker in the instance folder.

    The reliability settings (late acks, requeue on a lost worker, prefetch 1, a hard time limit
    well below the visibility timeout) hold for every broker; production only swaps the URL.
    """
    queue = os.path.join(instance_path, "broker", "queue")
    processed = os.path.join(instance_path, "broker", "processed")
    control = os.path.join(instance_path, "broker", "control")
    return {
        "broker_url": "filesystem://",
        "broker_transport_options": {
            "data_folder_in": queue,
            "data_folder_out": queue,
            "processed_folder": processed,
            # Broadcasts (celery inspect, remote control) would otherwise land in ./control.
            "control_folder": control,
            "store_processed": False,
            "visibility_timeout": 3600,
        },
        "broker_connection_retry_on_startup": True,
        "task_ignore_result": True,
        "task_serializer": "json",
        "accept_content": ["json"],
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "task_time_limit": 300,
        "task_soft_time_limit": 240,
        "imports": [
            "spa_app.ops.tasks",
            "spa_app.notifications.tasks",
            "spa_app.homecare.watch.tasks",
        ],
        "timezone": "UTC",
        "enable_utc": True,
    }
