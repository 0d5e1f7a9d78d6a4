"""The waitlist form starts from the day and the part of the day being browsed."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta

import pytest

from spa_app.database import unit_of_work, utcnow
from spa_app.waitlist import service as waitlist
from tests import factories
from tests.factories import LONDON, at, signed_in
from tests.waitlist.helpers import cancel, entries, join, offers

HORIZON = 90  # the business settings' default


@pytest.fixture
def spa(app):
    """Anna and Ben (Mon-Sat 09-18) offer a 60-minute massage; a signed-in client."""
    svc, (anna, ben), (room, _) = factories.spa(therapists=2, rooms=2)
    me = factories.user(name="Waiting Wren")
    return svc, anna, ben, room, me


def today():
    return datetime.now(UTC).astimezone(LONDON).date()


def form_of(page: str) -> dict[str, str]:
    """The join form as it starts: the days' values and the selected therapist and part."""
    values = dict(re.findall(r'name="(first_day|last_day)"[^>]*value="([^"]*)"', page))
    for name in ("therapist", "part"):
        select = re.search(rf'<select[^>]*name="{name}".*?</select>', page, re.S).group(0)
        values[name] = re.search(r'<option selected value="([^"]*)"', select).group(1)
    return values


def opened(browser, svc, query: str = "") -> dict[str, str]:
    reply = browser.get(f"/waitlist/join/{svc.id}{query}")
    assert reply.status_code == 200
    return form_of(reply.get_data(as_text=True))


def test_the_free_times_pages_link_carries_the_day_being_browsed(app, client, spa):
    svc, anna, *_ = spa
    day = factories.next_weekday(5)
    page = html.unescape(client.get(f"/book/{svc.id}?date={day}").get_data(as_text=True))
    assert f"/waitlist/join/{svc.id}?therapist=any&date={day}" in page
    page = html.unescape(
        client.get(f"/book/{svc.id}?therapist={anna.id}&date={day}&part=evening").get_data(
            as_text=True
        )
    )
    assert f"/waitlist/join/{svc.id}?therapist={anna.id}&date={day}&part=evening" in page


def test_the_form_starts_from_the_day_and_part_being_browsed(app, spa):
    svc, anna, *_, me = spa
    day = today() + timedelta(days=10)
    form = opened(signed_in(app, me), svc, f"?therapist={anna.id}&date={day}&part=morning")
    assert form == {
        "first_day": str(day),
        "last_day": str(day + timedelta(days=waitlist.DEFAULT_DAYS)),
        "therapist": str(anna.id),
        "part": "morning",
    }
    page = signed_in(app, me).get(f"/waitlist/join/{svc.id}?part=evening").get_data(as_text=True)
    assert "Evening (from 17:00)" in page and form_of(page)["part"] == "evening"


def test_a_day_near_the_horizon_ends_the_form_at_it(app, spa):
    svc, *_, me = spa
    day = today() + timedelta(days=HORIZON - 3)
    form = opened(signed_in(app, me), svc, f"?date={day}")
    assert (form["first_day"], form["last_day"]) == (str(day), str(today() + timedelta(HORIZON)))
    assert form["part"] == "any"


@pytest.mark.parametrize(
    "raw",
    ["tomorrow", "2026-13-01", "٢٠٢٦-١٢-٠١", "<script>", "", "past", "beyond", "9999-12-31"],
)
def test_a_day_that_cannot_be_asked_for_is_ignored(app, spa, raw):
    svc, *_, me = spa
    raw = {"past": str(today() - timedelta(days=1)),
           "beyond": str(today() + timedelta(days=HORIZON + 1))}.get(raw, raw)  # fmt: skip
    form = opened(signed_in(app, me), svc, f"?date={raw}&part=afternoon")
    assert form["first_day"] == str(today())
    assert form["last_day"] == str(today() + timedelta(days=waitlist.DEFAULT_DAYS))
    assert form["part"] == "afternoon"


@pytest.mark.parametrize("raw", ["night", "Morning", "<b>", "", "any", "morning%00"])
def test_a_part_of_the_day_that_is_not_one_starts_the_form_at_any_time(app, spa, raw):
    svc, *_, me = spa
    assert opened(signed_in(app, me), svc, f"?part={raw}")["part"] == "any"


def test_an_open_request_is_shown_as_it_stands_whatever_the_link(app, spa):
    svc, anna, *_, me = spa
    browser = signed_in(app, me)
    first = today() + timedelta(days=2)
    assert join(browser, svc, first, first + timedelta(days=1)).status_code == 302
    form = opened(browser, svc, f"?therapist={anna.id}&date={first + timedelta(days=5)}")
    assert (form["first_day"], form["therapist"]) == (str(first), "any")


def test_bringing_a_visit_earlier_starts_from_the_day_browsed_if_before_it(app, spa):
    svc, anna, _, room, me = spa
    visit_day = factories.next_weekday(3, weeks_ahead=2)
    mine = factories.booking(me, anna, room, svc, at(visit_day, "10:00"))
    browser = signed_in(app, me)
    before = visit_day - timedelta(days=4)
    form = opened(browser, svc, f"?booking={mine.id}&date={before}&part=morning")
    assert (form["first_day"], form["last_day"]) == (str(before), str(visit_day))
    assert form["part"] == "morning"
    after = visit_day + timedelta(days=1)
    form = opened(browser, svc, f"?booking={mine.id}&date={after}")
    assert (form["first_day"], form["last_day"]) == (str(today()), str(visit_day))


@pytest.mark.parametrize("raw", ["night", "<script>", "Morning", ""])
def test_joining_with_a_part_that_is_not_one_is_refused_and_saves_nothing(app, spa, raw):
    svc, *_, me = spa
    day = today() + timedelta(days=3)
    data = {"therapist": "any", "first_day": str(day), "last_day": str(day), "part": raw}
    reply = signed_in(app, me).post(f"/waitlist/join/{svc.id}", data=data)
    assert reply.status_code == 422
    assert "Please choose a time of day from the list." in reply.get_data(as_text=True)
    assert entries() == []


@pytest.mark.parametrize("part", ["any", "morning", "afternoon", "evening"])
def test_joining_with_a_part_of_the_day_is_accepted(app, spa, part):
    svc, *_, me = spa
    day = today() + timedelta(days=3)
    data = {"therapist": "any", "first_day": str(day), "last_day": str(day), "part": part}
    reply = signed_in(app, me).post(f"/waitlist/join/{svc.id}", data=data)
    assert reply.status_code == 302 and reply.location == "/bookings"
    (entry,) = entries()
    assert (entry.first_day, entry.last_day) == (day, day)


def test_the_service_refuses_a_part_that_is_not_one(spa):
    svc, *_, me = spa
    day = today() + timedelta(days=3)
    with pytest.raises(waitlist.WaitlistError, match="time of day"), unit_of_work():
        waitlist.join(me, waitlist.Request(svc.id, None, day, day, part="night"), utcnow())
    assert entries() == []


def test_the_parts_of_the_day_are_the_free_times_pages():
    assert waitlist.PARTS_OF_DAY == {
        "morning": ("Morning", 0, 12),
        "afternoon": ("Afternoon", 12, 17),
        "evening": ("Evening", 17, 24),
    }


def test_defaults_keep_the_day_within_reach():
    start = today()
    shown = waitlist.defaults(None, None, start, LONDON, day=start + timedelta(days=1),
                              part="evening", horizon_days=HORIZON)  # fmt: skip
    assert shown == waitlist.Defaults(
        None, start + timedelta(days=1), start + timedelta(days=15), "evening"
    )
    shown = waitlist.defaults(None, None, start, LONDON, day=start + timedelta(days=HORIZON + 1),
                              part="dawn", horizon_days=HORIZON)  # fmt: skip
    assert shown == waitlist.Defaults(None, start, start + timedelta(days=14), None)


def test_a_request_for_mornings_hears_only_of_a_freed_morning_time(app, spa):
    svc, anna, _, room, me = spa
    day = factories.next_weekday(2)
    leaving = factories.user(name="Leaving Client")
    afternoon = factories.booking(leaving, anna, room, svc, at(day, "14:00"))
    data = {"therapist": "any", "first_day": str(day), "last_day": str(day), "part": "morning"}
    assert signed_in(app, me).post(f"/waitlist/join/{svc.id}", data=data).status_code == 302
    cancel(app, afternoon)
    assert offers() == []
    morning = factories.booking(leaving, anna, room, svc, at(day, "10:00"))
    cancel(app, morning)
    assert [o.starts_at for o in offers()] == [morning.starts_at]
