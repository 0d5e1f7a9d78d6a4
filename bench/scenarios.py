"""The four measured requests, made through the Flask test client against the seeded spa.

Availability goes through ``GET /api/availability?service=&therapist=&from=&to=`` (endpoint
``api.availability``), which answers ``{"slots": [{"start": iso, "therapists": [ids]}]}``.
Each run asks about a different day (and therapist), cycling through the seeded weeks.
"""

from __future__ import annotations

import re
import secrets
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from bench import care
from bench.dataset import PASSWORD, TIMEZONE, WEEKS, WORKDAYS, Dataset
from bench.measure import RUNS, WARMUP, Measurement, StatementCounter, measure
from spa_app.accounts.models import Role, User
from spa_app.accounts.service import create_user
from spa_app.booking.models import Booking
from spa_app.clock import zone
from spa_app.extensions import db
from spa_app.scheduling.models import BusinessSettings

AVAILABILITY_ENDPOINT = "api.availability"
AVAILABILITY_URL = "/api/availability"
#: Median targets in ms on a 2-core machine with SQLite.
TARGETS_MS = {
    "availability_one_therapist_one_day": 1.5,
    "availability_all_therapists_one_day": 10.0,
    "availability_one_therapist_28_days": 10.0,
    "booking_client_http": 10.0,
    "calendar_day_all_therapists": 30.0,
    "series_booking_6_visits": 60.0,
    "client_directory_search": 30.0,
    "client_profile": 30.0,
}
#: Bookings per local day taken by the booking runs, so they spread over many days.
BOOKINGS_PER_DAY = 2


class MissingEndpoint(RuntimeError):
    """The app has no availability API yet; the availability figures need it."""


def run_all(app: Flask, dataset: Dataset, counter: StatementCounter) -> list[Measurement]:
    if AVAILABILITY_ENDPOINT not in app.view_functions:
        raise MissingEndpoint(
            f"GET {AVAILABILITY_URL} (endpoint {AVAILABILITY_ENDPOINT}) is not registered"
        )
    visitor = app.test_client()
    return [
        *_availability(visitor, dataset, counter),
        _booking(app, visitor, dataset, counter),
        _calendar(app, dataset, counter),
        _series(app, dataset, counter),
        *_client_record(app, dataset, counter),
        care.run(app, dataset, counter),
    ]


def _client_record(app: Flask, dataset: Dataset, counter: StatementCounter) -> list[Measurement]:
    """As staff: the client directory searched by part of a name (a different one each run,
    each matching about ten clients), and a different client's profile each run."""
    with app.app_context():
        create_user(email="record@bench.example", name="Record Desk", role=Role.STAFF,
                    password=PASSWORD)  # fmt: skip
        db.session.commit()
        ids = list(db.session.scalars(
            sa.select(User.id).where(User.email.in_(dataset.client_emails)).order_by(User.id)
        ))  # fmt: skip
    staff = app.test_client()
    login = staff.post("/login", data={"email": "record@bench.example", "password": PASSWORD})
    if login.status_code != 302:
        raise RuntimeError(f"benchmark staff could not log in (HTTP {login.status_code})")

    def search(i: int):
        return staff.get("/staff/clients", query_string={"q": f"Client {i % 200:03d}"})

    def profile(i: int):
        return staff.get(f"/clients/{ids[(37 * i) % len(ids)]}")

    return [
        measure(name, TARGETS_MS[name], request, counter)
        for name, request in (("client_directory_search", search), ("client_profile", profile))
    ]


SERIES_RUNS, SERIES_WARMUP = 20, 3


def _series(app: Flask, dataset: Dataset, counter: StatementCounter) -> Measurement:
    """A client books a series of six more visits every four weeks from a visit past the
    seeded weeks (the whole POST: each occurrence checked, then six bookings)."""
    first = dataset.first_day + timedelta(weeks=WEEKS + 1)
    bases = []
    with app.app_context():
        db.session.execute(
            sa.update(BusinessSettings).where(BusinessSettings.id == 1).values(horizon_days=365)
        )
        client_id = db.session.scalar(
            sa.select(User.id).where(User.email == dataset.client_emails[1])
        )
        # One base a working day: a client has one visit at a time, and bases under four
        # weeks apart never meet in their series either.
        days = [
            first + timedelta(days=n)
            for n in range(28)
            if (first + timedelta(days=n)).weekday() < 6
        ]
        for i in range(SERIES_RUNS + SERIES_WARMUP):
            day = days[i]
            therapist = dataset.therapist_ids[i % len(dataset.therapist_ids)]
            starts = datetime.combine(day, time(10), zone(TIMEZONE)).astimezone(UTC)
            booking = Booking(
                client_id=client_id, therapist_id=therapist, room_id=dataset.room_ids[i % 20],
                service_id=dataset.service_ids[0], starts_at=starts,
                ends_at=starts + timedelta(minutes=60), busy_until=starts + timedelta(minutes=75),
                price_cents=6500,
            )  # fmt: skip
            db.session.add(booking)
            db.session.flush()
            bases.append(booking.id)
        db.session.commit()
    client = app.test_client()
    client.post("/login", data={"email": dataset.client_emails[1], "password": PASSWORD})
    forms = []
    for base in bases:  # what the client saw in each preview (not timed)
        page = client.get(f"/bookings/{base}/series", query_string={"every": 4, "visits": 6})
        seen = re.findall(r'name="chosen" value="([^"]*)"', page.get_data(as_text=True))
        if len(seen) != 6 or "" in seen:
            raise RuntimeError(f"series preview for booking {base} is not all bookable: {seen}")
        forms.append({"every": "4", "visits": "6", "chosen": seen})

    def book_series(i: int):
        return client.post(f"/bookings/{bases[i]}/series", data=forms[i])

    name = "series_booking_6_visits"
    return measure(name, TARGETS_MS[name], book_series, counter, expect=302,
                   runs=SERIES_RUNS, warmup=SERIES_WARMUP)  # fmt: skip


def _calendar(app: Flask, dataset: Dataset, counter: StatementCounter) -> Measurement:
    """The staff day view for all 20 therapists, a different working day each run."""
    with app.app_context():
        create_user(email="desk@bench.example", name="Desk", role=Role.STAFF, password=PASSWORD)
        db.session.commit()
    staff = app.test_client()
    login = staff.post("/login", data={"email": "desk@bench.example", "password": PASSWORD})
    if login.status_code != 302:
        raise RuntimeError(f"benchmark staff could not log in (HTTP {login.status_code})")
    days = _working_days(dataset.first_day)

    def day_view(i: int):
        return staff.get("/staff/calendar", query_string={"date": days[i % len(days)]})

    name = "calendar_day_all_therapists"
    return measure(name, TARGETS_MS[name], day_view, counter)


def _availability(
    visitor: FlaskClient, dataset: Dataset, counter: StatementCounter
) -> list[Measurement]:
    service_id = dataset.service_ids[0]  # the 60-minute service: the most candidate starts
    therapists = dataset.therapist_ids
    days = _working_days(dataset.first_day)

    def ask(therapist: int | str, first: date, last: date):
        query = {"service": service_id, "therapist": therapist, "from": first, "to": last}
        return visitor.get(AVAILABILITY_URL, query_string=query)

    _require_slots(ask("any", days[0], days[0] + timedelta(days=27)))

    def one_day(i: int):
        return ask(therapists[i % len(therapists)], days[i % len(days)], days[i % len(days)])

    def any_one_day(i: int):
        return ask("any", days[i % len(days)], days[i % len(days)])

    def four_weeks(i: int):
        first = dataset.first_day + timedelta(days=i % 28)
        return ask(therapists[i % len(therapists)], first, first + timedelta(days=27))

    return [
        measure(name, TARGETS_MS[name], request, counter)
        for name, request in (
            ("availability_one_therapist_one_day", one_day),
            ("availability_all_therapists_one_day", any_one_day),
            ("availability_one_therapist_28_days", four_weeks),
        )
    ]


def _booking(
    app: Flask, visitor: FlaskClient, dataset: Dataset, counter: StatementCounter
) -> Measurement:
    """A logged-in client's booking POST, each run to its own free slot ("any therapist")."""
    service_id = dataset.service_ids[0]
    starts = _disjoint_free_starts(visitor, dataset, service_id, WARMUP + RUNS)
    keys = [secrets.token_urlsafe(24) for _ in starts]

    client = app.test_client()
    login = client.post("/login", data={"email": dataset.client_emails[0], "password": PASSWORD})
    if login.status_code != 302:
        raise RuntimeError(f"benchmark client could not log in (HTTP {login.status_code})")

    def book(i: int):
        form = {"start": starts[i], "therapist": "any", "request_key": keys[i]}
        return client.post(f"/book/{service_id}/confirm", data=form)

    name = "booking_client_http"
    result = measure(name, TARGETS_MS[name], book, counter, expect=302)
    with app.app_context():
        total = db.session.scalar(sa.select(sa.func.count()).select_from(Booking))
    if total != dataset.bookings + len(starts):
        raise RuntimeError(f"expected {dataset.bookings + len(starts)} bookings, found {total}")
    return result


def _disjoint_free_starts(
    visitor: FlaskClient, dataset: Dataset, service_id: int, count: int
) -> list[str]:
    """``count`` free starts whose holds never overlap, a few per day across the weeks.

    Disjoint holds mean no run can take the therapist or room another run was promised.
    """
    hold = timedelta(minutes=dataset.service_hold_min[service_id])
    picked: list[str] = []
    taken_on: dict[date, int] = {}
    free_from: datetime | None = None
    for slot in _free_slots(visitor, dataset, service_id):
        start = datetime.fromisoformat(slot["start"])
        day = start.date()
        overlaps = free_from is not None and start < free_from
        if overlaps or taken_on.get(day, 0) >= BOOKINGS_PER_DAY:
            continue
        picked.append(slot["start"])
        taken_on[day] = taken_on.get(day, 0) + 1
        free_from = start + hold
        if len(picked) == count:
            return picked
    raise RuntimeError(f"only {len(picked)} disjoint free slots for {count} booking runs")


def _free_slots(visitor: FlaskClient, dataset: Dataset, service_id: int):
    """Every free slot ("any therapist") in the seeded weeks, asked for 28 days at a time."""
    for week in range(0, WEEKS, 4):
        first = dataset.first_day + timedelta(weeks=week)
        last = first + timedelta(days=min(4, WEEKS - week) * 7 - 1)
        query = {"service": service_id, "therapist": "any", "from": first, "to": last}
        yield from _require_slots(visitor.get(AVAILABILITY_URL, query_string=query))


def _working_days(first_day: date) -> list[date]:
    every = (first_day + timedelta(days=n) for n in range(WEEKS * 7))
    return [day for day in every if day.weekday() in WORKDAYS]


def _require_slots(response) -> list[dict]:
    if response.status_code != 200:
        raise RuntimeError(f"{AVAILABILITY_URL} answered HTTP {response.status_code}")
    slots = response.get_json()["slots"]
    if not slots:
        raise RuntimeError(f"{AVAILABILITY_URL} found no free slot in the seeded weeks")
    return slots
