"""Reading and saving a client's intake, and turning it into what the generator needs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import DBAPIError

from spa_app.database import lost_race
from spa_app.extensions import db
from spa_app.homecare.models import Intake, Plan, PlanStatus
from spa_app.homecare.safety import Needs
from spa_app.homecare.vocab import NO_CONDITIONS, Area, Condition, Context, Goal, Pressure


def intake_for(client_id: int) -> Intake | None:
    return db.session.get(Intake, client_id)


def save_intake(client_id: int, form, now: datetime) -> Intake:
    """Create or replace the client's intake from a validated IntakeForm (flushed).

    Two first saves at once (a double submit): the one that loses the insert updates instead.
    """
    existing = intake_for(client_id)
    if existing is None:
        try:
            with db.session.begin_nested():
                created = _fill(Intake(client_id=client_id), form, now)
                db.session.add(created)
            return created
        except DBAPIError as exc:
            if not lost_race(exc):
                raise
            existing = db.session.get(Intake, client_id, populate_existing=True)
    _fill(existing, form, now)
    db.session.flush()
    return existing


def _fill(intake: Intake, form, now: datetime) -> Intake:
    intake.severity = {
        area.value: score
        for area in Area
        if (score := getattr(form, f"pain_{area.value}").data) > 0
    }
    intake.goals = sorted(form.goals.data or [])
    intake.contexts = sorted(form.contexts.data or [])
    intake.pressure = form.pressure.data
    intake.minutes_per_day = form.minutes_per_day.data
    ticked = set(form.conditions.data or [])
    intake.no_conditions = NO_CONDITIONS in ticked
    intake.conditions = sorted(ticked - {NO_CONDITIONS})
    intake.condition_areas = form.named_areas()
    intake.condition_note = (form.condition_note.data or "").strip()
    intake.medicines = (form.medicines.data or "").strip()
    intake.updated_at = now
    return intake


def fill_form(form, intake: Intake) -> None:
    for area in Area:
        getattr(form, f"pain_{area.value}").data = intake.severity.get(area.value, 0)
    form.goals.data = list(intake.goals)
    form.contexts.data = list(intake.contexts)
    form.pressure.data = intake.pressure
    form.minutes_per_day.data = intake.minutes_per_day
    form.conditions.data = list(intake.conditions) or (
        [NO_CONDITIONS] if intake.no_conditions else []
    )
    for condition, areas in intake.condition_areas.items():
        form[f"areas_{condition}"].data = list(areas)
    form.condition_note.data = intake.condition_note
    form.medicines.data = intake.medicines


def needs_from(intake: Intake) -> Needs:
    """What the generator and the editor's checks read from an intake ("somewhere else" names
    no area of ours, so it excludes nothing; the condition still asks for review)."""
    areas = set(Area)
    return Needs(
        severity={Area(a): int(s) for a, s in intake.severity.items()},
        goals=frozenset(Goal(g) for g in intake.goals),
        contexts=frozenset(Context(c) for c in intake.contexts),
        pressure=Pressure(intake.pressure),
        minutes_per_day=intake.minutes_per_day,
        conditions={
            Condition(c): frozenset(
                Area(a) for a in intake.condition_areas.get(c, ()) if a in areas
            )
            for c in intake.conditions
        },
        checklist_answered=bool(intake.conditions) or intake.no_conditions,
        medicines=intake.medicines,
        note=intake.condition_note,
    )


def current_plan(client_id: int) -> Plan | None:
    """The client's latest published plan, the one to follow now."""
    return db.session.execute(
        db.select(Plan)
        .where(Plan.client_id == client_id, Plan.status == PlanStatus.PUBLISHED)
        .order_by(Plan.published_at.desc(), Plan.id.desc())
        .limit(1)
    ).scalar_one_or_none()
