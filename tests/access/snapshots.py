"""Snapshots for the access tests: every row of every table, to prove a request changed nothing
(or something), and a copy of the database to put the world back as it was."""

from __future__ import annotations

import sqlite3

import sqlalchemy as sa

from spa_app.extensions import db


def dump(skip: tuple[str, ...] = ()) -> dict[str, list[tuple]]:
    """Every table's rows (sorted), read on a connection of its own."""
    rows = {}
    with db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            if table.name not in skip:
                found = conn.execute(sa.select(table))
                rows[table.name] = sorted((tuple(r) for r in found), key=repr)
    return rows


def counts() -> dict[str, int]:
    """How many rows each table has (one statement)."""
    tables = db.metadata.sorted_tables
    query = sa.select(
        *(sa.select(sa.func.count()).select_from(t).scalar_subquery().label(t.name) for t in tables)
    )
    with db.engine.connect() as conn:
        return dict(conn.execute(query).one()._mapping)


def copy_database(source: str, target: str) -> None:
    """Copy SQLite file ``source`` over ``target`` (the backup API, safe with WAL). The app's
    connections are closed first, so the next request reads the copy."""
    db.session.remove()
    db.engine.dispose()
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()
