"""A series of visits: every N weeks (4 to 6), M visits, the same local time each time.

Each occurrence is checked on its own. A taken time gets the nearest free time within a few
days (same therapist, same service); one with none is reported as not bookable, and so is one
whose time the client already has another visit at (most often that very visit, booked
before): the client has one visit at a time, and a series never books a second one near it.
Nearest free times that overlap one of the client's visits are passed over too. The preview
shows all of it before anything is booked; booking the series books every bookable occurrence
in one transaction, or none if one of them was taken meanwhile.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from flask_babel import gettext as _

from spa_app.accounts.models import Role, User
from spa_app.booking.clashes import client_visits, overlapping, overlapping_all
from spa_app.booking.models import Booking
from spa_app.booking.service import Choice, book
from spa_app.business import business_tz
from spa_app.clock import local_today
from spa_app.scheduling.queries import find_slots, get_settings

EVERY_WEEKS = range(4, 7)
VISITS = range(1, 13)  # more visits after the first


@dataclass(frozen=True)
class SeriesChoices:
    """What the repeat form offers: the weeks between visits, and how many more visits."""

    every_weeks: range = EVERY_WEEKS
    visits: range = VISITS
    suggested_visits: int = 3


CHOICES = SeriesChoices()
NEAR_DAYS = 3


class SeriesError(ValueError):
    """Series settings outside what we offer; the message is for the person."""


@dataclass(frozen=True)
class Occurrence:
    wanted: datetime  # UTC
    chosen: datetime | None  # UTC; None: not bookable
    moved: bool  # chosen differs from wanted
    clash: Booking | None = None  # the client's visit at the wanted time (then not bookable)
    #: Past the booking horizon: the first local day it can be booked (then not bookable yet)
    bookable_from: date | None = None

    @property
    def bookable(self) -> bool:
        return self.chosen is not None


def check_terms(every: int, visits: int) -> None:
    if every not in EVERY_WEEKS:
        raise SeriesError(_("Choose every 4, 5 or 6 weeks."))
    if visits not in VISITS:
        raise SeriesError(
            _(
                "Choose between %(first)d and %(last)d more visits.",
                first=VISITS[0],
                last=VISITS[-1],
            )
        )


def preview(
    base: Booking, every: int, visits: int, actor: User, now: datetime, past_horizon: bool = False
):
    """The occurrences after ``base``: at its local time every ``every`` weeks, or the nearest
    free time within three days with the same therapist, or not bookable (nothing free, or the
    client has another visit at the wanted time), or not bookable yet (past the booking
    horizon: from which day it will be). Staff asking ``past_horizon`` look as far as the
    series goes (see horizon_for)."""
    check_terms(every, visits)
    tz = business_tz()
    local = base.starts_at.astimezone(tz)
    staff = actor.role is Role.STAFF
    length = timedelta(minutes=base.service.duration_min)
    walls = [local + timedelta(weeks=every * n) for n in range(1, visits + 1)]
    horizon = get_settings().horizon_days
    longer = horizon_for(walls[-1], now) if staff and past_horizon else None
    last_day = local_today(now, tz) + timedelta(days=max(horizon, longer or 0))
    near = timedelta(days=NEAR_DAYS + 1)
    theirs = client_visits(base.client_id, walls[0] - near, walls[-1] + near)
    result = []
    for wall in walls:  # the same wall-clock time, whatever the clocks do
        day, wanted = wall.date(), wall.astimezone(UTC)
        # Only the client's visits near this one can be in the way of its times: each of the
        # hundreds of nearby free times is checked against those few, not the whole series'.
        mine = overlapping_all(theirs, wanted - near, wanted + near)
        if (clash := overlapping(mine, wanted, wanted + length)) is not None:
            result.append(Occurrence(wanted, None, False, clash))
            continue
        if day > last_day:
            opens = day - timedelta(days=horizon)
            result.append(Occurrence(wanted, None, False, bookable_from=opens))
            continue
        found = find_slots(
            service_id=base.service_id,
            therapist_id=base.therapist_id,
            first_day=day - timedelta(days=NEAR_DAYS),
            last_day=day + timedelta(days=NEAR_DAYS),
            now=now,
            min_notice=not staff,
            horizon_days=longer,
        )
        starts = [s.starts_at for s in found.slots
                  if overlapping(mine, s.starts_at, s.starts_at + length) is None]  # fmt: skip
        chosen = min(starts, key=lambda s, w=wanted: (abs(s - w), s), default=None)
        result.append(Occurrence(wanted, chosen, chosen is not None and chosen != wanted))
    return result


def horizon_for(last: datetime, now: datetime) -> int:
    """The days ahead a series must look to reach its ``last`` occurrence (and the three days
    around it): how far staff override the booking horizon for it."""
    today = local_today(now, last.tzinfo)
    return (last.date() - today).days + NEAR_DAYS


def book_series(
    base: Booking, occurrences: list[Occurrence], actor: User, now: datetime,
    past_horizon: bool = False,
):  # fmt: skip
    """Book every bookable occurrence (flushed; the caller commits), past the booking horizon
    too if staff previewed it so. A BookingError from any of them (a time just taken, or one
    the client has just booked elsewhere) means none should be kept: the caller rolls back and
    shows a fresh preview."""
    client, tz = base.client, business_tz()
    bookable = [o for o in occurrences if o.bookable]
    longer = (
        horizon_for(bookable[-1].chosen.astimezone(tz), now)
        if bookable and past_horizon and actor.role is Role.STAFF
        else None
    )
    return [
        book(
            client=client,
            choice=Choice(base.service_id, o.chosen, base.therapist_id),
            actor=actor,
            now=now,
            horizon_days=longer,
        )
        for o in bookable
    ]
