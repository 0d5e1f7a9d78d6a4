"""One client, one visit at a time (SQLite): book, move, resubmit, staff, series, and a race."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime

import pytest

from spa_app.accounts.models import Role
from spa_app.booking import service
from spa_app.booking.models import Booking, BookingStatus
from spa_app.database import unit_of_work
from spa_app.extensions import db
from tests import factories
from tests.concurrency import race
from tests.factories import at

CLASH = "You already have a visit at that time"


@pytest.fixture
def spa(app):
    """Anna and Ben offer a 60-minute massage with a 15-minute clean-up, in two rooms."""
    svc, (anna, ben), _ = factories.spa(therapists=2, rooms=2, buffer=15)
    return svc, anna, ben, factories.next_weekday(0)


def book(client, svc, start, therapist=None, actor=None, key=None):
    factories.fresh()  # no read transaction left open: the write must begin IMMEDIATE
    with unit_of_work():
        b = service.book(
            client=client,
            choice=service.Choice(svc.id, start, therapist.id if therapist else None),
            actor=actor or client,
            now=datetime.now(UTC),
            request_key=key,
        )
    return b


def move(booking, start, therapist, actor):
    factories.fresh()
    with unit_of_work():
        service.move(
            booking=booking,
            choice=service.Choice(booking.service_id, start, therapist.id),
            actor=actor,
            now=datetime.now(UTC),
        )


def active() -> list[Booking]:
    factories.fresh()
    query = db.select(Booking).where(Booking.status != BookingStatus.CANCELLED)
    return db.session.execute(query.order_by(Booking.id)).scalars().all()


def confirm(browser, svc, start, therapist="any", key="a" * 24):
    return browser.post(
        f"/book/{svc.id}/confirm",
        data={"start": start.isoformat(), "therapist": str(therapist), "request_key": key},
    )


def test_a_client_cannot_hold_two_overlapping_visits_with_two_therapists(spa):
    svc, anna, ben, monday = spa
    me = factories.user()
    first = book(me, svc, at(monday, "10:00"), anna)
    with pytest.raises(service.ClientBusy) as refused:
        book(me, svc, at(monday, "10:30"), ben)
    assert str(refused.value) == (
        f"{CLASH}: {svc.name} at 10:00 on Monday {monday.day} {monday:%B} with {anna.display_name}."
    )
    assert refused.value.visit.id == first.id
    assert not isinstance(refused.value, service.SlotUnavailable)  # not "just taken"
    db.session.rollback()
    assert [b.id for b in active()] == [first.id]


def test_the_clean_up_buffer_is_not_the_clients_so_back_to_back_visits_are_fine(spa):
    svc, anna, ben, monday = spa
    me = factories.user()
    book(me, svc, at(monday, "10:00"), anna)  # holds Anna and the room until 11:15
    book(me, svc, at(monday, "11:00"), ben)  # the client is free from 11:00
    assert len(active()) == 2


def test_cancelled_visits_and_other_clients_do_not_block(spa):
    svc, anna, ben, monday = spa
    me = factories.user()
    first = book(me, svc, at(monday, "10:00"), anna)
    book(factories.user(), svc, at(monday, "10:00"), ben)  # someone else, same time
    service.cancel(booking=first, actor=me, now=datetime.now(UTC))
    db.session.commit()
    book(me, svc, at(monday, "10:30"), anna)
    assert len(active()) == 2


def test_an_anonymised_client_never_blocks_anyone(spa):
    """The rule is per account: a deleted client's visit (all named "Deleted client") does not
    stop another account, nor another deleted one, at that time."""
    svc, anna, ben, monday = spa
    gone, also_gone = factories.user(), factories.user()
    for u in (gone, also_gone):
        u.name, u.email = "Deleted client", f"deleted-{u.id}@deleted.invalid"
    db.session.commit()
    factories.booking(gone, anna, factories.room(), svc, at(monday, "10:00"))
    book(also_gone, svc, at(monday, "10:00"), ben, actor=factories.user(Role.STAFF))
    assert len(active()) == 2


def test_the_same_choice_again_is_already_booked_not_a_second_visit(spa):
    svc, anna, _, monday = spa
    me = factories.user()
    first = book(me, svc, at(monday, "10:00"), None, key="k" * 20)
    assert first.therapist_id == anna.id
    for therapist in (None, anna):  # "any", or the therapist it went to
        with pytest.raises(service.AlreadyBooked) as again:
            book(me, svc, at(monday, "10:00"), therapist, key="other-key-123456789")
        assert again.value.visit.id == first.id
        db.session.rollback()
    assert len(active()) == 1


def test_moving_onto_the_clients_own_other_visit_is_refused(spa):
    svc, anna, ben, monday = spa
    me = factories.user()
    morning = book(me, svc, at(monday, "10:00"), anna)
    afternoon = book(me, svc, at(monday, "14:00"), ben)
    with pytest.raises(service.ClientBusy) as refused:
        move(afternoon, at(monday, "10:30"), ben, me)
    assert refused.value.visit.id == morning.id
    db.session.rollback()
    assert db.session.get(Booking, afternoon.id).starts_at == at(monday, "14:00")
    move(afternoon, at(monday, "11:00"), ben, me)  # touching the morning visit is fine
    move(morning, at(monday, "09:45"), anna, me)  # and a visit may overlap its own old time
    assert sorted(b.starts_at for b in active()) == [at(monday, "09:45"), at(monday, "11:00")]


def test_staff_are_told_the_client_already_has_that_time(spa):
    svc, anna, ben, monday = spa
    me, desk = factories.user(name="Carla Client"), factories.user(Role.STAFF)
    book(me, svc, at(monday, "10:00"), anna)
    with pytest.raises(service.ClientBusy, match="^Carla Client already has a visit at that"):
        book(me, svc, at(monday, "10:30"), ben, actor=desk)


# Through the pages -------------------------------------------------------------------------


def test_back_and_confirm_again_lands_on_the_visit_already_made(client, spa):
    svc, anna, _, monday = spa
    factories.login(client, factories.user())
    query = {"start": at(monday, "10:00").isoformat(), "therapist": "any"}
    page = client.get(f"/book/{svc.id}/confirm", query_string=query).get_data(as_text=True)
    key = re.search(r'name="request_key" type="hidden" value="([^"]+)"', page).group(1)
    done = confirm(client, svc, at(monday, "10:00"), key=key)
    assert done.status_code == 302
    (visit,) = active()
    # Back to the page as the browser kept it (same key), or fetched again (a new key).
    fetched_again = client.get(f"/book/{svc.id}/confirm", query_string=query)
    new_key = re.search(r'name="request_key" type="hidden" value="([^"]+)"',
                        fetched_again.get_data(as_text=True)).group(1)  # fmt: skip
    for again_key in (key, new_key):
        again = confirm(client, svc, at(monday, "10:00"), key=again_key)
        assert (again.status_code, again.location) == (302, f"/bookings/{visit.id}")
    landed = client.get(f"/bookings/{visit.id}").get_data(as_text=True)
    assert "You had already booked this visit; here it is." in landed
    assert [b.id for b in active()] == [visit.id]  # still one visit, with Anna
    assert visit.therapist_id == anna.id


def test_another_visit_at_that_time_is_a_clear_409_with_a_link(client, spa):
    svc, anna, ben, monday = spa
    facial = factories.service(name="Facial", minutes=30, therapists=[ben])
    factories.login(client, factories.user())
    booked = confirm(client, svc, at(monday, "10:00"), anna.id, key="first-key-123456789")
    assert booked.status_code == 302
    (massage,) = active()
    refused = confirm(client, facial, at(monday, "10:30"), ben.id, key="second-key-12345678")
    html = refused.get_data(as_text=True)
    assert refused.status_code == 409
    assert f"{CLASH}: {svc.name} at 10:00" in html and "just taken" not in html
    assert f'href="/bookings/{massage.id}"' in html
    assert len(active()) == 1


def test_the_move_page_refuses_the_clients_own_other_time(client, spa):
    svc, anna, ben, monday = spa
    me = factories.user()
    morning = factories.booking(me, anna, factories.room(), svc, at(monday, "10:00"))
    afternoon = factories.booking(me, ben, factories.room(), svc, at(monday, "14:00"))
    factories.login(client, me)
    onto_morning = {"start": at(monday, "10:00").isoformat(), "therapist": str(ben.id)}
    reply = client.post(f"/bookings/{afternoon.id}/move", data=onto_morning)
    html = reply.get_data(as_text=True)
    assert reply.status_code == 409 and CLASH in html and "just taken" not in html
    assert f'href="/bookings/{morning.id}"' in html
    factories.fresh()
    assert db.session.get(Booking, afternoon.id).starts_at == at(monday, "14:00")


def test_staff_booking_for_a_client_sees_the_clash_named(client, spa):
    svc, anna, ben, monday = spa
    known = factories.user(name="Known Client")
    visit = factories.booking(known, anna, factories.room(), svc, at(monday, "10:00"))
    factories.login(client, factories.user(Role.STAFF))
    reply = client.post("/staff/bookings/new", data={
        "client_email": known.email, "service": svc.id, "therapist": str(ben.id),
        "date": monday.isoformat(), "time": "10:30", "request_key": "desk-key-1234567890",
    })  # fmt: skip
    html = reply.get_data(as_text=True)
    assert reply.status_code == 409
    assert f"Known Client already has a visit at that time: {svc.name} at 10:00" in html
    assert f'href="/bookings/{visit.id}"' in html and "just taken" not in html
    assert len(active()) == 1


def test_twenty_tabs_of_one_client_booking_one_time_make_one_visit(app, client):
    """The same parallel case as on PostgreSQL, on SQLite: each POST's immediate write
    transaction serialises them; one books, nineteen hear which visit they already have."""
    svc, therapists, _ = factories.spa(therapists=20, rooms=20)
    me = factories.user()
    start = at(factories.next_weekday(1), "11:00")
    tabs = []
    for _ in therapists:
        tab = app.test_client()
        with tab.session_transaction() as session:
            session["_user_id"], session["_fresh"] = me.get_id(), True
        tabs.append(tab)
    url = f"/book/{svc.id}/confirm"  # plain values: the threads have no app context
    forms = [{"start": start.isoformat(), "therapist": str(t.id),
              "request_key": f"tab-key-{t.id:012d}"} for t in therapists]  # fmt: skip
    replies = race(tabs, url, forms)
    assert Counter(code for code, _ in replies) == Counter({302: 1, 409: 19}), replies
    refusals = [body for code, body in replies if code == 409]
    assert all(CLASH in body and "just taken" not in body for body in refusals)
    assert len(active()) == 1
