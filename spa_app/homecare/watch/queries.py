"""Which clients' home care needs a look: the flags each client's current plan (their latest
published) raised lately, for many clients at once.

Five statements whatever the number of clients: the current plans (with the therapist who
wrote each), their routines, their ticks, the intakes and the check-ins. Each client's weeks
and scores are then read as the visit's page reads them (``homecare.loop``), the plan running
on from its publication (it is the one the client follows now). A flag is *lately* when its
day (a drop-off's week's last day, the worst discomfort, the score) is within ``LATELY``: an
old drop-off the client has since recovered from no longer needs a look.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa

from spa_app.accounts.models import DELETED_DOMAIN, User
from spa_app.booking.models import Booking
from spa_app.catalog.models import Therapist
from spa_app.extensions import db
from spa_app.homecare.loop import reading as loop
from spa_app.homecare.models import Completion, Intake, Plan, PlanItem, PlanStatus
from spa_app.homecare.outcomes.models import CheckIn
from spa_app.homecare.outcomes.service import scores_by_client
from spa_app.homecare.plans.queries import history_of

#: How far back a flag's day may lie and still be raised now (today included).
LATELY = timedelta(days=14)


@dataclass(frozen=True)
class Raised:
    """A client whose current plan raised ``flags`` lately (never empty)."""

    client_id: int
    plan_id: int
    #: The therapist who wrote the plan, as they log in
    therapist_user_id: int
    flags: tuple[loop.Flag, ...]


def raised(today: date, tz, clients: Collection[int] | None = None) -> dict[int, Raised]:
    """{client id: what their current plan raised lately}, for ``clients`` (every client if
    None); clients with nothing raised are left out. Reads only."""
    current = _current_plans(clients)
    plans = db.session.execute(
        sa.select(current.c.id, current.c.client_id, current.c.published_at, Therapist.user_id)
        .join(Booking, Booking.id == current.c.booking_id)
        .join(Therapist, Therapist.id == Booking.therapist_id)
    ).all()
    if not plans:
        return {}
    ids = sa.select(current.c.id)
    routines: dict[int, list[loop.Routine]] = {}
    for item in db.session.execute(
        sa.select(PlanItem.id, PlanItem.plan_id, PlanItem.name, PlanItem.days)
        .where(PlanItem.plan_id.in_(ids))
        .order_by(PlanItem.plan_id, PlanItem.position)
    ):
        routine = loop.Routine(item.id, item.name, frozenset(int(d) for d in item.days))
        routines.setdefault(item.plan_id, []).append(routine)
    ticks: dict[int, list[loop.Tick]] = {}
    for tick in db.session.execute(
        sa.select(PlanItem.plan_id, Completion.plan_item_id, Completion.day, Completion.discomfort)
        .join(PlanItem, PlanItem.id == Completion.plan_item_id)
        .where(PlanItem.plan_id.in_(ids))
    ):
        ticks.setdefault(tick.plan_id, []).append(
            loop.Tick(tick.plan_item_id, tick.day, tick.discomfort)
        )
    who = sa.select(current.c.client_id)
    intakes = {
        row.client_id: row
        for row in db.session.execute(
            sa.select(Intake.client_id, Intake.severity, Intake.updated_at).where(
                Intake.client_id.in_(who)
            )
        )
    }
    checkins = scores_by_client(CheckIn.client_id.in_(who))
    since, found = today - LATELY + timedelta(days=1), {}
    for plan in plans:
        start = plan.published_at.astimezone(tz).date()
        weeks = loop.grid(routines.get(plan.id, ()), ticks.get(plan.id, ()), start, None, today)
        intake = intakes.get(plan.client_id)
        scores = (
            history_of(intake.severity, intake.updated_at, checkins.get(plan.client_id, []), tz)
            if intake is not None
            else {}
        )
        lately = tuple(f for f in loop.flags(weeks, scores) if f.day is not None and f.day >= since)
        if lately:
            found[plan.client_id] = Raised(plan.client_id, plan.id, plan.user_id, lately)
    return found


def _current_plans(clients: Collection[int] | None) -> sa.Subquery:
    """Each client's latest published plan (id, client, booking, published_at); the clients
    of deleted accounts left out."""
    latest = sa.func.row_number().over(
        partition_by=Plan.client_id, order_by=(Plan.published_at.desc(), Plan.id.desc())
    )
    ranked = (
        sa.select(
            Plan.id, Plan.client_id, Plan.booking_id, Plan.published_at, latest.label("n")
        )  # fmt: skip
        .join(User, User.id == Plan.client_id)
        .where(Plan.status == PlanStatus.PUBLISHED, ~User.email.endswith("@" + DELETED_DOMAIN))
    )
    if clients is not None:
        ranked = ranked.where(Plan.client_id.in_(list(clients)))
    ranked = ranked.subquery()
    return (
        sa.select(ranked.c.id, ranked.c.client_id, ranked.c.booking_id, ranked.c.published_at)
        .where(ranked.c.n == 1)
        .subquery("current_plans")
    )
