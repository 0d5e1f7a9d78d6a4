"""Count the SQL statements an operation sends."""

from __future__ import annotations

import contextlib

from sqlalchemy import event

from spa_app.extensions import db


@contextlib.contextmanager
def count_statements():
    """Yield a list that collects every statement sent to the app's engine inside the block."""
    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        if not statement.lstrip().upper().startswith(("BEGIN", "SAVEPOINT", "RELEASE", "PRAGMA")):
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
