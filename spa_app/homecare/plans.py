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
from spa_app.homecare.checks import Entry, warnings
from spa_app.homecare.checks import day_totals as checks_day_totals
from spa_app.homecare.generator import (
    DEFAULT_DOSE,
    GENERAL_CAUTIONS,
    Dose,
    dose_note,
    fit,
    suggest,
)
from spa_app.homecare.library import as_technique, rules, techniques
from spa_app.homecare.models import Completion, Plan, PlanItem, PlanStatus, Routine
from spa_app.homecare.safety import Needs, exclusion, pressure_cap, review_reasons
from spa_app.homecare.service import current_plan, intake_for, needs_from
from spa_app.homecare.vocab import PRESSURE_LABELS
from spa_app.notifications.models import MessageKind
from spa_app.notifications.service import queue_plan_message, queue_review_request


class PlanError(Exception):
    """A plan change the rules refuse; the message is for the person."""


class PlanWarning(PlanError):
    """An edit breaks a safety rule or the day's budget: allowed once the therapist confirms."""

    def __init__(self, warnings: list[str]):
        super().__init__("Please read these warnings and confirm to go ahead.")
        self.warnings = warnings


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


def start_draft(
    booking: Booking, author: User, now: datetime, *, suggested: bool, dose: Dose = DEFAULT_DOSE
) -> Plan:
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
        _suggest_into(draft, dose)
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


def _suggest_into(draft: Plan, dose: Dose) -> None:
    intake = intake_for(draft.client_id)
    if intake is None:
        raise PlanError("The client has not filled in the health intake yet: nothing to suggest.")
    suggestion = suggest(needs_from(intake), techniques(), rules(), dose)
    draft.items.clear()
    db.session.flush()
    draft.cautions = list(suggestion.cautions)
    draft.review_reasons = list(suggestion.review_reasons)
    library = {r.id: r for r in db.session.execute(db.select(Routine)).scalars()}
    draft.left_out = [
        {
            "area": x.area.value,
            "routine": library[x.technique_id].name if x.technique_id else None,
            "reason": x.reason,
        }
        for x in suggestion.left_out
    ]
    if not suggestion.items:
        draft.left_out.append({"area": None, "routine": None, "reason": suggestion.empty_reason})
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
    intake = intake_for(draft.client_id)
    needs = needs_from(intake) if intake is not None else None
    by_id = {item.id: item for item in draft.items}
    for change in edits:
        item = by_id.get(change.item_id)
        if item is None:
            raise PlanError("That routine is no longer in this draft; please reload.")
        changed = (item.minutes, item.days, item.pressure) != (
            change.minutes, change.days, change.pressure
        )  # fmt: skip
        item.minutes, item.days, item.pressure = change.minutes, change.days, change.pressure
        item.note = change.note.strip()
        if changed:
            _explain(item, needs)
    db.session.flush()


def add_routine(draft: Plan, routine_id: int, dose: Dose = DEFAULT_DOSE) -> PlanItem:
    """Add a library routine at the client's capped pressure, on the least busy days (kept
    apart from the area's other tool work), as long as the days allow and never below its
    minimum. Rules it breaks are for ``guard`` to raise. Flushes."""
    _require_draft(draft)
    routine = db.session.get(Routine, routine_id)
    if routine is None or not routine.active:
        raise PlanError("Please choose a routine from the library.")
    intake = intake_for(draft.client_id)
    needs = needs_from(intake) if intake is not None else None
    technique = as_technique(routine)
    minutes, days, pressure = fit(technique, _entries(draft), needs, rules(), dose)
    item = PlanItem(
        position=len(draft.items),
        routine_id=routine.id,
        minutes=minutes,
        days="".join(map(str, days)),
        pressure=int(pressure),
        why="Added by your therapist.",
    )
    item.copy_words(routine)
    _explain(item, needs, technique)
    draft.items.append(item)
    db.session.flush()
    return item


def guard(plan: Plan, *, confirmed: bool, now: datetime, dose: Dose = DEFAULT_DOSE) -> list[str]:
    """Raise PlanWarning with the rules the draft breaks that the therapist has not confirmed
    yet; with ``confirmed``, keep those warnings with the plan instead. Returns every warning
    that stands (confirmed ones included)."""
    intake = intake_for(plan.client_id)
    found = warnings(
        _entries(plan), needs_from(intake) if intake is not None else None, rules(), dose
    )
    known = {o["warning"] for o in plan.overrides}
    new = [w for w in found if w not in known]
    if new and not confirmed:
        raise PlanWarning(new)
    if new:
        stamp = now.isoformat(timespec="seconds")
        plan.overrides = [*plan.overrides, *({"warning": w, "at": stamp} for w in new)]
        db.session.flush()
    return found


def review_for(plan: Plan) -> list[str]:
    """Why the client's intake asks the therapist to review this plan now (empty: it does
    not)."""
    intake = intake_for(plan.client_id)
    return review_reasons(needs_from(intake), rules()) if intake is not None else []


def day_totals(plan: Plan, dose: Dose = DEFAULT_DOSE) -> list[int]:
    """The plan's minutes on each weekday, with the warm-up and the rest."""
    return checks_day_totals(_entries(plan), dose)


def _entries(plan: Plan) -> list[Entry]:
    return [
        Entry(i.name, as_technique(i.routine), i.minutes, tuple(i.weekdays), i.pressure)
        for i in plan.items
    ]


def _explain(item: PlanItem, needs, technique=None) -> None:
    """Bring the item's "why" up to date with its dose (the reason it was chosen stays)."""
    if needs is None:
        return
    technique = technique or as_technique(item.routine)
    chosen = item.why.split("\n", 1)[0]
    note = dose_note(technique, needs, rules(), item.minutes, item.pressure)
    item.why = f"{chosen}\n{note}".strip()[:500]


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
    reasons = review_for(draft)
    if reasons and not reviewed:
        raise PlanError(
            "This plan needs your review first ("
            + " ".join(reasons)
            + ") Please confirm you reviewed the plan for it."
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


def recheck(client_id: int, before: Needs | None, now: datetime) -> bool:
    """After the client changed their intake: put their current plan back into review when
    the change asks for a review it did not before, or rules out (or lowers the pressure of)
    one of its routines. The therapist is e-mailed (no health details); the client's plan page
    says what to pause meanwhile. True if the plan went back into review. Flushes."""
    plan, intake = current_plan(client_id), intake_for(client_id)
    if plan is None or intake is None or plan.review_needed_at is not None:
        return False
    after, rule_map = needs_from(intake), rules()
    old = set(review_reasons(before, rule_map)) if before is not None else set()
    if not (set(review_reasons(after, rule_map)) - old) and not pause_advice(plan, after):
        return False
    plan.review_needed_at = now
    queue_review_request(plan, now)
    db.session.flush()
    return True


def pause_advice(plan: Plan, needs: Needs | None = None) -> dict[int, str]:
    """{item id: what to do} for the items the client's intake now rules out or caps lower
    than the plan says, until the therapist has looked again."""
    if needs is None:
        intake = intake_for(plan.client_id)
        if intake is None:
            return {}
        needs = needs_from(intake)
    rule_map, advice = rules(), {}
    for item in plan.items:
        technique = as_technique(item.routine)
        if reason := exclusion(technique, needs, rule_map):
            advice[item.id] = f"Pause this one until your therapist has checked it. {reason}"
        elif (cap := pressure_cap(technique, needs, rule_map)[0]) < item.pressure:
            advice[item.id] = (
                f"Use {PRESSURE_LABELS[cap].lower()} pressure only until your therapist has "
                "checked your plan."
            )
    return advice


def _require_draft(plan: Plan) -> None:
    if plan.status is not PlanStatus.DRAFT:
        raise PlanError("A published plan is never changed; start a revision instead.")


def _renumber(plan: Plan) -> None:
    for position, item in enumerate(plan.items):
        item.position = position
    db.session.flush()


# Following the plan


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


def untick(plan: Plan, item_id: int, day: date) -> bool:
    """Take back the tick of ``item_id`` on ``day`` (the caller passes today: only the same
    day's tick can be undone). True if there was one. Flushes."""
    if item_id not in {i.id for i in plan.items}:
        return False
    done = db.session.execute(
        sa.delete(Completion).where(Completion.plan_item_id == item_id, Completion.day == day)
    )
    return done.rowcount == 1


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
