"""Series booking: every N weeks, M visits, each occurrence checked on its own."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest

from spa_app.accounts.models import Role
from spa_app.booking.models import Booking, BookingStatus
from spa_app.extensions import db
from spa_app.scheduling.models import TimeOff
from tests import factories
from tests.factories import LONDON, at


@pytest.fixture
def base(app, client):
    factories.settings(horizon_days=365)
    svc, (anna,), (room,) = factories.spa()
    me = factories.user()
    first = factories.next_weekday(2)
    b = factories.booking(me, anna, room, svc, at(first, "10:00"))
    factories.login(client, me)
    return b, anna, room, svc, me


def chosen(page: str) -> list[str]:
    return re.findall(r'name="chosen" value="([^"]*)"', page)


def booked() -> list[Booking]:
    factories.fresh()
    query = db.select(Booking).where(Booking.status == BookingStatus.BOOKED)
    return db.session.execute(query.order_by(Booking.starts_at)).scalars().all()


def test_a_client_repeats_a_visit_every_four_weeks(client, base):
    b, *_ = base
    page = client.get(f"/bookings/{b.id}/series?every=4&visits=3").get_data(as_text=True)
    assert page.count("As wanted") == 3
    seen = chosen(page)
    reply = client.post(f"/bookings/{b.id}/series",
                        data={"every": "4", "visits": "3", "chosen": seen})  # fmt: skip
    assert reply.status_code == 302
    starts = [x.starts_at for x in booked()]
    assert starts == [b.starts_at] + [
        (b.starts_at.astimezone(LONDON) + timedelta(weeks=4 * n)).astimezone(UTC) for n in (1, 2, 3)
    ]


def test_a_taken_time_gets_the_nearest_free_one_and_none_is_dropped_silently(client, base):
    b, anna, room, svc, me = base
    second = (b.starts_at.astimezone(LONDON) + timedelta(weeks=8)).astimezone(UTC)
    factories.booking(factories.user(), anna, room, svc, second)  # taken
    third_day = (b.starts_at.astimezone(LONDON) + timedelta(weeks=12)).date()
    db.session.add(TimeOff(therapist_id=anna.id,
                           starts_at=at(third_day - timedelta(days=4), "00:00"),
                           ends_at=at(third_day + timedelta(days=4), "00:00")))  # fmt: skip
    db.session.commit()
    page = client.get(f"/bookings/{b.id}/series?every=4&visits=3").get_data(as_text=True)
    assert "As wanted" in page and "the nearest free time" in page and "Not bookable" in page
    seen = chosen(page)
    assert seen[2] == "" and seen[1] not in ("", second.isoformat())
    client.post(f"/bookings/{b.id}/series", data={"every": "4", "visits": "3", "chosen": seen})
    mine = [x for x in booked() if x.client_id == me.id]
    assert len(mine) == 3  # the first, plus two of three; the third was reported, not booked
    assert abs(mine[2].starts_at - second) <= timedelta(days=3)


def test_a_change_since_the_preview_shows_the_series_again(client, base):
    b, anna, room, svc, me = base
    page = client.get(f"/bookings/{b.id}/series?every=4&visits=2").get_data(as_text=True)
    seen = chosen(page)
    factories.booking(factories.user(), anna, room, svc, datetime.fromisoformat(seen[0]))
    reply = client.post(f"/bookings/{b.id}/series",
                        data={"every": "4", "visits": "2", "chosen": seen},
                        follow_redirects=True)  # fmt: skip
    assert "checked now" in reply.get_data(as_text=True)
    assert [x.client_id for x in booked()].count(me.id) == 1  # nothing booked


@pytest.mark.parametrize(
    "every,visits,message",
    [("3", "2", "every 4, 5 or 6 weeks"), ("4", "0", "between 1 and 12"),
     ("4", "100", "between 1 and 12"), ("x", "2", "every 4, 5 or 6 weeks")],
)  # fmt: skip
def test_bad_series_terms_are_refused(client, base, every, visits, message):
    b, *_ = base
    reply = client.post(f"/bookings/{b.id}/series", data={"every": every, "visits": visits},
                        follow_redirects=True)  # fmt: skip
    assert message in reply.get_data(as_text=True)
    assert len(booked()) == 1


def test_the_same_local_time_across_a_clock_change(client, app):
    factories.settings(horizon_days=365)
    svc, (anna,), (room,) = factories.spa()
    me = factories.user()
    winter = at(date(2027, 3, 10), "10:00")  # a Wednesday in GMT
    b = factories.booking(me, anna, room, svc, winter)
    factories.login(client, me)
    page = client.get(f"/bookings/{b.id}/series?every=4&visits=1").get_data(as_text=True)
    (spring,) = chosen(page)
    moved = datetime.fromisoformat(spring)
    assert moved.astimezone(LONDON).strftime("%Y-%m-%d %H:%M") == "2027-04-07 10:00"
    assert moved.hour == 9  # in UTC: British Summer Time


def test_staff_repeat_for_a_client_and_others_may_not(client, base):
    b, anna, *_ = base
    client.post("/logout")
    factories.login(client, anna.user)  # the therapist only reads
    assert client.get(f"/bookings/{b.id}/series?every=4&visits=2").status_code == 404
    client.post("/logout")
    factories.login(client, factories.user(Role.STAFF))
    page = client.get(f"/bookings/{b.id}/series?every=5&visits=2").get_data(as_text=True)
    reply = client.post(f"/bookings/{b.id}/series",
                        data={"every": "5", "visits": "2", "chosen": chosen(page)})  # fmt: skip
    assert reply.status_code == 302 and len(booked()) == 3


def test_a_time_the_client_already_has_is_not_booked_twice(client, base):
    """One visit at a time: an occurrence at the time of another visit of theirs (with Ben,
    say, booked before) is not bookable; a nearest free time never lands on one either."""
    b, anna, room, svc, me = base
    ben = factories.therapist(services=[svc])
    first_wall = b.starts_at.astimezone(LONDON)
    first = (first_wall + timedelta(weeks=4)).astimezone(UTC)
    own = factories.booking(me, ben, factories.room(), svc, first)
    # The second time is taken with Anna; 09:00 and 11:00 are nearest, but 09:00 is theirs.
    second = (first_wall + timedelta(weeks=8)).astimezone(UTC)
    factories.booking(factories.user(), anna, room, svc, second)
    factories.booking(me, ben, factories.room(), svc, second - timedelta(hours=1))
    page = client.get(f"/bookings/{b.id}/series?every=4&visits=3").get_data(as_text=True)
    assert "you already have" in page and f'href="/bookings/{own.id}"' in page
    seen = chosen(page)
    assert seen[0] == "" and seen[1] == (second + timedelta(hours=1)).isoformat()
    client.post(f"/bookings/{b.id}/series", data={"every": "4", "visits": "3", "chosen": seen})
    mine = sorted(x.starts_at for x in booked() if x.client_id == me.id)
    assert mine.count(first) == 1 and len(mine) == 1 + 1 + 1 + 2  # base, own two, two new


def test_a_visit_booked_elsewhere_meanwhile_stops_the_series_with_its_name(
    client, base, monkeypatch
):
    """Between the check and the booking (a race the preview cannot see): the client's new
    visit is named, nothing of the series is kept, and the series is shown again."""
    from spa_app.booking import series

    b, anna, room, svc, me = base
    ben = factories.therapist(services=[svc])
    page = client.get(f"/bookings/{b.id}/series?every=4&visits=2").get_data(as_text=True)
    seen = chosen(page)
    factories.booking(me, ben, factories.room(), svc, datetime.fromisoformat(seen[1]))
    monkeypatch.setattr(series, "client_visits", lambda *args: [])  # the check saw nothing
    reply = client.post(f"/bookings/{b.id}/series",
                        data={"every": "4", "visits": "2", "chosen": seen},
                        follow_redirects=True)  # fmt: skip
    html = reply.get_data(as_text=True)
    assert "You already have a visit at that time" in html and "checked now" in html
    assert [x.client_id for x in booked()].count(me.id) == 2  # the base and the new one only
