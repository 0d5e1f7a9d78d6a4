"""The migrations and the models agree, on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from spa_app.extensions import db


def pending_diff():
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def test_sqlite_schema_matches_the_models(app):
    assert pending_diff() == []


@pytest.mark.postgres
def test_postgres_schema_matches_the_models(pg_app):
    assert pending_diff() == []
