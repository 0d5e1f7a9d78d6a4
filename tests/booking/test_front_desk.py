"""Quick-booking at the front desk: the calendar cell's therapist, room, day and time kept
through the client search (by name, e-mail or phone), clients without e-mail, the room chosen,
any free minute, nearby times that book in one click, and back to the calendar's day."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest

from spa_app.accounts import service as accounts
from spa_app.accounts.models import NO_EMAIL_DOMAIN, Role, User, no_email_address
from spa_app.booking.models import Booking
from spa_app.extensions import db
from spa_app.notifications import delivery, tasks
from spa_app.notifications.models import Message, MessageState
from tests import factories
from tests.factories import at


@pytest.fixture
def desk(app, client):
    """Two therapists and two rooms; staff logged in; a Wednesday to book on."""
    svc, therapists, rooms = factories.spa(therapists=2, rooms=2)
    factories.login(client, factories.user(Role.STAFF))
    return svc, therapists, rooms, factories.next_weekday(2)


def a_client(name: str, phone: str | None = None, email: str | None = None) -> User:
    """A client the desk knows; without ``email``, one who has none (a placeholder address)."""
    person = factories.user(name=name, email=email or no_email_address())
    person.phone = phone
    db.session.commit()
    return person


def post(client, svc, day, hhmm="10:00", **fields):
    data = {
        "client_email": "",
        "client_name": "",
        "client_phone": "",
        "service": svc.id,
        "therapist": "any",
        "room": "any",
        "date": day.isoformat(),
        "time": hhmm,
        "request_key": "desk-key-1234567890",
    }
    data.update(fields)
    return client.post("/staff/bookings/new", data=data)


def bookings() -> list[Booking]:
    factories.fresh()
    return list(db.session.scalars(db.select(Booking).order_by(Booking.id)))


def clients() -> list[User]:
    factories.fresh()
    return list(db.session.scalars(db.select(User).where(User.role == Role.CLIENT)))


def links(page: str, text: str) -> list[dict]:
    """The query of every link on ``page`` whose aria-label starts with ``text``."""
    found = re.findall(rf'href="([^"]+)" aria-label="{re.escape(text)}', page)
    return [parse_qs(urlsplit(href.replace("&amp;", "&")).query) for href in found]


# Searching ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed", ["07700 900123", "07700900123", "07700-900-123", "(07700) 900123", "900 123"]
)
def test_a_client_is_found_by_phone_however_it_is_written(app, typed):
    pat = a_client("Pat Phone", "07700 900 123")
    a_client("Other Person", "020 7946 0000")
    assert [c.id for c in accounts.search_clients(typed)] == [pat.id]


def test_a_leading_plus_is_ignored_and_stored_numbers_may_have_brackets(app):
    abroad = a_client("Ana Abroad", "+34 (91) 123-4567")
    assert [c.id for c in accounts.search_clients("+34911234567")] == [abroad.id]
    assert [c.id for c in accounts.search_clients("91 123 4567")] == [abroad.id]


def test_a_national_number_finds_the_same_number_saved_with_its_country_code(app):
    ian = a_client("Ian Intl", "+44 7700 900555")
    a_client("Other Person", "020 7946 0000")
    assert [c.id for c in accounts.search_clients("07700 900555")] == [ian.id]
    assert accounts.search_clients("+07700 900555") == []  # a + means: digits as typed


def test_search_by_name_or_email_and_never_a_deleted_client(app):
    priya = a_client("Priya Patel", email="priya@example.com")
    gone = a_client("Priya Gone", "07700 900123")
    gone.email = f"deleted-{gone.id}@deleted.invalid"
    db.session.commit()
    assert [c.id for c in accounts.search_clients("PRIYA")] == [priya.id]
    assert [c.id for c in accounts.search_clients("priya@exa")] == [priya.id]
    assert accounts.search_clients("07700 900123") == []
    assert accounts.search_clients("deleted") == []


def test_wildcards_are_literal_and_a_placeholder_address_is_not_searched(app):
    a_client("Percent Person", "0123 456789")
    accounts.client_for_booking(email=None, name="No Mail", phone="0999 111222")
    db.session.commit()
    assert accounts.search_clients("%") == [] and accounts.search_clients("_") == []
    assert accounts.search_clients("no-email") == [] and accounts.search_clients("invalid") == []
    # Two digits are part of too many numbers to be a phone search; nobody's name has them.
    assert accounts.search_clients("12") == []


# The cell kept through the search ----------------------------------------------------------


def test_the_cells_fields_survive_the_search_and_a_found_clients_link(client, desk):
    svc, (anna, _), (_, second), day = desk
    pat = a_client("Pat Phone", "07700 900123")
    cell = f"therapist={anna.id}&room={second.id}&date={day}&time=10:00"
    page = client.get(f"/staff/bookings/new?{cell}").get_data(as_text=True)
    # The search form carries the cell's fields as hidden inputs.
    start = page.index('role="search"')
    search = page[start : page.index("</form>", start)]
    for name, value in [
        ("therapist", anna.id),
        ("room", second.id),
        ("date", day),
        ("time", "10:00"),
    ]:
        assert f'name="{name}" value="{value}"' in search
    found = client.get(f"/staff/bookings/new?{cell}&find=07700+900123").get_data(as_text=True)
    (query,) = links(found, "Book for Pat Phone")
    assert query == {
        "client_id": [str(pat.id)],
        "therapist": [str(anna.id)],
        "room": [str(second.id)],
        "date": [day.isoformat()],
        "time": ["10:00"],
    }
    # Following it: the client chosen and every field of the cell still set.
    chosen = client.get(f"/staff/bookings/new?{cell}&client_id={pat.id}").get_data(as_text=True)
    assert "Pat Phone</strong>, 07700 900123, no e-mail" in chosen
    assert f'<option selected value="{anna.id}">' in chosen
    assert f'<option selected value="{second.id}">' in chosen
    assert f'value="{day.isoformat()}"' in chosen and 'value="10:00"' in chosen
    assert 'name="client_email"' not in chosen  # nothing more to type about the client


def test_a_room_from_the_rooms_view_is_prefilled(client, desk):
    _, _, (_, second), day = desk
    page = client.get(f"/staff/bookings/new?room={second.id}&date={day}&time=10:00")
    assert f'<option selected value="{second.id}">' in page.get_data(as_text=True)


def test_booking_a_found_client_goes_back_to_the_calendar_day(client, desk):
    svc, (anna, _), (_, second), day = desk
    pat = a_client("Pat Phone", "07700 900123", email="pat@example.com")
    reply = post(client, svc, day, client_id=pat.id, therapist=anna.id, room=second.id)
    assert reply.status_code == 302
    assert reply.headers["Location"] == f"/staff/calendar?date={day.isoformat()}"
    (b,) = bookings()
    assert (b.client_id, b.therapist_id, b.room_id) == (pat.id, anna.id, second.id)
    calendar = client.get(reply.headers["Location"]).get_data(as_text=True)
    assert f"Booked Pat Phone for {svc.name}." in calendar
    assert "No e-mail on file" not in calendar


# Clients without e-mail --------------------------------------------------------------------


def test_a_new_client_with_a_name_and_a_phone_only_is_booked_and_never_mailed(client, desk, smtp):
    svc, _, _, day = desk
    reply = post(client, svc, day, client_name="Pat Phone", client_phone="07700 900123")
    assert reply.status_code == 302
    (pat,) = clients()
    assert pat.email.endswith("@" + NO_EMAIL_DOMAIN) and not pat.has_email
    assert (pat.name, pat.phone, pat.password_hash) == ("Pat Phone", "07700 900123", None)
    calendar = client.get(reply.headers["Location"]).get_data(as_text=True)
    assert "No e-mail on file: tell them the time by phone." in calendar
    (b,) = bookings()
    visit = client.get(f"/bookings/{b.id}").get_data(as_text=True)
    assert re.search(r"Pat Phone(</a>)? \(no e-mail\)", visit)  # the name may link to the record
    # The confirmation is queued like anyone's, and the real send task drops it.
    (confirmation,) = db.session.scalars(db.select(Message))
    app = client.application
    app.config["MAIL_PORT"] = smtp.port
    [(message_id, token)] = delivery.dispatch_due(datetime.now(UTC))
    db.session.commit()
    assert tasks.send_message(message_id, token.isoformat()) == "dropped"
    factories.fresh()
    message = db.session.get(Message, confirmation.id)
    assert message.state is MessageState.DROPPED
    assert [(a.outcome, a.detail) for a in message.history] == [("dropped", "no e-mail address")]
    assert smtp.received == []


def test_a_client_with_an_email_is_still_mailed_by_the_send_task(client, desk, smtp):
    svc, _, _, day = desk
    reply = post(client, svc, day, client_email="walkin@example.com", client_name="Walk In")
    assert reply.status_code == 302, reply.get_data(as_text=True)
    app = client.application
    app.config["MAIL_PORT"] = smtp.port
    factories.fresh()
    [(message_id, token)] = delivery.dispatch_due(datetime.now(UTC))
    db.session.commit()
    assert tasks.send_message(message_id, token.isoformat()) == "sent"
    assert len(smtp.received) == 1


@pytest.mark.parametrize(
    "fields,field,message",
    [
        ({"client_name": "Nobody"}, "client_phone", "Give the client&#39;s e-mail or phone"),
        ({"client_phone": "07700 900123"}, "client_name", "Give the new client&#39;s name."),
        ({"client_email": "new@example.com"}, "client_name", "give a name to add them"),
        ({"client_id": "999999"}, "client_id", "can no longer be booked"),
        ({"client_id": "abc"}, "client_id", "Invalid input"),
    ],
)
def test_missing_client_details_say_what_is_missing_and_save_nothing(
    client, desk, fields, field, message
):
    svc, _, _, day = desk
    reply = post(client, svc, day, **fields)
    page = reply.get_data(as_text=True)
    assert reply.status_code == 200 and message in page
    assert bookings() == [] and clients() == []


# Rooms, minutes and nearby times -----------------------------------------------------------


@pytest.mark.parametrize("which", ["unknown", "closed", "not for the service"])
def test_a_room_that_cannot_be_had_is_a_clear_message_and_nothing_saved(client, desk, which):
    svc, _, (first, second), day = desk
    factories.fresh()
    if which == "closed":
        db.session.get(type(second), second.id).active = False
    if which == "not for the service":
        db.session.get(type(svc), svc.id).rooms = [db.session.get(type(first), first.id)]
    db.session.commit()
    room = "999999" if which == "unknown" else str(second.id)
    reply = post(client, svc, day, client_name="Walk In", client_phone="0123 456789", room=room)
    page = reply.get_data(as_text=True)
    expected = {
        "unknown": "There is no such room",
        "closed": f"{second.name} is closed for bookings",
        "not for the service": f"{svc.name} does not use {second.name}",
    }[which]
    assert reply.status_code == 200 and expected in page
    assert bookings() == [] and clients() == []


def test_a_room_that_is_not_an_id_is_refused(client, desk):
    svc, _, _, day = desk
    reply = post(client, svc, day, client_name="Walk In", client_phone="0123", room="ab")
    assert "Unknown choice" in reply.get_data(as_text=True) and bookings() == []


def test_the_desk_books_an_off_grid_minute_that_is_free(client, desk):
    svc, (anna, _), _, day = desk
    reply = post(
        client, svc, day, "10:10", client_name="Walk In", client_phone="0123", therapist=anna.id
    )
    assert reply.status_code == 302
    (b,) = bookings()
    assert b.starts_at == at(day, "10:10")


def test_a_taken_time_offers_nearby_times_that_name_and_book_the_therapist(client, desk):
    svc, (anna, ben), (first, second), day = desk
    factories.booking(factories.user(), anna, first, svc, at(day, "10:00"))
    factories.booking(factories.user(), ben, second, svc, at(day, "10:00"))
    typed = {"client_name": "Walk In", "client_phone": "0123 456789"}
    reply = post(client, svc, day, therapist=anna.id, **typed)
    page = reply.get_data(as_text=True)
    assert reply.status_code == 409 and "not free" in page
    buttons = re.findall(
        r'form="book-form" name="alternative" value="([^"]+)" aria-label="([^"]+)"', page
    )
    assert buttons, page
    # Anna asked for: every nearby time is hers, and says so.
    assert all(value.endswith(f"|{anna.id}") for value, _ in buttons)
    assert all(label.endswith(f"with {anna.display_name}") for _, label in buttons)
    value, label = next((v, lab) for v, lab in buttons if v.endswith(f"T11:00|{anna.id}"))
    on = at(day, "11:00").astimezone(factories.LONDON)
    assert label == f"Book {on:%a %-d %b}, 11:00 with {anna.display_name}"
    # Clicking one books that time with her, the client's details as typed.
    booked = post(client, svc, day, therapist="any", alternative=value, **typed)
    assert booked.status_code == 302
    *_, b = bookings()
    assert (b.therapist_id, b.starts_at) == (anna.id, at(day, "11:00"))
    assert db.session.get(User, b.client_id).name == "Walk In"


def test_any_therapist_nearby_times_offer_each_therapist_free(client, desk):
    svc, (anna, ben), (first, second), day = desk
    factories.booking(factories.user(), anna, first, svc, at(day, "10:00"))
    factories.booking(factories.user(), ben, second, svc, at(day, "10:00"))
    page = post(client, svc, day, client_name="Walk In", client_phone="0123").get_data(as_text=True)
    eleven = [v for v in re.findall(r'name="alternative" value="([^"]+)"', page) if "T11:00" in v]
    assert sorted(eleven) == sorted(f"{day.isoformat()}T11:00|{t.id}" for t in (anna, ben))


def test_a_forged_alternative_is_ignored(client, desk):
    svc, _, _, day = desk
    reply = post(client, svc, day, client_name="Walk In", client_phone="0123", alternative="x|y")
    assert reply.status_code == 302
    (b,) = bookings()
    assert b.starts_at == at(day, "10:00")
