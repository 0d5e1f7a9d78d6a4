"""Reads of plans: who may read or write one, a booking's versions, the client's current plan,
the day totals the editor shows, this week on the client's page, and how the client kept to
the plan before their next visit (with the intake's flag, on the visit's page). Nothing here
changes anything but the audit of a health read."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from spa_app.accounts.models import User
from spa_app.booking.models import Booking, BookingStatus
from spa_app.extensions import db
from spa_app.homecare.access import audit_read, may_see_health
from spa_app.homecare.intake.service import intake_for
from spa_app.homecare.library import as_technique
from spa_app.homecare.loop import reading as loop
from spa_app.homecare.models import Completion, Plan, PlanItem, PlanStatus
from spa_app.homecare.outcomes.service import CheckInRow, scores_of
from spa_app.homecare.plans.checks import Entry
from spa_app.homecare.plans.checks import day_totals as checks_day_totals
from spa_app.homecare.plans.generator import DEFAULT_DOSE, Dose


def may_write(user: User, booking: Booking) -> bool:
    """Only the visit's own therapist writes its plan, and not for a deleted account (its health
    data is erased and must not start again)."""
    return (
        booking.therapist.user_id == user.id
        and booking.status is not BookingStatus.CANCELLED
        and not booking.client.is_deleted
    )


def plan_to_write(user: User, plan_id: int) -> Plan | None:
    """The plan if ``user`` may write it (draft or not), else None."""
    plan = db.session.get(Plan, plan_id)
    return plan if plan is not None and may_write(user, plan.booking) else None


def locked(plan: Plan) -> Plan:
    """``plan`` read again with its row locked (PostgreSQL) until the transaction ends: a
    publish that got in first wins, and its items are never touched after."""
    return db.session.get(Plan, plan.id, with_for_update=True, populate_existing=True)


def visible_plan(user: User, plan_id: int) -> Plan | None:
    """The plan if ``user`` may read it: whoever may see the client's health data, but a draft
    only for the therapist who writes it."""
    plan = db.session.get(Plan, plan_id)
    if plan is None or not may_see_health(user, plan.client_id):
        return None
    if plan.status is PlanStatus.DRAFT and not may_write(user, plan.booking):
        return None
    return plan


def published_plan(client_id: int, plan_id: int) -> Plan | None:
    """The client's own published plan ``plan_id``, else None."""
    plan = db.session.get(Plan, plan_id)
    if plan is None or plan.client_id != client_id or plan.status is not PlanStatus.PUBLISHED:
        return None
    return plan


def plans_of(booking_id: int) -> list[Plan]:
    return list(
        db.session.execute(
            db.select(Plan).where(Plan.booking_id == booking_id).order_by(Plan.version)
        ).scalars()
    )


def draft_of(booking_id: int) -> Plan | None:
    return db.session.execute(
        db.select(Plan).where(Plan.booking_id == booking_id, Plan.status == PlanStatus.DRAFT)
    ).scalar_one_or_none()


def current_plan(client_id: int) -> Plan | None:
    """The client's latest published plan, the one to follow now."""
    return db.session.execute(
        db.select(Plan)
        .where(Plan.client_id == client_id, Plan.status == PlanStatus.PUBLISHED)
        .order_by(Plan.published_at.desc(), Plan.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def day_totals(plan: Plan, dose: Dose = DEFAULT_DOSE) -> list[int]:
    """The plan's minutes on each weekday, with the warm-up and the rest."""
    return checks_day_totals(entries(plan), dose)


def entries(plan: Plan) -> list[Entry]:
    """The plan's items as the editor's checks read them."""
    return [
        Entry(i.name, as_technique(i.routine), i.minutes, tuple(i.weekdays), i.pressure)
        for i in plan.items
    ]


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
class Journey:
    """How the client has kept to ``plan`` so far, for their own page: its weeks (from its
    publication to the day before the plan that replaced it, or on to today) and each area's
    scores (score_history)."""

    grid: loop.Grid
    scores: dict[str, list[tuple[date, int]]]


def journey(plan: Plan, today: date, tz) -> Journey:
    """The plan's weeks and the client's scores: four statements."""
    first = plan.published_at.astimezone(tz).date()
    replaced = db.session.execute(
        db.select(db.func.min(Plan.published_at)).where(
            Plan.client_id == plan.client_id,
            Plan.status == PlanStatus.PUBLISHED,
            Plan.published_at > plan.published_at,
        )
    ).scalar()
    end = replaced.astimezone(tz).date() - timedelta(days=1) if replaced else None
    ticks = completions(plan, first, loop.last_day(end, today))
    weeks = loop.grid(_routines(plan), [loop.Tick(c.plan_item_id, c.day, c.discomfort)
                                         for c in ticks.values()], first, end, today)  # fmt: skip
    return Journey(weeks, score_history(plan.client_id, tz))


def _routines(plan: Plan) -> list[loop.Routine]:
    return [loop.Routine(i.id, i.name, frozenset(i.weekdays)) for i in plan.items]


@dataclass(frozen=True)
class Adherence:
    plan: Plan
    first: date
    last: date
    done: int
    scheduled: int
    #: (day, routine name, discomfort 0-10), latest first
    notes: list[tuple[date, str, int]]
    #: Week by week (homecare.loop): the grid, its one-line reading and what to look at.
    grid: loop.Grid | None = None
    reading: str = ""
    flags: tuple[loop.Flag, ...] = ()
    #: Each area's scores, the intake's then the check-ins' (score_history).
    scores: dict[str, list[tuple[date, int]]] = field(default_factory=dict)


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
    end = booking.starts_at.astimezone(tz).date() - timedelta(days=1)
    last = min(today, end)
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
    weekly = loop.grid(
        _routines(plan),
        [loop.Tick(c.plan_item_id, c.day, c.discomfort) for c in ticks.values()],
        first,
        end,
        today,
    )
    scores = score_history(plan.client_id, tz)
    return Adherence(plan, first, last, len(ticks), scheduled, notes, weekly,
                     loop.reading(weekly), tuple(loop.flags(weekly, scores)), scores)  # fmt: skip


def score_history(client_id: int, tz) -> dict[str, list[tuple[date, int]]]:
    """Each area the intake scored: its intake score, then the client's check-ins' scores of
    it, in the order given (local days). The intake's is the baseline: dated on its last
    change, or on the first check-in if the intake was edited since. Two statements."""
    intake = intake_for(client_id)
    if intake is None:
        return {}
    return history_of(intake.severity, intake.updated_at, scores_of(client_id), tz)


def history_of(
    severity: dict, intake_changed: datetime, checkins: list[CheckInRow], tz
) -> dict[str, list[tuple[date, int]]]:
    """``score_history`` from what it reads: the intake's scores and last change, and the
    check-ins (``scores_of``)."""
    day = intake_changed.astimezone(tz).date()
    if checkins:
        day = min(day, checkins[0].updated_at.astimezone(tz).date())
    history = {area: [(day, score)] for area, score in severity.items() if score}
    for row in checkins:
        for area, score in row.scores.items():
            if area in history:
                history[area].append((row.updated_at.astimezone(tz).date(), score))
    return history


@dataclass(frozen=True)
class HealthSummary:
    """What the therapist or staff see of the client's health on a visit's page."""

    #: A contraindication is ticked on the intake (None: no intake yet).
    flagged: bool | None
    #: How the client kept to the plan they had before this visit (None: they had none).
    adherence: Adherence | None


def health_summary(viewer: User, booking: Booking, today: date, tz) -> HealthSummary:
    """Before a visit, for its therapist or staff: whether the intake has a contraindication
    ticked, and how the client kept to the plan they had. Health data: the read is audited
    first (committed on its own), and only when there is something to show."""
    intake, before = intake_for(booking.client_id), plan_before(booking)
    if intake is None and before is None:
        return HealthSummary(None, None)
    read = ["intake flag"] if intake is not None else []
    read += [f"adherence plan {before.id}", "check-ins"] if before is not None else []
    audit_read(viewer, booking.client_id, ", ".join(read))
    return HealthSummary(
        flagged=intake.flagged if intake is not None else None,
        adherence=adherence(before, booking, today, tz) if before is not None else None,
    )
