"""One client, one visit at a time, on real PostgreSQL: the constraint, races through HTTP, and
a client overlap never told as a lost race for a therapist or room."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
import sqlalchemy as sa

from spa_app.booking import service
from spa_app.booking.models import Booking, BookingStatus
from spa_app.database import utcnow
from spa_app.extensions import db
from tests import factories
from tests.concurrency import race
from tests.postgres.test_races import active_at, form, slot_starts

pytestmark = pytest.mark.postgres

CLASH = "You already have a visit at that time"
ROUNDS = 5


def tabs_of(app, user, n):
    """``n`` browsers logged in as the same ``user`` (tabs, or a resubmitting browser)."""
    browsers = []
    for _ in range(n):
        browser = app.test_client()
        with browser.session_transaction() as session:
            session["_user_id"], session["_fresh"] = user.get_id(), True
        browsers.append(browser)
    return browsers


def storm(browsers, url, forms):
    """POST every form at once, one thread per browser; (status, location, body) per request."""
    return race(
        browsers, url, forms, lambda r: (r.status_code, r.location, r.get_data(as_text=True))
    )


def client_visits(client_id):
    factories.fresh()
    return db.session.scalars(
        sa.select(Booking).where(
            Booking.client_id == client_id, Booking.status != BookingStatus.CANCELLED
        )
    ).all()


def test_the_database_itself_keeps_a_client_to_one_visit_at_a_time(pg_app):
    """Bypass the service: only ex_bookings_client_id_overlap stands in the way, over the
    visit itself (the clean-up buffer is the therapist's and the room's)."""
    svc, (anna, ben), (r1, r2) = factories.spa(therapists=2, rooms=2, buffer=15)
    me = factories.user()
    start = slot_starts(1)[0]
    factories.booking(me, anna, r1, svc, start)
    with pytest.raises(sa.exc.IntegrityError, match="ex_bookings_client_id_overlap"):
        factories.booking(me, ben, r2, svc, start + timedelta(minutes=30))
    db.session.rollback()
    factories.booking(me, ben, r2, svc, start + timedelta(minutes=60))  # straight after
    factories.booking(factories.user(), ben, r2, svc, start - timedelta(hours=2))
    cancelled = factories.booking(me, anna, r1, svc, start - timedelta(hours=3))
    cancelled.status = BookingStatus.CANCELLED
    db.session.commit()
    factories.booking(me, anna, r1, svc, start - timedelta(hours=3, minutes=30))


def test_one_client_booking_one_time_with_twenty_therapists_at_once_gets_one_visit(pg_app):
    """Twenty tabs of one client confirm the same time, each with another therapist: exactly
    one visit, nineteen clear refusals naming it, no 5xx, every round."""
    svc, therapists, _ = factories.spa(therapists=20, rooms=20)
    service_id, therapist_ids = svc.id, [t.id for t in therapists]
    for start in slot_starts(ROUNDS):
        me = factories.user()
        replies = storm(tabs_of(pg_app, me, 20), f"/book/{service_id}/confirm",
                        [form(start, str(t)) for t in therapist_ids])  # fmt: skip
        codes = Counter(code for code, _, _ in replies)
        assert codes == Counter({302: 1, 409: 19}), (start, codes)
        refusals = [body for code, _, body in replies if code == 409]
        assert all(CLASH in body and "just taken" not in body for body in refusals)
        (visit,) = client_visits(me.id)
        assert all(f'href="/bookings/{visit.id}"' in body for body in refusals)
        assert active_at(start) == 1


def test_confirming_again_from_several_tabs_at_once_lands_on_the_one_visit(pg_app):
    """Back and Confirm again (a new form each time, "any therapist"), ten at once: one visit,
    and every answer is a redirect to it."""
    svc, _, _ = factories.spa(therapists=5, rooms=5)
    service_id = svc.id
    for start in slot_starts(ROUNDS):
        me = factories.user()
        replies = storm(tabs_of(pg_app, me, 10), f"/book/{service_id}/confirm",
                        [form(start) for _ in range(10)])  # fmt: skip
        (visit,) = client_visits(me.id)
        assert {(code, location) for code, location, _ in replies} == {
            (302, f"/bookings/{visit.id}")
        }


def test_moving_onto_the_clients_own_other_visit_is_refused_on_postgresql(pg_app):
    svc, (anna, ben), (r1, r2) = factories.spa(therapists=2, rooms=2)
    me = factories.user()
    start = slot_starts(1)[0]
    morning = factories.booking(me, anna, r1, svc, start)
    afternoon = factories.booking(me, ben, r2, svc, start + timedelta(hours=4))
    (browser,) = tabs_of(pg_app, me, 1)
    reply = browser.post(f"/bookings/{afternoon.id}/move",
                         data={"start": start.isoformat(), "therapist": str(ben.id)})  # fmt: skip
    html = reply.get_data(as_text=True)
    assert reply.status_code == 409 and CLASH in html and "just taken" not in html
    assert f'href="/bookings/{morning.id}"' in html
    factories.fresh()
    assert db.session.get(Booking, afternoon.id).starts_at == start + timedelta(hours=4)


@pytest.mark.parametrize("change", ["book", "move"])
def test_a_client_overlap_the_constraint_catches_is_not_a_lost_race(pg_app, monkeypatch, change):
    """If a visit of the client's slips past the service's check (written by something that
    takes no lock), the constraint refuses the write and its name says whose overlap it is:
    the client hears which visit they have, not that someone took the time."""
    svc, (anna, ben), (r1, r2) = factories.spa(therapists=2, rooms=2)
    me = factories.user()
    start = slot_starts(1)[0]
    other = factories.booking(me, anna, r1, svc, start)
    moving = factories.booking(me, ben, r2, svc, start + timedelta(hours=4))
    checks = iter([None])  # the service's first look sees nothing; later ones see the truth
    real = service.client_clash
    monkeypatch.setattr(service, "client_clash",
                        lambda *a, **kw: next(checks, real(*a, **kw)))  # fmt: skip
    factories.fresh()
    choice = service.Choice(svc.id, start + timedelta(minutes=30), ben.id)
    with pytest.raises(service.ClientBusy) as refused:
        if change == "book":
            service.book(client=me, choice=choice, actor=me, now=utcnow())
        else:
            service.move(
                booking=db.session.get(Booking, moving.id), choice=choice, actor=me, now=utcnow()
            )
    assert refused.value.visit.id == other.id
    assert not isinstance(refused.value, service.SlotUnavailable)
    db.session.rollback()
