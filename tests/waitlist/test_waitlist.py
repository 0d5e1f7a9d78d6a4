"""The waitlist: asking for a freed time, hearing of one in join order, and taking it first."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from email import message_from_bytes, policy
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from spa_app.accounts.models import Role
from spa_app.booking import service as booking_service
from spa_app.booking.models import Booking, BookingStatus
from spa_app.database import unit_of_work, utcnow
from spa_app.extensions import db
from spa_app.notifications import delivery, tasks
from spa_app.notifications.models import Message, MessageKind, MessageState
from spa_app.notifications.outbox import is_pointless
from spa_app.waitlist.service import HEAD_START
from tests import factories
from tests.factories import LONDON, at, signed_in
from tests.notifications.conftest import deliver_all, mail_settings
from tests.waitlist.helpers import cancel, entries, join, offers


def offer_messages() -> list[Message]:
    factories.fresh()
    query = sa.select(Message).where(Message.kind == MessageKind.WAITLIST_OFFER)
    return db.session.execute(query.order_by(Message.id)).scalars().all()


def offer_emails(smtp) -> list:
    """The waitlist e-mails the mail server took (the cancelled visit's notice is there too)."""
    parsed = [message_from_bytes(e.content, policy=policy.default) for e in smtp.received]
    return [e for e in parsed if e["Subject"].startswith("A time has freed up")]


@pytest.fixture
def spa(app):
    """Anna and Ben (Mon-Sat 09-18) offer a 60-minute massage in two rooms; a visit with Anna at
    10:00 on a day next week, which its client may cancel."""
    svc, (anna, ben), (room, _) = factories.spa(therapists=2, rooms=2)
    day = factories.next_weekday(2)
    leaving = factories.user(name="Leaving Client")
    visit = factories.booking(leaving, anna, room, svc, at(day, "10:00"))
    return svc, anna, ben, room, day, visit


def test_a_client_joins_the_waitlist_and_sees_it_on_my_bookings(app, client, spa):
    svc, anna, *_, day, _ = spa
    me = factories.user()
    factories.login(client, me)
    page = client.get(f"/waitlist/join/{svc.id}").get_data(as_text=True)
    assert "Join the waitlist" in page and 'name="first_day"' in page
    assert join(client, svc, day, day + timedelta(days=2), anna.id).status_code == 302
    (entry,) = entries()
    assert (entry.client_id, entry.therapist_id, entry.first_day) == (me.id, anna.id, day)
    mine = client.get("/bookings").get_data(as_text=True)
    assert "Waiting for a time" in mine and f"with {anna.display_name}" in mine


def test_joining_again_changes_the_request_and_keeps_the_place(app, client, spa):
    svc, _, ben, *_ = spa
    day = spa[4]
    factories.login(client, factories.user())
    join(client, svc, day, day)
    joined = entries()[0].created_at
    join(client, svc, day, day + timedelta(days=5), ben.id)
    (entry,) = entries()
    assert entry.created_at == joined and entry.therapist_id == ben.id
    assert entry.last_day == day + timedelta(days=5)


@pytest.mark.parametrize(
    ("first", "last", "therapist", "message"),
    [
        (-1, 3, "any", "The first day has passed"),
        (5, 4, "any", "on or after the first day"),
        (1, 91, "any", "up to 90 days ahead"),
        (1, None, "any", "Please give the last day"),
        (1, 3, "999", "Not a valid choice"),
        (1, 3, "<script>", "Not a valid choice"),
    ],
)
def test_bad_requests_are_refused_and_nothing_is_saved(app, client, spa, first, last, therapist,
                                                       message):  # fmt: skip
    svc = spa[0]
    factories.login(client, factories.user())
    today = datetime.now(UTC).astimezone(LONDON).date()
    last_day = str(today + timedelta(days=last)) if last is not None else ""
    data = {"therapist": therapist, "first_day": str(today + timedelta(days=first)),
            "last_day": last_day}  # fmt: skip
    reply = client.post(f"/waitlist/join/{svc.id}", data=data)
    assert reply.status_code == 422
    assert message in reply.get_data(as_text=True)
    assert entries() == []


def test_a_cancelled_visit_is_offered_to_those_waiting_in_the_order_they_joined(app, spa):
    svc, anna, ben, _, day, visit = spa
    waiting = {name: factories.user(name=name) for name in ("First", "Second", "BenOnly",
                                                             "OtherDays", "Third")}  # fmt: skip
    join(signed_in(app, waiting["First"]), svc, day - timedelta(days=1), day + timedelta(days=1))
    join(signed_in(app, waiting["Second"]), svc, day, day, anna.id)
    join(signed_in(app, waiting["BenOnly"]), svc, day, day, ben.id)
    join(signed_in(app, waiting["OtherDays"]), svc, day + timedelta(days=1), day + timedelta(2))
    join(signed_in(app, waiting["Third"]), svc, day, day)
    assert offer_messages() == []
    cancel(app, visit)
    messages = offer_messages()
    assert [m.user.name for m in messages] == ["First", "Second", "Third"]
    assert [o.starts_at for o in offers()] == [visit.starts_at] * 3
    assert {o.therapist_id for o in offers()} == {anna.id}
    gaps = [b.due_at - a.due_at for a, b in zip(messages, messages[1:], strict=False)]
    assert gaps == [HEAD_START, HEAD_START]


def test_the_first_to_take_the_time_gets_it_and_the_next_is_told_it_has_gone(app, spa, smtp):
    svc, anna, _, _, day, visit = spa
    first, second = factories.user(name="First"), factories.user(name="Second")
    first_browser, second_browser = signed_in(app, first), signed_in(app, second)
    join(first_browser, svc, day, day)
    join(second_browser, svc, day, day)
    cancel(app, visit)
    first_offer, second_offer = offers()

    # The first in line hears now; the e-mail tells the time, not who freed it.
    mail = mail_settings(app, smtp.port)
    deliver_all(utcnow(), mail)
    (email,) = offer_emails(smtp)
    text = email.get_body(("plain",)).get_content()
    assert email["To"].addresses[0].addr_spec == first.email
    assert email["Subject"].startswith(f"A time has freed up: {svc.name}")
    assert "10:00" in text and anna.display_name in text
    assert f"/waitlist/offers/{first_offer.id}" in text and "Leaving Client" not in text

    # The second follows the link too, but the first takes the time.
    page = second_browser.get(f"/waitlist/offers/{second_offer.id}").get_data(as_text=True)
    assert "Book this time" in page
    taken = first_browser.post(f"/waitlist/offers/{first_offer.id}")
    assert taken.status_code == 302 and "/bookings/" in taken.location
    gone = second_browser.post(f"/waitlist/offers/{second_offer.id}")
    assert gone.status_code == 409 and "someone booked it first" in gone.get_data(as_text=True)
    assert "You are still on the waitlist" in gone.get_data(as_text=True)

    factories.fresh()
    active = db.session.execute(
        sa.select(Booking).where(Booking.starts_at == visit.starts_at,
                                 Booking.status == BookingStatus.BOOKED)
    ).scalars().all()  # fmt: skip
    assert [b.client_id for b in active] == [first.id]
    closed, still_open = entries()
    assert (closed.closed_why, still_open.closed_at) == ("booked", None)
    # The second's e-mail, due a head start later, is dropped unsent: the time is gone.
    second_message = offer_messages()[1].id
    with unit_of_work():
        leased = dict(delivery.dispatch_due(utcnow() + HEAD_START))
    assert tasks.send_message(second_message, leased[second_message].isoformat()) == "dropped"
    assert offer_messages()[1].state is MessageState.DROPPED


def test_a_second_click_on_a_taken_offer_changes_nothing(app, spa):
    svc, *_, day, visit = spa
    browser = signed_in(app, factories.user())
    join(browser, svc, day, day)
    cancel(app, visit)
    (offer,) = offers()
    assert browser.post(f"/waitlist/offers/{offer.id}").status_code == 302
    assert browser.post(f"/waitlist/offers/{offer.id}").status_code == 302
    factories.fresh()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Booking)) == 2


def test_a_moved_visit_offers_the_time_it_left(app, spa):
    svc, anna, _, _, day, visit = spa
    join(signed_in(app, factories.user()), svc, day, day)
    left = visit.starts_at
    staff = factories.user(Role.STAFF)
    with unit_of_work():
        booking = db.session.get(Booking, visit.id)
        choice = booking_service.Choice(svc.id, at(day + timedelta(days=1), "10:00"), anna.id)
        booking_service.move(booking=booking, choice=choice, actor=staff, now=utcnow())
    (offer,) = offers()
    assert (offer.starts_at, offer.freed_by_id) == (left, visit.id)


def test_a_client_waiting_for_an_earlier_time_has_their_visit_moved(app, spa):
    svc, anna, _, room, day, visit = spa
    me = factories.user()
    mine = factories.booking(me, anna, room, svc, at(day + timedelta(days=7), "10:00"))
    browser = signed_in(app, me)
    page = browser.get(f"/bookings/{mine.id}").get_data(as_text=True)
    assert f"/waitlist/join/{svc.id}?booking={mine.id}" in page
    assert join(browser, svc, day, day + timedelta(days=7), booking=mine).status_code == 302

    # A time after their visit is no news to them; an earlier one is.
    later = factories.booking(
        factories.user(), anna, room, svc, at(day + timedelta(days=8), "10:00")
    )
    cancel(app, later)
    assert offers() == []
    cancel(app, visit)
    (offer,) = offers()
    page = browser.get(f"/waitlist/offers/{offer.id}").get_data(as_text=True)
    assert "Move my visit to this time" in page
    assert browser.post(f"/waitlist/offers/{offer.id}").status_code == 302
    factories.fresh()
    moved = db.session.get(Booking, mine.id)
    assert (moved.starts_at, moved.sequence) == (visit.starts_at, 1)
    assert entries()[0].closed_why == "booked"
    kinds = db.session.scalars(sa.select(Message.kind).where(Message.booking_id == mine.id))
    assert MessageKind.BOOKING_MOVED in set(kinds)


def test_cancelling_the_visit_closes_its_request_for_an_earlier_time(app, spa):
    svc, anna, _, room, day, _ = spa
    me = factories.user()
    mine = factories.booking(me, anna, room, svc, at(day + timedelta(days=7), "10:00"))
    join(signed_in(app, me), svc, day, day, booking=mine)
    cancel(app, mine)
    assert entries()[0].closed_why == "cancelled"


def test_only_a_service_that_fits_the_freed_time_is_offered(app, spa):
    svc, anna, _, room, day, visit = spa
    long = factories.service(minutes=90, therapists=[anna])
    for hhmm in ("09:00", "11:00"):
        factories.booking(factories.user(), anna, room, svc, at(day, hhmm))
    wants_long, wants_short = factories.user(), factories.user()
    join(signed_in(app, wants_long), long, day, day, anna.id)
    join(signed_in(app, wants_short), svc, day, day, anna.id)
    cancel(app, visit)
    assert [m.user_id for m in offer_messages()] == [wants_short.id]


def test_leaving_the_waitlist_stops_offers(app, spa):
    svc, *_, day, visit = spa
    me = factories.user()
    browser = signed_in(app, me)
    join(browser, svc, day, day)
    (entry,) = entries()
    other = signed_in(app, factories.user())
    assert other.post(f"/waitlist/{entry.id}/leave").status_code == 404
    assert browser.post(f"/waitlist/{entry.id}/leave").status_code == 302
    assert "Waiting for a time" not in browser.get("/bookings").get_data(as_text=True)
    cancel(app, visit)
    assert offers() == []


SUNDAYS = {6: [(time(9), time(18))]}


@pytest.mark.parametrize("day", [date(2027, 3, 28), date(2027, 10, 31)])
def test_offers_keep_the_local_time_on_a_daylight_saving_day(app, smtp, day):
    factories.settings(horizon_days=365)
    anna = factories.therapist(hours=SUNDAYS)
    svc, room = factories.service(therapists=[anna]), factories.room()
    visit = factories.booking(factories.user(), anna, room, svc, at(day, "10:00"))
    on_the_day, day_before = factories.user(), factories.user()
    join(signed_in(app, day_before), svc, day - timedelta(days=1), day - timedelta(days=1))
    join(signed_in(app, on_the_day), svc, day, day)
    cancel(app, visit)
    (offer,) = offers()
    assert offer.entry.client_id == on_the_day.id
    assert offer.starts_at.astimezone(LONDON).time() == time(10)
    deliver_all(utcnow(), mail_settings(app, smtp.port))
    (email,) = offer_emails(smtp)
    assert f"{day:%A %d %B %Y}, 10:00" in email.get_body(("plain",)).get_content()


def test_the_days_are_the_spas_local_days_not_utc_ones(app):
    """In Auckland a 09:00 visit is 20:00 UTC the day before: it belongs to the local day."""
    auckland = ZoneInfo("Pacific/Auckland")
    factories.settings(timezone="Pacific/Auckland")
    svc, (anna,), (room,) = factories.spa()
    day = factories.next_weekday(2)
    visit = factories.booking(factories.user(), anna, room, svc, at(day, "09:00", auckland))
    assert visit.starts_at.date() == day - timedelta(days=1)
    that_day, utc_day = factories.user(), factories.user()
    join(signed_in(app, utc_day), svc, day - timedelta(days=1), day - timedelta(days=1))
    join(signed_in(app, that_day), svc, day, day)
    cancel(app, visit)
    assert [o.entry.client_id for o in offers()] == [that_day.id]


def test_a_pending_offer_is_dropped_once_the_client_leaves(app, spa):
    svc, *_, day, visit = spa
    browser = signed_in(app, factories.user())
    join(browser, svc, day, day)
    cancel(app, visit)
    (message,) = offer_messages()
    assert not is_pointless(message, utcnow())
    browser.post(f"/waitlist/{entries()[0].id}/leave")
    (message,) = offer_messages()
    assert is_pointless(message, utcnow())


def test_nobody_hears_of_a_time_their_own_other_visit_overlaps(app, spa):
    """One visit at a time: a waiting client with a visit of their own (with Ben) at the freed
    time is passed over, and the next in line hears first."""
    svc, anna, ben, _, day, visit = spa
    busy, free = factories.user(name="Busy"), factories.user(name="Free")
    factories.booking(busy, ben, factories.room(), svc, at(day, "10:00") + timedelta(minutes=30))
    join(signed_in(app, busy), svc, day, day)
    join(signed_in(app, free), svc, day, day)
    cancel(app, visit)
    (message,) = offer_messages()
    assert message.user_id == free.id and message.due_at <= utcnow()


def test_an_offer_names_the_visit_the_client_has_booked_at_that_time_since(app, spa):
    svc, anna, ben, _, day, visit = spa
    me = factories.user()
    browser = signed_in(app, me)
    join(browser, svc, day, day)
    cancel(app, visit)
    (offer,) = offers()
    # Booked meanwhile:
    elsewhere = factories.booking(me, ben, factories.room(), svc, at(day, "10:00"))
    page = browser.get(f"/waitlist/offers/{offer.id}").get_data(as_text=True)
    assert "You already have a visit at that time" in page and "Book this time" not in page
    assert f'href="/bookings/{elsewhere.id}"' in page
    refused = browser.post(f"/waitlist/offers/{offer.id}")
    html = refused.get_data(as_text=True)
    assert refused.status_code == 409
    assert "You already have a visit at that time" in html and "someone booked it first" not in html
    factories.fresh()
    mine = db.session.scalars(sa.select(Booking).where(Booking.client_id == me.id)).all()
    assert [b.id for b in mine] == [elsewhere.id]
    assert entries()[0].closed_at is None  # still waiting


def test_taking_an_offer_while_a_visit_of_theirs_appears_is_refused_by_name(app, spa, monkeypatch):
    """The check before the page and the booking's own check: the second one decides."""
    from spa_app.waitlist import service as waitlist

    svc, anna, ben, _, day, visit = spa
    me = factories.user()
    browser = signed_in(app, me)
    join(browser, svc, day, day)
    cancel(app, visit)
    (offer,) = offers()
    factories.booking(me, ben, factories.room(), svc, at(day, "10:00"))
    monkeypatch.setattr(waitlist, "client_clash", lambda *args, **kwargs: None)
    refused = browser.post(f"/waitlist/offers/{offer.id}")
    assert refused.status_code == 409
    assert "You already have a visit at that time" in refused.get_data(as_text=True)
