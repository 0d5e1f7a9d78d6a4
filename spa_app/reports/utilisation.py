"""How full the open hours were: each therapist's and each room's booked minutes against the
minutes they were open, over the range's local days.

A therapist is open in their weekly working hours (as they are set now: the schedule keeps no
history), on days the spa is not closed, less their time off. A room is open whenever the spa
is: the weekly hours of its active therapists merged into one set of windows, less closed
days. Booked minutes are the visits' own (not the clean-up after), of every visit that held
its time (booked, arrived, completed or a no-show; not cancelled) starting in the range; days
still to come count with what is booked on them so far. All of it one statement for the
therapists and one for the rooms: the days are a recursive CTE, the windows become UTC
instants in SQL (localdays.utc_ms), and overlapping windows merge with window functions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa

from spa_app.booking.models import Booking, BookingStatus
from spa_app.catalog.models import Room, Therapist
from spa_app.database import epoch_ms
from spa_app.extensions import db
from spa_app.reports.localdays import (
    DAY_MS,
    date_number,
    day_number,
    day_numbers,
    time_ms,
    utc_ms,
    weekday,
)
from spa_app.reports.queries import Rate, Scope
from spa_app.scheduling.models import Closure, TimeOff, WorkingHours

MINUTE_MS = 60_000


@dataclass(frozen=True)
class Use:
    """One therapist's or room's minutes: open, and booked in them (``rate`` may pass 100%
    where staff booked outside the open hours)."""

    name: str
    open_minutes: int
    booked_minutes: int

    @property
    def rate(self) -> Rate:
        return Rate(self.booked_minutes, self.open_minutes)


@dataclass(frozen=True)
class Utilisation:
    therapists: list[Use]
    rooms: list[Use]


def utilisation(scope: Scope) -> Utilisation:
    """Two statements: the therapists' open and booked minutes, and the rooms'."""
    return Utilisation(_therapists(scope), _rooms(scope))


def _open_days(scope: Scope):
    """The range's day numbers, less the days the spa is closed."""
    days = day_numbers(day_number(scope.first), day_number(scope.last))
    closed = sa.select(date_number(Closure.day)).where(
        Closure.day >= scope.first, Closure.day <= scope.last
    )
    return sa.select(days.c.n).where(days.c.n.not_in(closed)).subquery("open_days")


def _as_instants(scope: Scope, days, windows, *keys):
    """Each weekly window (``starts_ms``, ``ends_ms`` since local midnight) on each open day
    of its weekday, as UTC epoch milliseconds ``lo`` and ``hi``."""
    lo, hi = scope.bounds
    span = (lo - timedelta(days=1), hi + timedelta(days=1))
    midnight = days.c.n * DAY_MS
    return (
        sa.select(
            *keys,
            utc_ms(midnight + windows.c.starts_ms, scope.tz, *span).label("lo"),
            utc_ms(midnight + windows.c.ends_ms, scope.tz, *span).label("hi"),
        )
        .select_from(days)
        .join(windows, windows.c.weekday == weekday(days.c.n))
        .subquery()
    )


def _merged(rows, key, lo, hi, name: str):
    """``rows``' spans (``lo`` to ``hi``) merged where they overlap or touch, per ``key``:
    gaps and islands, a new island wherever a span starts after all before it have ended."""
    order = (rows.c[lo], rows.c[hi])
    reach = sa.func.max(rows.c[hi]).over(partition_by=rows.c[key], order_by=order, rows=(None, -1))
    flagged = sa.select(
        rows.c[key].label("key"),
        rows.c[lo].label("lo"),
        rows.c[hi].label("hi"),
        sa.case((reach.is_(None) | (rows.c[lo] > reach), 1), else_=0).label("new"),
    ).subquery()
    island = sa.func.sum(flagged.c.new).over(
        partition_by=flagged.c.key, order_by=(flagged.c.lo, flagged.c.hi), rows=(None, 0)
    )
    numbered = sa.select(flagged.c.key, flagged.c.lo, flagged.c.hi, island.label("island"))
    numbered = numbered.subquery()
    return (
        sa.select(
            numbered.c.key.label(key),
            sa.func.min(numbered.c.lo).label(lo),
            sa.func.max(numbered.c.hi).label(hi),
        )
        .group_by(numbered.c.key, numbered.c.island)
        .subquery(name)
    )


def _booked(scope: Scope, column):
    """Minutes (as ms) of the visits that held their time, starting in the range, by
    ``column``."""
    return (
        sa.select(
            column.label("key"),
            sa.func.sum(epoch_ms(Booking.ends_at) - epoch_ms(Booking.starts_at)).label("ms"),
        )
        .where(*scope.where(), Booking.status != BookingStatus.CANCELLED)
        .group_by(column)
        .subquery()
    )


def _weekly_hours(*where):
    return (
        sa.select(
            WorkingHours.therapist_id,
            WorkingHours.weekday,
            time_ms(WorkingHours.starts).label("starts_ms"),
            time_ms(WorkingHours.ends).label("ends_ms"),
        )
        .join(Therapist, Therapist.id == WorkingHours.therapist_id)
        .where(Therapist.active, *where)
        .subquery()
    )


def _therapists(scope: Scope) -> list[Use]:
    chosen = [] if scope.therapist_id is None else [Therapist.id == scope.therapist_id]
    weekly = _weekly_hours(*chosen)
    windows = _as_instants(scope, _open_days(scope), weekly, weekly.c.therapist_id)
    lo, hi = (epoch_ms(x) for x in scope.bounds)
    away = _merged(
        sa.select(
            TimeOff.therapist_id,
            epoch_ms(TimeOff.starts_at).label("lo"),
            epoch_ms(TimeOff.ends_at).label("hi"),
        )
        .where(epoch_ms(TimeOff.ends_at) > lo - DAY_MS, epoch_ms(TimeOff.starts_at) < hi + DAY_MS)
        .subquery(),
        "therapist_id", "lo", "hi", "away",
    )  # fmt: skip
    overlap = sa.case((windows.c.hi < away.c.hi, windows.c.hi), else_=away.c.hi) - sa.case(
        (windows.c.lo > away.c.lo, windows.c.lo), else_=away.c.lo
    )
    length = sa.func.sum(windows.c.hi - windows.c.lo).label("ms")
    opened = (
        sa.select(windows.c.therapist_id.label("key"), length)
        .group_by(windows.c.therapist_id)
        .subquery()
    )
    lost = (
        sa.select(windows.c.therapist_id.label("key"), sa.func.sum(overlap).label("ms"))
        .join(away, sa.and_(away.c.therapist_id == windows.c.therapist_id,
                            away.c.lo < windows.c.hi, away.c.hi > windows.c.lo))
        .group_by(windows.c.therapist_id)
        .subquery()
    )  # fmt: skip
    booked = _booked(scope, Booking.therapist_id)
    rows = db.session.execute(
        sa.select(
            Therapist.display_name,
            sa.func.coalesce(opened.c.ms, 0) - sa.func.coalesce(lost.c.ms, 0),
            sa.func.coalesce(booked.c.ms, 0),
        )
        .outerjoin(opened, opened.c.key == Therapist.id)
        .outerjoin(lost, lost.c.key == Therapist.id)
        .outerjoin(booked, booked.c.key == Therapist.id)
        .where(opened.c.ms.is_not(None) | booked.c.ms.is_not(None), *chosen)
        .order_by(Therapist.display_name, Therapist.id)
    ).all()
    return [Use(name, int(o) // MINUTE_MS, int(b) // MINUTE_MS) for name, o, b in rows]


def _rooms(scope: Scope) -> list[Use]:
    weekly = _weekly_hours()
    spa_hours = _merged(weekly, "weekday", "starts_ms", "ends_ms", "spa_hours")
    windows = _as_instants(scope, _open_days(scope), spa_hours)
    opened = sa.select(sa.func.coalesce(sa.func.sum(windows.c.hi - windows.c.lo), 0))
    booked = _booked(scope, Booking.room_id)
    rows = db.session.execute(
        sa.select(Room.name, opened.scalar_subquery(), sa.func.coalesce(booked.c.ms, 0))
        .outerjoin(booked, booked.c.key == Room.id)
        .where(Room.active | booked.c.ms.is_not(None))
        .order_by(Room.name)
    ).all()
    return [Use(name, int(o) // MINUTE_MS, int(b) // MINUTE_MS) for name, o, b in rows]
