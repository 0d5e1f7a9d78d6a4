"""The migrations and the models agree, on SQLite and on PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from spa_app import create_app
from spa_app.booking.models import BookingStatus
from spa_app.cadence.models import NextVisit
from spa_app.extensions import db
from tests import factories
from tests.conftest import PG_ADMIN_URL, base_config


def pending_diff():
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def test_sqlite_schema_matches_the_models(app):
    assert pending_diff() == []


@pytest.mark.postgres
def test_postgres_schema_matches_the_models(pg_app):
    assert pending_diff() == []


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_database(request, tmp_path):
    """The URL of an empty database of each kind, dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.db'}"
        return
    request.getfixturevalue("pg_url")  # skips (or fails in CI) without PostgreSQL
    name = f"spa_migration_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield sa.engine.make_url(PG_ADMIN_URL).set(database=name).render_as_string(False)
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_next_visits_are_filled_from_visits_already_completed(empty_database):
    """Clients who completed visits before the nudges existed get their window on upgrade."""
    app = create_app(base_config(empty_database))
    with app.app_context():
        upgrade(revision="0278ce7633ee")
        svc, (t,), (r,) = factories.spa(therapists=1, rooms=1)
        client = factories.user()
        client_id = client.id
        winter = datetime(2027, 3, 1, 10, tzinfo=UTC)  # 10:00 in London, in GMT
        for days, status in ((0, BookingStatus.COMPLETED), (-14, BookingStatus.COMPLETED),
                             (7, BookingStatus.NO_SHOW)):  # fmt: skip
            factories.booking(client, t, r, svc, winter + timedelta(days=days), status=status)
        # An e-mail already sent, with its attempt: the upgrade rebuilds their table on SQLite.
        with db.engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO messages (kind, idempotency_key, user_id, state, due_at, "
                    "attempts, created_at) VALUES ('password_reset', 'reset:1', :user, 'sent', "
                    ":now, 1, :now)"
                ),
                {"user": client_id, "now": winter.replace(tzinfo=None)},
            )
            conn.execute(
                sa.text(
                    "INSERT INTO message_attempts (message_id, at, outcome, detail) "
                    "VALUES (1, :now, 'sent', '250')"
                ),
                {"now": winter.replace(tzinfo=None)},
            )
        db.session.remove()  # no read transaction left open on the old schema
        upgrade()
        (row,) = db.session.execute(db.select(NextVisit)).scalars()
        assert row.client_id == client_id and row.last_visit_at == winter
        # Four weeks on the London clock: 10:00 BST on 29 March, 09:00 UTC.
        assert row.opens_at == datetime(2027, 3, 29, 9, tzinfo=UTC)
        assert row.closes_at == datetime(2027, 4, 12, 9, tzinfo=UTC)
        assert db.session.execute(sa.text("SELECT count(*) FROM message_attempts")).scalar() == 1
        db.session.remove()
        downgrade(revision="0278ce7633ee")  # and back, with the message and its attempt kept
        assert db.session.execute(sa.text("SELECT count(*) FROM messages")).scalar() == 1
        assert "next_visits" not in sa.inspect(db.engine).get_table_names()
        db.session.remove()
        db.engine.dispose()
