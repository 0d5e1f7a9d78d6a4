"""A series with the spa's default 90-day booking horizon: the occurrences past it say when
they can be booked, the rest are booked; the front desk may look past it and book them all."""

from __future__ import annotations

import html
from datetime import UTC, datetime, timedelta

import pytest

from spa_app.accounts.models import Role
from spa_app.booking.models import Booking
from spa_app.clock import local_today
from tests import factories
from tests.booking.test_series import booked, chosen
from tests.factories import LONDON, at


@pytest.fixture
def base(app, client):
    """A visit next Wednesday; the horizon as the spa starts with (90 days)."""
    svc, (anna,), (room,) = factories.spa()
    me = factories.user()
    b = factories.booking(me, anna, room, svc, at(factories.next_weekday(2), "10:00"))
    factories.login(client, me)
    return b, me


def wanted_day(b: Booking, weeks: int):
    return (b.starts_at.astimezone(LONDON) + timedelta(weeks=weeks)).date()


def test_the_default_horizon_says_when_the_later_visits_can_be_booked(client, base):
    b, _me = base
    page = html.unescape(client.get(f"/bookings/{b.id}/series?every=6&visits=6").get_data(
        as_text=True))  # fmt: skip
    today = local_today(datetime.now(UTC), LONDON)
    beyond = [n for n in range(1, 7) if wanted_day(b, 6 * n) > today + timedelta(days=90)]
    assert beyond and beyond[0] <= 3  # a six-weekly series soon runs past 90 days
    assert page.count("As wanted") == 6 - len(beyond)
    assert page.count("beyond the booking horizon") == len(beyond)
    for n in beyond:
        opens = wanted_day(b, 6 * n) - timedelta(days=90)
        assert f"(bookable from {opens:%a %d %b %Y})" in page
    assert "nothing free within three days" not in page
    assert "Look past the booking horizon" not in page  # the client cannot
    reply = client.post(f"/bookings/{b.id}/series",
                        data={"every": "6", "visits": "6", "chosen": chosen(page)})  # fmt: skip
    assert reply.status_code == 302
    assert len(booked()) == 1 + 6 - len(beyond)


def test_the_front_desk_may_book_the_whole_series_past_the_horizon(client, base):
    b, _me = base
    client.post("/logout")
    factories.login(client, factories.user(Role.STAFF))
    url = f"/bookings/{b.id}/series?every=6&visits=6"
    page = client.get(url).get_data(as_text=True)
    assert "Look past the booking horizon" in page
    page = client.get(url + "&past_horizon=1").get_data(as_text=True)
    assert page.count("As wanted") == 6 and "beyond the booking horizon" not in page
    assert 'name="past_horizon" value="1"' in page
    reply = client.post(f"/bookings/{b.id}/series", data={
        "every": "6", "visits": "6", "past_horizon": "1", "chosen": chosen(page)})  # fmt: skip
    assert reply.status_code == 302
    starts = [x.starts_at.astimezone(LONDON).date() for x in booked()]
    assert starts == [wanted_day(b, 6 * n) for n in range(7)]


def test_a_client_asking_past_the_horizon_gets_the_horizon(client, base):
    b, _me = base
    page = client.get(f"/bookings/{b.id}/series?every=6&visits=6&past_horizon=1").get_data(
        as_text=True)  # fmt: skip
    assert "beyond the booking horizon" in page
    assert 'name="past_horizon"' not in page
