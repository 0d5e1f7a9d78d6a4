"""'Add to Google Calendar' and 'Add to Outlook' links: the visit in UTC, every value encoded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest

from spa_app.calendar.links import google_url, outlook_url

LONDON = ZoneInfo("Europe/London")
TITLE = "Deep tissue & hot stones at Calm Spa"
WHERE = "Calm Spa, 1 High St, Bath (Room 2)"
DETAILS = "With Anna.\nSee, move or cancel: https://spa.example/bookings/7?x=1&y=2"


def query(url: str) -> dict[str, str]:
    parts = urlsplit(url)
    values = parse_qs(parts.query, keep_blank_values=True, strict_parsing=True)
    assert all(len(v) == 1 for v in values.values())
    return {k: v[0] for k, v in values.items()}


def test_google_link_names_the_visit_in_utc():
    start = datetime(2026, 1, 12, 10, 0, tzinfo=LONDON)  # winter: London is UTC
    url = google_url(TITLE, start, start + timedelta(minutes=60), WHERE, DETAILS)
    assert url.startswith("https://calendar.google.com/calendar/render?")
    assert query(url) == {
        "action": "TEMPLATE",
        "text": TITLE,
        "dates": "20260112T100000Z/20260112T110000Z",
        "location": WHERE,
        "details": DETAILS,
    }


def test_outlook_link_names_the_visit_in_utc():
    start = datetime(2026, 1, 12, 10, 0, tzinfo=LONDON)
    url = outlook_url(TITLE, start, start + timedelta(minutes=90), WHERE, DETAILS)
    assert url.startswith("https://outlook.live.com/calendar/0/deeplink/compose?")
    assert query(url) == {
        "path": "/calendar/action/compose",
        "rru": "addevent",
        "subject": TITLE,
        "startdt": "2026-01-12T10:00:00Z",
        "enddt": "2026-01-12T11:30:00Z",
        "location": WHERE,
        "body": DETAILS,
    }


def test_a_summer_visit_is_an_hour_earlier_in_utc():
    """British Summer Time: ten in the morning in London is nine in UTC."""
    start = datetime(2026, 7, 6, 10, 0, tzinfo=LONDON)
    end = start + timedelta(hours=1)
    assert query(google_url(TITLE, start, end, WHERE, ""))["dates"] == (
        "20260706T090000Z/20260706T100000Z"
    )
    assert query(outlook_url(TITLE, start, end, WHERE, ""))["startdt"] == "2026-07-06T09:00:00Z"


def test_a_visit_across_the_clocks_going_back_keeps_its_length():
    """25 October 2026: 01:30 London comes twice. A visit from 00:30 BST for two hours ends at
    01:30 GMT, three wall-clock hours later but two real ones."""
    start = datetime(2026, 10, 24, 23, 30, tzinfo=UTC)  # 00:30 BST on the 25th
    end = start + timedelta(hours=2)
    assert query(google_url(TITLE, start, end, WHERE, ""))["dates"] == (
        "20261024T233000Z/20261025T013000Z"
    )
    local_start = start.astimezone(LONDON)
    assert local_start.utcoffset() == timedelta(hours=1)
    outlook = query(outlook_url(TITLE, local_start, end.astimezone(LONDON), WHERE, ""))
    assert (outlook["startdt"], outlook["enddt"]) == (
        "2026-10-24T23:30:00Z",
        "2026-10-25T01:30:00Z",
    )


@pytest.mark.parametrize("make", [google_url, outlook_url])
def test_every_value_is_percent_encoded(make):
    url = make("A&B=C+D #1 ü", datetime(2026, 1, 12, 10, tzinfo=UTC),
               datetime(2026, 1, 12, 11, tzinfo=UTC), "x?y", "line\nnext")  # fmt: skip
    raw = urlsplit(url).query
    assert " " not in raw and "\n" not in raw and "#" not in raw and "+" not in raw
    assert "A%26B%3DC%2BD%20%231%20%C3%BC" in raw and "line%0Anext" in raw
    assert urlsplit(url).fragment == ""


@pytest.mark.parametrize("make", [google_url, outlook_url])
def test_a_time_without_a_zone_is_refused(make):
    naive = datetime(2026, 1, 12, 10)
    with pytest.raises(ValueError):
        make(TITLE, naive, naive + timedelta(hours=1), WHERE, "")
