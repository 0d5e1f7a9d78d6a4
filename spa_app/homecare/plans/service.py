"""What changes a plan: a draft from the generator, edited by the visit's therapist (one
editor change at a time, ``apply``), published as a version; then the client's ticks.

A published plan never changes; revising it starts a new draft version of the same booking.
The client's current plan is their latest published one, so the next visit's plan supersedes
the last.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import ClassVar

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.exc import DBAPIError

from spa_app import params
from spa_app.accounts.models import User
from spa_app.booking.models import Booking
from spa_app.business import business_tz
from spa_app.database import dialect_insert, lost_race, utcnow
from spa_app.extensions import db
from spa_app.homecare.access import audit
from spa_app.homecare.intake.needs import needs_from
from spa_app.homecare.intake.service import intake_for
from spa_app.homecare.library import as_technique, rules, techniques
from spa_app.homecare.loop.reading import HALF, lately, score_moves
from spa_app.homecare.models import Completion, Plan, PlanItem, PlanStatus, Routine
from spa_app.homecare.notes.service import latest_findings
from spa_app.homecare.plans.checks import warnings
from spa_app.homecare.plans.findings import Finding
from spa_app.homecare.plans.generator import (
    DEFAULT_DOSE,
    Dose,
    cautions,
    dose_note,
    fit,
    general_cautions,
    suggest,
)
from spa_app.homecare.plans.messages import queue_plan_ready
from spa_app.homecare.plans.queries import (
    adherence,
    current_plan,
    draft_of,
    entries,
    plan_before,
    plans_of,
)
from spa_app.homecare.plans.review import review_for
from spa_app.homecare.vocab import AREA_LABELS, Area
from spa_app.i18n import recipient_language


class PlanError(Exception):
    """A plan change the rules refuse; the message is for the person."""


class PlanWarning(PlanError):
    """An edit breaks a safety rule or the day's budget: allowed once the therapist confirms."""

    def __init__(self, warnings: list[str]):
        super().__init__(_("Please read these warnings and confirm to go ahead."))
        self.warnings = warnings


@dataclass(frozen=True)
class ItemEdit:
    """What the editor submits for one item."""

    item_id: int
    minutes: int
    days: str  # weekday digits
    pressure: int
    note: str


def _gone() -> PlanError:
    """A routine that an edit names is not (or no longer) in the draft."""
    return PlanError(_("That routine is no longer in this draft; please reload."))


def for_the_client(of: Plan | Booking):
    """Write the plan's own words (why each routine, the cautions, what was left out) in the
    client's language: they are stored with the plan, which the client reads."""
    booking = of.booking if isinstance(of, Plan) else of
    return force_locale(recipient_language(booking.client.locale))


@dataclass(frozen=True)
class EditorAction:
    """The editor button pressed: save, add (the routine chosen), publish, or remove, up or down
    with the item it is on."""

    kind: str
    item_id: int | None = None

    ON_AN_ITEM: ClassVar[frozenset[str]] = frozenset({"remove", "up", "down"})

    @classmethod
    def parse(cls, raw: str | None) -> EditorAction:
        """From the button's value: "save", "add", "publish", "remove-12", "up-3", "down-3".
        Anything else saves; an item's id that is no id (not ASCII digits) is None."""
        kind, _, raw_id = (raw or "save").partition("-")
        if kind in cls.ON_AN_ITEM:
            return cls(kind, params.as_id(raw_id))
        return cls(kind if kind in ("add", "publish") else "save")

    def __str__(self) -> str:
        """The button's value again (the page asks to confirm, then sends it once more)."""
        return f"{self.kind}-{self.item_id}" if self.item_id else self.kind


@dataclass(frozen=True)
class EditorChange:
    """What the editor submits: every item's values, the button, the routine chosen to add,
    and the two boxes (the warnings confirmed, the contraindications reviewed)."""

    items: tuple[ItemEdit, ...]
    action: EditorAction
    routine_id: int | None = None
    confirmed: bool = False
    reviewed: bool = False


def apply(draft: Plan, change: EditorChange, *, by: User, now: datetime,
          dose: Dose = DEFAULT_DOSE) -> bool:  # fmt: skip
    """The editor's one change: save every item's values, do the button's action, then check
    the rules. True if the draft is now published (its publication audited as ``by``).

    Raises PlanWarning with the rules broken that the therapist has not confirmed, or PlanError
    for a change refused; the caller's unit of work then keeps nothing of it.
    """
    edit(draft, list(change.items))
    action = change.action
    if action.kind in EditorAction.ON_AN_ITEM and action.item_id is None:
        raise _gone()
    if action.kind == "remove":
        remove(draft, action.item_id)
    elif action.kind in ("up", "down"):
        move(draft, action.item_id, -1 if action.kind == "up" else 1)
    elif action.kind == "add":
        add_routine(draft, change.routine_id or 0, dose=dose)
    guard(draft, confirmed=change.confirmed, now=now, dose=dose)
    if action.kind != "publish":
        return False
    publish(draft, reviewed=change.reviewed, now=now, dose=dose)
    audit(by, draft.client_id, "publish", f"plan {draft.id}")
    return True


def start_draft(
    booking: Booking,
    author: User,
    now: datetime,
    *,
    suggested: bool,
    carried: bool = False,
    dose: Dose = DEFAULT_DOSE,
) -> Plan:
    """The booking's draft: the one already open, or a new version.

    A new version starts from the generator's suggestion (``suggested``), from the latest
    published version (a revision; empty if there is none), or, ``carried`` and with no
    version yet, from the plan the client followed before this visit (carried forward, each
    routine saying whether its area got better or worse and whether it was kept up lately).
    Asking for a suggestion on an open draft replaces its items. Raises PlanError if someone
    else opened a draft at this moment.
    """
    draft = draft_of(booking.id)
    if draft is None:
        versions = plans_of(booking.id)
        draft = Plan(
            booking_id=booking.id,
            client_id=booking.client_id,
            author_id=author.id,
            version=(versions[-1].version + 1) if versions else 1,
            cautions=_general_cautions(booking),
            created_at=now,
        )
        published = [p for p in versions if p.status is PlanStatus.PUBLISHED]
        if published and not suggested:
            _copy_items(published[-1], draft)
        elif carried and not versions and (before := plan_before(booking)) is not None:
            _carry_forward(before, draft, booking, now)
        try:
            with db.session.begin_nested():
                db.session.add(draft)
        except DBAPIError as exc:
            if not lost_race(exc):
                raise
            raise PlanError(_("A draft of this plan was opened just now; please reload.")) from None
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


def _carry_forward(source: Plan, draft: Plan, booking: Booking, now: datetime) -> None:
    """``source``'s routines into ``draft``, each with advice for the therapist (never shown
    to the client) on what changed: its area better or worse since the intake (the client's
    latest check-in against it), and whether it was done under half the planned times in the
    last two settled weeks (to change its dose)."""
    _copy_items(source, draft)
    tz = business_tz()
    before = adherence(source, booking, now.astimezone(tz).date(), tz)
    kept, moved = lately(before.grid), score_moves(before.scores)
    for old, new in zip(source.items, draft.items, strict=True):
        notes = []
        if (move := moved.get(old.area.value)) is not None:
            notes.append(_area_moved(old.area, *move))
        total = kept.get(old.id)
        if total is not None and total.planned and total.share < HALF:
            notes.append(_("Not kept up lately: done %(done)d of %(planned)d times in the last "
                           "two weeks. Fewer days or fewer minutes may suit better.",
                           done=total.done, planned=total.planned))  # fmt: skip
        new.advice = " ".join(notes)[:500]


def _area_moved(area: Area, intake: int, latest: int) -> str:
    name = AREA_LABELS[area]
    if latest < intake:
        return _("%(area)s better since the intake: %(intake)d, now %(latest)d out of 10. Keep "
                 "it up, or ease off once it stays low.", area=name, intake=intake,
                 latest=latest)  # fmt: skip
    return _("%(area)s worse since the intake: %(intake)d, now %(latest)d out of 10. Check how "
             "the routine feels, its pressure and dose, before carrying it on.", area=name,
             intake=intake, latest=latest)  # fmt: skip


def _suggest_into(draft: Plan, dose: Dose) -> None:
    intake = intake_for(draft.client_id)
    if intake is None:
        raise PlanError(
            _("The client has not filled in the health intake yet: nothing to suggest.")
        )
    with for_the_client(draft.booking):
        suggestion = suggest(
            needs_from(intake), techniques(), rules(), dose, _findings_before(draft.booking)
        )
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
            why=item.why[:500],
        )
        added.copy_words(library[item.technique_id])
        draft.items.append(added)


def _findings_before(booking: Booking) -> list[Finding]:
    """The therapist's findings at the client's latest visit with session notes, up to this
    plan's visit (none if no visit has notes), as the generator reads them."""
    latest = latest_findings(booking.client_id, until=booking.starts_at)
    if latest is None:
        return []
    day = latest.visit_at.astimezone(business_tz()).date()
    return [Finding(f.area, f.tension, day, f.avoid, f.avoid_reason) for f in latest.findings]


def edit(draft: Plan, edits: list[ItemEdit]) -> None:
    """Apply the editor's values to the draft's items (all validated by the form)."""
    _require_draft(draft)
    intake = intake_for(draft.client_id)
    needs = needs_from(intake) if intake is not None else None
    by_id = {item.id: item for item in draft.items}
    for change in edits:
        item = by_id.get(change.item_id)
        if item is None:
            raise _gone()
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
        raise PlanError(_("Please choose a routine from the library."))
    intake = intake_for(draft.client_id)
    needs = needs_from(intake) if intake is not None else None
    technique = as_technique(routine)
    minutes, days, pressure = fit(technique, entries(draft), needs, rules(), dose)
    item = PlanItem(
        position=len(draft.items),
        routine_id=routine.id,
        minutes=minutes,
        days="".join(map(str, days)),
        pressure=int(pressure),
        why=_added_why(draft),
    )
    item.copy_words(routine)
    draft.items.append(item)
    _explain(item, needs, technique)
    db.session.flush()
    return item


def guard(plan: Plan, *, confirmed: bool, now: datetime, dose: Dose = DEFAULT_DOSE) -> list[str]:
    """Raise PlanWarning with the rules the draft breaks that the therapist has not confirmed
    yet; with ``confirmed``, keep those warnings with the plan instead. Returns every warning
    that stands (confirmed ones included)."""
    intake = intake_for(plan.client_id)
    found = warnings(
        entries(plan), needs_from(intake) if intake is not None else None, rules(), dose
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


def _explain(item: PlanItem, needs, technique=None) -> None:
    """Bring the item's "why" up to date with its dose (the reason it was chosen stays)."""
    if needs is None:
        return
    technique = technique or as_technique(item.routine)
    chosen = item.why.split("\n", 1)[0]
    with for_the_client(item.plan):
        note = dose_note(technique, needs, rules(), item.minutes, item.pressure)
    item.why = f"{chosen}\n{note}".strip()[:500]


def remove(draft: Plan, item_id: int) -> None:
    _require_draft(draft)
    item = next((i for i in draft.items if i.id == item_id), None)
    if item is None:
        raise _gone()
    draft.items.remove(item)
    _renumber(draft)


def move(draft: Plan, item_id: int, step: int) -> None:
    """Move an item up (-1) or down (+1) in the order."""
    _require_draft(draft)
    items = list(draft.items)
    index = next((n for n, i in enumerate(items) if i.id == item_id), None)
    if index is None:
        raise _gone()
    target = index + step
    if 0 <= target < len(items):
        items[index], items[target] = items[target], items[index]
    for position, item in enumerate(items):
        item.position = position
    draft.items.sort(key=lambda i: i.position)  # the loaded list follows the new order
    db.session.flush()


def publish(draft: Plan, *, reviewed: bool, now: datetime, dose: Dose = DEFAULT_DOSE) -> Plan:
    """Make the draft the client's plan: only once the therapist has confirmed every warning
    the plan breaks (raises PlanWarning) and, when the intake asks for one, the review. Its
    cautions are those of the client's intake now. A conditional UPDATE: two publishes at once
    publish once. Raises PlanError."""
    _require_draft(draft)
    if not draft.items:
        raise PlanError(_("Add at least one routine before publishing."))
    guard(draft, confirmed=False, now=now, dose=dose)
    reasons = review_for(draft)
    if reasons and not reviewed:
        raise PlanError(
            _(
                "This plan needs your review first: %(reasons)s Please confirm you reviewed the "
                "plan for it.",
                reasons=" ".join(reasons),
            )
        )
    intake = intake_for(draft.client_id)
    if intake is not None:  # the cautions of the intake as it is now, not as when drafted
        with for_the_client(draft):
            draft.cautions = cautions(needs_from(intake), rules())
        db.session.flush()
    done = db.session.execute(
        sa.update(Plan)
        .where(Plan.id == draft.id, Plan.status == PlanStatus.DRAFT)
        .values(status=PlanStatus.PUBLISHED, published_at=now, reviewed=reviewed)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(draft)
    if done.rowcount != 1:
        raise PlanError(_("This plan was published a moment ago."))
    queue_plan_ready(draft, now)
    return draft


def tick(plan: Plan, item_id: int, day: date, discomfort: int | None) -> bool:
    """Mark an item of the client's current plan done on ``day``; True if newly marked (a
    repeat changes nothing)."""
    if plan.status is not PlanStatus.PUBLISHED or item_id not in {i.id for i in plan.items}:
        raise PlanError(_("That routine is not in this plan."))
    current = current_plan(plan.client_id)
    if current is None or current.id != plan.id:
        raise PlanError(_("A newer plan has replaced this one: please follow the new plan."))
    item = next(i for i in plan.items if i.id == item_id)
    if day.weekday() not in item.weekdays:
        raise PlanError(_("That routine is not scheduled for that day."))
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


def _general_cautions(booking: Booking) -> list[str]:
    with for_the_client(booking):
        return general_cautions()


def _added_why(plan: Plan) -> str:
    with for_the_client(plan):
        return _("Added by your therapist.")


def _require_draft(plan: Plan) -> None:
    if plan.status is not PlanStatus.DRAFT:
        raise PlanError(_("A published plan is never changed; start a revision instead."))


def _renumber(plan: Plan) -> None:
    for position, item in enumerate(plan.items):
        item.position = position
    db.session.flush()
