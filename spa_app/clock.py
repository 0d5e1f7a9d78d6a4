"""Converting between UTC instants (stored) and the business's local wall-clock time (shown)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones


class NonexistentLocalTime(ValueError):
    """A wall-clock time skipped by a daylight-saving change (it never happens on that day)."""


def zone(name: str) -> ZoneInfo:
    """The IANA zone called ``name``; raises ValueError for an unknown name."""
    if name not in _known_zones():
        raise ValueError(f"unknown time zone {name!r}")
    try:
        return ZoneInfo(name)
    except ZoneInfoNotFoundError as exc:  # pragma: no cover - listed but not loadable
        raise ValueError(f"unknown time zone {name!r}") from exc


_ZONES: frozenset[str] | None = None


def _known_zones() -> frozenset[str]:
    global _ZONES
    if _ZONES is None:
        _ZONES = frozenset(available_timezones())
    return _ZONES


def local_to_utc(day: date, at: time, tz: ZoneInfo) -> datetime:
    """The UTC instant of wall-clock ``at`` on ``day``; raises NonexistentLocalTime in a DST gap.

    In the autumn's repeated hour the first occurrence is taken (fold=0).
    """
    naive = datetime.combine(day, at)
    instant = naive.replace(tzinfo=tz).astimezone(UTC)
    if instant.astimezone(tz).replace(tzinfo=None) != naive:
        raise NonexistentLocalTime(f"{naive:%Y-%m-%d %H:%M} does not exist in {tz.key}")
    return instant


def day_bounds(first: date, last: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """UTC instants of local midnight starting ``first`` and local midnight ending ``last``."""
    return (
        datetime.combine(first, time(), tz).astimezone(UTC),
        datetime.combine(last + timedelta(days=1), time(), tz).astimezone(UTC),
    )


#: How far from today a date someone types is taken seriously. Further is a slip (a year like 1
#: or 9999 also overflows when moved between time zones), answered like a date out of range.
REACH = timedelta(days=5 * 366)


def within_reach(day: date, now: datetime) -> bool:
    return abs(day - now.date()) <= REACH


def local_today(now: datetime, tz: ZoneInfo) -> date:
    return now.astimezone(tz).date()


def to_epoch_ms(instant: datetime) -> int:
    """Milliseconds since 1970-01-01 UTC: how availability compares instants (integers are fast)."""
    return round(instant.timestamp() * 1000)


def from_epoch_ms(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC)
