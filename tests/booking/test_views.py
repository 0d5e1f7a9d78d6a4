"""The client's booking journey through the test client, with bad input and access rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import pytest

from spa_app.accounts.models import Role
from spa_app.booking.models import Booking, BookingStatus
from spa_app.extensions import db
from tests import factories
from tests.factories import at


@pytest.fixture
def spa(app):
    svc, therapists, rooms = factories.spa(therapists=2, rooms=2)
    return svc, therapists, factories.next_weekday(0)


def confirm(client, svc, start, therapist="any", key="a" * 24):
    return client.post(
        f"/book/{svc.id}/confirm",
        data={"start": start.isoformat(), "therapist": therapist, "request_key": key},
    )


def bookings():
    factories.fresh()
    return db.session.execute(db.select(Booking)).scalars().all()


def test_a_visitor_picks_a_time_signs_up_and_books(client, spa):
    svc, (anna, _), monday = spa
    page = client.get(f"/book/{svc.id}?therapist={anna.id}&date={monday}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "09:00" in html and anna.display_name in html
    query = urlencode({"start": at(monday, "09:00").isoformat(), "therapist": anna.id})
    confirm_url = f"/book/{svc.id}/confirm?{query}"
    assert f"/book/{svc.id}/confirm?start=" in html

    to_login = client.get(confirm_url)
    assert to_login.status_code == 302 and "/login?next=" in to_login.location

    signup = client.post(
        "/register?next=x",
        data={
            "name": "Dana",
            "email": "dana@example.com",
            "password": "long-enough-pw",
            "confirm": "long-enough-pw",
            "next": confirm_url,
        },
    )
    assert signup.status_code == 302 and signup.location == confirm_url
    page = client.get(confirm_url)
    assert page.status_code == 200 and "Confirm booking" in page.get_data(as_text=True)

    done = confirm(client, svc, at(monday, "09:00"), str(anna.id))
    assert done.status_code == 302
    (booking,) = bookings()
    assert done.location == f"/bookings/{booking.id}"
    mine = client.get("/bookings").get_data(as_text=True)
    assert svc.name in mine and "View, move or cancel" in mine


def test_a_taken_time_answers_409_with_fresh_alternatives(client, spa):
    svc, (anna, _), monday = spa
    factories.booking(factories.user(), anna, factories.room(), svc, at(monday, "09:00"))
    factories.login(client, factories.user())
    refused = confirm(client, svc, at(monday, "09:00"), str(anna.id))
    assert refused.status_code == 409
    html = refused.get_data(as_text=True)
    assert "not free" in html and "10:00" in html
    assert len(bookings()) == 1


def test_a_double_submit_makes_one_booking(client, spa):
    svc, _, monday = spa
    factories.login(client, factories.user())
    first = confirm(client, svc, at(monday, "09:00"), key="same-key-123456789")
    second = confirm(client, svc, at(monday, "09:00"), key="same-key-123456789")
    assert first.status_code == second.status_code == 302
    assert first.location == second.location and len(bookings()) == 1


@pytest.mark.parametrize(
    "query,message",
    [
        ("date=2020-01-01", "That day has passed."),
        ("date=2099-01-01", "We take bookings up to 90 days ahead – the last day you can book"),
        ("date=not-a-date", "Not a valid date"),
        ("therapist=999999&date={monday}", "Not a valid choice"),
        ("therapist=99999999999999999999", "Not a valid choice"),
    ],
)
def test_bad_searches_explain_themselves(client, spa, query, message):
    svc, _, monday = spa
    page = client.get(f"/book/{svc.id}?" + query.format(monday=monday))
    assert page.status_code == 200
    assert message in page.get_data(as_text=True)


@pytest.mark.parametrize(
    "url",
    [
        "/book/999",
        "/book/99999999999999",
        "/book/-1",
        "/book/0",
        "/bookings/99999999999",
        "/api/availability?service=99",
    ],
)
def test_unknown_or_impossible_ids_are_404(client, spa, url):
    factories.login(client, factories.user())
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("start", ["", "garbage", "2026-13-01T09:00", "2030-01-01T09:00:00"])
def test_a_malformed_confirm_changes_nothing(client, spa, start):
    svc, _, _ = spa
    factories.login(client, factories.user())
    reply = client.post(
        f"/book/{svc.id}/confirm",
        data={"start": start, "therapist": "any", "request_key": "k" * 20},
    )
    assert reply.status_code == 302 and bookings() == []


@pytest.mark.parametrize("when", ["past", "off-step", "night", "far"])
def test_times_that_are_not_free_slots_are_refused(client, spa, when):
    svc, _, monday = spa
    start = {
        "past": at(monday, "09:00") - timedelta(days=60),
        "off-step": at(monday, "09:07"),
        "night": at(monday, "23:00"),
        "far": at(monday, "09:00") + timedelta(days=400),
    }[when]
    factories.login(client, factories.user())
    assert confirm(client, svc, start).status_code == 409
    assert bookings() == []


def test_a_dst_gap_time_is_not_a_slot(client, spa):
    svc, _, _ = spa
    factories.settings(horizon_days=365)
    gap = datetime(2027, 3, 28, 1, 30)  # 01:30 never happens in London that day
    factories.login(client, factories.user())
    start = gap.replace(tzinfo=UTC)  # any instant near the gap: not inside working hours
    assert confirm(client, svc, start).status_code == 409


def test_cancel_and_move_within_the_policy(client, spa):
    svc, (anna, ben), monday = spa
    me = factories.user()
    factories.login(client, me)
    confirm(client, svc, at(monday, "09:00"), str(anna.id))
    (b,) = bookings()
    page = client.get(f"/bookings/{b.id}/move?therapist={ben.id}&date={monday}")
    assert page.status_code == 200 and "Move to" in page.get_data(as_text=True)
    query = urlencode({"start": at(monday, "11:00").isoformat(), "therapist": ben.id})
    step = client.get(f"/bookings/{b.id}/move/confirm?{query}").get_data(as_text=True)
    assert "Move from Mon " in step and "to Mon " in step and "Confirm move" in step
    factories.fresh()
    assert b.starts_at == at(monday, "09:00")  # looking changes nothing
    moved = client.post(
        f"/bookings/{b.id}/move?date={monday}",
        data={"start": at(monday, "11:00").isoformat(), "therapist": str(ben.id)},
    )
    assert moved.status_code == 302
    factories.fresh()
    assert (b.starts_at, b.therapist_id) == (at(monday, "11:00"), ben.id)
    cancelled = client.post(f"/bookings/{b.id}/cancel", data={"reason": "Travelling"})
    assert cancelled.status_code == 302
    factories.fresh()
    assert b.status is BookingStatus.CANCELLED


def test_inside_the_window_the_client_is_told_why_not(client, app):
    svc, (t,), (r,) = factories.spa()
    me = factories.user()
    soon = datetime.now(UTC) + timedelta(hours=3)
    b = factories.booking(me, t, r, svc, soon)
    b.created_at = datetime.now(UTC) - timedelta(hours=1)  # the grace period is long gone
    db.session.commit()
    factories.login(client, me)
    page = client.get(f"/bookings/{b.id}").get_data(as_text=True)
    assert "Online changes close 24 hours before" in page and "Cancel this visit" not in page
    assert client.get(f"/bookings/{b.id}/cancel").status_code == 302
    refused = client.post(f"/bookings/{b.id}/cancel", data={}, follow_redirects=True)
    assert "Online changes close 24 hours" in refused.get_data(as_text=True)
    factories.fresh()
    assert b.status is BookingStatus.BOOKED
    assert client.post(f"/bookings/{b.id}/move", data={}).status_code == 302
    factories.fresh()
    assert b.starts_at == soon


def test_notes_and_names_are_escaped(client, spa):
    svc, (anna, _), monday = spa
    me = factories.user(name="<script>alert(1)</script>")
    factories.login(client, me)
    confirm(client, svc, at(monday, "09:00"), str(anna.id))
    (b,) = bookings()
    client.post(f"/bookings/{b.id}/cancel", data={"reason": "<b>bold</b>"})
    staff = factories.user(Role.STAFF)
    client.post("/logout")
    factories.login(client, staff)
    html = client.get(f"/bookings/{b.id}").get_data(as_text=True)
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    assert "<b>bold</b>" not in html


def test_a_long_reason_is_refused_and_a_megabyte_is_never_read(client, spa):
    svc, (anna, _), monday = spa
    factories.login(client, factories.user())
    confirm(client, svc, at(monday, "09:00"), str(anna.id))
    (b,) = bookings()
    reply = client.post(
        f"/bookings/{b.id}/cancel", data={"reason": "x" * 100_000}, follow_redirects=True
    )
    assert reply.status_code == 200 and "480 characters at most" in reply.get_data(as_text=True)
    huge = client.post(f"/bookings/{b.id}/cancel", data={"reason": "x" * 1_000_000})
    assert huge.status_code == 413 and "Nothing was saved" in huge.get_data(as_text=True)
    factories.fresh()
    assert b.status is BookingStatus.BOOKED


@pytest.mark.postgres
def test_the_longest_staff_reason_fits_its_column_on_postgresql(pg_client):
    """'staff: ' + the longest reason the form takes must fit VARCHAR(500) (no 500 error)."""
    svc, (anna,), (room,) = factories.spa()
    start = at(factories.next_weekday(2), "10:00")
    b = factories.booking(factories.user(), anna, room, svc, start)
    factories.login(pg_client, factories.user(Role.STAFF))
    too_long = pg_client.post(f"/bookings/{b.id}/cancel", data={"reason": "x" * 481})
    assert too_long.status_code == 302
    factories.fresh()
    assert db.session.get(Booking, b.id).status is BookingStatus.BOOKED
    longest = pg_client.post(f"/bookings/{b.id}/cancel", data={"reason": "x" * 480})
    assert longest.status_code == 302
    factories.fresh()
    cancelled = db.session.get(Booking, b.id)
    assert cancelled.status is BookingStatus.CANCELLED
    assert cancelled.cancel_reason == "staff: " + "x" * 480


@pytest.mark.postgres
def test_a_nul_in_the_reason_is_refused_on_postgresql(pg_client):
    """PostgreSQL cannot store NUL in text: the form refuses it instead of a 500."""
    svc, (anna,), (room,) = factories.spa()
    start = at(factories.next_weekday(2), "10:00")
    b = factories.booking(factories.user(), anna, room, svc, start)
    factories.login(pg_client, factories.user(Role.STAFF))
    for field in ("reason", "note_to_client"):
        reply = pg_client.post(
            f"/bookings/{b.id}/cancel", data={field: "away\x00"}, follow_redirects=True
        )
        assert reply.status_code == 200 and "plain text" in reply.get_data(as_text=True)
    factories.fresh()
    assert db.session.get(Booking, b.id).status is BookingStatus.BOOKED


def test_api_rejects_bad_queries_with_reasons(client, spa):
    svc, _, monday = spa
    cases = {
        "service=abc": "'service' must be a positive id",
        f"service={svc.id}&therapist=x": "'therapist'",
        f"service={svc.id}&from=2026-02-30": "'from' must be a date",
        f"service={svc.id}&from={monday}&to={monday - timedelta(days=1)}": "before",
        f"service={svc.id}&from={monday}&to={monday + timedelta(days=40)}": "at most 31",
        f"service={svc.id}&to={monday}": "together",
    }
    for query, reason in cases.items():
        reply = client.get(f"/api/availability?{query}")
        assert reply.status_code == 400 and reason in reply.json["error"], query
    ok = client.get(f"/api/availability?service={svc.id}&from={monday}&to={monday}")
    assert ok.status_code == 200 and ok.json["slots"][0]["start"] == at(monday, "09:00").isoformat()
