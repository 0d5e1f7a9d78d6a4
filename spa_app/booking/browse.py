"""What the free-times page shows, from one search over several days: a strip of a week's days
marked with how many times each has, the day open, and its times in the morning, the afternoon
and the evening, each with the names of the therapists free then.

A pure core: it reads nothing; the view passes one ``find_slots`` result over the strip.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l

from spa_app.scheduling.availability import Slot

#: Days in the strip, and how far "next available" looks when no day was asked for.
STRIP_DAYS = 7
LOOK_AHEAD_DAYS = 28

#: Parts of the day by local start time: (label, the hour it ends).
PARTS = (("Morning", 12), ("Afternoon", 17), ("Evening", 24))
#: Each part's label as shown, in the page's language. The English labels above stay the keys
#: (the waitlist names its parts of the day by them, lowercased).
PART_LABELS = {"Morning": _l("Morning"), "Afternoon": _l("Afternoon"), "Evening": _l("Evening")}


@dataclass(frozen=True)
class Chip:
    """One free start time; ``therapist`` is who to book ("any" when several are free)."""

    slot: Slot
    names: tuple[str, ...]
    therapist: str


@dataclass(frozen=True)
class StripDay:
    day: date
    free: int  # how many start times the day has


@dataclass(frozen=True)
class Browse:
    strip: tuple[StripDay, ...]
    day: date
    parts: tuple[tuple[str, tuple[Chip, ...]], ...]  # only the parts with times
    earlier: date | None  # the strip before this one, if not before today
    later: date

    @property
    def empty(self) -> bool:
        return not self.parts

    @staticmethod
    def label(part: str) -> str:
        """A part of the day's heading ("Morning"), in the page's language."""
        return str(PART_LABELS.get(part, part))


def search_range(asked: date | None, today: date, *, last: date | None = None) -> tuple[date, date]:
    """The days to search: the strip from the day asked for, or (none asked) far enough ahead
    to find the first day with times; or, given the ``last`` bookable day (a day further ahead
    was asked for), the strip that ends on it."""
    if last is not None:
        return max(today, last - timedelta(days=STRIP_DAYS - 1)), last
    if asked is not None:
        return asked, asked + timedelta(days=STRIP_DAYS - 1)
    return today, today + timedelta(days=LOOK_AHEAD_DAYS - 1)


def browse(
    slots: Iterable[Slot],
    *,
    asked: date | None,
    today: date,
    tz: ZoneInfo,
    names: Mapping[int, str],
    therapist: str,
    last: date | None = None,
) -> Browse:
    """The strip and the open day: the day asked for, or else the first day with free times
    (today when none in reach); or, given the ``last`` bookable day (a day beyond it was asked
    for), the strip ending on it, open on its latest day with times. ``therapist`` is the
    choice made ("any" or an id)."""
    by_day: dict[date, list[Slot]] = defaultdict(list)
    for slot in slots:
        by_day[slot.starts_at.astimezone(tz).date()].append(slot)
    if last is not None:
        start, _ = search_range(None, today, last=last)
        day = max((d for d in by_day if start <= d <= last), default=last)
    else:
        day = asked or min(by_day, default=today)
        start = asked or (day if (day - today).days >= STRIP_DAYS else today)
    strip = tuple(
        StripDay(d, len(by_day.get(d, ())))
        for d in (start + timedelta(days=n) for n in range(STRIP_DAYS))
    )
    earlier = start - timedelta(days=STRIP_DAYS)
    return Browse(
        strip=strip,
        day=day,
        parts=_parts(by_day.get(day, []), tz, names, therapist),
        earlier=max(earlier, today) if start > today else None,
        later=start + timedelta(days=STRIP_DAYS),
    )


def _parts(slots: list[Slot], tz: ZoneInfo, names: Mapping[int, str], therapist: str):
    grouped: dict[str, list[Chip]] = {label: [] for label, _ in PARTS}
    for slot in slots:
        hour = slot.starts_at.astimezone(tz).hour
        label = next(label for label, ends in PARTS if hour < ends)
        grouped[label].append(_chip(slot, names, therapist))
    return tuple((label, tuple(chips)) for label, chips in grouped.items() if chips)


def _chip(slot: Slot, names: Mapping[int, str], therapist: str) -> Chip:
    free = tuple(sorted(names[t] for t in slot.therapist_ids if t in names))
    if therapist == "any" and len(slot.therapist_ids) == 1:
        therapist = str(slot.therapist_ids[0])  # the name on the chip is who is booked
    return Chip(slot, free, therapist)
