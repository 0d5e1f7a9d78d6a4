"""One client, one visit at a time: the client's visit in the way of a new time, and the words.

The client is busy for the visit itself (starts_at to ends_at), not its clean-up buffer, which
holds only the therapist and the room. PostgreSQL enforces it with the exclusion constraint
``ex_bookings_client_id_overlap``; SQLite's immediate write transaction makes this check safe.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import gettext as _

from spa_app.booking.models import Booking, BookingStatus
from spa_app.extensions import db
from spa_app.i18n import when


def client_clash(
    client_id: int, starts_at: datetime, ends_at: datetime, *, ignore: int | None = None
) -> Booking | None:
    """The client's earliest active visit overlapping [starts_at, ends_at), or None.

    ``ignore`` is a visit being moved (it may overlap its own old time). Cancelled visits never
    clash. One statement.
    """
    query = _overlapping(client_id, starts_at, ends_at)
    if ignore is not None:
        query = query.where(Booking.id != ignore)
    return db.session.execute(query.limit(1)).scalars().first()


def client_visits(client_id: int, lo: datetime, hi: datetime) -> list[Booking]:
    """The client's active visits overlapping [lo, hi), earliest first (one statement)."""
    return list(db.session.execute(_overlapping(client_id, lo, hi)).scalars())


def _overlapping(client_id: int, lo: datetime, hi: datetime):
    """The client's active visits overlapping [lo, hi), earliest first, with what they name."""
    return (
        sa.select(Booking)
        .where(
            Booking.client_id == client_id,
            Booking.status != BookingStatus.CANCELLED,
            Booking.starts_at < hi,
            Booking.ends_at > lo,
        )
        .options(db.joinedload(Booking.service), db.joinedload(Booking.therapist))
        .order_by(Booking.starts_at, Booking.id)
    )


def overlapping(visits: list[Booking], starts_at: datetime, ends_at: datetime) -> Booking | None:
    """The first of ``visits`` overlapping [starts_at, ends_at), or None (no query)."""
    return next(_meeting(visits, starts_at, ends_at), None)


def overlapping_all(visits: list[Booking], lo: datetime, hi: datetime) -> list[Booking]:
    """Those of ``visits`` overlapping [lo, hi), in their order (no query)."""
    return list(_meeting(visits, lo, hi))


def _meeting(visits: list[Booking], lo: datetime, hi: datetime):
    return (v for v in visits if v.starts_at < hi and v.ends_at > lo)


def is_the_same_visit(
    visit: Booking, service_id: int, starts_at: datetime, therapist_id: int | None
) -> bool:
    """True if booking this choice would repeat ``visit`` (a confirm sent again after Back)."""
    return (
        visit.service_id == service_id
        and visit.starts_at == starts_at
        and therapist_id in (None, visit.therapist_id)
    )


def clash_message(visit: Booking, tz: ZoneInfo, *, client_name: str | None = None) -> str:
    """What the person is told: the client in the second person, staff the client's name."""
    local = visit.starts_at.astimezone(tz)
    what = {
        "service": visit.service.name,
        "time": f"{local:%H:%M}",
        "day": when(local, "%A %-d %B"),
        "therapist": visit.therapist.display_name,
    }
    if client_name is None:
        return _(
            "You already have a visit at that time: %(service)s at %(time)s on %(day)s with "
            "%(therapist)s.",
            **what,
        )
    return _(
        "%(name)s already has a visit at that time: %(service)s at %(time)s on %(day)s with "
        "%(therapist)s.",
        name=client_name,
        **what,
    )
