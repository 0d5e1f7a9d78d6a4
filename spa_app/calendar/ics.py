"""The one iCalendar builder: a visit as an event, for the e-mails' attachment and the feeds.

Pure: no database. Every event of a booking has one UID (``booking-<id>@<domain>``, the domain
of the spa's From address) and the booking's change number as SEQUENCE, so a calendar app that
has the visit from an e-mail and from a feed keeps one event, updated in place.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from icalendar import Calendar, Event


@dataclass(frozen=True)
class Visit:
    """A visit as one calendar event tells it."""

    booking_id: int
    sequence: int
    starts_at: datetime
    ends_at: datetime
    summary: str
    location: str
    cancelled: bool = False
    url: str | None = None


def location(spa_name: str, address: str, room: str) -> str:
    """Where the visit is, as a calendar app's map search reads it: the spa, its address on one
    line, and the room."""
    lines = [spa_name, *(line.strip() for line in address.splitlines() if line.strip())]
    return f"{', '.join(lines)} ({room})"


def uid(booking_id: int, domain: str) -> str:
    return f"booking-{booking_id}@{domain}"


def calendar(
    visits: Iterable[Visit],
    *,
    spa_name: str,
    domain: str,
    stamp: datetime,
    method: str | None = None,
    name: str | None = None,
) -> bytes:
    """The visits as one calendar; ``method`` (REQUEST or CANCEL) for an e-mailed invitation,
    ``name`` for a subscribed feed's title. ``stamp`` is each event's DTSTAMP."""
    cal = Calendar()
    cal.add("prodid", f"-//{spa_name}//Bookings//EN")
    cal.add("version", "2.0")
    if method is not None:
        cal.add("method", method)
    if name is not None:
        cal.add("x-wr-calname", name)
    for visit in visits:
        event = Event()
        event.add("uid", uid(visit.booking_id, domain))
        event.add("sequence", visit.sequence)
        event.add("dtstamp", stamp)
        event.add("dtstart", visit.starts_at)
        event.add("dtend", visit.ends_at)
        event.add("summary", visit.summary)
        event.add("location", visit.location)
        event.add("status", "CANCELLED" if visit.cancelled else "CONFIRMED")
        if visit.url is not None:
            event.add("url", visit.url)
        cal.add_component(event)
    return cal.to_ical()
