"""How a client kept to a plan, week by week: a week x routine grid of ticks and comfort, from
plain values (the caller loads the plan's routines and ticks). No database, no request.

Weeks are 7-day blocks from the local day the plan was published: week 1 starts that day,
whatever its weekday, so a plan published on a Thursday has a whole first week rather than a
stub of four days, and "week 3" means the same to the client and the therapist. Days are local
dates, never instants, so every week has seven days, over a change of the clocks too.

A day counts from the start up to the last counted day: today, or the plan's end (the day
before the next visit) if sooner. Days before the start and days still to come never count,
whatever was ticked on them. Today counts (its routines are planned), though it may still be
under way: so the week holding today is *open*, shown but not read (see ``Span.settled``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

from spa_app.figures import percent

#: A week that ended with fewer counted days than this (a plan that stopped mid-week, at the
#: next visit) is shown, but too short to read: one missed day would read as a drop-off.
MIN_SETTLED_DAYS = 4


@dataclass(frozen=True)
class Routine:
    """A routine of the plan and the weekdays it is planned on (Monday = 0)."""

    id: int
    name: str
    weekdays: frozenset[int]


@dataclass(frozen=True)
class Tick:
    """The client did routine ``routine_id`` on the local ``day``; discomfort 0 (none) to 10
    (the worst), or None if they did not say."""

    routine_id: int
    day: date
    discomfort: int | None = None


@dataclass(frozen=True)
class Span:
    """Week ``number`` of the plan: its first day, its last counted day, and whether it is over
    (no day of it is still to count: it ended before today, or the plan ended)."""

    number: int
    first: date
    last: date
    over: bool

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def settled(self) -> bool:
        """Over and long enough to read: the reading and the flags read only these weeks."""
        return self.over and self.days >= MIN_SETTLED_DAYS

    def dates(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range(self.days)]


@dataclass(frozen=True)
class Total:
    """Planned routines and those done; the share is exact (a fraction), the percent rounded
    half up, both None when nothing was planned."""

    planned: int
    done: int

    @property
    def share(self) -> Fraction | None:
        return Fraction(self.done, self.planned) if self.planned else None

    @property
    def percent(self) -> int | None:
        return percent(self.done, self.planned)


@dataclass(frozen=True)
class Cell(Total):
    """One routine in one week: planned, done, ticks on days it was not planned (``extra``:
    shown, never raising the share above 100%), and the discomfort noted, day by day."""

    extra: int = 0
    discomfort: tuple[int, ...] = ()

    @property
    def mean_discomfort(self) -> float | None:
        return sum(self.discomfort) / len(self.discomfort) if self.discomfort else None

    @property
    def max_discomfort(self) -> int | None:
        return max(self.discomfort, default=None)


@dataclass(frozen=True)
class Row:
    """A week of the grid: its span and one cell per routine, in the routines' order."""

    span: Span
    cells: tuple[Cell, ...]

    @property
    def total(self) -> Total:
        return Total(sum(c.planned for c in self.cells), sum(c.done for c in self.cells))

    @property
    def extra(self) -> int:
        return sum(c.extra for c in self.cells)


@dataclass(frozen=True)
class Grid:
    """The plan's weeks x routines, and the ticks that counted (one per routine and day, in day
    order). ``last`` is the last counted day, None before the plan starts."""

    routines: tuple[Routine, ...]
    rows: tuple[Row, ...]
    ticks: tuple[Tick, ...]
    last: date | None

    def total(self, first: int = 1, last: int | None = None) -> Total:
        """Planned and done over weeks ``first`` to ``last`` (the last week if None)."""
        rows = [r for r in self.rows if first <= r.span.number <= (last or len(self.rows))]
        return Total(sum(r.total.planned for r in rows), sum(r.total.done for r in rows))


def last_day(end: date | None, today: date) -> date:
    """The last day that counts: today, or the plan's end if sooner."""
    return today if end is None else min(today, end)


def weeks(start: date, end: date | None, today: date) -> list[Span]:
    """The plan's weeks from ``start`` (7-day blocks) up to the last counted day; the last week
    holds only its days so far. None before the start (or if the plan ended before it)."""
    last, spans = last_day(end, today), []
    first = start
    while first <= last:
        closes = first + timedelta(days=6)
        closes = closes if end is None else min(closes, end)
        spans.append(Span(len(spans) + 1, first, min(closes, last), over=closes < today))
        first += timedelta(days=7)
    return spans


def grid(
    routines: Iterable[Routine],
    ticks: Iterable[Tick],
    start: date,
    end: date | None,
    today: date,
) -> Grid:
    """The week x routine grid: planned and done per cell, with the discomfort noted. Ticks of
    unknown routines, before the start or after the last counted day are left out; a repeated
    tick (routine and day) counts once, with the worst discomfort noted on it."""
    routines = tuple(routines)
    spans = weeks(start, end, today)
    last = spans[-1].last if spans else None
    counted = _counted(ticks, {r.id for r in routines}, start, last)
    rows = tuple(Row(s, tuple(_cell(r, s, counted) for r in routines)) for s in spans)
    kept = tuple(Tick(rid, day, note) for (day, rid), note in sorted(counted.items()))
    return Grid(routines, rows, kept, last)


def _counted(
    ticks: Iterable[Tick], known: set[int], start: date, last: date | None
) -> dict[tuple[date, int], int | None]:
    """(day, routine) -> the worst discomfort noted, for the ticks that count."""
    counted: dict[tuple[date, int], int | None] = {}
    for tick in ticks:
        if last is None or tick.routine_id not in known or not start <= tick.day <= last:
            continue
        key, notes = (tick.day, tick.routine_id), [tick.discomfort]
        notes.append(counted.get(key))
        counted[key] = max((n for n in notes if n is not None), default=None)
    return counted


def _cell(routine: Routine, span: Span, counted: dict[tuple[date, int], int | None]) -> Cell:
    days = span.dates()
    planned = [d for d in days if d.weekday() in routine.weekdays]
    ticked = [d for d in days if (d, routine.id) in counted]
    notes = tuple(n for d in ticked if (n := counted[d, routine.id]) is not None)
    done = sum(1 for d in ticked if d.weekday() in routine.weekdays)
    return Cell(len(planned), done, extra=len(ticked) - done, discomfort=notes)
