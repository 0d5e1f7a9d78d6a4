"""Home-care adherence by week since publishing: of the routines the range's plans scheduled in
their first, second, ... week, the share the clients ticked.

A plan's week one starts on the local day it was published. A plan is followed until the
client's next plan is published (a new version, or the next visit's plan) or until today:
days still to come, and days after it was replaced, count in no week. The plans are those
published for the range's visits (a deleted client's plans are erased with the account, so
they count no longer). Two statements: the routines scheduled, week by week, worked out with
arithmetic on day numbers (how many of a week's followed days fall on each of a routine's
weekdays), and the ticks, week by week.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
import sqlalchemy.orm

from spa_app.booking.models import Booking
from spa_app.extensions import db
from spa_app.homecare.models import Completion, Plan, PlanItem, PlanStatus
from spa_app.reports.localdays import date_number, day_number, day_numbers, local_day
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
    """Two statements; the weeks no plan reached are left out."""
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
    today = day_number(now.astimezone(scope.tz).date())
    until = sa.func.coalesce(local_day(replaced, scope.tz, *span) - 1, today)
    plans = (
        sa.select(
            Plan.id.label("id"),
            local_day(Plan.published_at, scope.tz, *span).label("first"),
            sa.case((until < today, until), else_=today).label("last"),
        )
        .join(Booking, Booking.id == Plan.booking_id)
        .where(*scope.where(), Plan.status == PlanStatus.PUBLISHED)
        .cte("followed")
        # Worked out once per plan: inlined, each use of ``last`` below would repeat the
        # subquery (the next plan's search) for every row it is read on.
        .prefix_with("MATERIALIZED")
    )
    weeks = day_numbers(0, WEEKS - 1, "weeks")
    start = plans.c.first + 7 * weeks.c.n
    end = sa.case((start + 6 < plans.c.last, start + 6), else_=plans.c.last)
    # A weekday w's days between start and end: those n with n + 3 - w a multiple of seven
    # (day 0, 1 January 1970, was a Thursday); every day number here is positive.
    scheduled = sum(
        sa.case(
            (PlanItem.days.contains(str(w)), (end + 3 - w) // 7 - (start + 2 - w) // 7),
            else_=0,
        )
        for w in range(7)
    )
    planned = {
        n: (count, int(due or 0))
        for n, count, due in db.session.execute(
            sa.select(weeks.c.n, sa.func.count(sa.distinct(plans.c.id)), sa.func.sum(scheduled))
            .select_from(plans)
            .join(weeks, start <= plans.c.last)
            .join(PlanItem, PlanItem.plan_id == plans.c.id)
            .group_by(weeks.c.n)
        )
    }
    week = (date_number(Completion.day) - plans.c.first) // 7
    ticked = dict(
        db.session.execute(
            sa.select(week, sa.func.count())
            .select_from(Completion)
            .join(PlanItem, PlanItem.id == Completion.plan_item_id)
            .join(plans, plans.c.id == PlanItem.plan_id)
            .where(
                date_number(Completion.day) >= plans.c.first,
                date_number(Completion.day) <= plans.c.last,
                date_number(Completion.day) < plans.c.first + 7 * WEEKS,
            )  # fmt: skip
            .group_by(week)
        ).all()
    )
    return [
        Week(n + 1, count, Rate(ticked.get(n, 0), due))
        for n, (count, due) in sorted(planned.items())
    ]
