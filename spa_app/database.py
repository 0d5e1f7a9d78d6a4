"""Database plumbing shared by every feature: UTC timestamps and serialized writes on SQLite."""

from __future__ import annotations

import contextlib
import contextvars
import enum
from datetime import UTC, datetime

from flask import current_app, g, has_request_context, request
from sqlalchemy import BigInteger, DateTime, Enum, event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import FunctionElement
from sqlalchemy.types import TypeDecorator

from spa_app.extensions import db

_immediate = contextvars.ContextVar("immediate_write", default=False)


class UTCDateTime(TypeDecorator):
    """An aware UTC datetime on every backend (naive UTC in SQLite, timestamptz in PostgreSQL)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where a UTC instant is required")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


@contextlib.contextmanager
def serialized_writes():
    """Make SQLite transactions begun inside this block take the write lock at BEGIN.

    SQLite cannot upgrade a read transaction to a write safely under concurrency ("database is
    locked", or a stale snapshot in WAL mode), so a check-then-insert must start as
    ``BEGIN IMMEDIATE``. PostgreSQL ignores this: its exclusion constraints decide races.
    """
    token = _immediate.set(True)
    try:
        yield
    finally:
        _immediate.reset(token)


@contextlib.contextmanager
def unit_of_work():
    """One write transaction around the block, for views, tasks and commands alike: begun with
    the write lock on SQLite (BEGIN IMMEDIATE), committed when the block ends, rolled back if it
    raises (and the error raised on). A block that returns early still commits what it did.

    A view catches a domain error outside the block, so nothing of the refused change is left::

        try:
            with unit_of_work():
                visit = service.book(...)
        except service.SlotUnavailable as refused:
            return render_template(..., problem=refused), 409
    """
    with serialized_writes():
        try:
            yield db.session
        except BaseException:
            db.session.rollback()
            raise
        db.session.commit()


#: Requests that read only, unless their view is marked with ``writes``.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def writes(view):
    """Mark a GET view that changes data: on SQLite its request takes the write lock at BEGIN,
    as every POST does, and it may flush. An unmarked GET that flushes is refused (a bug)."""
    view.writes = True
    return view


def _writing_request() -> bool:
    if request.method not in SAFE_METHODS:
        return True
    view = current_app.view_functions.get(request.endpoint)
    return getattr(view, "writes", False)


def init_app(app) -> None:
    """On SQLite, run every state-changing request as one write transaction begun IMMEDIATE.

    A request that reads, then writes, would otherwise fail with "database is locked" when
    another writer commits in between. Reads (GET, HEAD) stay deferred and concurrent, and may
    not write: a GET whose view is not marked ``writes`` that flushes raises RuntimeError.
    """

    @app.before_request
    def _begin_writes():
        g.writes = _writing_request()
        if g.writes:
            g.serialized_writes_token = _immediate.set(True)

    @app.teardown_request
    def _end_writes(exc):
        token = g.pop("serialized_writes_token", None)
        if token is not None:
            _immediate.reset(token)


@event.listens_for(Session, "before_flush")
def _refuse_unmarked_writes(session, flush_context, instances):
    if has_request_context() and not g.get("writes", True) and _changes(session):
        raise RuntimeError(
            f"{request.method} {request.endpoint} wrote to the database: "
            "mark its view with database.writes"
        )


def _changes(session) -> bool:
    return bool(
        session.new or session.deleted or any(session.is_modified(o) for o in session.dirty)
    )


@event.listens_for(Engine, "connect")
def _sqlite_on_connect(dbapi_connection, connection_record):
    if type(dbapi_connection).__module__.split(".")[0] != "sqlite3":
        return
    # Let SQLAlchemy emit BEGIN itself (see _sqlite_begin), so IMMEDIATE and SAVEPOINT work.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@event.listens_for(Engine, "connect")
def _postgresql_on_connect(dbapi_connection, connection_record):
    """No JIT compilation on PostgreSQL. The app's statements are short, and the one costly
    enough to trigger it (the reports' rebooking figures) spent longer compiling than running:
    564 ms with JIT, 226 ms without, over six months of a 100,000-client spa."""
    if type(dbapi_connection).__module__.split(".")[0] not in ("psycopg", "psycopg2"):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("SET jit = off")
    cursor.close()
    dbapi_connection.commit()  # the driver opened a transaction for the SET: the pool wants none


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn):
    if conn.dialect.name != "sqlite":
        return
    immediate = _immediate.get()
    conn.info["immediate"] = immediate
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def require_serialized(session) -> None:
    """Refuse a check-then-write on SQLite unless its transaction began with the write lock.

    Raises RuntimeError: this is a programming error (the caller forgot ``unit_of_work``),
    which would otherwise surface only under concurrency.
    """
    connection = session.connection()
    if connection.dialect.name == "sqlite" and not connection.info.get("immediate"):
        raise RuntimeError(
            "wrap this write in database.unit_of_work() (or serialized_writes()) before any query"
        )


def enum_type(enum_cls: type[enum.StrEnum], name: str, length: int = 16) -> Enum:
    """A string column holding ``enum_cls`` values, with a CHECK constraint on every backend."""
    return Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=length,
        values_callable=lambda members: [m.value for m in members],
    )


#: SQLSTATEs that mean "another transaction got there first": exclusion and unique violations,
#: and the deadlock PostgreSQL breaks when two inserts wait on each other's therapist and room.
_LOST_RACE_STATES = {"23P01", "23505", "40P01"}


def lost_race(exc: DBAPIError) -> bool:
    """True if ``exc`` says a concurrent write won (roll back the savepoint and report it)."""
    if isinstance(exc, IntegrityError):
        return True
    return getattr(exc.orig, "sqlstate", None) in _LOST_RACE_STATES


def violated_constraint(exc: DBAPIError) -> str | None:
    """The name of the constraint ``exc`` reports (PostgreSQL), or None if it names none."""
    diag = getattr(exc.orig, "diag", None)
    return getattr(diag, "constraint_name", None)


#: Advisory-lock namespaces (first key of pg_advisory_xact_lock(int, int)).
_LOCK_THERAPIST, _LOCK_ROOM, _LOCK_CLIENT = 1, 2, 3


def lock_client(session, client_id: int) -> None:
    """Queue concurrent booking changes of one client (PostgreSQL; SQLite is serialized).

    Taken before anything is read, until the transaction ends: the later writer then reads the
    earlier one's committed visit and is refused by name, instead of racing it to the exclusion
    constraint. Take it before lock_for_booking (one global order: client, therapist, room).
    """
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        return
    connection.execute(
        text("SELECT pg_advisory_xact_lock(:c, :client)"), {"c": _LOCK_CLIENT, "client": client_id}
    )


def lock_for_booking(session, therapist_id: int, room_id: int) -> None:
    """Queue concurrent writers of the same therapist or room (PostgreSQL; SQLite is serialized).

    The exclusion constraints alone are correct, but two inserts that each see the other's
    uncommitted row wait on each other and PostgreSQL breaks the deadlock only after
    deadlock_timeout (1 s). Locks taken in one global order (client, see lock_client, then
    therapist, then room) until the transaction ends make the later writer wait, then fail the
    constraint cleanly and at once.
    """
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        return
    connection.execute(
        text("SELECT pg_advisory_xact_lock(:t, :therapist), pg_advisory_xact_lock(:r, :room)"),
        {"t": _LOCK_THERAPIST, "therapist": therapist_id, "r": _LOCK_ROOM, "room": room_id},
    )


def try_lock_for_booking(session, therapist_id: int, room_id: int) -> str | None:
    """lock_for_booking without waiting: None once both are held, else which one another
    transaction is writing now ("therapist" or "room").

    Take it inside a savepoint: rolling the savepoint back releases a therapist already taken
    when the room was not free (PostgreSQL releases a savepoint's locks with it).
    """
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        return None
    # CASE keeps the global order: the room is tried only once the therapist is held.
    return connection.scalar(
        text(
            "SELECT CASE WHEN NOT pg_try_advisory_xact_lock(:t, :therapist) THEN 'therapist' "
            "WHEN NOT pg_try_advisory_xact_lock(:r, :room) THEN 'room' END"
        ),
        {"t": _LOCK_THERAPIST, "therapist": therapist_id, "r": _LOCK_ROOM, "room": room_id},
    )


class epoch_ms(FunctionElement):
    """Milliseconds since 1970-01-01 UTC of a UTCDateTime column, as an integer, on any backend.

    Availability reads thousands of instants; as integers they skip the driver's and
    SQLAlchemy's per-value datetime processing, and the engine compares them as integers.
    """

    type = BigInteger()
    inherit_cache = True
    name = "epoch_ms"


@compiles(epoch_ms, "sqlite")
def _epoch_ms_sqlite(element, compiler, **kw):
    # julianday() parses the stored ISO text; the double is exact to well under a millisecond.
    column = compiler.process(element.clauses, **kw)
    return f"CAST(ROUND((julianday({column}) - 2440587.5) * 86400000) AS INTEGER)"


@compiles(epoch_ms, "postgresql")
def _epoch_ms_postgresql(element, compiler, **kw):
    column = compiler.process(element.clauses, **kw)
    return f"CAST(ROUND(EXTRACT(EPOCH FROM {column}) * 1000) AS BIGINT)"


def dialect_insert(model, session):
    """The INSERT of the session's backend (PostgreSQL or SQLite), which has ``ON CONFLICT``."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(model)
