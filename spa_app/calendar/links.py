"""'Add to Google Calendar' and 'Add to Outlook' links: a visit as the web calendars' own
new-event pages read it from their address.

Pure: no database, no request. Times go in UTC (a ``Z`` on each), so the calendar shows them
in its owner's zone whatever the spa's; daylight saving is the calendar's business, not ours.
Every value is percent-encoded (spaces as %20, which both calendars read; ``+`` is not a space
to Outlook).
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import quote, urlencode

GOOGLE = "https://calendar.google.com/calendar/render"
#: Outlook.com's new-event deep link (Microsoft 365 accounts: the same on outlook.office.com).
OUTLOOK = "https://outlook.live.com/calendar/0/deeplink/compose"


def google_url(title: str, start: datetime, end: datetime, location: str, details: str) -> str:
    """Google Calendar's new-event page filled in with the visit. Raises ValueError for a
    time without a zone."""
    dates = f"{_utc(start):%Y%m%dT%H%M%SZ}/{_utc(end):%Y%m%dT%H%M%SZ}"
    query = {
        "action": "TEMPLATE",
        "text": title,
        "dates": dates,
        "location": location,
        "details": details,
    }
    return f"{GOOGLE}?{_encode(query)}"


def outlook_url(title: str, start: datetime, end: datetime, location: str, details: str) -> str:
    """Outlook on the web's new-event page filled in with the visit. Raises ValueError for a
    time without a zone."""
    query = {
        "path": "/calendar/action/compose",
        "rru": "addevent",
        "subject": title,
        "startdt": f"{_utc(start):%Y-%m-%dT%H:%M:%SZ}",
        "enddt": f"{_utc(end):%Y-%m-%dT%H:%M:%SZ}",
        "location": location,
        "body": details,
    }
    return f"{OUTLOOK}?{_encode(query)}"


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("a calendar link needs a time with its zone")
    return moment.astimezone(UTC)


def _encode(query: dict[str, str]) -> str:
    # "/" stays as it is in the dates and path (both calendars read it so); all else is encoded.
    return urlencode(query, quote_via=quote, safe="/")
