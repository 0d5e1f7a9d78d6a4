"""Check-ins: what the client is asked to rate (their intake's areas, and one of its goals),
saving their answers (one check-in per client and period, edited by a second submit), and
reading a client's scores in time order (for the charts and the "up by three" flag to come).

A check-in is health data: the client writes it through the signed link (no log-in, so not
audited, as the client's own intake is not); staff and therapists who read it are audited by
their views (homecare.access); it is in the client's download and erased with their account.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import DBAPIError

from spa_app.accounts.models import Role, User
from spa_app.booking.models import Booking, BookingStatus
from spa_app.database import lost_race
from spa_app.extensions import db
from spa_app.homecare.models import Intake
from spa_app.homecare.outcomes.links import VISIT, parse_period
from spa_app.homecare.outcomes.models import CheckIn, CheckInScore
from spa_app.homecare.vocab import Area, Goal

#: The goals worth a weekly 0-10 question, the first the client chose asked. Pain relief is
#: what the areas' scores already say.
GOALS_ASKED = (Goal.SLEEP, Goal.STRESS, Goal.MOBILITY, Goal.HEADACHES, Goal.CRAMPS,
               Goal.POSTURE, Goal.CIRCULATION)  # fmt: skip
SCORES = range(11)


class CheckInError(ValueError):
    """Answers the rules refuse; the message is for the client. Nothing was saved."""


@dataclass(frozen=True)
class AreaToRate:
    """One of the client's intake areas, and the score they gave it at their intake."""

    area: Area
    at_intake: int


@dataclass(frozen=True)
class Sheet:
    """What the check-in page asks: the areas, in the body's order, and at most one goal."""

    areas: tuple[AreaToRate, ...]
    goal: Goal | None = None


@dataclass(frozen=True)
class Answers:
    """The client's answers: a score for some or all of the sheet's areas, and the goal's."""

    scores: dict[Area, int]
    goal_score: int | None = None


@dataclass(frozen=True)
class CheckInRow:
    """One check-in as the charts read it: when, for which period, the scores by area."""

    period: str
    booking_id: int | None
    at: datetime
    updated_at: datetime
    goal: Goal | None
    goal_score: int | None
    scores: dict[Area, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Target:
    """Whom and what a link's check-in is for: the client, the period, the visit if any."""

    client: User
    period: str
    booking: Booking | None


# What to ask ----------------------------------------------------------------------------------


def sheet_for(intake: Intake | None) -> Sheet:
    """The areas the intake scored above 0 (in the body's order) and the first goal of
    GOALS_ASKED the client chose; an empty sheet without an intake."""
    if intake is None:
        return Sheet(())
    scored = {Area(a): int(s) for a, s in intake.severity.items() if a in set(Area)}
    chosen = set(intake.goals)
    return Sheet(
        tuple(AreaToRate(a, scored[a]) for a in Area if scored.get(a, 0) > 0),
        next((g for g in GOALS_ASKED if g.value in chosen), None),
    )


def sheet_of(client_id: int) -> Sheet:
    return sheet_for(db.session.get(Intake, client_id))


def areas_to_rate(client_id: int) -> tuple[AreaToRate, ...]:
    """The client's intake areas with their intake scores (none without an intake)."""
    return sheet_of(client_id).areas


def target_of(client_id: int, period: str) -> Target | None:
    """The client and visit a link names, or None when the link no longer stands for anyone:
    not a client's account (or deleted), a malformed period, or a visit not theirs or
    cancelled."""
    parsed = parse_period(period)
    client = db.session.get(User, client_id)
    if parsed is None or client is None or client.role is not Role.CLIENT or client.is_deleted:
        return None
    kind, value = parsed
    if kind != VISIT:
        return Target(client, period, None)
    booking = db.session.get(Booking, value)
    if booking is None or booking.client_id != client_id:
        return None
    if booking.status is BookingStatus.CANCELLED:
        return None
    return Target(client, period, booking)


def checkin_for(client_id: int, period: str) -> CheckIn | None:
    return db.session.execute(
        sa.select(CheckIn)
        .where(CheckIn.client_id == client_id, CheckIn.period == period)
        .options(db.selectinload(CheckIn.scores))
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()


# Writing --------------------------------------------------------------------------------------


def save(target: Target, sheet: Sheet, answers: Answers, now: datetime) -> CheckIn:
    """Write the client's check-in for the period (the first, or an edit: the answers replace
    the last ones, so an area left out this time is no longer scored). Flushes.

    Raises CheckInError for an area not on ``sheet``, a score outside 0-10, a goal score with no
    goal asked, or no score at all. Two first saves at once (a double submit): the one that
    loses the insert edits the other's check-in instead, so there is one.
    """
    _check(sheet, answers)
    client_id, period = target.client.id, target.period
    checkin = checkin_for(client_id, period)
    if checkin is None:
        try:
            with db.session.begin_nested():
                checkin = CheckIn(
                    client_id=client_id,
                    period=period,
                    created_at=now,
                    booking_id=target.booking.id if target.booking else None,
                )
                _fill(checkin, sheet, answers, now)
                db.session.add(checkin)
            return checkin
        except DBAPIError as exc:
            if not lost_race(exc):
                raise
            checkin = checkin_for(client_id, period)
    _fill(checkin, sheet, answers, now)
    db.session.flush()
    return checkin


def _check(sheet: Sheet, answers: Answers) -> None:
    asked = {a.area for a in sheet.areas}
    if not answers.scores:
        raise CheckInError(_("Please rate at least one of your areas, from 0 to 10."))
    if not set(answers.scores) <= asked:
        raise CheckInError(_("One of the answers is for an area that is not in your intake."))
    for score in (*answers.scores.values(), answers.goal_score):
        if score is not None and (isinstance(score, bool) or score not in SCORES):
            raise CheckInError(_("Each answer is a number from 0 to 10."))
    if answers.goal_score is not None and sheet.goal is None:
        raise CheckInError(_("There is no question about your goals to answer."))


def _fill(checkin: CheckIn, sheet: Sheet, answers: Answers, now: datetime) -> None:
    """Edit the rows in place: an area kept keeps its row; one left out goes."""
    had = {s.area: s for s in checkin.scores}
    for area, gone in had.items():
        if area not in answers.scores:
            checkin.scores.remove(gone)
    for area in (a.area for a in sheet.areas if a.area in answers.scores):
        if area in had:
            had[area].score = answers.scores[area]
        else:
            checkin.scores.append(CheckInScore(area=area, score=answers.scores[area]))
    checkin.goal = sheet.goal if answers.goal_score is not None else None
    checkin.goal_score = answers.goal_score
    checkin.updated_at = now


# Reading --------------------------------------------------------------------------------------


def scores_of(client_id: int) -> list[CheckInRow]:
    """Every check-in of the client, first submitted first, each with its scores in the
    body's order. One statement, whatever the number."""
    return scores_by_client(CheckIn.client_id == client_id).get(client_id, [])


def scores_by_client(which: sa.ColumnElement[bool]) -> dict[int, list[CheckInRow]]:
    """The check-ins of the clients ``which`` picks (a condition on ``CheckIn.client_id``),
    as ``scores_of`` gives them, by client. One statement, whatever the number."""
    rows = db.session.execute(
        sa.select(
            CheckIn.id,
            CheckIn.client_id,
            CheckIn.period,
            CheckIn.booking_id,
            CheckIn.created_at,
            CheckIn.updated_at,
            CheckIn.goal,
            CheckIn.goal_score,
            CheckInScore.area,
            CheckInScore.score,
        )
        .outerjoin(CheckInScore, CheckInScore.checkin_id == CheckIn.id)
        .where(which)
        .order_by(CheckIn.client_id, CheckIn.created_at, CheckIn.id)
    )
    order = list(Area)
    result: dict[int, list[CheckInRow]] = {}
    for _id, group in itertools.groupby(rows, key=lambda r: r.id):
        group = list(group)
        first = group[0]
        scored = sorted((r for r in group if r.area is not None), key=lambda r: order.index(r.area))
        result.setdefault(first.client_id, []).append(
            CheckInRow(first.period, first.booking_id, first.created_at, first.updated_at,
                       first.goal, first.goal_score, {r.area: r.score for r in scored})
        )  # fmt: skip
    return result
