"""The care loop with a year behind it: the therapist opens the next visit of a client who has
had a visit every five weeks for a year, each with a published plan of four daily routines
ticked on most days, and a check-in of three areas every week. The page reads the plan before
the visit week by week, its flags and each area's line from the intake through 52 check-ins.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from flask import Flask

from bench.dataset import PASSWORD, TIMEZONE, Dataset
from bench.measure import Measurement, StatementCounter, measure
from spa_app.accounts.models import Role
from spa_app.accounts.service import create_user
from spa_app.booking.models import Booking, BookingStatus
from spa_app.catalog.models import Service, Therapist
from spa_app.clock import zone
from spa_app.extensions import db
from spa_app.homecare.library import load_library
from spa_app.homecare.models import Completion, Intake, Plan, PlanItem, PlanStatus, Routine
from spa_app.homecare.outcomes.models import CheckIn, CheckInScore
from spa_app.homecare.vocab import Area

NAME = "care_visit_page_year"
#: Median target in ms (SQLite, two cores): a visit page among the others.
TARGET_MS = 60.0
VISITS, EVERY = 11, timedelta(weeks=5)
AREAS = {Area.NECK: 6, Area.LOWER_BACK: 5, Area.SHOULDERS: 4}
SEED = 5


def run(app: Flask, dataset: Dataset, counter: StatementCounter) -> Measurement:
    with app.app_context():
        visit_id, email = _seed(dataset)
    therapist = app.test_client()
    login = therapist.post("/login", data={"email": email, "password": PASSWORD})
    if login.status_code != 302:
        raise RuntimeError(f"benchmark therapist could not log in (HTTP {login.status_code})")

    def visit_page(i: int):
        return therapist.get(f"/bookings/{visit_id}")

    page = visit_page(0).get_data(as_text=True)
    for shown in ("Planned routines done each week", "Each area, from the intake"):
        if shown not in page:
            raise RuntimeError(f"the visit page shows no {shown!r}: nothing to measure")

    return measure(NAME, TARGET_MS, visit_page, counter)


def _seed(dataset: Dataset) -> tuple[int, str]:
    """The client, their visits on Sundays (no seeded visit then), plans, ticks and check-ins;
    the next visit's id and its therapist's login."""
    rng, tz = random.Random(SEED), zone(TIMEZONE)
    load_library()
    therapist = db.session.get(Therapist, dataset.therapist_ids[0])
    service = db.session.get(Service, dataset.service_ids[0])
    client = create_user(email="year@bench.example", name="A Year Of Care", role=Role.CLIENT,
                         password=PASSWORD)  # fmt: skip
    db.session.flush()
    db.session.add(Intake(client_id=client.id, severity={a.value: s for a, s in AREAS.items()},
                          goals=["pain_relief"], contexts=[], pressure=2, minutes_per_day=20,
                          conditions=[], no_conditions=True,
                          updated_at=datetime.now(UTC) - timedelta(weeks=56)))  # fmt: skip
    sunday = dataset.first_day - timedelta(days=1)  # the Sunday before the seeded weeks
    days = [sunday - EVERY * n for n in range(VISITS, -1, -1)]  # a year back, then next week
    routines = db.session.scalars(
        sa.select(Routine).where(Routine.area.in_(list(AREAS))).order_by(Routine.id)
    ).all()[:4]
    visits = [_visit(client.id, therapist, service, dataset.room_ids[0], day, tz) for day in days]
    db.session.flush()
    ticks = []
    for n, visit in enumerate(visits[:-1]):
        published = visit.ends_at + timedelta(hours=2)
        plan = Plan(booking_id=visit.id, client_id=client.id, author_id=therapist.user_id,
                    version=1, status=PlanStatus.PUBLISHED, reviewed=True, created_at=published,
                    published_at=published)  # fmt: skip
        db.session.add(plan)
        for position, routine in enumerate(routines):
            item = PlanItem(position=position, routine_id=routine.id, minutes=5,
                            days="0123456", pressure=1)  # fmt: skip
            item.copy_words(routine)
            plan.items.append(item)
        db.session.flush()
        first = published.astimezone(tz).date()
        for d in range((days[n + 1] - first).days):
            for item in plan.items:
                if rng.random() < 0.8:
                    ticks.append({"plan_item_id": item.id, "day": first + timedelta(days=d),
                                  "discomfort": rng.choice([None, 1, 2, 3, 8])})  # fmt: skip
    db.session.execute(sa.insert(Completion), ticks)
    for week in range(52):
        monday = days[0] + timedelta(days=1 + 7 * week)
        at = datetime.combine(monday, time(20), tz).astimezone(UTC)
        scores = [CheckInScore(area=a, score=max(0, min(10, s + rng.randint(-3, 2))))
                  for a, s in AREAS.items()]  # fmt: skip
        db.session.add(CheckIn(client_id=client.id, period=f"week:{monday.isoformat()}",
                               created_at=at, updated_at=at, scores=scores))  # fmt: skip
    db.session.commit()
    return visits[-1].id, therapist.user.email


def _visit(client_id: int, therapist, service, room_id: int, day: date, tz) -> Booking:
    starts = datetime.combine(day, time(10), tz).astimezone(UTC)
    past = day < date.today()
    visit = Booking(
        client_id=client_id, therapist_id=therapist.id, room_id=room_id, service_id=service.id,
        starts_at=starts, ends_at=starts + timedelta(minutes=service.duration_min),
        busy_until=starts + timedelta(minutes=service.duration_min + service.buffer_min),
        price_cents=service.price_cents,
        status=BookingStatus.COMPLETED if past else BookingStatus.BOOKED,
    )  # fmt: skip
    db.session.add(visit)
    return visit
