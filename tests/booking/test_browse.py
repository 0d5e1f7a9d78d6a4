"""Finding a time: a week's strip of days marked with their free times, "next available" when
no day is asked for, times grouped into morning, afternoon and evening, and on each chip, when
anyone will do, who is free."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from spa_app.booking.browse import LOOK_AHEAD_DAYS, STRIP_DAYS, browse
from spa_app.scheduling.availability import Slot
from tests import factories as f
from tests.factories import LONDON, at
from tests.sqlcount import count_statements

MONDAY = date(2027, 3, 1)
NAMES = {1: "Anna", 2: "Ben", 3: "Cleo"}


def slot(day: date, hhmm: str, *therapists: int) -> Slot:
    return Slot(at(day, hhmm), therapists, (1,))


def test_times_fall_into_morning_afternoon_and_evening_by_the_local_clock():
    times = ["09:00", "11:45", "12:00", "16:59", "17:00", "20:30"]
    slots = [slot(MONDAY, hhmm, 1) for hhmm in times]
    shown = browse(slots, asked=MONDAY, today=MONDAY, tz=LONDON, names=NAMES, therapist="1")
    assert [
        (label, [c.slot.starts_at.astimezone(LONDON).strftime("%H:%M") for c in chips])
        for label, chips in shown.parts
    ] == [  # fmt: skip
        ("Morning", ["09:00", "11:45"]),
        ("Afternoon", ["12:00", "16:59"]),
        ("Evening", ["17:00", "20:30"]),
    ]


def test_on_the_day_the_clocks_go_forward_the_parts_follow_the_local_clock():
    spring = date(2027, 3, 28)  # 01:00 GMT becomes 02:00 BST
    slots = [slot(spring, "11:30", 1), slot(spring, "12:00", 1)]
    shown = browse(slots, asked=spring, today=spring, tz=LONDON, names=NAMES, therapist="1")
    assert [label for label, _ in shown.parts] == ["Morning", "Afternoon"]


def test_with_no_day_asked_the_first_day_with_times_opens_and_the_strip_marks_each_day():
    wednesday = MONDAY + timedelta(days=2)
    slots = [slot(wednesday, "10:00", 1), slot(wednesday, "11:00", 1, 2),
             slot(wednesday + timedelta(days=2), "10:00", 2)]  # fmt: skip
    shown = browse(slots, asked=None, today=MONDAY, tz=LONDON, names=NAMES, therapist="any")
    assert shown.day == wednesday
    assert [d.day for d in shown.strip] == [MONDAY + timedelta(days=n) for n in range(STRIP_DAYS)]
    assert [d.free for d in shown.strip] == [0, 0, 2, 0, 1, 0, 0]
    assert shown.earlier is None and shown.later == MONDAY + timedelta(days=STRIP_DAYS)


def test_a_first_free_day_weeks_ahead_starts_the_strip_on_it():
    later = MONDAY + timedelta(days=17)
    shown = browse([slot(later, "10:00", 1)], asked=None, today=MONDAY, tz=LONDON, names=NAMES,
                   therapist="any")  # fmt: skip
    assert shown.day == later and shown.strip[0].day == later
    assert shown.earlier == MONDAY + timedelta(days=10)


def test_nothing_free_opens_today_and_says_so():
    shown = browse([], asked=None, today=MONDAY, tz=LONDON, names=NAMES, therapist="any")
    assert shown.day == MONDAY and shown.empty
    assert all(d.free == 0 for d in shown.strip)


def test_chips_name_who_is_free_and_book_the_only_one_when_anyone_will_do():
    slots = [slot(MONDAY, "10:00", 2), slot(MONDAY, "11:00", 1, 2), slot(MONDAY, "12:00", 1, 2, 3)]
    shown = browse(slots, asked=MONDAY, today=MONDAY, tz=LONDON, names=NAMES, therapist="any")
    chips = [c for _, part in shown.parts for c in part]
    assert [(c.names, c.therapist) for c in chips] == [
        (("Ben",), "2"),
        (("Anna", "Ben"), "any"),
        (("Anna", "Ben", "Cleo"), "any"),
    ]


def test_a_chosen_therapist_stays_chosen():
    shown = browse([slot(MONDAY, "10:00", 2)], asked=MONDAY, today=MONDAY, tz=LONDON,
                   names=NAMES, therapist="2")  # fmt: skip
    assert shown.parts[0][1][0].therapist == "2"


# The page ------------------------------------------------------------------------------------


@pytest.fixture
def one_day_a_week(app):
    """Anna works one weekday only, two days from today (so never today)."""
    today = datetime.now(UTC).astimezone(LONDON).date()
    weekday = (today.weekday() + 2) % 7
    anna = f.therapist("Anna", hours={weekday: [(time(9), time(18))]})
    svc = f.service(therapists=[anna])
    f.room()
    first = today + timedelta(days=2)
    return svc, anna, first


def test_with_no_day_asked_the_page_opens_on_the_first_day_with_times(client, one_day_a_week):
    svc, anna, first = one_day_a_week
    service_id, anna_id = svc.id, anna.id
    f.login(client, f.user())
    with count_statements() as statements:
        page = client.get(f"/book/{service_id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f"Free times on {first:%A %d %B %Y}" in html
    assert (
        f'href="/book/{svc.id}?date={first.isoformat()}&amp;therapist=any" aria-current="date"'
        in html
    )
    assert "<h3>Morning</h3>" in html and "<h3>Afternoon</h3>" in html
    assert '<span class="who">Anna</span>' in html
    assert f"therapist={anna_id}" in html  # the only one free: the chip books her
    # The client, the spa's details (the header and footer), then the search's two, and one
    # more for "Who you can see": the therapists' photos and bios (find_slots reads only their
    # names), all of them at once.
    assert len(statements) <= 5, [st[:80] for st in statements]
    assert LOOK_AHEAD_DAYS >= 7


def test_a_day_asked_for_opens_even_when_it_is_full(client, one_day_a_week):
    svc, anna, first = one_day_a_week
    quiet = first + timedelta(days=1)
    page = client.get(f"/book/{svc.id}?date={quiet.isoformat()}").get_data(as_text=True)
    assert f"Free times on {quiet:%A %d %B %Y}" in page
    assert "No free times on this day" in page
    assert f"date={(first + timedelta(days=7)).isoformat()}" in page  # its strip goes on
