"""Reading the schedule: business rules and free times, in a fixed handful of queries.

``find_slots`` issues four SQL statements whatever the range or the number of therapists:
settings and service together, the offering therapists' working windows, everything that
occupies time (bookings, time off, and the active rooms), and closures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from spa_app.booking.models import Booking, BookingStatus
from spa_app.catalog.models import Room, Service, Therapist, service_therapist
from spa_app.clock import local_today, zone
from spa_app.database import UTCDateTime
from spa_app.extensions import db
from spa_app.scheduling.availability import (
    Busy,
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


@dataclass
class Availability:
    service: Service
    settings: BusinessSettings
    rules: Rules
    first_day: date
    last_day: date
    slots: list[Slot]
    therapists: dict[int, str] = field(default_factory=dict)
    #: Booked or time-off seconds per therapist in the range: "any therapist" picks the least.
    load: dict[int, float] = field(default_factory=dict)

    def slot_at(self, starts_at: datetime) -> Slot | None:
        return next((s for s in self.slots if s.starts_at == starts_at), None)

    def date_problem(self, day: date, now: datetime) -> str | None:
        """Why nobody can book on local ``day`` at all, or None."""
        today = local_today(now, self.rules.tz)
        if day < today:
            return "That date has passed; please pick today or a later date."
        if day > today + timedelta(days=self.rules.horizon_days):
            return f"We take bookings up to {self.rules.horizon_days} days ahead."
        return None


def get_settings() -> BusinessSettings:
    return db.session.execute(
        db.select(BusinessSettings).where(BusinessSettings.id == 1)
    ).scalar_one()


def rules_for(settings: BusinessSettings) -> Rules:
    return Rules(
        tz=zone(settings.timezone),
        step=timedelta(minutes=settings.slot_step_min),
        min_notice=timedelta(minutes=settings.min_notice_min),
        horizon_days=settings.horizon_days,
    )


def find_slots(
    *,
    service_id: int,
    now: datetime,
    first_day: date | None = None,
    last_day: date | None = None,
    therapist_id: int | None = None,
    ignore_booking_id: int | None = None,
    min_notice: bool = True,
) -> Availability:
    """Free start times for a service over local days, for one therapist or any.

    ``first_day`` defaults to the business's today and ``last_day`` to ``first_day``.
    ``ignore_booking_id`` leaves one booking out (the one being moved); ``min_notice=False``
    lets staff book at short notice. ``therapists`` names every therapist offering the service,
    whichever was asked for. Raises UnknownService. Always four SQL statements.
    """
    row = db.session.execute(
        # One round trip for the single settings row and the service.
        db.select(BusinessSettings, Service)
        .join(Service, sa.and_(Service.id == service_id, Service.active))
        .where(BusinessSettings.id == 1)
    ).first()
    if row is None:
        raise UnknownService(service_id)
    settings, service = row
    rules = rules_for(settings)
    if not min_notice:
        rules = Rules(rules.tz, rules.step, timedelta(0), rules.horizon_days)
    first_day = first_day or local_today(now, rules.tz)
    last_day = last_day or first_day
    request = Request(
        first_day,
        last_day,
        timedelta(minutes=service.duration_min),
        timedelta(minutes=service.buffer_min),
    )
    lo, hi = window_utc_range(request, rules)

    windows, names = _windows(service_id)
    if therapist_id is not None:
        windows = [w for w in windows if w.therapist_id == therapist_id]
    busy, room_ids = _occupancy(lo, hi, ignore_booking_id)
    closed = db.session.execute(
        db.select(Closure.day).where(Closure.day.between(first_day, last_day))
    ).scalars()

    slots = free_slots(
        rules=rules,
        now=now,
        request=request,
        windows=windows,
        busy=busy,
        room_ids=room_ids,
        closed=closed,
    )
    load = dict.fromkeys(names, 0.0)
    for b in busy:
        if b.therapist_id in load:
            load[b.therapist_id] += (b.ends_at - b.starts_at).total_seconds()
    return Availability(service, settings, rules, first_day, last_day, slots, names, load)


def _windows(service_id: int) -> tuple[list[Window], dict[int, str]]:
    """Working windows of every active therapist offering the service, and their names."""
    query = (
        db.select(
            WorkingHours.therapist_id,
            Therapist.display_name,
            WorkingHours.weekday,
            WorkingHours.starts,
            WorkingHours.ends,
        )
        .join(Therapist, Therapist.id == WorkingHours.therapist_id)
        .join(service_therapist, service_therapist.c.therapist_id == Therapist.id)
        .where(service_therapist.c.service_id == service_id, Therapist.active)
    )
    windows, names = [], {}
    for tid, name, weekday, starts, ends in db.session.execute(query):
        windows.append(Window(tid, weekday, starts, ends))
        names[tid] = name
    return windows, names


def _occupancy(lo: datetime, hi: datetime, ignore_booking_id: int | None):
    """Active bookings and time off overlapping [lo, hi), plus active room ids: one statement."""
    no_int = sa.cast(sa.null(), sa.Integer)
    no_time = sa.cast(sa.null(), UTCDateTime())
    bookings = db.select(
        Booking.therapist_id, Booking.room_id, Booking.starts_at, Booking.busy_until
    ).where(
        Booking.status != BookingStatus.CANCELLED,
        Booking.starts_at < hi,
        Booking.busy_until > lo,
    )
    if ignore_booking_id is not None:
        bookings = bookings.where(Booking.id != ignore_booking_id)
    time_off = db.select(TimeOff.therapist_id, no_int, TimeOff.starts_at, TimeOff.ends_at).where(
        TimeOff.starts_at < hi, TimeOff.ends_at > lo
    )
    rooms = db.select(no_int, Room.id, no_time, no_time).where(Room.active)

    busy, room_ids = [], []
    for therapist, room, starts_at, ends_at in db.session.execute(
        sa.union_all(bookings, time_off, rooms)
    ):
        if starts_at is None:
            room_ids.append(room)
        else:
            busy.append(Busy(starts_at, ends_at, therapist, room))
    return busy, room_ids
