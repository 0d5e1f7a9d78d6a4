"""A throwaway, migrated database for one run: a temporary SQLite file, or PostgreSQL.

With ``BENCH_DATABASE_URL`` set (a server URL such as
``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``) a fresh ``spa_bench_<random>``
database is created on that server and dropped at the end; otherwise a SQLite file in a
temporary folder is used.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import uuid
from collections.abc import Iterator

import sqlalchemy as sa
from flask import Flask
from flask_migrate import upgrade

from spa_app import create_app
from spa_app.extensions import db

ENV_VAR = "BENCH_DATABASE_URL"


def build_app(database_url: str) -> Flask:
    """The app on ``database_url``, configured as the tests configure it."""
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "bench",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "WTF_CSRF_ENABLED": False,
            "CELERY": {"broker_url": "memory://", "broker_transport_options": {}},
            # A JSON line per timed request would swamp the report (and the timings).
            "LOG_LEVEL": "WARNING",
        }
    )


def migrate(app: Flask) -> None:
    """Bring the schema to head with the project's own migrations."""
    with app.app_context():
        upgrade()
        db.engine.dispose()


@contextlib.contextmanager
def temporary_database() -> Iterator[str]:
    """Yield the URL of an empty, not yet migrated database that is removed afterwards."""
    server = os.environ.get(ENV_VAR)
    with temporary_postgresql(server) if server else temporary_sqlite() as url:
        yield url


@contextlib.contextmanager
def temporary_sqlite() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="spa_bench_") as folder:
        yield f"sqlite:///{os.path.join(folder, 'spa.db')}"


@contextlib.contextmanager
def temporary_postgresql(server_url: str) -> Iterator[str]:
    """A fresh database on the server ``server_url`` names, dropped at the end."""
    name = f"spa_bench_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        try:
            yield sa.make_url(server_url).set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()
