"""Staff book for phone and walk-in clients, and see the day's bookings."""

from __future__ import annotations

from datetime import date

import pytest

from spa_app.accounts.models import Role, User
from spa_app.booking.models import Booking
from spa_app.extensions import db
from spa_app.notifications.models import Message
from tests import factories
from tests.factories import at


@pytest.fixture
def desk(app, client):
    svc, (anna, _), _ = factories.spa(therapists=2, rooms=2)
    factories.login(client, factories.user(Role.STAFF))
    return svc, anna, factories.next_weekday(2)


def post(client, svc, day, hhmm="10:00", **fields):
    data = {
        "client_email": "walkin@example.com",
        "client_name": "Walk In",
        "service": svc.id,
        "therapist": "any",
        "date": day.isoformat(),
        "time": hhmm,
        "request_key": "desk-key-1234567890",
    }
    data.update(fields)
    return client.post("/staff/bookings/new", data=data)


def bookings():
    factories.fresh()
    return db.session.execute(db.select(Booking)).scalars().all()


def test_staff_book_a_new_walk_in_client(client, desk):
    svc, _, day = desk
    reply = post(client, svc, day)
    assert reply.status_code == 302
    (b,) = bookings()
    assert b.starts_at == at(day, "10:00")
    walk_in = db.session.get(User, b.client_id)
    assert (walk_in.name, walk_in.role, walk_in.password_hash) == ("Walk In", Role.CLIENT, None)
    listing = client.get(f"/staff/bookings/?date={day}").get_data(as_text=True)
    assert "Walk In" in listing and "10:00" in listing
    # The confirmation tells the client who booked it for them.
    (confirmation,) = db.session.execute(db.select(Message)).scalars()
    assert confirmation.changed_by == "staff" and confirmation.user_id == walk_in.id


def test_staff_book_an_existing_client_by_email(client, desk):
    svc, anna, day = desk
    known = factories.user(name="Known Client")
    assert (
        post(
            client,
            svc,
            day,
            client_email=known.email.upper(),
            client_name="",
            therapist=str(anna.id),
        ).status_code
        == 302
    )
    (b,) = bookings()
    assert (b.client_id, b.therapist_id) == (known.id, anna.id)


def test_an_unknown_email_without_a_name_asks_for_one(client, desk):
    svc, _, day = desk
    reply = post(client, svc, day, client_name="")
    assert "give a name" in reply.get_data(as_text=True) and bookings() == []


def test_a_staff_or_therapist_login_cannot_be_booked_as_a_client(client, desk):
    svc, anna, day = desk
    reply = post(client, svc, day, client_email=anna.user.email)
    assert "belongs to a staff or therapist" in reply.get_data(as_text=True)
    assert bookings() == []


def test_a_taken_time_is_409_with_nothing_half_saved(client, desk):
    svc, anna, day = desk
    post(client, svc, day, therapist=str(anna.id), client_email="first@example.com")
    reply = post(
        client,
        svc,
        day,
        therapist=str(anna.id),
        request_key="another-key-12345678",
        client_email="second@example.com",
        client_name="Second",
    )
    assert reply.status_code == 409 and "not free" in reply.get_data(as_text=True)
    assert len(bookings()) == 1
    assert (
        db.session.execute(db.select(User).where(User.email == "second@example.com")).first()
        is None
    )


def test_a_dst_gap_time_is_explained(client, desk):
    svc, _, _ = desk
    factories.settings(horizon_days=365)
    sunday = date(2027, 3, 28)
    reply = post(client, svc, sunday, hhmm="01:30")
    assert "does not exist" in reply.get_data(as_text=True) and bookings() == []


@pytest.mark.parametrize(
    "fields,message",
    [
        ({"client_email": "a@b.c\r\nBcc: x@y.z"}, "Invalid email"),
        ({"client_name": "Eve\nMallory"}, "single line"),
        ({"service": "99999999999"}, "Not a valid choice"),
        ({"therapist": "-1"}, "Not a valid choice"),
        ({"date": "2026-02-30"}, "Not a valid date"),
        ({"time": "25:00"}, "Not a valid time"),
    ],
)
def test_bad_input_re_renders_with_a_message(client, desk, fields, message):
    svc, _, day = desk
    reply = post(client, svc, day, **fields)
    assert reply.status_code == 200 and message in reply.get_data(as_text=True)
    assert bookings() == []


def test_the_day_list_survives_a_bad_date(client, desk):
    reply = client.get("/staff/bookings/?date=yesterday")
    assert reply.status_code == 200 and "not a date" in reply.get_data(as_text=True)


def test_staff_find_a_client_by_name_and_book_for_them(client, desk):
    svc, _, day = desk
    known = factories.user(name="Priya Patel", email="priya@example.com")
    factories.user(name="Someone Else")
    page = client.get("/staff/bookings/new?find=patel").get_data(as_text=True)
    assert "Priya Patel" in page and "Someone Else" not in page
    assert f"/staff/bookings/new?client_id={known.id}" in page
    chosen = client.get(f"/staff/bookings/new?client_id={known.id}").get_data(as_text=True)
    hidden = f'name="client_id" type="hidden" value="{known.id}"'
    assert "Priya Patel" in chosen and hidden in chosen
    # A link with the e-mail (the rebook-due list's) chooses her too; an unknown one is typed in.
    by_email = client.get("/staff/bookings/new?client=PRIYA@example.com").get_data(as_text=True)
    assert hidden in by_email
    unknown = client.get("/staff/bookings/new?client=new@example.com").get_data(as_text=True)
    assert 'value="new@example.com"' in unknown
    assert post(client, svc, day, client_email=known.email, client_name="").status_code == 302
    (b,) = bookings()
    assert b.client_id == known.id


def test_a_search_with_no_match_says_so(client, desk):
    page = client.get("/staff/bookings/new?find=" + "%3Cb%3E" * 3).get_data(as_text=True)
    assert "No client matches" in page and "<b><b>" not in page


def test_search_wildcards_are_literal(client, desk):
    factories.user(name="Priya Patel")
    page = client.get("/staff/bookings/new?find=%25").get_data(as_text=True)
    assert "No client matches" in page and "Priya Patel" not in page
