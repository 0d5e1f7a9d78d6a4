"""A series of visits: every N weeks (4 to 6), M visits, the same local time each time.

Each occurrence is checked on its own. A taken time gets the nearest free time within a few
days (same therapist, same service); one with none is reported as not bookable. The preview
shows all of it before anything is booked; booking the series books every bookable occurrence
in one transaction, or none if one of them was taken meanwhile.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from spa_app.accounts.models import Role, User
from spa_app.booking.models import Booking
from spa_app.booking.service import Choice, book
from spa_app.clock import zone
from spa_app.scheduling.service import find_slots, get_settings

EVERY_WEEKS = range(4, 7)
VISITS = range(1, 13)  # more visits after the first
NEAR_DAYS = 3


class SeriesError(ValueError):
    """Series settings outside what we offer; the message is for the person."""


@dataclass(frozen=True)
class Occurrence:
    wanted: datetime  # UTC
    chosen: datetime | None  # UTC; None: not bookable
    moved: bool  # chosen differs from wanted

    @property
    def bookable(self) -> bool:
        return self.chosen is not None


def check_terms(every: int, visits: int) -> None:
    if every not in EVERY_WEEKS:
        raise SeriesError("Choose every 4, 5 or 6 weeks.")
    if visits not in VISITS:
        raise SeriesError(f"Choose between {VISITS[0]} and {VISITS[-1]} more visits.")


def preview(base: Booking, every: int, visits: int, actor: User, now: datetime):
    """The occurrences after ``base``: at its local time every ``every`` weeks, or the nearest
    free time within three days with the same therapist, or not bookable."""
    check_terms(every, visits)
    tz = zone(get_settings().timezone)
    local = base.starts_at.astimezone(tz)
    staff = actor.role is Role.STAFF
    result = []
    for n in range(1, visits + 1):
        wall = local + timedelta(weeks=every * n)  # same wall-clock time, whatever the clocks do
        day, wanted = wall.date(), wall.astimezone(UTC)
        found = find_slots(
            service_id=base.service_id,
            therapist_id=base.therapist_id,
            first_day=day - timedelta(days=NEAR_DAYS),
            last_day=day + timedelta(days=NEAR_DAYS),
            now=now,
            min_notice=not staff,
        )
        starts = [s.starts_at for s in found.slots]
        chosen = min(starts, key=lambda s, w=wanted: (abs(s - w), s), default=None)
        result.append(Occurrence(wanted, chosen, chosen is not None and chosen != wanted))
    return result


def book_series(base: Booking, occurrences: list[Occurrence], actor: User, now: datetime):
    """Book every bookable occurrence (flushed; the caller commits). SlotUnavailable from any
    of them means none should be kept: the caller rolls back and shows a fresh preview."""
    client = base.client
    return [
        book(
            client=client,
            choice=Choice(base.service_id, o.chosen, base.therapist_id),
            actor=actor,
            now=now,
        )
        for o in occurrences
        if o.bookable
    ]
