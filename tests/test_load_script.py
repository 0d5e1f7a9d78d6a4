"""The load script's own logic, without gunicorn or locust: the double-booking check, the figures
and the verdict, and the days its users ask about."""

from __future__ import annotations

import argparse
from datetime import UTC, date, datetime, timedelta

from bench import load
from bench.dataset import WEEKS, Dataset
from spa_app.booking.models import BookingStatus
from tests import factories
from tests.factories import at

OPTIONS = argparse.Namespace(seconds=10, users=2, workers=1, threads=1)
WINDOW = {"start": 1000.0, "end": 1010.0}


#: The one client's hour-long visits below, by the visit itself (no clean-up buffer): those at
#: 10:00 and 10:30, 10:30 and 11:00, 11:00 and 11:45 overlap; 10:00 and 11:00 only touch.
CLIENT_OVERLAPS = 3


def test_double_bookings_are_counted_per_therapist_room_and_client(app):
    svc, (anna, ben), (room,) = factories.spa(therapists=2, buffer=15)
    client = factories.user()
    ten = at(factories.next_weekday(0), "10:00")
    factories.booking(client, anna, room, svc, ten)
    # SQLite has no exclusion constraint, so the overlaps the check must find can be written.
    factories.booking(client, anna, room, svc, ten + timedelta(minutes=30))
    factories.booking(client, ben, room, svc, ten + timedelta(minutes=60))
    # Back to back after the buffer (half-open ranges), and a cancelled one: neither counts.
    factories.booking(client, anna, factories.room(), svc, ten + timedelta(minutes=105))
    factories.booking(client, ben, room, svc, ten, status=BookingStatus.CANCELLED)

    checks = load.database_checks(app.config["SQLALCHEMY_DATABASE_URI"], seeded=1)

    assert checks == {
        "double_bookings_therapist": 1,
        "double_bookings_room": 3,  # all three pairs of the first three
        "double_bookings_client": CLIENT_OVERLAPS,
        "bookings_added": 4,
    }


def _samples() -> list[list]:
    fast = [["availability", "availability: JSON", 200, float(ms), False] for ms in range(21)]
    return fast + [
        ["booking", "booking: confirm (POST)", 302, 30.0, False],
        ["booking", "booking: confirm (POST)", 409, 40.0, False],  # just taken: not a failure
        ["booking", "booking: confirm (POST)", 500, 50.0, True],
        ["booking", "booking: confirm page", 0, 60.0, True],  # no answer at all
        ["calendar", "calendar: staff day (all therapists)", 200, 25.0, False],
    ]


def test_figures_split_server_errors_from_other_failures():
    scenarios = load.summarize(_samples(), seconds=10, key=0)

    availability, booking = scenarios["availability"], scenarios["booking"]
    assert (availability["requests"], availability["rps"]) == (21, 2.1)
    assert (availability["median_ms"], availability["p95_ms"]) == (10.0, 19.0)
    assert (booking["server_errors"], booking["other_failures"]) == (1, 1)
    assert booking["statuses"] == {"0": 1, "302": 1, "409": 1, "500": 1}
    assert set(load.summarize(_samples(), seconds=10, key=1)) == {
        "availability: JSON",
        "booking: confirm (POST)",
        "booking: confirm page",
        "calendar: staff day (all therapists)",
    }


def _checks(**values) -> dict:
    return {
        "double_bookings_therapist": 0,
        "double_bookings_room": 0,
        "double_bookings_client": 0,
        "bookings_added": 1,
    } | values


def test_the_verdict_fails_on_5xx_double_bookings_and_lost_bookings():
    recorded = {"samples": _samples(), "outcomes": {"booked": 2}, "window": WINDOW}

    document = load.report(recorded, _checks(double_bookings_room=3), OPTIONS, "")

    assert not document["passed"]
    assert document["problems"] == [
        "booking: 1 server errors (5xx)",
        "3 double bookings room",
        "2 bookings answered but 1 in the database",
    ]
    assert "verdict: FAILED" in load.table(document)


def test_a_clean_run_passes_and_a_silent_scenario_or_a_run_that_never_started_does_not():
    clean = [s for s in _samples() if s[2] in (200, 302, 409)]
    recorded = {"samples": clean, "outcomes": {"booked": 1}, "window": WINDOW}
    assert load.report(recorded, _checks(), OPTIONS, "")["passed"]

    no_calendar = [s for s in clean if s[0] != "calendar"]
    document = load.report({"samples": no_calendar, "outcomes": {}}, _checks(), OPTIONS, "")
    assert document["problems"] == [
        "calendar: no request succeeded",
        "the users were not all logged in after 120 s",
    ]


def test_the_server_logs_first_traceback_is_kept():
    log = "booting\nTraceback (most recent call last):\n  File 'x'\nKeyError: 1\n"
    recorded = {"samples": _samples()[:21], "outcomes": {}}

    document = load.report(recorded, _checks(bookings_added=0), OPTIONS, log)

    assert document["server_tracebacks"] == 1
    assert (
        document["first_traceback"].startswith("Traceback")
        and "KeyError" in document["first_traceback"]
    )


def test_the_plan_books_hot_days_after_the_seeded_weeks_within_the_bookable_ones():
    monday = date(2026, 11, 23)
    dataset = Dataset(monday, [1, 2], [7], {7: 75}, [3, 4], ["a@x.example", "b@x.example"], 0)

    plan = load.load_plan(
        dataset, ["desk@x.example"], users=1, now=datetime(2026, 11, 21, 9, tzinfo=UTC)
    )

    assert plan["clients"] == ["a@x.example"]
    assert plan["hot_days"] == ["2027-01-18", "2027-01-19", "2027-01-20"]
    assert set(plan["hot_days"]) <= set(plan["bookable_days"])
    assert plan["seeded_days"][0] == "2026-11-23" and len(plan["seeded_days"]) == WEEKS * 6
    assert all(date.fromisoformat(d).weekday() < 6 for d in plan["bookable_days"])
