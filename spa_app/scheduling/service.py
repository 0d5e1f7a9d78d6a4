"""Changing the schedule: business settings, working hours, time off and closures.

Plain functions for staff pages, the CLI and tests: they flush and never commit (the caller owns
the transaction), and raise the errors below with a message fit to show next to the field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from spa_app.booking.models import Booking, BookingStatus
from spa_app.clock import NonexistentLocalTime, day_bounds, local_to_utc, zone
from spa_app.extensions import db
from spa_app.scheduling.models import BusinessSettings, Closure, TimeOff, WorkingHours
from spa_app.scheduling.queries import get_settings

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
SLOT_STEPS = (5, 10, 15, 20, 30, 60)
#: Inclusive ranges of the numeric settings; the database CHECK constraints agree.
SETTING_RANGES = {
    "min_notice_min": (0, 7 * 24 * 60),
    "horizon_days": (1, 365),
    "cancel_window_hours": (0, 14 * 24),
}
MAX_HOURS_TEXT = 200
MAX_YEARS_AHEAD = 10
DST_GAP = _l("Sorry, that time does not exist on that day (clocks change).")

Window = tuple[time, time]
_WINDOW = re.compile(r"^([0-9]{2}):([0-9]{2})\s*[-–]\s*([0-9]{2}):([0-9]{2})$")  # ASCII digits


class UnknownTimeZone(ValueError):
    """The name is not an IANA time zone such as Europe/London."""


class BadHours(ValueError):
    """Working windows that are malformed, end before they start, or overlap.

    ``problems`` lists every mistake found; ``weekday`` is set when the day is known.
    """

    def __init__(self, problems: list[str], weekday: int | None = None):
        super().__init__(" ".join(problems))
        self.problems = problems
        self.weekday = weekday


class BadTimeOff(ValueError):
    """Time off that cannot be saved; ``field`` is "start" or "end", the part at fault."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


class BadClosure(ValueError):
    """The day is already closed, or has passed."""


@dataclass(frozen=True)
class SettingsChange:
    timezone: str
    slot_step_min: int
    min_notice_min: int
    horizon_days: int
    cancel_window_hours: int


def update_settings(change: SettingsChange) -> BusinessSettings:
    """Apply ``change`` to the one settings row (flushed).

    Raises UnknownTimeZone, or ValueError for a slot step or number out of range; changes
    nothing then.
    """
    try:
        zone(change.timezone.strip())
    except ValueError as exc:
        raise UnknownTimeZone(change.timezone) from exc
    if change.slot_step_min not in SLOT_STEPS:
        raise ValueError(f"slot step must be one of {SLOT_STEPS}")
    for name, (low, high) in SETTING_RANGES.items():
        if not low <= getattr(change, name) <= high:
            raise ValueError(f"{name} must be between {low} and {high}")
    row = get_settings()
    for name, value in vars(change).items():
        setattr(row, name, value.strip() if isinstance(value, str) else value)
    db.session.flush()
    return row


def parse_windows(text: str) -> list[Window]:
    """Windows from text like "09:00-13:00, 14:00-18:00", sorted; empty text is a day off.

    Raises BadHours listing every malformed, reversed or overlapping window.
    """
    if len(text) > MAX_HOURS_TEXT:
        raise BadHours([_("Use at most %(max)d characters.", max=MAX_HOURS_TEXT)])
    if not text.strip():
        return []
    problems: list[str] = []
    windows: list[Window] = []
    for part in (p.strip() for p in text.split(",")):
        match = _WINDOW.match(part)
        if match is None:
            if part:
                problem = _("“%(text)s” is not a window written like 09:00-13:00.", text=part)
            else:
                problem = _(
                    "An empty entry between commas is not a window written like 09:00-13:00."
                )
            problems.append(problem)
            continue
        hours = [int(n) for n in match.groups()]
        if hours[0] > 23 or hours[2] > 23 or hours[1] > 59 or hours[3] > 59:
            problems.append(_("“%(text)s” is not a time of day (00:00 to 23:59).", text=part))
            continue
        windows.append((time(hours[0], hours[1]), time(hours[2], hours[3])))
    problems += window_problems(windows)
    if problems:
        raise BadHours(problems)
    return sorted(windows)


def window_problems(windows: list[Window]) -> list[str]:
    """What is wrong with one day's windows: reversed or empty windows, and overlaps."""
    problems = [
        _("%(window)s does not start before it ends.", window=format_window(w))
        for w in windows
        if w[0] >= w[1]
    ]
    ordered = sorted(w for w in windows if w[0] < w[1])
    for first, second in zip(ordered, ordered[1:], strict=False):
        if second[0] < first[1]:
            problems.append(
                _(
                    "%(first)s and %(second)s overlap.",
                    first=format_window(first),
                    second=format_window(second),
                )
            )
    return problems


def format_window(window: Window) -> str:
    return f"{window[0]:%H:%M}-{window[1]:%H:%M}"


def format_windows(windows: list[Window]) -> str:
    return ", ".join(format_window(w) for w in windows)


def weekly_hours(therapist_id: int) -> dict[int, list[Window]]:
    """The therapist's windows for each weekday (0 is Monday), sorted; days off map to []."""
    week: dict[int, list[Window]] = {day: [] for day in range(7)}
    rows = db.session.execute(
        db.select(WorkingHours)
        .where(WorkingHours.therapist_id == therapist_id)
        .order_by(WorkingHours.weekday, WorkingHours.starts)
    ).scalars()
    for row in rows:
        week[row.weekday].append((row.starts, row.ends))
    return week


def replace_weekly_hours(therapist_id: int, week: dict[int, list[Window]]) -> None:
    """Replace all of a therapist's working windows with ``week`` (flushed, all or nothing).

    Raises BadHours (with the weekday) for a day whose windows are reversed or overlap, and
    ValueError for a weekday outside 0..6; nothing changes then.
    """
    for weekday, windows in week.items():
        if weekday not in range(7):
            raise ValueError(f"weekday {weekday} is not 0 (Monday) to 6 (Sunday)")
        problems = window_problems(windows)
        if problems:
            raise BadHours(problems, weekday)
    db.session.execute(sa.delete(WorkingHours).where(WorkingHours.therapist_id == therapist_id))
    db.session.add_all(
        WorkingHours(therapist_id=therapist_id, weekday=weekday, starts=starts, ends=ends)
        for weekday, windows in week.items()
        for starts, ends in windows
    )
    db.session.flush()


def add_time_off(
    *,
    therapist_id: int,
    start: datetime,
    end: datetime,
    reason: str,
    tz: ZoneInfo,
    now: datetime,
) -> TimeOff:
    """Add time off given as naive local wall-clock ``start`` and ``end`` in ``tz`` (flushed).

    Raises BadTimeOff for a time skipped by a clock change, an end not after the start, or time
    off that is already over; adds nothing then.
    """
    starts_at = _instant(start, tz, "start")
    ends_at = _instant(end, tz, "end")
    if ends_at <= starts_at:
        raise BadTimeOff("end", _("The end must be after the start."))
    if ends_at <= now:
        raise BadTimeOff("end", _("That time off is already over."))
    # Like closures: a year like 9999 is a slip, and shown in a zone further east it overflows.
    if ends_at.year > now.year + MAX_YEARS_AHEAD:
        raise BadTimeOff(
            "end", _("Pick an end within the next %(num)d years.", num=MAX_YEARS_AHEAD)
        )
    if starts_at.year < now.year - MAX_YEARS_AHEAD:
        raise BadTimeOff(
            "start", _("Pick a start within the last %(num)d years.", num=MAX_YEARS_AHEAD)
        )
    entry = TimeOff(
        therapist_id=therapist_id, starts_at=starts_at, ends_at=ends_at, reason=reason.strip()
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def _instant(local: datetime, tz: ZoneInfo, field: str) -> datetime:
    try:
        return local_to_utc(local.date(), local.time(), tz)
    except NonexistentLocalTime as exc:
        raise BadTimeOff(field, str(DST_GAP)) from exc
    except OverflowError as exc:  # year 1 or 9999 shifted past the calendar's ends
        raise BadTimeOff(field, _("That date is out of range.")) from exc


def upcoming_time_off(therapist_id: int, now: datetime) -> list[TimeOff]:
    """The therapist's time off that has not ended by ``now``, soonest first."""
    return list(
        db.session.execute(
            db.select(TimeOff)
            .where(TimeOff.therapist_id == therapist_id, TimeOff.ends_at > now)
            .order_by(TimeOff.starts_at)
        ).scalars()
    )


def remove_time_off(therapist_id: int, time_off_id: int) -> bool:
    """Delete this therapist's time-off entry (flushed); False if they have no such entry."""
    result = db.session.execute(
        sa.delete(TimeOff).where(TimeOff.id == time_off_id, TimeOff.therapist_id == therapist_id)
    )
    return result.rowcount == 1


def bookings_during(therapist_id: int | None, starts_at: datetime, ends_at: datetime) -> int:
    """How many active bookings (of one therapist, or of anyone) overlap the UTC range."""
    query = db.select(sa.func.count(Booking.id)).where(
        Booking.status != BookingStatus.CANCELLED,
        Booking.starts_at < ends_at,
        Booking.ends_at > starts_at,
    )
    if therapist_id is not None:
        query = query.where(Booking.therapist_id == therapist_id)
    return db.session.execute(query).scalar_one()


def bookings_on_day(day: date, tz: ZoneInfo) -> int:
    """How many active bookings start or run on local ``day``."""
    return bookings_during(None, *day_bounds(day, day, tz))


def add_closure(*, day: date, reason: str, today: date) -> Closure:
    """Close the spa on local ``day`` (flushed); raises BadClosure if it has passed or is closed."""
    if day < today:
        raise BadClosure(_("That day has passed."))
    if day.year > today.year + MAX_YEARS_AHEAD:
        raise BadClosure(_("Pick a day within the next %(num)d years.", num=MAX_YEARS_AHEAD))
    if db.session.execute(db.select(Closure.id).where(Closure.day == day)).first() is not None:
        raise BadClosure(_("The spa is already closed on that day."))
    closure = Closure(day=day, reason=reason.strip())
    try:
        with db.session.begin_nested():
            db.session.add(closure)
    except sa.exc.IntegrityError as exc:  # added by a concurrent request since the check
        raise BadClosure(_("The spa is already closed on that day.")) from exc
    return closure


def upcoming_closures(today: date) -> list[Closure]:
    """Closures from local ``today`` on, soonest first."""
    return list(
        db.session.execute(
            db.select(Closure).where(Closure.day >= today).order_by(Closure.day)
        ).scalars()
    )


def remove_closure(closure_id: int) -> bool:
    """Delete a closure (flushed); False if there is no such closure."""
    result = db.session.execute(sa.delete(Closure).where(Closure.id == closure_id))
    return result.rowcount == 1
