"""Spa booking with a home-care plan for every visit."""

from __future__ import annotations

import os

from flask import Flask, current_app, jsonify, render_template, request
from flask_babel import gettext

from spa_app import database
from spa_app.config import DEFAULTS, celery_defaults
from spa_app.extensions import csrf, db, login_manager, migrate
from spa_app.ops import logs
from spa_app.routing import BoundedIdConverter

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: configuration, extensions, Celery, blueprints and error pages. Wiring only."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=os.path.join(ROOT, "templates"),
    )
    _configure(app, test_config)
    # First of the request hooks, so each request's log line sees its final status.
    logs.init_app(app)

    app.url_map.converters["id"] = BoundedIdConverter
    db.init_app(app)
    database.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(ROOT, "migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)

    from spa_app.tasking import celery_init_app

    celery_init_app(app)
    _connect_reactions()
    _register_blueprints(app)
    _register_errors(app)

    from spa_app import cli, i18n, templating
    from spa_app.accounts import security

    cli.init_app(app)
    i18n.init_app(app)
    templating.init_app(app)
    # Proxy trust, cookie flags, the hashing method, rate limits (on the registered views).
    security.init_app(app)
    return app


def _configure(app: Flask, test_config: dict | None) -> None:
    app.config.from_mapping(DEFAULTS)
    app.config["CELERY"] = celery_defaults(app.instance_path)
    # SPA_CELERY__broker_url=redis://... sets one nested Celery key and keeps the rest.
    app.config.from_prefixed_env("SPA")
    if app.config.get("SECRET_KEY") is not None:
        # Values are parsed as JSON when they can be; a secret of digits must stay a string.
        app.config["SECRET_KEY"] = str(app.config["SECRET_KEY"])
    if test_config:
        celery_overrides = test_config.get("CELERY", {})
        app.config.from_mapping({k: v for k, v in test_config.items() if k != "CELERY"})
        app.config["CELERY"].update(celery_overrides)
    if not app.config.get("SECRET_KEY") and not app.testing:
        raise RuntimeError("SPA_SECRET_KEY must be set (make run generates one for development).")
    from spa_app.notifications.delivery import send_time_limits

    _, send_limit = send_time_limits(app.config)
    limit = max(float(app.config["CELERY"].get("task_time_limit") or 0), send_limit)
    if float(app.config["MAIL_LEASE_SECONDS"]) <= limit:
        raise RuntimeError(
            "SPA_MAIL_LEASE_SECONDS must be longer than the send task's time limit "
            f"({limit:g} s): a send still running when its lease ends could go out twice."
        )


def _connect_reactions() -> None:
    """Each feature's reactions to what happens to a visit (spa_app.signals), in this order:
    the visit's own notices first, then the waitlist, then the next-visit window. Importing
    them also declares, for each kind of e-mail, how it is written (outbox.composes) and when
    a queued one becomes pointless (outbox.pointless_when).
    Connecting again (another app in the same process) changes nothing."""
    from spa_app.accounts import service as accounts  # noqa: F401  (the password-reset e-mail)
    from spa_app.cadence import service as cadence
    from spa_app.feedback import service as feedback  # noqa: F401  (asking how a visit was)
    from spa_app.homecare.plans import messages  # noqa: F401  (the plan e-mails)
    from spa_app.homecare.watch import service as watch  # noqa: F401  (the therapists' digest)
    from spa_app.notifications import visits
    from spa_app.scheduling import notices  # noqa: F401  (the 'needs a new time' e-mail)
    from spa_app.waitlist import service as waitlist

    for feature in (visits, waitlist, cadence):
        feature.connect()


def _register_blueprints(app: Flask) -> None:
    from spa_app.accounts.views import bp as accounts_bp
    from spa_app.api.views import bp as api_bp
    from spa_app.booking.manage import bp as visit_link_bp
    from spa_app.booking.staff_views import bp as booking_staff_bp
    from spa_app.booking.views import bp as booking_bp
    from spa_app.cadence.views import bp as cadence_bp
    from spa_app.calendar.views import bp as calendar_bp
    from spa_app.catalog.views import bp as catalog_bp
    from spa_app.clients import staff_views as client_staff_views
    from spa_app.clients import views as client_views
    from spa_app.feedback.views import bp as feedback_bp
    from spa_app.homecare.intake import views as intake  # noqa: F401  (on the homecare bp)
    from spa_app.homecare.notes.views import bp as notes_bp
    from spa_app.homecare.outcomes.views import bp as outcomes_bp
    from spa_app.homecare.plans.views import bp as plans_bp
    from spa_app.homecare.views import bp as homecare_bp
    from spa_app.notifications.views import bp as notifications_bp
    from spa_app.ops.views import bp as ops_bp
    from spa_app.privacy.views import bp as privacy_bp
    from spa_app.profile.views import bp as profile_bp
    from spa_app.reports.views import bp as reports_bp
    from spa_app.scheduling.views import bp as scheduling_bp
    from spa_app.waitlist.views import bp as waitlist_bp

    for bp in (
        accounts_bp,
        catalog_bp,
        scheduling_bp,
        profile_bp,
        booking_bp,
        booking_staff_bp,
        client_views.bp,
        client_staff_views.bp,
        visit_link_bp,
        api_bp,
        calendar_bp,
        cadence_bp,
        notifications_bp,
        homecare_bp,
        plans_bp,
        notes_bp,
        outcomes_bp,
        ops_bp,
        waitlist_bp,
        privacy_bp,
        reports_bp,
        feedback_bp,
    ):
        app.register_blueprint(bp)


def _register_errors(app: Flask) -> None:
    for code in (400, 403, 404, 405, 409, 429, 500):
        app.register_error_handler(code, lambda e, code=code: (_error_page(e), code))
    app.register_error_handler(413, _too_large)


def _error_page(error) -> str:
    """The page for ``error``: our words for its code, or the view's own (given translated)."""
    own = getattr(error, "description", None)
    explained = own if own and own != getattr(type(error), "description", None) else None
    return render_template("error.html", error=error, explained=explained)


def _too_large(error):
    """413 before anything was parsed: JSON for the API, a page for people."""
    limit = current_app.config["MAX_CONTENT_LENGTH"] // 1024
    message = gettext(
        "That was more than this site takes in one request (%(limit)s KiB). Nothing was saved.",
        limit=limit,
    )
    if request.path.startswith("/api/"):
        return jsonify(error=message), 413
    return render_template("error.html", error=error, explained=message), 413
