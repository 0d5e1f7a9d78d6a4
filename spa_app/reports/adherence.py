"""Home-care adherence by week since publishing: of the routines the range's plans scheduled in
their first, second, ... week, the share the clients ticked.

A plan's week one starts on the local day it was published. A plan is followed until the
client's next plan is published (a new version, or the next visit's plan) or until today:
days still to come, and days after it was replaced, count in no week. The plans are those
published for the range's visits (a deleted client's plans are erased with the account, so
they count no longer). One statement: the routines scheduled, week by week, worked out with
arithmetic on day numbers (how many of a week's followed days fall on each of a routine's
weekdays), and the ticks, week by week, each tick a range of its routine's days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
import sqlalchemy.orm

from spa_app.booking.models import Booking
from spa_app.extensions import db
from spa_app.homecare.models import Completion, Plan, PlanItem, PlanStatus
from spa_app.reports.localdays import (
    date_number,
    day_number,
    day_numbers,
    local_day,
    number_date,
)
from spa_app.reports.queries import Rate, Scope

#: The weeks since publishing the report follows: the four-to-six-week rhythm, and two more.
WEEKS = 8


@dataclass(frozen=True)
class Week:
    """Week ``number`` (1 is the week from publishing): the plans followed in it (at least a
    day of it), and the routines ticked of those scheduled."""

    number: int
    plans: int
    ticked: Rate


def by_week(scope: Scope, now: datetime) -> list[Week]:
    """One statement; the weeks no plan reached are left out."""
    lo, _hi = scope.bounds
    # A plan may be published a little before its visit (made ready ahead), never after now.
    span = (lo - timedelta(days=60), now + timedelta(days=1))
    later = sa.orm.aliased(Plan)
    replaced = (
        sa.select(sa.func.min(later.published_at))
        .where(
            later.client_id == Plan.client_id,
            later.status == PlanStatus.PUBLISHED,
            later.published_at > Plan.published_at,
        )  # fmt: skip
        .correlate(Plan)
        .scalar_subquery()
    )
    published = (
        sa.select(
            Plan.id.label("id"),
            Plan.published_at.label("published_at"),
            replaced.label("replaced_at"),
        )
        .join(Booking, Booking.id == Plan.booking_id)
        .where(*scope.where(), Plan.status == PlanStatus.PUBLISHED)
        .cte("published")
        # The next plan searched for once per plan: inlined, each use of ``replaced_at`` below
        # (the local day's offset reads it once per change of the clocks) would search again.
        .prefix_with("MATERIALIZED")
    )
    today = day_number(now.astimezone(scope.tz).date())
    until = sa.func.coalesce(local_day(published.c.replaced_at, scope.tz, *span) - 1, today)
    dated = sa.select(
        published.c.id.label("id"),
        local_day(published.c.published_at, scope.tz, *span).label("first"),
        sa.case((until < today, until), else_=today).label("last"),
    ).cte("dated")
    # The last day a tick can count on (week eight's last, or before), and both ends as dates:
    # the ticks are then a range of each routine's days (the completions' own index).
    counted = sa.case(
        (dated.c.last < dated.c.first + 7 * WEEKS - 1, dated.c.last),
        else_=dated.c.first + 7 * WEEKS - 1,
    )
    plans = (
        sa.select(
            dated.c.id,
            dated.c.first,
            dated.c.last,
            number_date(dated.c.first).label("first_date"),
            number_date(counted).label("counted_until"),
        )
        .cte("followed")
        .prefix_with("MATERIALIZED")  # ``first`` and ``last`` worked out once per plan
    )
    # Each plan's routines on each weekday (0 Monday), counted once per plan, not per week.
    routines = (
        sa.select(
            plans.c.id,
            plans.c.first,
            plans.c.last,
            *(
                sa.func.sum(sa.case((PlanItem.days.contains(str(w)), 1), else_=0)).label(f"on{w}")
                for w in range(7)
            ),
        )
        .join(PlanItem, PlanItem.plan_id == plans.c.id)
        .group_by(plans.c.id, plans.c.first, plans.c.last)
        .cte("routines")
    )
    weeks = day_numbers(0, WEEKS - 1, "weeks")
    start = routines.c.first + 7 * weeks.c.n
    end = sa.case((start + 6 < routines.c.last, start + 6), else_=routines.c.last)
    # A weekday w's days between start and end: those n with n + 3 - w a multiple of seven
    # (day 0, 1 January 1970, was a Thursday); every day number here is positive.
    scheduled = sum(
        routines.c[f"on{w}"] * ((end + 3 - w) // 7 - (start + 2 - w) // 7) for w in range(7)
    )
    week = (date_number(Completion.day) - plans.c.first) // 7
    # One statement, so the plans (and each one's next plan) are read once: the routines
    # scheduled by week, then the ticks by week.
    found = db.session.execute(
        sa.union_all(
            sa.select(sa.literal("planned"), weeks.c.n, sa.func.count(), sa.func.sum(scheduled))
            .select_from(routines)
            .join(weeks, start <= routines.c.last)
            .group_by(weeks.c.n),
            sa.select(sa.literal("ticked"), week, sa.func.count(), sa.literal(0))
            .select_from(Completion)
            .join(PlanItem, PlanItem.id == Completion.plan_item_id)
            .join(plans, plans.c.id == PlanItem.plan_id)
            .where(Completion.day >= plans.c.first_date, Completion.day <= plans.c.counted_until)
            .group_by(week),
        )
    ).all()
    planned = {n: (count, int(due or 0)) for what, n, count, due in found if what == "planned"}
    ticked = {n: count for what, n, count, _due in found if what == "ticked"}
    return [
        Week(n + 1, count, Rate(ticked.get(n, 0), due))
        for n, (count, due) in sorted(planned.items())
    ]
