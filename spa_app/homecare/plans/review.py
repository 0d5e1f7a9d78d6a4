"""Whether a plan needs its therapist's review: before publishing, and again when the client
changes their intake after it was published (with what to pause meanwhile)."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _

from spa_app.extensions import db
from spa_app.homecare.intake.needs import needs_from
from spa_app.homecare.intake.service import intake_for
from spa_app.homecare.library import as_technique, rules
from spa_app.homecare.models import Plan
from spa_app.homecare.plans.messages import queue_review_request
from spa_app.homecare.plans.queries import current_plan
from spa_app.homecare.safety import Needs, exclusion, pressure_cap, review_reasons
from spa_app.homecare.vocab import PRESSURE_LABELS


def recheck(client_id: int, before: Needs | None, now: datetime) -> bool:
    """After the client changed their intake: put their current plan back into review when
    the change asks for a review it did not before, adds to what they wrote about medicines or
    other cautions, or rules out (or lowers the pressure of) one of its routines. The therapist
    is e-mailed (no health details); the client's plan page says what to pause meanwhile. True
    if the plan went back into review. Flushes."""
    plan, intake = current_plan(client_id), intake_for(client_id)
    if plan is None or intake is None or plan.review_needed_at is not None:
        return False
    after, rule_map = needs_from(intake), rules()
    old = set(review_reasons(before, rule_map)) if before is not None else set()
    said = (before.medicines, before.note) if before is not None else ("", "")
    new_words = [w for w, was in zip((after.medicines, after.note), said, strict=True) if w != was]
    new_words = [w for w in new_words if w]  # a note taken away asks nothing
    asks = set(review_reasons(after, rule_map)) - old
    if not asks and not new_words and not pause_advice(plan, after):
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
            advice[item.id] = _(
                "Pause this one until your therapist has checked it. %(reason)s", reason=reason
            )
        elif (cap := pressure_cap(technique, needs, rule_map)[0]) < item.pressure:
            advice[item.id] = _(
                "Use %(pressure)s pressure only until your therapist has checked your plan.",
                pressure=str(PRESSURE_LABELS[cap]).lower(),
            )
    return advice


def review_for(plan: Plan) -> list[str]:
    """Why the client's intake asks the therapist to review this plan now (empty: it does
    not)."""
    intake = intake_for(plan.client_id)
    return review_reasons(needs_from(intake), rules()) if intake is not None else []
