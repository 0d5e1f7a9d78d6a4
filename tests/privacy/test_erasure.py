"""Deleting an account: health data erased, visits ahead freed, the rest anonymised, all at once."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from spa_app.accounts.models import Role, User
from spa_app.booking.models import Booking, BookingStatus
from spa_app.cadence.models import NextVisit, VisitInterval
from spa_app.calendar.models import CalendarFeed
from spa_app.database import utcnow
from spa_app.extensions import db
from spa_app.homecare.models import (
    AuditEntry,
    Completion,
    Intake,
    Plan,
    PlanItem,
    RoutineReminderTime,
)
from spa_app.notifications.models import MailOptOut, Message, MessageKind, MessageState
from spa_app.privacy import erasure
from spa_app.waitlist.models import WaitlistEntry, WaitlistOffer
from tests import factories
from tests.privacy import cast as casting


@pytest.fixture
def cast(app):
    return casting.build()


def delete(browser, password: str = factories.PASSWORD):
    return browser.post("/account/delete", data={"password": password})


def snapshot() -> dict[str, list]:
    """Every row of every table, in primary-key order: 'nothing changed' means this is equal."""
    factories.fresh()
    return {
        table.name: [
            tuple(row)
            for row in db.session.execute(sa.select(table).order_by(*table.primary_key.columns))
        ]
        for table in db.metadata.sorted_tables
    }


def rows(model, *where) -> list:
    return db.session.execute(sa.select(model).where(*where)).scalars().all()


def test_deleting_erases_health_data_frees_visits_and_anonymises(client, cast):
    plan_id = cast.plan.id
    factories.login(client, cast.me)
    page = client.get("/account/delete").get_data(as_text=True)
    assert cast.svc.name in page and 'type="password"' in page
    reply = delete(client)
    assert reply.status_code == 302 and reply.headers["Location"] == "/"
    assert "Your account is deleted" in client.get("/").get_data(as_text=True)
    assert client.get("/bookings").headers["Location"].startswith("/login")
    factories.fresh()
    me = db.session.get(User, cast.me.id)
    assert (me.name, me.email, me.phone, me.password_hash, me.role) == (
        "Deleted client", f"deleted-{me.id}@deleted.invalid", None, None, Role.CLIENT,
    )  # fmt: skip
    plan_items = sa.select(PlanItem.id).where(PlanItem.plan_id == plan_id)
    for model, where in [
        (Intake, Intake.client_id == me.id),
        (Plan, Plan.client_id == me.id),
        (PlanItem, PlanItem.plan_id == plan_id),
        (Completion, Completion.plan_item_id.in_(plan_items)),
        (RoutineReminderTime, RoutineReminderTime.client_id == me.id),
        (VisitInterval, VisitInterval.client_id == me.id),
        (NextVisit, NextVisit.client_id == me.id),
        (MailOptOut, MailOptOut.user_id == me.id),
        (CalendarFeed, CalendarFeed.user_id == me.id),
    ]:
        assert rows(model, where) == [], model
    assert db.session.execute(sa.select(sa.func.count()).select_from(Completion)).scalar() == 0
    assert all(
        e.closed_at is not None for e in rows(WaitlistEntry, WaitlistEntry.client_id == me.id)
    )
    messages = rows(Message, Message.user_id == me.id)
    # Nothing was sent in this test: every message (the failed reminder too) is dropped.
    assert messages and {m.state for m in messages} == {MessageState.DROPPED}
    assert all(m.plan_id is None and m.last_error is None for m in messages)


def test_past_visits_stay_with_their_prices_and_the_visit_ahead_is_offered(client, cast):
    factories.login(client, cast.me)
    delete(client)
    factories.fresh()
    mine = {b.id: b for b in rows(Booking, Booking.client_id == cast.me.id)}
    assert set(mine) == {cast.past.id, cast.ahead.id, cast.cancelled_own.id,
                         cast.cancelled_by_staff.id}  # fmt: skip
    assert all(b.price_cents == 6000 for b in mine.values())
    assert mine[cast.past.id].status is BookingStatus.COMPLETED
    ahead = mine[cast.ahead.id]
    assert (ahead.status, ahead.cancel_reason) == (
        BookingStatus.CANCELLED,
        "client: account deleted",
    )
    # The client's own reason may be about their health: only the fact is kept; staff notes stay.
    assert mine[cast.cancelled_own.id].cancel_reason == "client"
    assert mine[cast.cancelled_by_staff.id].cancel_reason == f"staff: {casting.STAFF_NOTE}"
    notice = rows(Message, Message.booking_id == ahead.id,
                  Message.kind == MessageKind.BOOKING_CANCELLED)  # fmt: skip
    assert [m.state for m in notice] == [MessageState.DROPPED]
    # Olive waited for that time with Anna: she is offered it and e-mailed.
    (offer,) = rows(WaitlistOffer, WaitlistOffer.freed_by_id == ahead.id)
    assert offer.entry.client_id == cast.other.id and offer.starts_at == ahead.starts_at
    (told,) = rows(Message, Message.waitlist_offer_id == offer.id)
    assert (told.user_id, told.state) == (cast.other.id, MessageState.PENDING)
    assert len(rows(AuditEntry, AuditEntry.client_id == cast.me.id)) == 2  # the spa's record


def test_other_clients_are_untouched(client, cast):
    factories.login(client, cast.me)
    before = snapshot()
    delete(client)
    after = snapshot()
    olive = cast.other.id
    for table, keep in [
        ("users", lambda r: r[0] == olive),
        ("intakes", lambda r: r[0] == olive),
        ("bookings", lambda r: r[1] == olive),
        ("calendar_feeds", lambda r: r[0] == olive),
        ("waitlist_entries", lambda r: r[1] == olive),
        ("audit_log", lambda r: r[3] == olive),
    ]:
        assert [r for r in before[table] if keep(r)] == [r for r in after[table] if keep(r)]
        assert [r for r in after[table] if keep(r)], table


def test_the_deleted_person_cannot_log_in_or_reset_a_password(app, client, cast):
    old_email = cast.me.email
    factories.login(client, cast.me)
    delete(client)
    stranger = app.test_client()
    for email in (old_email, f"deleted-{cast.me.id}@deleted.invalid"):
        reply = stranger.post("/login", data={"email": email, "password": factories.PASSWORD})
        assert reply.status_code == 200 and "do not match" in reply.get_data(as_text=True)
    stranger.post("/reset-password", data={"email": old_email})
    factories.fresh()
    assert rows(Message, Message.kind == MessageKind.PASSWORD_RESET) == []


def test_the_placeholder_address_gets_no_reset_no_plan_and_no_search_hit(app, client, cast):
    """Health data must not start again for a deleted client, and nobody may take the row over
    through a reset e-mail to its placeholder address."""
    factories.login(client, cast.me)
    delete(client)
    placeholder = f"deleted-{cast.me.id}@deleted.invalid"
    app.test_client().post("/reset-password", data={"email": placeholder})
    factories.fresh()
    assert rows(Message, Message.kind == MessageKind.PASSWORD_RESET) == []
    therapist = app.test_client()
    factories.login(therapist, cast.anna.user)
    assert therapist.post(f"/bookings/{cast.past.id}/plan").status_code == 404
    factories.fresh()
    assert db.session.scalar(sa.select(sa.func.count(Plan.id))) == 0
    staff = app.test_client()
    factories.login(staff, cast.staff)
    page = staff.get("/staff/bookings/new?find=deleted").get_data(as_text=True)
    assert placeholder not in page and "No client matches" in page


def test_a_wrong_password_changes_nothing(client, cast):
    factories.login(client, cast.me)
    before = snapshot()
    reply = delete(client, "not-my-password")
    assert reply.status_code == 422 and "not right" in reply.get_data(as_text=True)
    assert snapshot() == before
    assert client.get("/bookings").status_code == 200  # still logged in


def test_a_failure_halfway_leaves_everything_as_it_was(client, cast, monkeypatch):
    factories.login(client, cast.me)
    before = snapshot()

    def broken(user):
        raise RuntimeError("the disk is full")

    # The last step: every other step has run (and been flushed) when it fails.
    monkeypatch.setattr(erasure, "_anonymise", broken)
    with pytest.raises(RuntimeError, match="disk is full"):
        delete(client)
    assert snapshot() == before


def test_a_visit_inside_the_cancellation_window_must_be_settled_first(client, cast):
    factories.fresh()
    soon = utcnow() + timedelta(hours=5)
    b = factories.booking(cast.me, cast.ben, cast.past.room, cast.svc, soon.replace(second=0))
    b.created_at = utcnow() - timedelta(days=1)  # booked long ago: the grace period has passed
    db.session.commit()
    factories.login(client, cast.me)
    page = client.get("/account/delete").get_data(as_text=True)
    assert "cannot be cancelled online" in page and 'type="password"' not in page
    before = snapshot()
    reply = delete(client)
    assert reply.status_code == 422 and "cannot be cancelled online" in reply.get_data(as_text=True)
    assert snapshot() == before


def test_staff_pages_show_deleted_client(app, client, cast):
    factories.login(client, cast.me)
    delete(client)
    desk = app.test_client()
    factories.login(desk, cast.staff)
    local_day = cast.past.starts_at.astimezone(factories.LONDON).date()
    for url in (f"/staff/calendar?date={local_day}", f"/bookings/{cast.past.id}",
                f"/staff/bookings/?date={local_day}"):  # fmt: skip
        page = desk.get(url).get_data(as_text=True)
        assert "Deleted client" in page and "Regular Rae" not in page, url


def test_other_sessions_of_the_deleted_person_end(app, client, cast):
    phone = app.test_client()
    factories.login(phone, cast.me)
    factories.login(client, cast.me)
    assert phone.get("/bookings").status_code == 200
    delete(client)
    assert phone.get("/bookings").headers["Location"].startswith("/login")


@pytest.mark.postgres
def test_deleting_on_postgresql(pg_app, pg_client):
    cast = casting.build()
    factories.login(pg_client, cast.me)
    before = snapshot()
    assert delete(pg_client, "wrong password here").status_code == 422
    assert snapshot() == before
    assert delete(pg_client).status_code == 302
    factories.fresh()
    me = db.session.get(User, cast.me.id)
    assert (me.name, me.password_hash) == ("Deleted client", None)
    assert rows(Intake, Intake.client_id == me.id) == rows(Plan, Plan.client_id == me.id) == []
    assert db.session.get(Booking, cast.ahead.id).status is BookingStatus.CANCELLED
    assert db.session.get(Booking, cast.past.id).price_cents == 6000
    assert rows(WaitlistOffer, WaitlistOffer.freed_by_id == cast.ahead.id)
    assert rows(Message, Message.user_id == me.id, Message.state == MessageState.PENDING) == []
    assert rows(Intake, Intake.client_id == cast.other.id)


def test_the_password_cannot_be_guessed_here(app, client, cast):
    app.config["LOGIN_LIMIT_PER_ACCOUNT"] = "2 per 15 minutes"
    factories.login(client, cast.me)
    assert [delete(client, f"guess {n}").status_code for n in range(2)] == [422, 422]
    assert delete(client).status_code == 429  # the right one, but over the limit
    factories.fresh()
    assert db.session.get(User, cast.me.id).name == "Regular Rae"


@pytest.mark.postgres
def test_two_deletes_at_once_cancel_and_offer_once(pg_app):
    """A double click: the first delete wins; the second waits for it, then changes nothing."""
    cast = casting.build()
    browsers = [pg_app.test_client() for _ in range(2)]
    for browser in browsers:
        factories.login(browser, cast.me)
    barrier = threading.Barrier(2)
    replies = [None, None]

    def run(i):
        barrier.wait()
        replies[i] = delete(browsers[i])

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    outcomes = {
        "deleted" if r.location == "/" else "logged out" if r.status_code == 302 else r.status_code
        for r in replies
    }
    # The second either found no password any more (422) or was already logged out (to login).
    assert outcomes in ({"deleted", 422}, {"deleted", "logged out"}), outcomes
    factories.fresh()
    assert len(rows(WaitlistOffer, WaitlistOffer.freed_by_id == cast.ahead.id)) == 1
