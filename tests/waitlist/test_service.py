"""The waitlist's rules, decided in the service: which visit a client may ask to have earlier,
what the join form starts with, a join that lost the race to a second tab, and what taking an
offer answers."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from spa_app.accounts.models import Role
from spa_app.booking.models import Booking, BookingStatus
from spa_app.database import unit_of_work, utcnow
from spa_app.extensions import db
from spa_app.waitlist import service as waitlist
from spa_app.waitlist.models import WaitlistEntry, WaitlistOffer
from tests import factories
from tests.factories import LONDON, at, signed_in
from tests.waitlist.helpers import cancel, entries, join, offers

NOT_ASCII = ["١", "٣", "７", "²", "1x", "-1", "0", "99999999999999"]


@pytest.fixture
def spa(app):
    """Anna and Ben offer a 60-minute massage in two rooms; a visit with Anna at 10:00 on a day
    next week, and a client with a visit of their own a week later."""
    svc, (anna, ben), (room, _) = factories.spa(therapists=2, rooms=2)
    day = factories.next_weekday(2)
    leaving = factories.user(name="Leaving Client")
    visit = factories.booking(leaving, anna, room, svc, at(day, "10:00"))
    me = factories.user(name="Waiting Wren")
    mine = factories.booking(me, ben, room, svc, at(day + timedelta(days=7), "10:00"))
    return svc, anna, ben, room, day, visit, me, mine


def test_the_visit_to_bring_earlier_is_the_clients_own_booked_one_ahead(spa):
    svc, anna, _, room, day, visit, me, mine = spa
    now = utcnow()
    assert waitlist.visit_to_bring_earlier(me, svc.id, mine.id, now) == mine
    other = factories.service(therapists=[anna])
    assert waitlist.visit_to_bring_earlier(me, other.id, mine.id, now) is None
    assert waitlist.visit_to_bring_earlier(me, svc.id, visit.id, now) is None  # someone else's
    assert waitlist.visit_to_bring_earlier(me, svc.id, None, now) is None
    assert waitlist.visit_to_bring_earlier(me, svc.id, 999_999, now) is None
    assert waitlist.visit_to_bring_earlier(me, svc.id, mine.id, mine.starts_at) is None  # begun
    done = factories.booking(me, anna, room, svc, at(day - timedelta(days=1), "10:00"),
                             status=BookingStatus.CANCELLED)  # fmt: skip
    assert waitlist.visit_to_bring_earlier(me, svc.id, done.id, now) is None


@pytest.mark.parametrize("raw", NOT_ASCII)
def test_a_booking_id_that_is_no_ascii_id_is_not_found_and_saves_nothing(app, client, spa, raw):
    svc, *_, day, _, me, _ = spa
    factories.login(client, me)
    url = f"/waitlist/join/{svc.id}?booking={raw}"
    assert client.get(url).status_code == 404
    data = {"therapist": "any", "first_day": str(day), "last_day": str(day)}
    assert client.post(url, data=data).status_code == 404
    assert entries() == []


@pytest.mark.parametrize("raw", ["７", "١", "²", "<b>", "any"])
def test_a_therapist_in_the_link_that_is_no_id_starts_the_form_at_any(app, client, spa, raw):
    svc, *_, me, _ = spa
    factories.login(client, me)
    reply = client.get(f"/waitlist/join/{svc.id}?therapist={raw}")
    assert reply.status_code == 200
    assert '<option selected value="any">' in reply.get_data(as_text=True)


def test_the_form_starts_with_the_request_the_visit_or_the_next_two_weeks(spa):
    svc, anna, ben, _, day, _, me, mine = spa
    today = day - timedelta(days=3)
    fresh = waitlist.defaults(None, None, today, LONDON, therapist_id=anna.id)
    assert fresh == waitlist.Defaults(anna.id, today, today + timedelta(days=14))
    earlier = waitlist.defaults(None, mine, today, LONDON, therapist_id=anna.id)
    assert earlier == waitlist.Defaults(ben.id, today, day + timedelta(days=7))
    existing = WaitlistEntry(therapist_id=None, first_day=day, last_day=day + timedelta(days=2))
    kept = waitlist.defaults(existing, mine, today, LONDON, therapist_id=anna.id)
    assert kept == waitlist.Defaults(None, day, day + timedelta(days=2))


def test_a_join_that_lost_the_race_to_a_second_tab_is_already_waiting(spa, monkeypatch):
    svc, anna, _, _, day, _, me, _ = spa
    request = waitlist.Request(svc.id, None, day, day)
    with unit_of_work():
        waitlist.join(me, request, utcnow())
    # The other tab's request committed after this one looked for it.
    monkeypatch.setattr(waitlist, "open_entry", lambda client_id, service_id: None)
    with pytest.raises(waitlist.AlreadyWaiting, match="already on the waitlist"), unit_of_work():
        waitlist.join(me, waitlist.Request(svc.id, anna.id, day, day), utcnow())
    (entry,) = entries()
    assert entry.therapist_id is None  # the first request, unchanged


def test_the_lost_race_on_the_page_is_a_clear_message(app, client, spa, monkeypatch):
    svc, *_, day, _, me, _ = spa
    factories.login(client, me)
    assert join(client, svc, day, day).status_code == 302
    monkeypatch.setattr(waitlist, "open_entry", lambda client_id, service_id: None)
    reply = join(client, svc, day, day + timedelta(days=1))
    assert reply.status_code == 302 and reply.location == "/bookings"
    page = client.get("/bookings").get_data(as_text=True)
    assert "You are already on the waitlist for this service." in page
    (entry,) = entries()
    assert entry.last_day == day


def test_entries_and_offers_are_their_clients_alone(app, spa):
    svc, *_, day, visit, me, _ = spa
    join(signed_in(app, me), svc, day, day)
    cancel(app, visit)
    (entry,), (offer,) = entries(), offers()
    someone = factories.user()
    assert waitlist.entry_of(me, entry.id) == entry
    assert waitlist.offer_for(me, offer.id) == offer
    assert waitlist.entry_of(someone, entry.id) is None
    assert waitlist.offer_for(someone, offer.id) is None
    assert waitlist.entry_of(me, 999_999) is None and waitlist.offer_for(me, 999_999) is None


@pytest.fixture
def offered(app, spa):
    """Wren waits for any time on the day; the 10:00 visit is cancelled and offered to her."""
    svc, anna, ben, room, day, visit, me, mine = spa
    join(signed_in(app, me), svc, day, day)
    cancel(app, visit)
    (offer,) = offers()
    return svc, anna, room, day, me, offer


def take(offer_id: int, client):
    """Take the offer as ``client`` in a unit of work of its own, as the page does."""
    factories.fresh()
    with unit_of_work():
        visit = waitlist.take_offer(db.session.get(WaitlistOffer, offer_id), client, utcnow())
        return None if visit is None else (visit.id, visit.client_id, visit.starts_at)


def test_taking_an_offer_books_it_and_a_second_take_changes_nothing(offered):
    *_, me, offer = offered
    _, client_id, starts_at = take(offer.id, me)
    assert (client_id, starts_at) == (me.id, offer.starts_at)
    assert take(offer.id, me) is None
    factories.fresh()
    mine = sa.select(Booking.id).where(Booking.client_id == me.id)
    assert len(db.session.scalars(mine.where(Booking.starts_at == offer.starts_at)).all()) == 1


def test_an_offer_whose_time_someone_took_first_is_gone(offered, monkeypatch):
    """The check before booking misses it; the booking's own check answers GONE."""
    svc, anna, room, _, me, offer = offered
    factories.booking(factories.user(), anna, room, svc, offer.starts_at)
    monkeypatch.setattr(waitlist, "offer_problem", lambda offer, now: None)
    with pytest.raises(waitlist.OfferRefused) as refused:
        take(offer.id, me)
    assert refused.value.problem == waitlist.GONE
    factories.fresh()
    assert db.session.get(WaitlistOffer, offer.id).taken_at is None
    assert entries()[0].closed_at is None


def test_an_offer_that_no_longer_stands_is_refused_with_the_reason(offered):
    *_, me, offer = offered
    (entry,) = entries()
    with unit_of_work():
        waitlist.leave(db.session.get(WaitlistEntry, entry.id), utcnow())
    with pytest.raises(waitlist.OfferRefused, match="request is closed"):
        take(offer.id, me)
    factories.fresh()
    assert db.session.get(WaitlistOffer, offer.id).taken_at is None


def test_staff_cannot_take_an_offer_through_the_page(app, offered):
    *_, offer = offered
    staff = signed_in(app, factories.user(Role.STAFF))
    assert staff.post(f"/waitlist/offers/{offer.id}").status_code == 404
