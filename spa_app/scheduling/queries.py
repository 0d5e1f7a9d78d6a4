"""Reading the schedule: business rules and free times, in a fixed handful of queries.

``find_slots`` issues two SQL statements whatever the range or the number of therapists: the
terms (settings, the service, and the working week of each therapist offering it) together,
and everything that occupies time (bookings, time off, closures, and the active rooms the
service may use).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import NamedTuple

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext

from spa_app.booking.models import LONGEST_HOLD, Booking, BookingStatus
from spa_app.catalog.models import Room, Service, Therapist, service_room, service_therapist
from spa_app.clock import local_today, zone
from spa_app.database import UTCDateTime, epoch_ms
from spa_app.extensions import db
from spa_app.scheduling.availability import (
    Request,
    Rules,
    Slot,
    Window,
    free_slots,
    window_utc_range,
)
from spa_app.scheduling.models import BusinessSettings, Closure, TimeOff, WorkingHours


class UnknownService(LookupError):
    """No active service has this id."""


class ServiceTerms(NamedTuple):
    """What free times and a booking need to know of a service."""

    id: int
    name: str
    duration_min: int
    buffer_min: int
    price_cents: int


@dataclass
class Availability:
    service: ServiceTerms
    rules: Rules
    first_day: date
    last_day: date
    slots: list[Slot]
    therapists: dict[int, str] = field(default_factory=dict)
    #: Booked or time-off milliseconds per therapist in range: "any therapist" picks the least.
    load: dict[int, int] = field(default_factory=dict)
    #: The rooms the service may use now (active, and among its rooms if it has any), by id.
    rooms: tuple[int, ...] = ()

    def slot_at(self, starts_at: datetime) -> Slot | None:
        return next((s for s in self.slots if s.starts_at == starts_at), None)

    def date_problem(self, day: date, now: datetime) -> str | None:
        """Why nobody can book on local ``day`` at all, or None."""
        today = local_today(now, self.rules.tz)
        if day < today:
            return _("That date has passed; please pick today or a later date.")
        if day > today + timedelta(days=self.rules.horizon_days):
            return ngettext(
                "We take bookings up to %(num)d day ahead.",
                "We take bookings up to %(num)d days ahead.",
                self.rules.horizon_days,
            )
        return None


def get_settings() -> BusinessSettings:
    """The business settings (the one row), read once per transaction: the session's identity
    map answers later calls without a query, until a commit or rollback expires it."""
    settings = db.session.get(BusinessSettings, 1)
    if settings is None:
        raise LookupError("the business settings row is missing: run the migrations")
    return settings


def rules_for(settings: BusinessSettings) -> Rules:
    return _rules(
        settings.timezone, settings.slot_step_min, settings.min_notice_min, settings.horizon_days
    )


def _rules(timezone: str, step_min: int, notice_min: int, horizon_days: int) -> Rules:
    return Rules(
        zone(timezone), timedelta(minutes=step_min), timedelta(minutes=notice_min), horizon_days
    )


def find_slots(
    *,
    service_id: int,
    now: datetime,
    first_day: date | None = None,
    last_day: date | None = None,
    day_of: datetime | None = None,
    therapist_id: int | None = None,
    ignore_booking_id: int | None = None,
    min_notice: bool = True,
    with_rooms: bool = False,
    room_id: int | None = None,
    only_at: datetime | None = None,
    horizon_days: int | None = None,
) -> Availability:
    """Free start times for a service over local days, for one therapist or any, in any room
    the service may use or in ``room_id`` alone.

    ``first_day`` defaults to the local day of ``day_of`` or else the business's today, and
    ``last_day`` to ``first_day``. ``with_rooms`` lists every free room per slot (to book one).
    ``ignore_booking_id`` leaves one booking out (the one being moved); ``min_notice=False``
    lets staff book at short notice; ``only_at`` asks about that one start, on the slot step
    or off it (staff may book any free minute). ``therapists`` names every therapist offering
    the service, whichever was asked for; ``rooms``, every room it may use. A service limited
    to some rooms is free only in those. ``horizon_days`` looks further ahead than the spa's
    booking horizon (staff booking a series past it). Raises UnknownService. Always two SQL
    statements.
    """
    rows = _core(_TERMS, {"service_id": service_id}).all()
    if not rows:
        raise UnknownService(service_id)
    timezone, step_min, notice_min, spa_horizon, *terms = rows[0][:_TERM_COLUMNS]
    service = ServiceTerms(*terms)
    horizon = max(horizon_days or 0, spa_horizon)
    rules = _rules(timezone, step_min, notice_min if min_notice else 0, horizon)
    first_day = first_day or local_today(day_of or now, rules.tz)
    last_day = last_day or first_day
    request = Request(
        first_day,
        last_day,
        timedelta(minutes=service.duration_min),
        timedelta(minutes=service.buffer_min),
    )
    lo, hi = window_utc_range(request, rules)

    windows, names = _windows(rows, _weekdays(first_day, last_day))
    if therapist_id is not None:
        windows = [w for w in windows if w.therapist_id == therapist_id]
    busy, usable, closed = _occupancy(service.id, lo, hi, first_day, last_day, ignore_booking_id)
    room_ids = usable if room_id is None else [r for r in usable if r == room_id]

    slots = free_slots(
        rules=rules,
        now=now,
        request=request,
        windows=windows,
        busy=busy,
        room_ids=room_ids,
        closed=closed,
        with_rooms=with_rooms,
        only_at=only_at,
    )
    load = dict.fromkeys(names, 0)
    for starts_ms, ends_ms, therapist, _kind in busy:
        if therapist in load:
            load[therapist] += ends_ms - starts_ms
    return Availability(
        service, rules, first_day, last_day, slots, names, load, tuple(sorted(usable))
    )


def _weekdays(first: date, last: date) -> set[int]:
    return {(first + timedelta(days=n)).weekday() for n in range(min((last - first).days + 1, 7))}


def _windows(rows, weekdays: set[int]) -> tuple[list[Window], dict[int, str]]:
    """Every active therapist offering the service (names), and their windows on ``weekdays``,
    from the terms' rows (one per therapist and working day; a therapist's id is None on the
    one row of a service nobody offers)."""
    windows, names = [], {}
    for tid, name, weekday, starts, ends in (row[_TERM_COLUMNS:] for row in rows):
        if tid is None:
            continue
        names[tid] = name
        if weekday in weekdays:
            windows.append(Window(tid, weekday, starts, ends))
    return windows, names


def _occupancy(service_id: int, lo: datetime, hi: datetime, first: date, last: date,
               ignore_booking_id):  # fmt: skip
    """Active bookings and time off overlapping [lo, hi), the ids of the active rooms the
    service may use, and the closed local days from ``first`` to ``last``: one statement."""
    params = {"lo": lo, "hi": hi, "floor": lo - LONGEST_HOLD, "ignore": ignore_booking_id or 0,
              "first": first, "last": last, "service_id": service_id}  # fmt: skip
    rows = _core(_OCCUPANCY, params).all()
    # Rows unpack like Busy tuples (starts_ms, ends_ms, therapist_id, room_id); no copy needed.
    # A room has no start; a closure, a start (its day) and nothing else.
    busy = [row for row in rows if row[1] is not None]
    room_ids = [row[3] for row in rows if row[0] is None]
    closed = [_EPOCH_DAY + timedelta(milliseconds=row[0]) for row in rows if row[1] is None
              and row[0] is not None]  # fmt: skip
    return busy, room_ids, closed


def _core(statement, params: dict):
    """Run a column query on the session's connection (same transaction, no ORM layer)."""
    return db.session.connection().execute(statement, params)


# The two statements, built once: constructing SQL expressions on every request cost more
# than running them. Parameters are bound per call.

_TERMS = (
    # The single settings row and the service, once per therapist offering it and working day
    # (every weekday: which ones matter depends on the business's today).
    db.select(
        BusinessSettings.timezone,
        BusinessSettings.slot_step_min,
        BusinessSettings.min_notice_min,
        BusinessSettings.horizon_days,
        Service.id,
        Service.name,
        Service.duration_min,
        Service.buffer_min,
        Service.price_cents,
        Therapist.id,
        Therapist.display_name,
        WorkingHours.weekday,
        WorkingHours.starts,
        WorkingHours.ends,
    )
    .select_from(BusinessSettings)
    .join(Service, sa.and_(Service.id == sa.bindparam("service_id"), Service.active))
    .outerjoin(service_therapist, service_therapist.c.service_id == Service.id)
    .outerjoin(
        Therapist, sa.and_(Therapist.id == service_therapist.c.therapist_id, Therapist.active)
    )
    .outerjoin(WorkingHours, WorkingHours.therapist_id == Therapist.id)
    .where(BusinessSettings.id == 1)
)
#: The settings' and the service's columns, before each row's therapist and window.
_TERM_COLUMNS = 9
_EPOCH_DAY = date(1970, 1, 1)


def _occupancy_statement():
    """Bookings and time off in a window, the active rooms the service may use (its own rooms,
    or any when it names none) and the closed days, as one UNION ALL.

    Instants come back as epoch milliseconds (see database.epoch_ms); the floor on
    ``starts_at`` keeps the index scan to the window whatever the history.
    """
    lo, hi = sa.bindparam("lo", type_=UTCDateTime()), sa.bindparam("hi", type_=UTCDateTime())
    no_id, no_ms = sa.cast(sa.null(), sa.Integer), sa.cast(sa.null(), sa.BigInteger)
    bookings = db.select(
        epoch_ms(Booking.starts_at),
        epoch_ms(Booking.busy_until),
        Booking.therapist_id,
        Booking.room_id,
    ).where(
        Booking.status != BookingStatus.CANCELLED,
        Booking.starts_at > sa.bindparam("floor", type_=UTCDateTime()),
        Booking.starts_at < hi,
        Booking.busy_until > lo,
        Booking.id != sa.bindparam("ignore"),
    )
    time_off = db.select(
        epoch_ms(TimeOff.starts_at), epoch_ms(TimeOff.ends_at), TimeOff.therapist_id, no_id
    ).where(TimeOff.starts_at < hi, TimeOff.ends_at > lo)
    service_id = sa.bindparam("service_id")
    its_rooms = sa.select(service_room.c.room_id).where(service_room.c.service_id == service_id)
    may_use = sa.or_(
        ~its_rooms.exists(), its_rooms.where(service_room.c.room_id == Room.id).exists()
    )
    rooms = db.select(no_ms, no_ms, no_id, Room.id).where(Room.active, may_use)
    closures = db.select(epoch_ms(Closure.day), no_ms, no_id, no_id).where(
        Closure.day.between(sa.bindparam("first"), sa.bindparam("last"))
    )
    return sa.union_all(bookings, time_off, rooms, closures)


_OCCUPANCY = _occupancy_statement()
