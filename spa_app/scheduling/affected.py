"""Booked visits that a closure or a therapist's time off falls on: derived from the rows as they
are (no flag is stored), so removing the closure or moving the visit ends it by itself.

Plain reads in the caller's transaction, each one statement whatever the number of visits.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from spa_app.booking.models import Booking, BookingStatus
from spa_app.clock import day_bounds
from spa_app.database import UTCDateTime
from spa_app.extensions import db
from spa_app.scheduling.models import Closure, TimeOff

K = TypeVar("K")


@dataclass(frozen=True)
class Cause:
    """Why visits need a new time: a closed local day (``therapist_id`` None) or one therapist's
    time off, as a UTC range. ``subject`` names it in an e-mail's idempotency key."""

    subject: str
    starts_at: datetime
    ends_at: datetime
    therapist_id: int | None = None


def of_closure(closure: Closure, tz: ZoneInfo) -> Cause:
    return Cause(f"closed-{closure.day.isoformat()}", *day_bounds(closure.day, closure.day, tz))


def of_time_off(entry: TimeOff) -> Cause:
    return Cause(f"time-off-{entry.id}", entry.starts_at, entry.ends_at, entry.therapist_id)


def _overlapping(cause: Cause, now: datetime):
    """Booked (not yet arrived or cancelled) visits still to start that overlap ``cause``."""
    condition = sa.and_(
        Booking.status == BookingStatus.BOOKED,
        Booking.starts_at > now,
        Booking.starts_at < cause.ends_at,
        Booking.ends_at > cause.starts_at,
    )
    if cause.therapist_id is not None:
        condition = sa.and_(condition, Booking.therapist_id == cause.therapist_id)
    return condition


def visits(cause: Cause, now: datetime) -> list[Booking]:
    """The booked visits still to come that ``cause`` falls on, soonest first, with their
    client, service and therapist loaded (one statement)."""
    return list(
        db.session.execute(
            db.select(Booking)
            .where(_overlapping(cause, now))
            .options(
                db.joinedload(Booking.client),
                db.joinedload(Booking.service),
                db.joinedload(Booking.therapist),
            )
            .order_by(Booking.starts_at, Booking.id)
        ).scalars()
    )


def counts(causes: Mapping[K, Cause], now: datetime) -> dict[K, int]:
    """How many booked visits still to come each cause falls on, by the caller's key (one
    statement; none for no causes). A visit two causes fall on counts for each."""
    if not causes:
        return {}
    rows = db.session.execute(
        db.select(Booking.starts_at, Booking.ends_at, Booking.therapist_id).where(
            sa.or_(*(_overlapping(c, now) for c in causes.values()))
        )
    ).all()
    return {
        name: sum(
            1
            for starts, ends, therapist in rows
            if starts < c.ends_at and ends > c.starts_at and c.therapist_id in (None, therapist)
        )
        for name, c in causes.items()
    }


def count(cause: Cause, now: datetime) -> int:
    """How many booked visits still to come ``cause`` falls on (one statement)."""
    return counts({cause.subject: cause}, now)[cause.subject]


def needs_new_time(bookings: Iterable[Booking], tz: ZoneInfo, now: datetime) -> set[int]:
    """The ids of those ``bookings`` (booked, still to come) that fall on a closed local day or
    in their therapist's time off. One statement for any number of visits; none for none."""
    booked = [b for b in bookings if b.status is BookingStatus.BOOKED and b.starts_at > now]
    if not booked:
        return set()
    days = set().union(*(_days_of(b, tz) for b in booked))
    lo, hi = min(b.starts_at for b in booked), max(b.ends_at for b in booked)
    closed = db.select(
        Closure.day,
        sa.cast(sa.null(), sa.Integer),
        sa.cast(sa.null(), UTCDateTime()),
        sa.cast(sa.null(), UTCDateTime()),
    ).where(Closure.day.in_(days))
    away = db.select(
        sa.cast(sa.null(), sa.Date), TimeOff.therapist_id, TimeOff.starts_at, TimeOff.ends_at
    ).where(
        TimeOff.therapist_id.in_({b.therapist_id for b in booked}),
        TimeOff.starts_at < hi,
        TimeOff.ends_at > lo,
    )
    rows = db.session.execute(sa.union_all(closed, away)).all()
    closed_days = {day for day, *_ in rows if day is not None}
    time_off = [(t, s, e) for day, t, s, e in rows if day is None]
    return {
        b.id
        for b in booked
        if _days_of(b, tz) & closed_days
        or any(t == b.therapist_id and s < b.ends_at and e > b.starts_at for t, s, e in time_off)
    }


def _local(instant: datetime, tz: ZoneInfo) -> date:
    return instant.astimezone(tz).date()


def _days_of(booking: Booking, tz: ZoneInfo) -> set[date]:
    """The local days a visit runs on (two for one across midnight); a visit ending at
    midnight does not run on the next day."""
    last = booking.ends_at - timedelta(microseconds=1)
    return {_local(booking.starts_at, tz), _local(last, tz)}
