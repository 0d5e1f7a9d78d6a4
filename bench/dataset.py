"""The benchmark's spa: 20 therapists, 3 services, 20 rooms, 2,000 clients, 5,000 bookings.

Everything goes in with bulk inserts (one executemany per table), so seeding takes seconds.
Bookings fill the 8 weeks from next Monday: each therapist works Mon-Sat 09:00-18:00 London
time and has five or six bookings a day on the 15-minute grid, never overlapping, with the
15-minute clean-up buffer held too; the day's spare time lies in one or two gaps. Each day
every therapist works in one room of their own (the rooms rotate day by day), so rooms never
overlap either. Clients are picked at random among those free at the time: one client, one
visit at a time, as the database requires.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import insert, text, update
from werkzeug.security import generate_password_hash

from spa_app.accounts.models import Role, User
from spa_app.booking.models import Booking, BookingStatus
from spa_app.catalog.models import Room, Service, Therapist, service_therapist
from spa_app.clock import local_today, zone
from spa_app.extensions import db
from spa_app.scheduling.models import BusinessSettings, WorkingHours

THERAPISTS = 20
ROOMS = 20
CLIENTS = 2_000
BOOKINGS = 5_000
WEEKS = 8
#: (name, minutes, price in cents)
SERVICES = (("Swedish massage", 60, 6500), ("Deep tissue", 90, 9500), ("Hot stone", 90, 9800))
BUFFER_MIN = 15
WORKDAYS = range(6)  # Monday to Saturday
OPENS, CLOSES = time(9), time(18)
STEP_MIN = 15
TIMEZONE = "Europe/London"
HORIZON_DAYS = 90
PASSWORD = "bench-password"
SEED = 20240601


@dataclass(frozen=True)
class Dataset:
    """What was seeded, and what the measurements need to know about it."""

    first_day: date
    therapist_ids: list[int]
    service_ids: list[int]
    #: service id -> minutes the service holds a therapist and room (duration + buffer)
    service_hold_min: dict[int, int]
    room_ids: list[int]
    client_emails: list[str]
    bookings: int

    def counts(self) -> dict[str, int]:
        return {
            "dataset_therapists": len(self.therapist_ids),
            "dataset_services": len(self.service_ids),
            "dataset_clients": len(self.client_emails),
            "dataset_bookings": self.bookings,
            "dataset_rooms": len(self.room_ids),
        }


def seed(now: datetime) -> Dataset:
    """Fill the freshly migrated database (inside an app context) and commit."""
    rng = random.Random(SEED)
    tz = zone(TIMEZONE)
    db.session.execute(
        update(BusinessSettings)
        .where(BusinessSettings.id == 1)
        .values(
            timezone=TIMEZONE, slot_step_min=STEP_MIN, min_notice_min=120, horizon_days=HORIZON_DAYS
        )
    )
    # One scrypt hash for everybody: hashing 2,020 passwords would take minutes.
    password_hash = generate_password_hash(PASSWORD)

    therapist_ids = _therapists(password_hash, now)
    service_ids = _services(therapist_ids)
    room_ids = _inserted_ids(Room, [{"name": f"Room {n:02d}"} for n in range(1, ROOMS + 1)])
    client_emails = [f"client{n:04d}@bench.example" for n in range(1, CLIENTS + 1)]
    client_ids = _inserted_ids(
        User,
        [
            {
                "email": email,
                "name": f"Client {n:04d}",
                "password_hash": password_hash,
                "role": Role.CLIENT,
                "created_at": now,
            }
            for n, email in enumerate(client_emails, start=1)
        ],
    )

    first_day = next_monday(local_today(now, tz))
    services = dict(zip(service_ids, SERVICES, strict=True))
    # The booking benchmark's client (the first) has no seeded visits: the times it books
    # across the weeks then never meet one of its own (one visit at a time).
    planner = _Planner(rng, tz, now, services, client_ids[1:])
    rows = planner.bookings(first_day, therapist_ids, room_ids)
    db.session.execute(insert(Booking), rows)
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        # What autovacuum would soon do on a live server: plan with real statistics.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))
    holds = {sid: minutes + BUFFER_MIN for sid, (_, minutes, _) in services.items()}
    return Dataset(first_day, therapist_ids, service_ids, holds, room_ids, client_emails, len(rows))


def next_monday(today: date) -> date:
    """The first Monday after ``today`` (a week ahead when today is a Monday)."""
    return today + timedelta(days=7 - today.weekday())


def _therapists(password_hash: str, now: datetime) -> list[int]:
    user_ids = _inserted_ids(
        User,
        [
            {
                "email": f"therapist{n:02d}@bench.example",
                "name": f"Therapist {n:02d}",
                "password_hash": password_hash,
                "role": Role.THERAPIST,
                "created_at": now,
            }
            for n in range(1, THERAPISTS + 1)
        ],
    )
    therapist_ids = _inserted_ids(
        Therapist,
        [
            {"user_id": uid, "display_name": f"Therapist {n:02d}", "bio": "", "active": True}
            for n, uid in enumerate(user_ids, start=1)
        ],
    )
    db.session.execute(
        insert(WorkingHours),
        [
            {"therapist_id": tid, "weekday": day, "starts": OPENS, "ends": CLOSES}
            for tid in therapist_ids
            for day in WORKDAYS
        ],
    )
    return therapist_ids


def _services(therapist_ids: list[int]) -> list[int]:
    service_ids = _inserted_ids(
        Service,
        [
            {
                "name": name,
                "description": "",
                "duration_min": minutes,
                "price_cents": cents,
                "buffer_min": BUFFER_MIN,
                "active": True,
            }
            for name, minutes, cents in SERVICES
        ],
    )
    db.session.execute(
        service_therapist.insert(),
        [{"service_id": sid, "therapist_id": tid} for sid in service_ids for tid in therapist_ids],
    )
    return service_ids


def _inserted_ids(model, rows: list[dict]) -> list[int]:
    """Bulk-insert ``rows`` and return their new ids in the same order."""
    return list(
        db.session.scalars(insert(model).returning(model.id, sort_by_parameter_order=True), rows)
    )


class _Planner:
    """Lays out non-overlapping bookings, therapist-day by therapist-day."""

    def __init__(self, rng: random.Random, tz, now: datetime, services: dict, client_ids):
        self.rng = rng
        self.tz = tz
        self.now = now
        # service id -> (hold in minutes, duration in minutes, price in cents)
        self.services = {
            sid: (minutes + BUFFER_MIN, minutes, cents)
            for sid, (_, minutes, cents) in services.items()
        }
        self.client_ids = client_ids
        self.busy: dict[int, list[tuple[datetime, datetime]]] = {}
        self.day_minutes = (
            datetime.combine(date.min, CLOSES) - datetime.combine(date.min, OPENS)
        ) // timedelta(minutes=1)

    def bookings(self, first_day: date, therapist_ids: list[int], room_ids: list[int]):
        if len(room_ids) < len(therapist_ids):
            raise ValueError("one room per therapist a day needs at least as many rooms")
        days = [
            first_day + timedelta(days=n)
            for n in range(WEEKS * 7)
            if (first_day + timedelta(days=n)).weekday() in WORKDAYS
        ]
        shifts = [(d, t) for d in range(len(days)) for t in range(len(therapist_ids))]
        per_shift, extra = divmod(BOOKINGS, len(shifts))
        busier = set(self.rng.sample(range(len(shifts)), extra))
        rows = []
        for n, (d, t) in enumerate(shifts):
            room_id = room_ids[(t + d) % len(room_ids)]
            count = per_shift + (n in busier)
            rows += self._shift(days[d], therapist_ids[t], room_id, count)
        return rows

    def _shift(self, day: date, therapist_id: int, room_id: int, count: int) -> list[dict]:
        """``count`` bookings spread over one therapist's working day, gaps at random."""
        picked = [self.rng.choice(list(self.services)) for _ in range(count)]
        shortest = min(self.services, key=lambda sid: self.services[sid][0])
        while sum(self.services[sid][0] for sid in picked) > self.day_minutes:
            longest = max(range(count), key=lambda i: self.services[picked[i]][0])
            picked[longest] = shortest
        spare_steps = (self.day_minutes - sum(self.services[s][0] for s in picked)) // STEP_MIN
        first_part = self.rng.choice((spare_steps, self.rng.randint(0, spare_steps)))
        gaps = [0] * (count + 1)
        gaps[self.rng.randrange(count + 1)] += first_part * STEP_MIN
        gaps[self.rng.randrange(count + 1)] += (spare_steps - first_part) * STEP_MIN

        opens = datetime.combine(day, OPENS, self.tz).astimezone(UTC)
        minute = 0
        rows = []
        for sid, gap in zip(picked, gaps, strict=False):
            hold, duration, cents = self.services[sid]
            minute += gap
            starts_at = opens + timedelta(minutes=minute)
            ends_at = starts_at + timedelta(minutes=duration)
            rows.append(
                {
                    "client_id": self._free_client(starts_at, ends_at),
                    "therapist_id": therapist_id,
                    "room_id": room_id,
                    "service_id": sid,
                    "starts_at": starts_at,
                    "ends_at": ends_at,
                    "busy_until": starts_at + timedelta(minutes=hold),
                    "status": BookingStatus.BOOKED,
                    "price_cents": cents,
                    "created_at": self.now,
                }
            )
            minute += hold
        return rows

    def _free_client(self, starts_at: datetime, ends_at: datetime) -> int:
        """A random client with no other visit overlapping this one (and note it)."""
        while True:
            client_id = self.rng.choice(self.client_ids)
            theirs = self.busy.setdefault(client_id, [])
            if all(ends_at <= s or e <= starts_at for s, e in theirs):
                theirs.append((starts_at, ends_at))
                return client_id
