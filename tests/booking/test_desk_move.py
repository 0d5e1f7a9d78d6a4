"""The front desk moves a visit into a room it picks (or keeps its own when free) and says
whether the client is e-mailed; the client's own move page offers neither."""

from __future__ import annotations

import re

import pytest

from spa_app.accounts.models import Role, no_email_address
from spa_app.booking.models import Booking
from spa_app.extensions import db
from spa_app.notifications.models import Message, MessageKind
from tests import factories
from tests.factories import at


@pytest.fixture
def visit(app):
    """Mel's visit with Anna in the second room at 10:00 on a Wednesday; a first room too."""
    svc, (anna, ben), (first, second) = factories.spa(therapists=2, rooms=2)
    mel = factories.user(name="Moving Mel")
    day = factories.next_weekday(2)
    booking = factories.booking(mel, anna, second, svc, at(day, "10:00"))
    return booking, svc, anna, ben, first, second, day


@pytest.fixture
def staff(client):
    factories.login(client, factories.user(Role.STAFF))
    return client


def moved(booking_id: int) -> Booking:
    factories.fresh()
    return db.session.get(Booking, booking_id)


def notices() -> list[Message]:
    factories.fresh()
    query = db.select(Message).where(Message.kind == MessageKind.BOOKING_MOVED)
    return list(db.session.scalars(query))


def move(client, booking, start, **fields):
    data = {"start": start.isoformat(), "therapist": "any", **fields}
    return client.post(f"/bookings/{booking.id}/move", data=data)


def test_the_staff_move_page_offers_the_rooms_keeping_its_own_first(staff, visit):
    booking, _svc, _anna, _ben, first, second, _day = visit
    page = staff.get(f"/bookings/{booking.id}/move").get_data(as_text=True)
    assert '<label for="room">Room</label>' in page
    rooms = page[page.index('id="room"') : page.index("</select>", page.index('id="room"'))]
    options = re.findall(r'<option value="([^"]+)"( selected)?>([^<]+)</option>', rooms)
    assert options == [
        ("any", " selected", f"{second.name} if free, else any free room"),
        (str(first.id), "", first.name),
        (str(second.id), "", second.name),
    ]


def test_times_for_a_chosen_room_are_that_rooms_and_carry_it(staff, visit):
    booking, svc, _anna, ben, first, _second, day = visit
    factories.booking(factories.user(), ben, first, svc, at(day, "12:00"))
    page = staff.get(f"/bookings/{booking.id}/move?date={day}&room={first.id}").get_data(
        as_text=True
    )
    starts = re.findall(r"move/confirm\?start=[^&]+T(\d\d:\d\d)[^\"]*room=(\d+)", page)
    assert starts and all(room == str(first.id) for _, room in starts)
    taken = {f"{h:02d}:{m:02d}" for h in (11, 12) for m in (0, 15, 30, 45)} - {"11:00"}
    assert not taken & {hhmm for hhmm, _ in starts}


def test_the_confirm_step_names_the_room_and_asks_to_tell_the_client(staff, visit):
    booking, _svc, _anna, _ben, first, _second, day = visit
    start = at(day, "14:00").isoformat()
    page = staff.get(
        f"/bookings/{booking.id}/move/confirm", query_string={"start": start, "room": first.id}
    ).get_data(as_text=True)
    assert f"<dt>Room</dt><dd>{first.name}" in page
    assert re.search(
        r'<input [^>]*checked id="tell_client" name="tell_client" type="checkbox"', page
    )
    assert 'name="tell_asked" type="hidden" value="1"' in page
    assert f'name="room" type="hidden" value="{first.id}"' in page


def test_staff_move_into_a_room_without_telling_the_client(staff, visit):
    booking, _svc, anna, _ben, first, _second, day = visit
    reply = move(staff, booking, at(day, "14:00"), room=first.id, tell_asked="1")
    assert reply.status_code == 302
    after = moved(booking.id)
    assert (after.room_id, after.therapist_id, after.starts_at) == (
        first.id,
        anna.id,
        at(day, "14:00"),
    )
    assert notices() == []


def test_staff_move_telling_the_client_and_keeping_the_room(staff, visit):
    booking, _svc, _anna, _ben, _first, second, day = visit
    reply = move(staff, booking, at(day, "14:00"), tell_asked="1", tell_client="y")
    assert reply.status_code == 302 and moved(booking.id).room_id == second.id
    assert [m.booking_id for m in notices()] == [booking.id]


def test_a_form_without_the_box_still_tells_the_client(staff, visit):
    booking, *_, day = visit
    assert move(staff, booking, at(day, "14:00")).status_code == 302
    assert len(notices()) == 1


def test_a_room_taken_at_that_time_is_409_and_nothing_moves(staff, visit):
    booking, svc, _anna, ben, first, _second, day = visit
    factories.booking(factories.user(), ben, first, svc, at(day, "14:00"))
    reply = move(staff, booking, at(day, "14:00"), room=first.id, tell_asked="1")
    page = reply.get_data(as_text=True)
    assert reply.status_code == 409 and "not free" in page
    # The page shows the free times in that room on that day, the room still chosen.
    assert f'<option value="{first.id}" selected>' in page
    after = moved(booking.id)
    assert (after.room_id, after.starts_at) == (booking.room_id, at(day, "10:00"))
    assert notices() == []


def test_an_unknown_room_is_a_clear_400(staff, visit):
    booking, *_, day = visit
    reply = move(staff, booking, at(day, "14:00"), room="999999")
    assert reply.status_code == 400 and "There is no such room" in reply.get_data(as_text=True)
    assert moved(booking.id).starts_at == at(day, "10:00")


def test_a_client_without_email_the_desk_is_told_to_phone(staff, visit):
    booking, *_, day = visit
    factories.fresh()
    db.session.get(type(booking.client), booking.client_id).email = no_email_address()
    db.session.commit()
    confirm = staff.get(
        f"/bookings/{booking.id}/move/confirm", query_string={"start": at(day, "14:00").isoformat()}
    ).get_data(as_text=True)
    assert 'name="tell_client"' not in confirm and "No e-mail on file" in confirm
    reply = move(staff, booking, at(day, "14:00"), follow_redirects=False)
    assert reply.status_code == 302
    page = staff.get(reply.headers["Location"]).get_data(as_text=True)
    assert "No e-mail on file: tell them the new time by phone." in page


def test_the_clients_own_move_page_has_no_room_and_no_box(client, visit):
    booking, _svc, _anna, _ben, first, second, day = visit
    mel = db.session.get(type(booking.client), booking.client_id)
    factories.login(client, mel)
    page = client.get(f"/bookings/{booking.id}/move?room={first.id}").get_data(as_text=True)
    assert 'name="room"' not in page and "room=" not in page
    confirm = client.get(
        f"/bookings/{booking.id}/move/confirm",
        query_string={"start": at(day, "14:00").isoformat(), "room": first.id},
    ).get_data(as_text=True)
    assert 'name="tell_client"' not in confirm and f'value="{first.id}"' not in confirm
    # A room posted anyway is not the client's to pick: the visit keeps its own.
    reply = move(client, booking, at(day, "14:00"), room=first.id)
    assert reply.status_code == 302
    after = moved(booking.id)
    assert (after.room_id, after.starts_at) == (second.id, at(day, "14:00"))
    assert len(notices()) == 1
