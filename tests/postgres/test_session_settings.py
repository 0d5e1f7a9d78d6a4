"""What each of the app's PostgreSQL connections is set to when the pool opens it."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from spa_app.extensions import db

pytestmark = pytest.mark.postgres


def test_every_connection_runs_without_jit_and_starts_idle(pg_app):
    """JIT compiled the reports' rebooking statement longer than it ran: the app turns it off
    on each connection, and commits the SET so the pool hands out no open transaction."""
    db.engine.dispose()  # new connections, each through the connect hook
    with db.engine.connect() as first, db.engine.connect() as second:
        for conn in (first, second):
            raw = conn.connection.dbapi_connection
            assert raw.info.transaction_status.name == "IDLE"
            assert conn.exec_driver_sql("SHOW jit").scalar() == "off"
    assert db.session.execute(sa.text("SELECT 1")).scalar() == 1
