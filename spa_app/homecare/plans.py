"""Plans: a draft from the generator, edited by the visit's therapist, published as a version.

A published plan never changes; revising it starts a new draft version of the same booking.
The client's current plan is their latest published one, so the next visit's plan supersedes
the last.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from spa_app.accounts.models import User
from spa_app.booking.models import Booking, BookingStatus
from spa_app.database import dialect_insert, lost_race, utcnow
from spa_app.extensions import db
from spa_app.homecare.generator import GENERAL_CAUTIONS, suggest
from spa_app.homecare.library import techniques
from spa_app.homecare.models import Completion, Plan, PlanItem, PlanStatus, Routine
from spa_app.homecare.service import current_plan, intake_for, needs_from
from spa_app.notifications.models import MessageKind
from spa_app.notifications.service import queue_plan_message


class PlanError(Exception):
    """A plan change the rules refuse; the message is for the person."""


@dataclass(frozen=True)
class ItemEdit:
    """What the editor submits for one item."""

    item_id: int
    minutes: int
    days: str  # weekday digits
    pressure: int
    note: str


def may_write(user: User, booking: Booking) -> bool:
    """Only the visit's own therapist writes its plan, and not for a deleted account (its health
    data is erased and must not start again)."""
    return (
        booking.therapist.user_id == user.id
        and booking.status is not BookingStatus.CANCELLED
        and not booking.client.is_deleted
    )


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


def start_draft(booking: Booking, author: User, now: datetime, *, suggested: bool) -> Plan:
    """The booking's draft: the one already open, or a new version.

    A new version starts from the generator's suggestion (``suggested``) or from the latest
    published version (a revision; empty if there is none). Asking for a suggestion on an open
    draft replaces its items. Raises PlanError if someone else opened a draft at this moment.
    """
    draft = draft_of(booking.id)
    if draft is None:
        versions = plans_of(booking.id)
        draft = Plan(
            booking_id=booking.id,
            client_id=booking.client_id,
            author_id=author.id,
            version=(versions[-1].version + 1) if versions else 1,
            cautions=list(GENERAL_CAUTIONS),
            created_at=now,
        )
        published = [p for p in versions if p.status is PlanStatus.PUBLISHED]
        if published and not suggested:
            _copy_items(published[-1], draft)
        try:
            with db.session.begin_nested():
                db.session.add(draft)
        except DBAPIError as exc:
            if not lost_race(exc):
                raise
            raise PlanError("A draft of this plan was opened just now; please reload.") from None
    if suggested:
        _suggest_into(draft)
    db.session.flush()
    return draft


def _copy_items(source: Plan, draft: Plan) -> None:
    draft.cautions = list(source.cautions)
    for item in source.items:
        copy = PlanItem(
            position=item.position,
            routine_id=item.routine_id,
            minutes=item.minutes,
            days=item.days,
            pressure=item.pressure,
            note=item.note,
            why=item.why,
        )
        copy.copy_words(item)
        draft.items.append(copy)


def _suggest_into(draft: Plan) -> None:
    intake = intake_for(draft.client_id)
    if intake is None:
        raise PlanError("The client has not filled in the health intake yet: nothing to suggest.")
    suggestion = suggest(needs_from(intake), techniques())
    draft.items.clear()
    db.session.flush()
    draft.cautions = list(suggestion.cautions)
    library = {r.id: r for r in db.session.execute(db.select(Routine)).scalars()}
    for position, item in enumerate(suggestion.items):
        added = PlanItem(
            position=position,
            routine_id=item.technique_id,
            minutes=item.minutes,
            days="".join(str(d) for d in item.days),
            pressure=int(item.pressure),
            why=item.why,
        )
        added.copy_words(library[item.technique_id])
        draft.items.append(added)


def edit(draft: Plan, edits: list[ItemEdit]) -> None:
    """Apply the editor's values to the draft's items (all validated by the form)."""
    _require_draft(draft)
    by_id = {item.id: item for item in draft.items}
    for change in edits:
        item = by_id.get(change.item_id)
        if item is None:
            raise PlanError("That routine is no longer in this draft; please reload.")
        item.minutes, item.days, item.pressure = change.minutes, change.days, change.pressure
        item.note = change.note.strip()
    db.session.flush()


def add_routine(draft: Plan, routine_id: int) -> PlanItem:
    _require_draft(draft)
    routine = db.session.get(Routine, routine_id)
    if routine is None or not routine.active:
        raise PlanError("Please choose a routine from the library.")
    item = PlanItem(
        position=len(draft.items),
        routine_id=routine.id,
        minutes=routine.minutes,
        days="0123456"[: routine.times_per_week],
        pressure=routine.pressure,
        why="Added by your therapist.",
    )
    item.copy_words(routine)
    draft.items.append(item)
    db.session.flush()
    return item


def remove(draft: Plan, item_id: int) -> None:
    _require_draft(draft)
    item = next((i for i in draft.items if i.id == item_id), None)
    if item is None:
        raise PlanError("That routine is no longer in this draft; please reload.")
    draft.items.remove(item)
    _renumber(draft)


def move(draft: Plan, item_id: int, step: int) -> None:
    """Move an item up (-1) or down (+1) in the order."""
    _require_draft(draft)
    items = list(draft.items)
    index = next((n for n, i in enumerate(items) if i.id == item_id), None)
    if index is None:
        raise PlanError("That routine is no longer in this draft; please reload.")
    target = index + step
    if 0 <= target < len(items):
        items[index], items[target] = items[target], items[index]
    for position, item in enumerate(items):
        item.position = position
    draft.items.sort(key=lambda i: i.position)  # the loaded list follows the new order
    db.session.flush()


def publish(draft: Plan, *, reviewed: bool, now: datetime) -> Plan:
    """Make the draft the client's plan. With a contraindication on the intake, only once the
    therapist confirms the review. A conditional UPDATE: two publishes at once publish once."""
    _require_draft(draft)
    if not draft.items:
        raise PlanError("Add at least one routine before publishing.")
    intake = intake_for(draft.client_id)
    if intake is not None and intake.flagged and not reviewed:
        raise PlanError(
            "The client has a contraindication: please confirm you reviewed the plan for it."
        )
    done = db.session.execute(
        sa.update(Plan)
        .where(Plan.id == draft.id, Plan.status == PlanStatus.DRAFT)
        .values(status=PlanStatus.PUBLISHED, published_at=now, reviewed=reviewed)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(draft)
    if done.rowcount != 1:
        raise PlanError("This plan was published a moment ago.")
    queue_plan_message(MessageKind.PLAN_READY, draft, due_at=now)
    return draft


def _require_draft(plan: Plan) -> None:
    if plan.status is not PlanStatus.DRAFT:
        raise PlanError("A published plan is never changed; start a revision instead.")


def _renumber(plan: Plan) -> None:
    for position, item in enumerate(plan.items):
        item.position = position
    db.session.flush()


# Following the plan


def tick(plan: Plan, item_id: int, day: date, comfort: int | None) -> bool:
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
        .values(plan_item_id=item_id, day=day, comfort=comfort, recorded_at=utcnow())
        .on_conflict_do_nothing(index_elements=["plan_item_id", "day"])
        .returning(table.c.id)
    )
    return db.session.execute(statement).first() is not None


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
    scheduled: int
    streak: int  # days in a row, up to today, with every scheduled routine done


def progress(plan: Plan, today: date, tz) -> Progress:
    """This week's done vs scheduled (Monday to Sunday, from the local day it was published)
    and the current streak."""
    start = plan.published_at.astimezone(tz).date() if plan.published_at else today
    monday = today - timedelta(days=today.weekday())
    done_map = completions(plan, min(start, monday), today)
    week = [monday + timedelta(days=n) for n in range(7) if monday + timedelta(days=n) >= start]
    scheduled = [(i.id, d) for d in week for i in plan.items if d.weekday() in i.weekdays]
    done = sum(1 for key in scheduled if key in done_map)
    streak, day = 0, today
    while day >= start:
        due = [i.id for i in plan.items if day.weekday() in i.weekdays]
        if due and all((i, day) in done_map for i in due):
            streak += 1
        elif due and day != today:  # today may still be under way
            break
        day -= timedelta(days=1)
    return Progress(done=done, scheduled=len(scheduled), streak=streak)


@dataclass(frozen=True)
class Adherence:
    plan: Plan
    first: date
    last: date
    done: int
    scheduled: int
    #: (day, routine name, comfort 0-10), latest first
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
    publication to the day before the visit (or today, if sooner), and their comfort notes."""
    first = plan.published_at.astimezone(tz).date()
    last = min(today, booking.starts_at.astimezone(tz).date() - timedelta(days=1))
    ticks = completions(plan, first, last) if last >= first else {}
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    scheduled = sum(1 for d in days for i in plan.items if d.weekday() in i.weekdays)
    names = {i.id: i.name for i in plan.items}
    notes = sorted(
        (
            (c.day, names[c.plan_item_id], c.comfort)
            for c in ticks.values()
            if c.comfort is not None
        ),
        reverse=True,
    )
    return Adherence(plan, first, last, len(ticks), scheduled, notes)
