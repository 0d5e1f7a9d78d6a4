"""Free start times, computed in memory from what the database says is already taken.

Pure functions over plain values: the queries that feed them live in ``service.py``. Windows
are local wall-clock times; everything else is UTC. Candidate starts step through each working
window in real (UTC) time from the window's start, so a daylight-saving day has exactly the
slots that fit between its real opening and closing instants.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from spa_app.clock import day_bounds, from_epoch_ms, local_today, to_epoch_ms


@dataclass(frozen=True)
class Rules:
    tz: ZoneInfo
    step: timedelta
    min_notice: timedelta
    horizon_days: int


@dataclass(frozen=True)
class Window:
    therapist_id: int
    weekday: int
    starts: time
    ends: time


class Busy(NamedTuple):
    """A stretch during which a therapist (time off or a booking) and/or a room is taken.

    Instants are epoch milliseconds, as the occupancy query returns them: a month's
    availability reads thousands of these, so they stay plain integers in a plain tuple.
    """

    starts_ms: int
    ends_ms: int
    therapist_id: int | None = None
    room_id: int | None = None

    @classmethod
    def between(cls, starts_at: datetime, ends_at: datetime, therapist_id=None, room_id=None):
        return cls(to_epoch_ms(starts_at), to_epoch_ms(ends_at), therapist_id, room_id)

    @property
    def starts_at(self) -> datetime:
        return from_epoch_ms(self.starts_ms)

    @property
    def ends_at(self) -> datetime:
        return from_epoch_ms(self.ends_ms)


@dataclass(frozen=True)
class Slot:
    starts_at: datetime
    therapist_ids: tuple[int, ...]
    room_ids: tuple[int, ...]


@dataclass
class Request:
    """What is being looked for: a service's length (and clean-up) over local days."""

    first_day: date
    last_day: date
    duration: timedelta
    buffer: timedelta = field(default_factory=timedelta)

    @property
    def hold(self) -> timedelta:
        return self.duration + self.buffer


class _Timeline:
    """Sorted, merged busy intervals (epoch ms) with an O(log n) "is [s, e) free?" question."""

    def __init__(self, intervals: Iterable[tuple[int, int]]):
        merged: list[list[int]] = []
        for start, end in sorted(intervals):
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        self.starts = [m[0] for m in merged]
        self.ends = [m[1] for m in merged]

    def is_free(self, start: int, end: int) -> bool:
        i = bisect_right(self.ends, start)  # first interval that ends after `start`
        return i == len(self.starts) or self.starts[i] >= end


def bookable_days(rules: Rules, now: datetime, first: date, last: date) -> tuple[date, date]:
    """Clip a local date range to today .. today + horizon (may come back empty: first > last)."""
    today = local_today(now, rules.tz)
    return max(first, today), min(last, today + timedelta(days=rules.horizon_days))


def free_slots(
    *,
    rules: Rules,
    now: datetime,
    request: Request,
    windows: Iterable[Window],
    busy: Iterable[Busy],
    room_ids: Iterable[int],
    closed: Iterable[date] = (),
    with_rooms: bool = False,
    only_at: datetime | None = None,
) -> list[Slot]:
    """Every start time in the request's days at which a therapist and a room are both free.

    ``busy`` holds Busy tuples, or any rows in the same field order (the service passes the
    query's rows straight through).
    A start qualifies when it lies on the slot step from its window's start, is at least the
    minimum notice ahead of ``now``, is on a day within the booking horizon and not a closure,
    and the therapist and one room are free for the service plus its clean-up buffer.
    ``with_rooms`` lists every free room in each slot (for booking one); otherwise the check
    stops at the first free room and ``room_ids`` holds just that one. ``only_at`` asks about
    that one start, on the step or off it (the front desk may book any free minute): it
    qualifies when the visit fits in a working window and everything else above holds.
    """
    first, last = bookable_days(rules, now, request.first_day, request.last_day)
    if first > last:
        return []
    earliest = to_epoch_ms(now + rules.min_notice)
    step, hold = _ms(rules.step), _ms(request.hold)
    by_weekday = _windows_by_weekday(windows)
    wanted = {tid for per_day in by_weekday.values() for tid in per_day}
    therapist_busy, room_busy = _timelines(busy, room_ids, wanted)
    closed = set(closed)
    free_rooms_at: dict[int, tuple[int, ...]] = {}
    found: dict[int, list[int]] = defaultdict(list)

    day = first
    while day <= last:
        if day not in closed:
            for therapist_id, windows_today in by_weekday.get(day.weekday(), {}).items():
                timeline = therapist_busy.get(therapist_id)
                spans = _spans(day, windows_today, rules.tz)
                for start in _candidates(spans, step, hold, earliest, only_at):
                    end = start + hold
                    if timeline is not None and not timeline.is_free(start, end):
                        continue
                    if start not in free_rooms_at:
                        free_rooms_at[start] = _free_rooms(room_busy, start, end, with_rooms)
                    if free_rooms_at[start]:
                        found[start].append(therapist_id)
        day += timedelta(days=1)

    return [
        Slot(from_epoch_ms(start), tuple(sorted(ids)), free_rooms_at[start])
        for start, ids in sorted(found.items())
    ]


def _ms(span: timedelta) -> int:
    return span // timedelta(milliseconds=1)


def _free_rooms(room_busy: dict, start: int, end: int, every: bool) -> tuple[int, ...]:
    free = (rid for rid, line in room_busy.items() if line.is_free(start, end))
    if every:
        return tuple(free)
    first = next(free, None)
    return () if first is None else (first,)


def _timelines(busy: Iterable[Busy], room_ids: Iterable[int], therapist_ids: set[int]):
    """Time lines for the therapists asked about and for every room."""
    by_therapist: dict[int, list] = {tid: [] for tid in therapist_ids}
    by_room: dict[int, list] = {rid: [] for rid in sorted(room_ids)}
    for starts_ms, ends_ms, therapist_id, room_id in busy:
        if therapist_id in by_therapist:
            by_therapist[therapist_id].append((starts_ms, ends_ms))
        if room_id in by_room:
            by_room[room_id].append((starts_ms, ends_ms))
    return (
        {tid: _Timeline(spans) for tid, spans in by_therapist.items()},
        {rid: _Timeline(spans) for rid, spans in by_room.items()},
    )


def _windows_by_weekday(windows: Iterable[Window]) -> dict[int, dict[int, list]]:
    """weekday -> therapist -> [(starts, ends)] wall-clock windows."""
    grouped: dict[int, dict[int, list]] = defaultdict(lambda: defaultdict(list))
    for w in windows:
        grouped[w.weekday][w.therapist_id].append((w.starts, w.ends))
    return grouped


def _spans(day: date, windows, tz: ZoneInfo) -> list[list[int]]:
    """The day's windows as merged real-time spans (epoch ms); touching or overlapping ones join.

    Bounds convert with PEP 495 rules (a bound inside a DST gap takes the offset in force
    before the change). Merging happens after conversion because wall-clock order is not
    real-time order around a gap.
    """
    merged: list[list[int]] = []
    for opens, closes in sorted(
        (to_epoch_ms(datetime.combine(day, a, tz)), to_epoch_ms(datetime.combine(day, b, tz)))
        for a, b in windows
    ):
        if merged and opens <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], closes)
        elif opens < closes:
            merged.append([opens, closes])
    return merged


def _starts(spans, step: int, hold: int, earliest: int):
    """Candidate starts stepping in real time from each span's opening, respecting notice.

    So a spring-forward day's 09:00-18:00 window is nine real hours with starts on the local
    quarter hours, and an hour that never happens yields nothing.
    """
    for opens, closes in spans:
        start = opens
        if start < earliest:
            start = opens + -(-(earliest - opens) // step) * step  # round up to the step
        while start + hold <= closes:
            yield start
            start += step


def _candidates(spans, step: int, hold: int, earliest: int, only_at: datetime | None):
    """The starts to check: every one on the step, or ``only_at`` alone if the visit it begins
    fits inside one of ``spans`` after ``earliest``."""
    if only_at is None:
        return _starts(spans, step, hold, earliest)
    start = to_epoch_ms(only_at)
    fits = any(opens <= start and start + hold <= closes for opens, closes in spans)
    return [start] if fits and start >= earliest else []


def window_utc_range(request: Request, rules: Rules) -> tuple[datetime, datetime]:
    """The UTC span the request's local days cover: what the queries must load."""
    return day_bounds(request.first_day, request.last_day, rules.tz)
