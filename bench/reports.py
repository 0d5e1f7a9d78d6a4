"""Each report timed on the 100,000-client spa, on SQLite and on PostgreSQL.

The spa is the e-mail sweep's (bench/mail.py: 100,000 clients, about 300,000 completed visits
over three years, 100 therapists each with a room), given what the reports read besides: every
therapist's weekly hours (Monday to Saturday, 9 to 19) and a week off, three closed days,
one visit in 37 a no-show and one in 23 cancelled (half of those late), a published plan of two
routines for one visit in four of the last 200 days, ticked on about half their days, the
nudges sent in that time, and a rating for one visit in five. Each report is called as the
Reports page calls it, over the page's default range (the last six months), and the whole page
is fetched as staff; PostgreSQL is the local server, or the one ``BENCH_DATABASE_URL`` names.
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable
from datetime import datetime, time, timedelta
from time import perf_counter_ns

import sqlalchemy as sa

from bench import mail
from bench.database import build_app, migrate, temporary_postgresql, temporary_sqlite
from bench.measure import Measurement, StatementCounter
from spa_app.accounts.models import Role, User
from spa_app.booking.models import Booking, BookingStatus
from spa_app.catalog.models import Therapist
from spa_app.clock import local_today, zone
from spa_app.extensions import db
from spa_app.feedback.models import Feedback
from spa_app.homecare.library import load_library
from spa_app.homecare.models import Completion, Plan, PlanItem, PlanStatus, Routine
from spa_app.notifications.models import Message, MessageKind, MessageState
from spa_app.reports import adherence, queries, utilisation
from spa_app.scheduling.models import Closure, TimeOff, WorkingHours

RUNS, WARMUP = 5, 1
LOCAL_POSTGRESQL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
PLANNED_DAYS = 200
SEED = 20261204
PASSWORD = "bench-password"


def run(now: datetime) -> dict:
    """{"sqlite": {report: figures}, "postgresql": {...} or the reason it was skipped}."""
    out: dict = {"sqlite": _on(temporary_sqlite(), now)}
    server = os.environ.get("BENCH_DATABASE_URL") or LOCAL_POSTGRESQL
    try:
        sa.create_engine(server).connect().close()
    except sa.exc.OperationalError as exc:
        out["postgresql"] = f"skipped: no PostgreSQL server answers ({type(exc).__name__})"
    else:
        out["postgresql"] = _on(temporary_postgresql(server), now)
    return out


def _on(database, now: datetime) -> dict:
    with database as url:
        app = build_app(url)
        migrate(app)
        with app.app_context():
            mail.seed_clients(now)
            email, counts = _seed_the_rest(now)
            counter = StatementCounter(db.engine)
            figures = _time_each(now, counter)
            figures["dataset"] = counts
            db.session.remove()
        figures["page"] = _time_the_page(app, email, counter)
        with app.app_context():
            db.engine.dispose()
    return figures


def _seed_the_rest(now: datetime) -> tuple[str, dict[str, int]]:
    """What the reports read besides the visits; the staff login and the rows added."""
    rng, tz = random.Random(SEED), zone(mail.TIMEZONE)
    today = local_today(now, tz)
    therapists = db.session.execute(sa.select(Therapist.id, Therapist.user_id)).all()
    db.session.execute(
        sa.insert(WorkingHours),
        [{"therapist_id": t, "weekday": d, "starts": time(9), "ends": time(19)}
         for t, _u in therapists for d in range(6)],
    )  # fmt: skip
    away = []
    for t, _u in therapists:
        first = now - timedelta(days=rng.randrange(7, 180))
        away.append({"therapist_id": t, "starts_at": first, "ends_at": first + timedelta(days=7),
                     "reason": ""})  # fmt: skip
    db.session.execute(sa.insert(TimeOff), away)
    db.session.add_all(Closure(day=today - timedelta(days=d), reason="") for d in (20, 75, 140))
    past = Booking.starts_at < now
    db.session.execute(
        sa.update(Booking).where(past, Booking.id % 37 == 0).values(status=BookingStatus.NO_SHOW)
    )
    db.session.execute(
        sa.update(Booking)
        .where(Booking.id % 23 == 0)
        .values(status=BookingStatus.CANCELLED, late_cancel=Booking.id % 2 == 0)
    )
    load_library()
    routines = db.session.scalars(sa.select(Routine).order_by(Routine.id).limit(2)).all()
    authors = dict(therapists)
    since = now - timedelta(days=PLANNED_DAYS)
    visits = db.session.execute(
        sa.select(Booking.id, Booking.client_id, Booking.therapist_id, Booking.starts_at).where(
            Booking.status == BookingStatus.COMPLETED, Booking.starts_at >= since, past
        )
    ).all()
    planned = [v for v in visits if v.id % 4 == 0]
    plan_ids = mail.insert_ids(
        Plan,
        [{"booking_id": v.id, "client_id": v.client_id, "author_id": authors[v.therapist_id],
          "version": 1, "status": PlanStatus.PUBLISHED, "cautions": [], "reviewed": True,
          "review_reasons": [], "left_out": [], "overrides": [], "created_at": v.starts_at,
          "published_at": v.starts_at + timedelta(hours=2)} for v in planned],
    )  # fmt: skip
    item_rows = [
        {"plan_id": p, "position": n, "routine_id": r.id, "name": r.name, "area": r.area,
         "kind": r.kind, "steps": r.steps, "tools": [], "caution": "", "minutes": 5,
         "days": "024" if n == 0 else "0123456", "pressure": 1, "note": "", "why": "",
         "build_up": False, "spots": [], "advice": ""}
        for p in plan_ids for n, r in enumerate(routines)
    ]  # fmt: skip
    item_ids = mail.insert_ids(PlanItem, item_rows)
    ticks = []
    for visit, items in zip(planned, _pairs(item_ids), strict=True):
        first = visit.starts_at.astimezone(tz).date()
        for d in range(min(42, (today - first).days)):
            day = first + timedelta(days=d)
            for item, days in zip(items, ("024", "0123456"), strict=True):
                if str(day.weekday()) in days and rng.random() < 0.5:
                    ticks.append({"plan_item_id": item, "day": day, "recorded_at": now})
    for start in range(0, len(ticks), 50_000):
        db.session.execute(sa.insert(Completion), ticks[start : start + 50_000])
    db.session.execute(
        sa.insert(Feedback),
        [{"booking_id": v.id, "client_id": v.client_id, "rating": 1 + v.id % 5, "comment": "",
          "created_at": now, "updated_at": now} for v in visits if v.id % 5 == 1],
    )  # fmt: skip
    nudged = [v for v in visits if v.id % 6 == 1]
    db.session.execute(
        sa.insert(Message),
        [{"kind": MessageKind.REBOOK_WINDOW_OPEN, "idempotency_key": f"bench-nudge-{v.id}",
          "user_id": v.client_id, "booking_id": v.id, "state": MessageState.SENT,
          "due_at": v.starts_at + timedelta(weeks=4), "created_at": now,
          "sent_at": min(now, v.starts_at + timedelta(weeks=4))} for v in nudged],
    )  # fmt: skip
    staff = User(email="desk@bench.example", name="Desk", role=Role.STAFF)
    staff.set_password(PASSWORD)
    db.session.add(staff)
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("ANALYZE"))
    return staff.email, {"plans": len(plan_ids), "ticks": len(ticks), "closed_days": 3}


def _pairs(ids: list[int]) -> list[tuple[int, int]]:
    return list(zip(ids[::2], ids[1::2], strict=True))


def _reports(now: datetime) -> dict[str, Callable[[queries.Scope], object]]:
    return {
        "visits": queries.outcomes,
        "utilisation": utilisation.utilisation,
        "rebooking": lambda scope: queries.rebooking(scope, now),
        "retention": queries.retention,
        "nudges": queries.nudges,
        "ratings": queries.ratings,
        "revenue": queries.takings,
        "home_care": queries.home_care,
        "home_care_weeks": lambda scope: adherence.by_week(scope, now),
    }


def _default_scope(now: datetime) -> queries.Scope:
    tz = zone(mail.TIMEZONE)
    today = local_today(now, tz)
    first = today.replace(day=1)
    for _month in range(5):
        first = (first - timedelta(days=1)).replace(day=1)
    return queries.Scope(first, today, tz)


def _median(call: Callable[[], object], counter: StatementCounter) -> dict:
    """``call``'s median ms over RUNS runs after WARMUP, and its statements per run."""
    m = Measurement("report", 0.0)  # no target: the reports have none yet
    for i in range(WARMUP + RUNS):
        counter.reset()
        started = perf_counter_ns()
        call()
        elapsed = perf_counter_ns() - started
        if i >= WARMUP:
            m.samples_ns.append(elapsed)
            m.statements.append(counter.count)
    return {"median_ms": round(m.median_ms, 1), "sql_statements": m.sql_statements}


def _time_each(now: datetime, counter: StatementCounter) -> dict:
    scope = _default_scope(now)

    def once(report):
        db.session.rollback()  # each call in a fresh transaction, as a request has
        report(scope)

    return {
        name: _median(lambda r=report: once(r), counter) for name, report in _reports(now).items()
    }


def _time_the_page(app, email: str, counter: StatementCounter) -> dict:
    desk = app.test_client()
    login = desk.post("/login", data={"email": email, "password": PASSWORD})
    if login.status_code != 302:
        raise RuntimeError(f"benchmark staff could not log in (HTTP {login.status_code})")

    def fetch():
        reply = desk.get("/staff/reports")
        if reply.status_code != 200:
            raise RuntimeError(f"the reports page answered HTTP {reply.status_code}")

    return _median(fetch, counter)


def _cells(figures: dict, width: int) -> str:
    return f"{figures['median_ms']:>{width}.1f} {figures['sql_statements']:>4}"


def table(found: dict) -> str:
    """Report by report: the median ms and statements on each backend."""
    header = (
        f"{'report (last six months)':<28} {'SQLite ms':>10} {'SQL':>4}"
        f" {'PostgreSQL ms':>14} {'SQL':>4}"
    )
    lines = [
        "Reports on the 100,000-client spa (plus "
        + ", ".join(f"{n:,} {k.replace('_', ' ')}" for k, n in found["sqlite"]["dataset"].items())
        + f"): median of {RUNS} runs after {WARMUP} warm-up; SQL = statements per report",
        "",
        header,
        "-" * len(header),
    ]
    lite, pg = found["sqlite"], found["postgresql"]
    for name in (n for n in lite if n != "dataset"):
        row = f"{name:<28} {_cells(lite[name], 10)}"
        if isinstance(pg, dict):
            row += f" {_cells(pg[name], 14)}"
        lines.append(row)
    if not isinstance(pg, dict):
        lines.append(f"PostgreSQL: {pg}")
    return "\n".join(lines)
