"""Configuration: defaults here, then ``SPA_*`` environment variables, then test overrides.

Nothing reads the environment at import time; ``create_app`` applies the layers in order.
"""

from __future__ import annotations

import os

DEFAULTS = {
    "SECRET_KEY": None,
    # Relative SQLite paths are resolved inside the instance folder by Flask-SQLAlchemy.
    "SQLALCHEMY_DATABASE_URI": "sqlite:///spa.db",
    "SQLALCHEMY_ENGINE_OPTIONS": {},
    "WTF_CSRF_TIME_LIMIT": None,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "SEND_SECURITY_HEADERS": True,
    "CELERY": {},
    # Outgoing mail. The defaults suit a local sink; production sets SPA_MAIL_* variables.
    "MAIL_HOST": "127.0.0.1",
    "MAIL_PORT": 8025,
    "MAIL_SECURITY": "none",  # none, starttls or ssl
    "MAIL_USERNAME": None,
    "MAIL_PASSWORD": None,
    "MAIL_FROM": "Spa <bookings@spa.example>",
    "MAIL_TIMEOUT_SECONDS": 10,
    "MAIL_MAX_ATTEMPTS": 8,
    "MAIL_RETRY_BASE_SECONDS": 60,
    # How long a dispatched message is held for its send task; a task lost with its worker or
    # broker is sent again once this runs out. Keep it above the task's hard time limit (300 s),
    # so a send still running is killed before its message can go out again.
    "MAIL_LEASE_SECONDS": 600,
    # A Maildir that a local aiosmtpd writes to (make run sets it); staff can read it at
    # /staff/mail-sink. Unset in production.
    "MAIL_SINK_DIR": None,
    # How long before a visit its reminder goes out (real hours, so DST-proof).
    "REMINDER_LEAD_HOURS": 24,
    # Where links in e-mails point.
    "PUBLIC_URL": "http://127.0.0.1:5000",
}


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
        "imports": ["spa_app.ops.tasks", "spa_app.notifications.tasks"],
        "timezone": "UTC",
        "enable_utc": True,
    }
