"""The health sections of a client's export: their intake, and every plan with its ticks.

Read by the client themselves, so not audited. Three statements for any number of plans.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime

import sqlalchemy as sa

from spa_app.accounts.models import User
from spa_app.extensions import db
from spa_app.homecare.models import Completion, Intake, Plan, PlanItem
from spa_app.homecare.vocab import Pressure

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def utc(instant: datetime | None) -> str | None:
    """ISO 8601 in UTC with a "Z", to the second; None stays None."""
    if instant is None:
        return None
    return instant.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _pressure(value: int) -> str:
    return Pressure(value).name.lower()


def intake(cid: int) -> dict | None:
    """Every answer of the client's intake, or None if they never filled it in."""
    row = db.session.get(Intake, cid)
    if row is None:
        return None
    return {
        "tension_by_area": dict(row.severity),
        "goals": list(row.goals),
        "daily_context": list(row.contexts),
        "pressure": _pressure(row.pressure),
        "minutes_per_day": row.minutes_per_day,
        "conditions": list(row.conditions),
        "no_conditions": row.no_conditions,
        "condition_areas": {c: list(areas) for c, areas in row.condition_areas.items()},
        "condition_note": row.condition_note,
        "medicines": row.medicines,
        "updated_at": utc(row.updated_at),
    }


def plans(cid: int) -> list[dict]:
    """Every version of every plan (drafts too), with items and the days each was ticked off."""
    rows = db.session.execute(
        sa.select(Plan, User.name)
        .join(User, User.id == Plan.author_id)
        .where(Plan.client_id == cid)
        .options(db.selectinload(Plan.items))
        .order_by(Plan.booking_id, Plan.version)
    ).all()
    done = _completions(cid)
    return [_plan(plan, author, done) for plan, author in rows]


def _plan(plan: Plan, author: str, done: dict[int, list[dict]]) -> dict:
    return {
        "id": plan.id,
        "booking_id": plan.booking_id,
        "version": plan.version,
        "status": plan.status.value,
        "author": author,
        "cautions": list(plan.cautions),
        "reviewed_for_contraindications": plan.reviewed,
        "review_reasons": list(plan.review_reasons),
        "review_needed_since": utc(plan.review_needed_at),
        "left_out": list(plan.left_out),
        "confirmed_warnings": list(plan.overrides),
        "created_at": utc(plan.created_at),
        "published_at": utc(plan.published_at),
        "items": [_item(item, done.get(item.id, [])) for item in plan.items],
    }


def _item(item: PlanItem, done: list[dict]) -> dict:
    return {
        "position": item.position,
        "name": item.name,
        "kind": item.kind.value,
        "area": item.area.value,
        "steps": item.step_list,
        "tools": list(item.tools),
        "caution": item.caution,
        "minutes": item.minutes,
        "days": [WEEKDAYS[d] for d in item.weekdays],
        "pressure": _pressure(item.pressure),
        "note": item.note,
        "why": item.why,
        "done": done,
    }


def _completions(cid: int) -> dict[int, list[dict]]:
    """Each plan item's ticks (day, discomfort), by item id: one statement for all plans."""
    rows = db.session.execute(
        sa.select(Completion)
        .join(PlanItem, PlanItem.id == Completion.plan_item_id)
        .join(Plan, Plan.id == PlanItem.plan_id)
        .where(Plan.client_id == cid)
        .order_by(Completion.day, Completion.id)
    ).scalars()
    done: dict[int, list[dict]] = defaultdict(list)
    for c in rows:
        tick = {"day": c.day.isoformat(), "discomfort": c.discomfort}
        done[c.plan_item_id].append({**tick, "recorded_at": utc(c.recorded_at)})
    return done
