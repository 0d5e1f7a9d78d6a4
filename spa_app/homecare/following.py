"""Following a published plan: ticks (and taking one back the same day), this week's
progress, and how the client kept to the plan before their next visit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa

from spa_app.booking.models import Booking
from spa_app.database import dialect_insert, utcnow
from spa_app.extensions import db
from spa_app.homecare.models import Completion, Plan, PlanItem, PlanStatus
from spa_app.homecare.plans import PlanError
from spa_app.homecare.service import current_plan


def tick(plan: Plan, item_id: int, day: date, discomfort: int | None) -> bool:
    """Mark an item of the client's current plan done on ``day``; True if newly marked (a
    repeat changes nothing)."""
    if plan.status is not PlanStatus.PUBLISHED or item_id not in {i.id for i in plan.items}:
        raise PlanError("That routine is not in this plan.")
    current = current_plan(plan.client_id)
    if current is None or current.id != plan.id:
        raise PlanError("A newer plan has replaced this one: please follow the new plan.")
    item = next(i for i in plan.items if i.id == item_id)
    if day.weekday() not in item.weekdays:
        raise PlanError("That routine is not scheduled for that day.")
    # ON CONFLICT DO NOTHING: a double tap (or two tabs) records one completion, no error.
    table = Completion.__table__
    statement = (
        dialect_insert(table, db.session)
        .values(plan_item_id=item_id, day=day, discomfort=discomfort, recorded_at=utcnow())
        .on_conflict_do_nothing(index_elements=["plan_item_id", "day"])
        .returning(table.c.id)
    )
    return db.session.execute(statement).first() is not None


def tick_day(plan: Plan, day: date, chosen: set[int | None]) -> list[PlanItem]:
    """Mark done the routines of ``day`` whose ids are ``chosen`` (the others were skipped);
    the items marked. Raises PlanError (a newer plan has replaced this one)."""
    marked = [item for item in plan.items_on(day) if item.id in chosen]
    for item in marked:
        tick(plan, item.id, day, discomfort=None)
    return marked


def untick(plan: Plan, item_id: int, day: date) -> bool:
    """Take back the tick of ``item_id`` on ``day`` (the caller passes today: only the same
    day's tick can be undone). True if there was one. Flushes."""
    if item_id not in {i.id for i in plan.items}:
        return False
    done = db.session.execute(
        sa.delete(Completion).where(Completion.plan_item_id == item_id, Completion.day == day)
    )
    return done.rowcount == 1


@dataclass(frozen=True)
class Week:
    """The client's plan page on ``today``: this week's days (Monday first) and its ticks,
    today's routines, the progress (a published plan), whether the plan is the client's current
    one, and the four weeks from next Monday for the printed sheet."""

    days: list[date]
    done: dict[tuple[int, date], Completion]
    todays: list[PlanItem]
    progress: Progress | None
    is_current: bool
    sheet: list[list[date]]


def week_of(plan: Plan, today: date, tz) -> Week:
    monday = today - timedelta(days=today.weekday())
    current = current_plan(plan.client_id)
    return Week(
        days=[monday + timedelta(days=n) for n in range(7)],
        done=completions(plan, monday, today),
        todays=plan.items_on(today),
        progress=progress(plan, today, tz) if plan.status is PlanStatus.PUBLISHED else None,
        is_current=current is not None and current.id == plan.id,
        sheet=[[monday + timedelta(days=7 * w + d) for d in range(7)] for w in range(1, 5)],
    )


def completions(plan: Plan, first: date, last: date) -> dict[tuple[int, date], Completion]:
    rows = db.session.execute(
        db.select(Completion)
        .join(PlanItem)
        .where(PlanItem.plan_id == plan.id, Completion.day >= first, Completion.day <= last)
    ).scalars()
    return {(c.plan_item_id, c.day): c for c in rows}


@dataclass(frozen=True)
class Progress:
    done: int
    scheduled: int  # planned from Monday (or publication) up to and including today
    streak: int  # days in a row, up to today, with every scheduled routine done
    to_come: int = 0  # planned for the rest of the week, after today


def progress(plan: Plan, today: date, tz) -> Progress:
    """This week's done vs planned so far (Monday, or the local day it was published, up to
    today: days still to come are counted apart), and the current streak."""
    start = plan.published_at.astimezone(tz).date() if plan.published_at else today
    monday = today - timedelta(days=today.weekday())
    done_map = completions(plan, min(start, monday), today)
    week = [monday + timedelta(days=n) for n in range(7) if monday + timedelta(days=n) >= start]
    planned = [(i.id, d) for d in week for i in plan.items if d.weekday() in i.weekdays]
    scheduled = [(item, day) for item, day in planned if day <= today]
    done = sum(1 for key in scheduled if key in done_map)
    streak, day = 0, today
    while day >= start:
        due = [i.id for i in plan.items if day.weekday() in i.weekdays]
        if due and all((i, day) in done_map for i in due):
            streak += 1
        elif due and day != today:  # today may still be under way
            break
        day -= timedelta(days=1)
    return Progress(
        done=done,
        scheduled=len(scheduled),
        streak=streak,
        to_come=len(planned) - len(scheduled),
    )


@dataclass(frozen=True)
class Adherence:
    plan: Plan
    first: date
    last: date
    done: int
    scheduled: int
    #: (day, routine name, discomfort 0-10), latest first
    notes: list[tuple[date, str, int]]


def plan_before(booking: Booking) -> Plan | None:
    """The plan the client was following when ``booking`` came: the latest published before it."""
    return db.session.execute(
        db.select(Plan)
        .where(
            Plan.client_id == booking.client_id,
            Plan.status == PlanStatus.PUBLISHED,
            Plan.published_at < booking.starts_at,
            Plan.booking_id != booking.id,
        )
        .order_by(Plan.published_at.desc(), Plan.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def adherence(plan: Plan, booking: Booking, today: date, tz) -> Adherence:
    """How the client kept to ``plan`` before ``booking``: done vs scheduled from its
    publication to the day before the visit (or today, if sooner), and how it felt (the
    discomfort notes)."""
    first = plan.published_at.astimezone(tz).date()
    last = min(today, booking.starts_at.astimezone(tz).date() - timedelta(days=1))
    ticks = completions(plan, first, last) if last >= first else {}
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    scheduled = sum(1 for d in days for i in plan.items if d.weekday() in i.weekdays)
    names = {i.id: i.name for i in plan.items}
    notes = sorted(
        (
            (c.day, names[c.plan_item_id], c.discomfort)
            for c in ticks.values()
            if c.discomfort is not None
        ),
        reverse=True,
    )
    return Adherence(plan, first, last, len(ticks), scheduled, notes)
