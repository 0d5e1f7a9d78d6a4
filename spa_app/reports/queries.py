"""The reports' figures, each one statement, set-based, whatever the number of visits.

A visit belongs to the range, and to a month, by its start on the spa's clock: the range's and
the months' bounds are local midnights turned into UTC instants here, so a visit at 00:30 on
1 April in London (23:30 UTC on 31 March) is April's, whatever the clocks did. Deleted
clients' visits stay in every figure (the spa's books keep them, anonymised); cancelled visits
count only where a figure says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

import sqlalchemy as sa
import sqlalchemy.orm

from spa_app.booking.models import Booking, BookingStatus
from spa_app.cadence.models import VisitInterval
from spa_app.cadence.service import DEFAULT_WEEKS
from spa_app.catalog.models import Service, Therapist
from spa_app.clock import day_bounds
from spa_app.database import epoch_ms
from spa_app.extensions import db
from spa_app.feedback import queries as feedback_queries
from spa_app.feedback.models import LOW as LOW_RATING
from spa_app.feedback.models import Feedback
from spa_app.figures import percent
from spa_app.homecare.models import Plan, PlanStatus
from spa_app.notifications.models import (
    NUDGE_KINDS,
    WIN_BACK_KINDS,
    Message,
    MessageKind,
    MessageState,
)
from spa_app.reports.localdays import DAY_MS, day_number, local_day

#: The longest range a report reads: five years of months.
MAX_DAYS = 5 * 366


@dataclass(frozen=True)
class Scope:
    """Which visits a report reads: those starting on local days ``first`` to ``last``, of one
    therapist and one service if given."""

    first: date
    last: date
    tz: ZoneInfo
    therapist_id: int | None = None
    service_id: int | None = None

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        return day_bounds(self.first, self.last, self.tz)

    def months(self) -> list[tuple[date, datetime, datetime]]:
        """Each local month the range touches: (its first day, and the UTC bounds of its part
        inside the range)."""
        out, month = [], self.first.replace(day=1)
        while month <= self.last:
            following = (month + timedelta(days=32)).replace(day=1)
            first, last = max(month, self.first), min(following - timedelta(days=1), self.last)
            out.append((month, *day_bounds(first, last, self.tz)))
            month = following
        return out

    def where(self) -> list[sa.ColumnElement[bool]]:
        lo, hi = self.bounds
        found = [Booking.starts_at >= lo, Booking.starts_at < hi]
        if self.therapist_id is not None:
            found.append(Booking.therapist_id == self.therapist_id)
        if self.service_id is not None:
            found.append(Booking.service_id == self.service_id)
        return found


def _month_of(scope: Scope, instant=Booking.starts_at) -> sa.Case:
    """The local month (its first day, ISO) of an instant (a visit's start unless told), as a
    CASE on UTC bounds."""
    return sa.case(
        *((instant < hi, month.isoformat()) for month, _lo, hi in scope.months()),
        else_=None,
    )


@dataclass(frozen=True)
class Rate:
    """``part`` of ``whole``: exact, and as a percent rounded half up (None of nothing)."""

    part: int
    whole: int

    @property
    def share(self) -> Fraction | None:
        return Fraction(self.part, self.whole) if self.whole else None

    @property
    def percent(self) -> int | None:
        return percent(self.part, self.whole)


@dataclass(frozen=True)
class Outcomes:
    """How the range's visits turned out. ``held`` are those whose time came and that were
    not cancelled (completed, arrived, no-show): the no-show rate's whole. Every visit booked
    in the range, cancelled ones too, is the late-cancel rate's whole."""

    booked: int  # still to come (or not marked)
    arrived: int
    completed: int
    no_show: int
    cancelled: int
    late_cancelled: int  # of the cancelled: inside the cancellation window

    @property
    def held(self) -> int:
        return self.arrived + self.completed + self.no_show

    @property
    def all(self) -> int:
        return self.booked + self.held + self.cancelled

    @property
    def no_show_rate(self) -> Rate:
        return Rate(self.no_show, self.held)

    @property
    def late_cancel_rate(self) -> Rate:
        return Rate(self.late_cancelled, self.all)


def outcomes(scope: Scope) -> Outcomes:
    """One statement: the visits counted by status (and late cancellations)."""
    rows = db.session.execute(
        sa.select(Booking.status, Booking.late_cancel, sa.func.count())
        .where(*scope.where())
        .group_by(Booking.status, Booking.late_cancel)
    ).all()
    count = {status: 0 for status in BookingStatus}
    late = 0
    for status, was_late, n in rows:
        count[status] += n
        late += n if status is BookingStatus.CANCELLED and was_late else 0
    return Outcomes(
        booked=count[BookingStatus.BOOKED],
        arrived=count[BookingStatus.ARRIVED],
        completed=count[BookingStatus.COMPLETED],
        no_show=count[BookingStatus.NO_SHOW],
        cancelled=count[BookingStatus.CANCELLED],
        late_cancelled=late,
    )


@dataclass(frozen=True)
class Takings:
    """Revenue from completed visits at their booked prices (integer cents): by month, and by
    service and by therapist (name, visits, cents; the most first)."""

    by_month: list[tuple[date, int, int]]  # (the month's first day, visits, cents)
    by_service: list[tuple[str, int, int]]
    by_therapist: list[tuple[str, int, int]]

    @property
    def total(self) -> int:
        return sum(cents for _month, _n, cents in self.by_month)


def takings(scope: Scope) -> Takings:
    """Three statements: the completed visits' prices summed by local month, by service and by
    therapist."""
    done = [*scope.where(), Booking.status == BookingStatus.COMPLETED]
    month = _month_of(scope).label("month")
    counted = {
        m: (n, cents)
        for m, n, cents in db.session.execute(
            sa.select(month, sa.func.count(), sa.func.sum(Booking.price_cents))
            .where(*done)
            .group_by(month)
        )
    }
    by_month = [
        (first, *counted.get(first.isoformat(), (0, 0))) for first, _lo, _hi in scope.months()
    ]
    by_service = _summed(Service, Service.name, Booking.service_id == Service.id, done)
    by_therapist = _summed(
        Therapist, Therapist.display_name, Booking.therapist_id == Therapist.id, done
    )
    return Takings(by_month, by_service, by_therapist)


def _summed(model, name, on, where) -> list[tuple[str, int, int]]:
    """(name, visits, cents) of the completed visits ``where`` picks, by ``model``."""
    cents = sa.func.sum(Booking.price_cents)
    rows = db.session.execute(
        sa.select(name, sa.func.count(), cents)
        .select_from(Booking)
        .join(model, on)
        .where(*where)
        .group_by(model.id, name)
        .order_by(cents.desc(), name)
    )
    return [(label, n, int(total)) for label, n, total in rows]


@dataclass(frozen=True)
class HomeCare:
    """Of the range's completed visits, those that carry a published home-care plan: in all,
    and by therapist (name, visits with a plan, completed visits)."""

    with_plan: Rate
    by_therapist: list[tuple[str, Rate]]


def home_care(scope: Scope) -> HomeCare:
    """One statement: completed visits, and those with a published plan, by therapist."""
    planned = sa.exists().where(Plan.booking_id == Booking.id, Plan.status == PlanStatus.PUBLISHED)
    rows = db.session.execute(
        sa.select(
            Therapist.display_name, sa.func.count(), sa.func.sum(sa.case((planned, 1), else_=0))
        )  # fmt: skip
        .select_from(Booking)
        .join(Therapist, Therapist.id == Booking.therapist_id)
        .where(*scope.where(), Booking.status == BookingStatus.COMPLETED)
        .group_by(Therapist.id, Therapist.display_name)
        .order_by(Therapist.display_name)
    ).all()
    by_therapist = [(name, Rate(int(with_plan), n)) for name, n, with_plan in rows]
    total = Rate(sum(r.part for _n, r in by_therapist), sum(r.whole for _n, r in by_therapist))
    return HomeCare(total, by_therapist)


#: How a completed visit was followed, against the client's window (their interval, 4 to 6
#: weeks unless their therapist set another): booked again before it opened, inside it, after
#: it closed, never (the window has closed with nothing booked), or not yet (it is still open).
FOLLOW_UPS = ("before", "inside", "late", "never", "waiting")


@dataclass(frozen=True)
class Rebooking:
    """The range's completed visits by how they were followed (FOLLOW_UPS); of those the
    client came back after, the median weeks to the next visit, and the median of the
    intervals they were asked to keep (the middle of each one's window: 5 weeks for 4 to 6)."""

    counts: dict[str, int]
    median_weeks: float | None
    median_interval_weeks: float | None

    @property
    def completed(self) -> int:
        return sum(self.counts.values())

    def rate(self, kind: str) -> Rate:
        """``kind``'s share of the visits whose outcome is known (not those still waiting)."""
        return Rate(self.counts[kind], self.completed - self.counts["waiting"])


@dataclass(frozen=True)
class Middle:
    """A visit the client came back after, ranked by its gap and by its interval."""

    gap: int  # local days to the next visit
    middle: int  # the interval's low and high weeks added
    by_gap: int
    by_middle: int
    of: int


def rebooking(scope: Scope, now: datetime) -> Rebooking:
    """One statement: the completed visits counted by how they were followed, and the
    medians (window functions, so any backend)."""
    later = sa.orm.aliased(Booking)
    lo, _hi = scope.bounds
    span_end = now + timedelta(days=400)  # the latest next visit a booking horizon allows
    next_start = (
        sa.select(sa.func.min(later.starts_at))
        .where(
            later.client_id == Booking.client_id,
            later.status != BookingStatus.CANCELLED,
            later.starts_at > Booking.starts_at,
        )  # fmt: skip
        .correlate(Booking)
        .scalar_subquery()
    )
    low = sa.func.coalesce(VisitInterval.min_weeks, DEFAULT_WEEKS[0])
    high = sa.func.coalesce(VisitInterval.max_weeks, DEFAULT_WEEKS[1])
    visits = (
        sa.select(
            local_day(Booking.starts_at, scope.tz, lo, span_end).label("day"),
            next_start.label("next_start"),
            low.label("low"),
            high.label("high"),
        )
        .outerjoin(VisitInterval, VisitInterval.client_id == Booking.client_id)
        .where(*scope.where(), Booking.status == BookingStatus.COMPLETED)
        .cte("visits")
        .prefix_with("MATERIALIZED")  # the next visit found once per visit, not per use
    )
    gap = local_day(visits.c.next_start, scope.tz, lo, span_end) - visits.c.day
    today = day_number(now.astimezone(scope.tz).date())
    kind = sa.case(
        (visits.c.next_start.is_(None),
         sa.case((visits.c.day + 7 * visits.c.high >= today, "waiting"), else_="never")),
        (gap < 7 * visits.c.low, "before"),
        (gap <= 7 * visits.c.high, "inside"),
        else_="late",
    ).label("kind")  # fmt: skip
    middle = visits.c.low + visits.c.high  # twice the interval's middle, in weeks
    ranked = (
        sa.select(
            gap.label("gap"),
            middle.label("middle"),
            sa.func.row_number().over(order_by=gap).label("by_gap"),
            sa.func.row_number().over(order_by=middle).label("by_middle"),
            sa.func.count().over().label("of"),
        )
        .where(visits.c.next_start.is_not(None))
        .subquery()
    )
    halves = [(ranked.c.of + 1) // 2, (ranked.c.of + 2) // 2]
    nothing = sa.cast(sa.null(), sa.BigInteger)
    # One statement, so the visits (and each one's next visit) are read once: the counts by
    # kind, then the rows in the middle of each order ("kind" None).
    found = db.session.execute(
        sa.union_all(
            sa.select(kind, sa.func.count().label("n"), *[nothing] * 5)
            .select_from(visits)
            .group_by(kind),
            sa.select(
                sa.cast(sa.null(), sa.String),
                nothing,
                ranked.c.gap,
                ranked.c.middle,
                ranked.c.by_gap,
                ranked.c.by_middle,
                ranked.c.of,
            ).where(ranked.c.by_gap.in_(halves) | ranked.c.by_middle.in_(halves)),
        )
    ).all()
    counts = dict.fromkeys(FOLLOW_UPS, 0)
    counts.update({row[0]: row[1] for row in found if row[0] is not None})
    rows = [Middle(*row[2:]) for row in found if row[0] is None]
    of = rows[0].of if rows else 0
    halves_at = {(of + 1) // 2, (of + 2) // 2}

    def median(values: list[int]) -> float | None:
        return sum(values) / len(values) if values else None

    days = median([r.gap for r in rows if r.by_gap in halves_at])
    doubled = median([r.middle for r in rows if r.by_middle in halves_at])
    return Rebooking(
        counts,
        None if days is None else round(days / 7, 1),
        None if doubled is None else round(doubled / 2, 1),
    )


#: The notes that ask a client to book again, in the order they go.
NOTE_KINDS = (*NUDGE_KINDS, *WIN_BACK_KINDS)
#: A booking made within this long of a nudge counts as the nudge's doing.
NUDGE_EFFECT_MS = 7 * DAY_MS


@dataclass(frozen=True)
class Nudges:
    """The nudges and win-backs sent in the range, by kind: (sent, followed by a booking the
    client made within seven days)."""

    by_kind: dict[MessageKind, Rate]


def nudges(scope: Scope) -> Nudges:
    """One statement: the notes sent, counted by kind, and those a booking followed within
    seven days (any of the client's bookings made then, kept or cancelled since)."""
    lo, hi = scope.bounds
    booked_soon = sa.exists().where(
        Booking.client_id == Message.user_id,
        epoch_ms(Booking.created_at) >= epoch_ms(Message.sent_at),
        epoch_ms(Booking.created_at) < epoch_ms(Message.sent_at) + NUDGE_EFFECT_MS,
    )
    visit = sa.orm.aliased(Booking)
    where = [Message.kind.in_(NOTE_KINDS), Message.state == MessageState.SENT,
             Message.sent_at >= lo, Message.sent_at < hi]  # fmt: skip
    if scope.therapist_id is not None:
        where.append(visit.therapist_id == scope.therapist_id)
    if scope.service_id is not None:
        where.append(visit.service_id == scope.service_id)
    rows = db.session.execute(
        sa.select(Message.kind, sa.func.count(), sa.func.sum(sa.case((booked_soon, 1), else_=0)))
        .join(visit, visit.id == Message.booking_id)
        .where(*where)
        .group_by(Message.kind)
    ).all()
    found = {kind: Rate(int(followed), n) for kind, n, followed in rows}
    return Nudges({kind: found.get(kind, Rate(0, 0)) for kind in NOTE_KINDS})


@dataclass(frozen=True)
class Cohort:
    """The clients whose first completed visit ever fell in ``month``: how many, and how many
    of them had a completed visit in each later month of the range (``returned``, in order)."""

    month: date
    clients: int
    returned: list[int]


def retention(scope: Scope) -> list[Cohort]:
    """One statement: monthly cohorts of first visits (the first visit with the therapist or
    service asked for, if one was) and the distinct clients of each with a completed visit,
    to anyone, in each month of the range."""
    lo, hi = scope.bounds
    first = sa.orm.aliased(Booking)
    where = [first.status == BookingStatus.COMPLETED]
    if scope.therapist_id is not None:
        where.append(first.therapist_id == scope.therapist_id)
    if scope.service_id is not None:
        where.append(first.service_id == scope.service_id)
    firsts = (
        sa.select(first.client_id, sa.func.min(first.starts_at).label("first_at"))
        .where(*where)
        .group_by(first.client_id)
        .subquery()
    )
    cohort, month = _month_of(scope, firsts.c.first_at), _month_of(scope)
    rows = db.session.execute(
        sa.select(cohort, month, sa.func.count(sa.distinct(Booking.client_id)))
        .join(firsts, firsts.c.client_id == Booking.client_id)
        .where(
            Booking.status == BookingStatus.COMPLETED,
            Booking.starts_at >= lo,
            Booking.starts_at < hi,
            firsts.c.first_at >= lo,
            firsts.c.first_at < hi,
        )  # fmt: skip
        .group_by(cohort, month)
    ).all()
    counts = {(c, m): n for c, m, n in rows}
    months = [m.isoformat() for m, _lo, _hi in scope.months()]
    out = []
    for i, start in enumerate(months):
        size = counts.get((start, start), 0)
        if size:
            later = [counts.get((start, m), 0) for m in months[i + 1 :]]
            out.append(Cohort(date.fromisoformat(start), size, later))
    return out


#: The most low ratings the page lists (the newest visits first); the count says if more.
LOW_LISTED = 50


@dataclass(frozen=True)
class Ratings:
    """The feedback on the range's visits: how many rated, the mean rating (one decimal), how
    many low (2 or less), and the low ones, the newest visits first (LOW_LISTED at most)."""

    rated: int
    mean: float | None
    low: int
    lows: list[feedback_queries.Rated]


def ratings(scope: Scope) -> Ratings:
    """Two statements over the range's visits that have feedback: the figures, and the low
    ones (a deleted client's feedback went with the account)."""
    rated, total, low = db.session.execute(
        sa.select(
            sa.func.count(Feedback.id),
            sa.func.sum(Feedback.rating),
            sa.func.sum(sa.case((Feedback.rating <= LOW_RATING, 1), else_=0)),
        )
        .join(Booking, Booking.id == Feedback.booking_id)
        .where(*scope.where())
    ).one()
    mean = round(total / rated, 1) if rated else None
    lows = feedback_queries.rated(*scope.where(), Feedback.rating <= LOW_RATING, limit=LOW_LISTED)
    return Ratings(rated, mean, int(low or 0), lows)
