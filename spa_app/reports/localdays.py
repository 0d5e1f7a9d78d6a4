"""Local days in SQL, on any backend: the day number (days since 1970-01-01) of an instant on
the spa's clock, as an expression the database computes.

SQLite knows no time zones, so the zone's offsets are handed to the query: a CASE over the UTC
instants where the clocks change within the span asked for, added to the instant's epoch
milliseconds before dividing by a day. Two visits' day numbers differ by the days between
their local dates, whatever the clocks did in between.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from spa_app.database import epoch_ms

DAY_MS = 86_400_000


def _offset_ms(tz: ZoneInfo, at: datetime) -> int:
    return int(at.astimezone(tz).utcoffset() / timedelta(milliseconds=1))


def transitions(tz: ZoneInfo, start: datetime, end: datetime) -> list[tuple[datetime, int]]:
    """The zone's offset (ms) from ``start``, then each (UTC instant, offset from then on) up
    to ``end``: found day by day, then to the minute."""
    found = [(start, _offset_ms(tz, start))]
    day = start
    while day < end:
        following = day + timedelta(days=1)
        if _offset_ms(tz, following) != found[-1][1]:
            lo, hi = day, following  # the change lies in (lo, hi]
            while hi - lo > timedelta(minutes=1):
                middle = lo + (hi - lo) / 2
                if _offset_ms(tz, middle) == found[-1][1]:
                    lo = middle
                else:
                    hi = middle
            hi = hi.replace(second=0, microsecond=0)
            found.append((hi, _offset_ms(tz, hi)))
        day = following
    return found


def local_day(column, tz: ZoneInfo, start: datetime, end: datetime) -> sa.ColumnElement[int]:
    """The local day number of the UTCDateTime ``column`` (instants between ``start`` and
    ``end``; outside them the nearest offset holds)."""
    changes = transitions(tz, start.astimezone(UTC), end.astimezone(UTC))
    instant = epoch_ms(column)
    if len(changes) == 1:
        offset = sa.literal(changes[0][1], sa.BigInteger)
    else:
        offset = sa.case(
            *(
                (instant < int(at.timestamp() * 1000), sa.literal(before, sa.BigInteger))
                for (at, _after), (_at0, before) in zip(changes[1:], changes[:-1], strict=True)
            ),
            else_=sa.literal(changes[-1][1], sa.BigInteger),
        )
    return (instant + offset) // DAY_MS  # floor division: a whole day number


def day_number(day) -> int:
    """The day number of a local date, as local_day gives it."""
    return (day - datetime(1970, 1, 1).date()).days


def utc_ms(local_ms, tz: ZoneInfo, start: datetime, end: datetime) -> sa.ColumnElement[int]:
    """The UTC epoch milliseconds of a local wall-clock time given as local epoch milliseconds
    (``local_day``'s inverse), for times between ``start`` and ``end``.

    PEP 495's rule, as ``datetime.combine(day, t, tz)`` keeps it: a time the clocks skip takes
    the offset before the change, and a time they repeat its first occurrence; either way the
    old offset holds until the wall clock reaches the later of the change's two readings.
    """
    changes = transitions(tz, start.astimezone(UTC), end.astimezone(UTC))
    if len(changes) == 1:
        return local_ms - changes[0][1]
    offset = sa.case(
        *(
            (local_ms < int(at.timestamp() * 1000) + max(before, after),
             sa.literal(before, sa.BigInteger))
            for (at, after), (_at0, before) in zip(changes[1:], changes[:-1], strict=True)
        ),
        else_=sa.literal(changes[-1][1], sa.BigInteger),
    )  # fmt: skip
    return local_ms - offset


class date_number(FunctionElement):
    """The day number (days since 1970-01-01) of a Date column, on any backend."""

    type = sa.BigInteger()
    inherit_cache = True
    name = "date_number"


@compiles(date_number, "sqlite")
def _date_number_sqlite(element, compiler, **kw):
    return f"CAST(julianday({compiler.process(element.clauses, **kw)}) - 2440587.5 AS INTEGER)"


@compiles(date_number, "postgresql")
def _date_number_postgresql(element, compiler, **kw):
    return f"({compiler.process(element.clauses, **kw)} - DATE '1970-01-01')"


class number_date(FunctionElement):
    """The date of a day number (``date_number``'s inverse), comparable with a Date column on
    any backend: a range of days is then a range of the column, an index's range too."""

    type = sa.Date()
    inherit_cache = True
    name = "number_date"


@compiles(number_date, "sqlite")
def _number_date_sqlite(element, compiler, **kw):
    return f"date({compiler.process(element.clauses, **kw)} * 86400, 'unixepoch')"


@compiles(number_date, "postgresql")
def _number_date_postgresql(element, compiler, **kw):
    return f"(DATE '1970-01-01' + CAST({compiler.process(element.clauses, **kw)} AS INTEGER))"


class time_ms(FunctionElement):
    """The milliseconds since midnight of a Time column, on any backend."""

    type = sa.BigInteger()
    inherit_cache = True
    name = "time_ms"


@compiles(time_ms, "sqlite")
def _time_ms_sqlite(element, compiler, **kw):
    column = compiler.process(element.clauses, **kw)  # stored as 'HH:MM:SS.ffffff'
    return f"CAST(ROUND((julianday({column}) - julianday('00:00:00')) * 86400000) AS INTEGER)"


@compiles(time_ms, "postgresql")
def _time_ms_postgresql(element, compiler, **kw):
    column = compiler.process(element.clauses, **kw)
    return f"CAST(ROUND(EXTRACT(EPOCH FROM {column}) * 1000) AS BIGINT)"


def day_numbers(first: int, last: int, name: str = "days") -> sa.CTE:
    """The day numbers ``first`` to ``last`` as rows (column ``n``): a recursive CTE."""
    seed = sa.select(sa.literal(first, sa.BigInteger).label("n")).cte(name, recursive=True)
    return seed.union_all(sa.select(seed.c.n + 1).where(seed.c.n < last))


def weekday(number) -> sa.ColumnElement[int]:
    """The weekday (Monday 0, as date.weekday()) of a day number: 1970-01-01 was a Thursday."""
    return (number + 3) % 7
