"""Celery bound to the Flask app: the FlaskTask pattern from Flask's documentation."""

from __future__ import annotations

from celery import Celery, Task
from flask import Flask

from spa_app.ops import logs


def celery_init_app(app: Flask) -> Celery:
    """Create the Celery app from ``app.config["CELERY"]``; every task runs in the app context
    and logs one line when it ends."""

    class FlaskTask(Task):
        def __call__(self, *args, **kwargs):
            with app.app_context():
                return self.run(*args, **kwargs)

    celery_app = Celery(app.name, task_cls=FlaskTask)
    celery_app.config_from_object(app.config["CELERY"])
    celery_app.set_default()
    logs.log_tasks()
    app.extensions["celery"] = celery_app
    return celery_app
