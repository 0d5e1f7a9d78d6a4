"""How the cost of free times grows with the work: more therapists, a longer history.

Each case gets a database of its own (the same backend as the rest of ``make bench``): a spa
whose therapists each work Mon-Sat 09:00-18:00 in a room of their own and offer one service,
three visits on each of their working days in the four weeks measured, and a history of past
visits (six a working day, going back as far as the count needs). Measured: free times for
all therapists for one day, and for one therapist over 28 days, by calling ``find_slots``
directly (no HTTP), with its statement count.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import insert, update

from bench.database import build_app, migrate, temporary_database
from bench.dataset import next_monday
from bench.measure import StatementCounter, measure
from spa_app.accounts.models import Role, User
from spa_app.booking.models import Booking, BookingStatus
from spa_app.catalog.models import Room, Service, Therapist, service_therapist
from spa_app.clock import local_today, zone
from spa_app.extensions import db
from spa_app.scheduling.models import BusinessSettings, WorkingHours
from spa_app.scheduling.queries import find_slots

#: (therapists, past visits): the therapists grow with the history fixed, then the history.
CASES = ((20, 5_000), (100, 5_000), (500, 5_000), (20, 50_000), (20, 500_000))
TIMEZONE = "Europe/London"
WORKDAYS = range(6)
RUNS, WARMUP = 20, 3
DONE = BookingStatus.COMPLETED
#: Visits a therapist has on each working day: ahead (measured) and in the history.
AHEAD_PER_DAY, PAST_PER_DAY = 3, 6


class _Response:
    """What bench.measure checks of a call: it answered."""

    status_code = 200


def run() -> list[dict]:
    return [_case(therapists, past) for therapists, past in CASES]


def _case(therapists: int, past: int) -> dict:
    now = datetime.now(UTC)
    with temporary_database() as url:
        app = build_app(url)
        migrate(app)
        with app.app_context():
            service_id, therapist_ids, monday = _seed(now, therapists, past)
            counter = StatementCounter(db.engine)

            def all_one_day(i: int):
                db.session.rollback()  # each call its own transaction, as each request has
                find_slots(service_id=service_id, now=now, first_day=monday + timedelta(days=i % 6))
                return _Response()

            def one_28_days(i: int):
                db.session.rollback()
                find_slots(
                    service_id=service_id,
                    now=now,
                    first_day=monday,
                    last_day=monday + timedelta(days=27),
                    therapist_id=therapist_ids[i % len(therapist_ids)],
                )
                return _Response()

            day = measure("all", 0, all_one_day, counter, runs=RUNS, warmup=WARMUP)
            month = measure("one", 0, one_28_days, counter, runs=RUNS, warmup=WARMUP)
            db.session.remove()
            db.engine.dispose()
    return {
        "therapists": therapists,
        "past_visits": past,
        "all_therapists_one_day_ms": round(day.median_ms, 2),
        "one_therapist_28_days_ms": round(month.median_ms, 2),
        "sql_statements": max(day.sql_statements, month.sql_statements),
    }


def _seed(now: datetime, therapists: int, past: int) -> tuple[int, list[int], date]:
    tz = zone(TIMEZONE)
    db.session.execute(
        update(BusinessSettings)
        .where(BusinessSettings.id == 1)
        .values(timezone=TIMEZONE, slot_step_min=15, min_notice_min=120, horizon_days=90)
    )
    # One client per therapist, so no client ever has two visits at once.
    people = _ids(User, [{"email": f"p{n}@growth.example", "name": f"Person {n}",
                          "password_hash": "-", "role": Role.CLIENT, "created_at": now}
                         for n in range(2 * therapists)])  # fmt: skip
    logins, clients = people[:therapists], people[therapists:]
    therapist_ids = _ids(Therapist, [{"user_id": u, "display_name": f"T{n}", "bio": "",
                                      "active": True} for n, u in enumerate(logins)])  # fmt: skip
    db.session.execute(insert(WorkingHours), [
        {"therapist_id": t, "weekday": d, "starts": time(9), "ends": time(18)}
        for t in therapist_ids for d in WORKDAYS])  # fmt: skip
    massage = {"name": "Massage", "description": "", "duration_min": 60, "price_cents": 6000,
               "buffer_min": 15, "active": True}  # fmt: skip
    (service_id,) = _ids(Service, [massage])
    offers = [{"service_id": service_id, "therapist_id": t} for t in therapist_ids]
    db.session.execute(service_therapist.insert(), offers)
    rooms = _ids(Room, [{"name": f"Room {n}"} for n in range(therapists)])
    monday = next_monday(local_today(now, tz))
    ahead = [monday + timedelta(days=n) for n in range(28)]
    days_back = math.ceil(past / (therapists * PAST_PER_DAY))
    history, day = [], monday - timedelta(days=7)
    while len(history) < days_back:
        if day.weekday() in WORKDAYS:
            history.append(day)
        day -= timedelta(days=1)
    rows = _visits(ahead, AHEAD_PER_DAY, therapist_ids, rooms, clients, service_id, tz, now)
    rows += _visits(history, PAST_PER_DAY, therapist_ids, rooms, clients, service_id, tz, now)[
        :past
    ]
    for chunk in range(0, len(rows), 50_000):
        db.session.execute(insert(Booking), rows[chunk : chunk + 50_000])
    db.session.commit()
    return service_id, therapist_ids, monday


def _visits(days, per_day, therapist_ids, rooms, clients, service_id, tz, now) -> list[dict]:
    rows = []
    for day in days:
        if day.weekday() not in WORKDAYS:
            continue
        for n, therapist_id in enumerate(therapist_ids):
            for k in range(per_day):
                starts = datetime.combine(day, time(9 + (k * 9) // per_day), tz).astimezone(UTC)
                rows.append({
                    "client_id": clients[n], "therapist_id": therapist_id, "room_id": rooms[n],
                    "service_id": service_id, "starts_at": starts,
                    "ends_at": starts + timedelta(minutes=60),
                    "busy_until": starts + timedelta(minutes=75),
                    "status": BookingStatus.BOOKED if day >= now.date() else DONE,
                    "price_cents": 6000, "created_at": now,
                })  # fmt: skip
    return rows


def _ids(model, rows: list[dict]) -> list[int]:
    return list(
        db.session.scalars(insert(model).returning(model.id, sort_by_parameter_order=True), rows)
    )


def table(cases: list[dict]) -> str:
    lines = [
        "free times as the work grows (find_slots called directly, median of "
        f"{RUNS} runs; SQL = statements per call):",
        f"  {'therapists':>10} {'past visits':>12} {'all, one day ms':>16} "
        f"{'one, 28 days ms':>16} {'SQL':>4}",
    ]
    for c in cases:
        lines.append(
            f"  {c['therapists']:>10} {c['past_visits']:>12,} {c['all_therapists_one_day_ms']:>16}"
            f" {c['one_therapist_28_days_ms']:>16} {c['sql_statements']:>4}"
        )
    lines.append("  " + verdict(cases))
    return "\n".join(lines)


def verdict(cases: list[dict]) -> str:
    """Whether time stays flat in the history, and how it grows with the therapists: for all
    of them (the therapists asked about grow too) and for one (they do not)."""
    base = next(c for c in cases if c["therapists"] == 20 and c["past_visits"] == 5_000)
    deep = max((c for c in cases if c["therapists"] == 20), key=lambda c: c["past_visits"])
    wide = max(cases, key=lambda c: c["therapists"])
    scale = wide["therapists"] / base["therapists"]

    def grew(key: str, case: dict) -> float:
        return case[key] / base[key]

    history = max(grew(k, deep) for k in ("all_therapists_one_day_ms", "one_therapist_28_days_ms"))
    everyone = grew("all_therapists_one_day_ms", wide)
    one = grew("one_therapist_28_days_ms", wide)
    return (
        f"history x{deep['past_visits'] // base['past_visits']}: time x{history:.2f} "
        f"({'flat' if history < 1.5 else 'NOT flat'}); therapists x{scale:.0f}: all of them "
        f"x{everyone:.1f} ({'about linear' if everyone <= 1.5 * scale else 'worse than linear'}),"
        f" one of them x{one:.1f} ({'flat' if one < 1.5 else 'grows with the spa'})"
    )
