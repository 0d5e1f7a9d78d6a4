"""The desk's cancel page asks whether to e-mail the client and, inside the window, whether it
counts as late; the visit page and the day list mark a late cancellation; a no-show or
completion marked by mistake is undone from the visit page the same day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from spa_app.accounts.models import Role
from spa_app.booking.models import Booking, BookingStatus
from spa_app.extensions import db
from spa_app.notifications.models import Message, MessageKind
from tests import factories


@pytest.fixture
def spa(app):
    svc, (own, other), (room,) = factories.spa(therapists=2)
    return svc, own, other, room, factories.user(name="Cleo Client"), factories.user(Role.STAFF)


def _visit(spa, starts_in: timedelta, status=BookingStatus.BOOKED, client=None) -> Booking:
    svc, own, _other, room, someone, _staff = spa
    starts = datetime.now(UTC) + starts_in
    return factories.booking(client or someone, own, room, svc, starts, status)


def _cancel_notices() -> list[Message]:
    factories.fresh()
    return list(db.session.scalars(db.select(Message).where(
        Message.kind == MessageKind.BOOKING_CANCELLED)))  # fmt: skip


def _after(booking_id: int) -> Booking:
    factories.fresh()
    return db.session.get(Booking, booking_id)


# Cancelling -----------------------------------------------------------------------------------


def test_the_desk_is_asked_whether_to_email_and_whether_it_is_late(client, spa):
    *_, staff = spa
    soon, later = _visit(spa, timedelta(hours=3)), _visit(spa, timedelta(days=3))
    factories.login(client, staff)
    inside = client.get(f"/bookings/{soon.id}/cancel").get_data(as_text=True)
    assert 'checked id="tell_client" name="tell_client" type="checkbox"' in inside
    assert "Tell the client by e-mail" in inside
    assert 'checked id="late" name="late" type="checkbox"' in inside
    assert "Count as a late cancellation" in inside
    outside = client.get(f"/bookings/{later.id}/cancel").get_data(as_text=True)
    assert "Tell the client by e-mail" in outside and "Count as a late cancellation" not in outside


def test_the_client_is_never_asked(client, spa):
    *_, someone, _staff = spa
    soon = _visit(spa, timedelta(days=3))
    factories.login(client, someone)
    shown = client.get(f"/bookings/{soon.id}/cancel").get_data(as_text=True)
    assert "Tell the client by e-mail" not in shown and "late cancellation" not in shown


def test_unticking_tell_the_client_sends_nothing_ticking_sends_one(client, spa):
    *_, staff = spa
    quiet, told = _visit(spa, timedelta(days=3)), _visit(spa, timedelta(days=4))
    factories.login(client, staff)
    reply = client.post(f"/bookings/{quiet.id}/cancel", data={"tell_asked": "1"})
    assert reply.status_code == 302 and _after(quiet.id).status is BookingStatus.CANCELLED
    assert _cancel_notices() == []
    client.post(f"/bookings/{told.id}/cancel", data={"tell_asked": "1", "tell_client": "y"})
    assert [m.booking_id for m in _cancel_notices()] == [told.id]


def test_a_form_without_the_box_still_tells_the_client(client, spa):
    *_, staff = spa
    visit = _visit(spa, timedelta(days=3))
    factories.login(client, staff)
    client.post(f"/bookings/{visit.id}/cancel", data={})
    assert [m.booking_id for m in _cancel_notices()] == [visit.id]


def test_a_client_without_email_is_phoned_not_asked_about(client, spa):
    *_, staff = spa
    phone_only = factories.user(name="Phone Only", email="no-email-2@no-email.invalid")
    visit = _visit(spa, timedelta(days=3), client=phone_only)
    factories.login(client, staff)
    shown = client.get(f"/bookings/{visit.id}/cancel").get_data(as_text=True)
    assert "Tell the client by e-mail" not in shown
    assert "No e-mail on file: tell the client by phone." in shown
    reply = client.post(f"/bookings/{visit.id}/cancel", data={}, follow_redirects=True)
    assert "No e-mail on file: tell the client by phone." in reply.get_data(as_text=True)


def test_a_late_cancellation_is_marked_unless_the_desk_unticks_it(client, spa):
    *_, staff = spa
    late, waived = _visit(spa, timedelta(hours=3)), _visit(spa, timedelta(hours=4))
    factories.login(client, staff)
    form = {"tell_asked": "1", "tell_client": "y", "late_asked": "1"}
    client.post(f"/bookings/{late.id}/cancel", data={**form, "late": "y"})
    client.post(f"/bookings/{waived.id}/cancel", data=form)
    assert _after(late.id).late_cancel is True and _after(waived.id).late_cancel is False
    visit_page = client.get(f"/bookings/{late.id}").get_data(as_text=True)
    assert '<strong class="late">Late cancellation</strong>' in visit_page
    assert "Late cancellation" not in client.get(f"/bookings/{waived.id}").get_data(as_text=True)
    day = late.starts_at.astimezone(factories.LONDON).date()
    listed = client.get(f"/staff/bookings/?date={day}").get_data(as_text=True)
    assert listed.count('<strong class="late">Late cancellation</strong>') == 1


def test_a_box_cannot_make_an_early_cancellation_late(client, spa):
    *_, staff = spa
    early = _visit(spa, timedelta(days=3))
    factories.login(client, staff)
    client.post(f"/bookings/{early.id}/cancel", data={"late_asked": "1", "late": "y"})
    assert _after(early.id).late_cancel is False


# Undoing a mark -------------------------------------------------------------------------------


@pytest.fixture
def no_show(spa):
    return _visit(spa, timedelta(minutes=-30), BookingStatus.NO_SHOW)


def test_the_visit_page_offers_undo_the_same_day_and_it_books_the_visit_again(client, spa, no_show):
    *_, staff = spa
    factories.login(client, staff)
    shown = client.get(f"/bookings/{no_show.id}").get_data(as_text=True)
    assert f'action="/bookings/{no_show.id}/undo-mark"' in shown and "Undo no-show" in shown
    reply = client.post(f"/bookings/{no_show.id}/undo-mark", follow_redirects=True)
    assert "No longer no-show: the visit is booked again." in reply.get_data(as_text=True)
    assert _after(no_show.id).status is BookingStatus.BOOKED
    again = client.get(f"/bookings/{no_show.id}").get_data(as_text=True)
    assert "undo-mark" not in again and "Mark no-show" in again


def test_undo_the_next_day_is_refused_with_the_reason(client, spa, no_show, monkeypatch):
    *_, staff = spa
    tomorrow = datetime.now(UTC) + timedelta(days=1)
    monkeypatch.setattr("spa_app.booking.views.utcnow", lambda: tomorrow)
    factories.login(client, staff)
    assert "undo-mark" not in client.get(f"/bookings/{no_show.id}").get_data(as_text=True)
    reply = client.post(f"/bookings/{no_show.id}/undo-mark", follow_redirects=True)
    assert "A mark can be undone only on the day of the visit." in reply.get_data(as_text=True)
    assert _after(no_show.id).status is BookingStatus.NO_SHOW


def test_only_the_desk_and_the_visits_therapist_may_undo(client, spa, no_show):
    svc, own, other, room, someone, staff = spa
    factories.login(client, other.user)
    assert client.post(f"/bookings/{no_show.id}/undo-mark").status_code == 404
    client.post("/logout")
    factories.login(client, someone)
    reply = client.post(f"/bookings/{no_show.id}/undo-mark", follow_redirects=True)
    assert "Only the front desk or the visit&#39;s therapist" in reply.get_data(as_text=True)
    assert _after(no_show.id).status is BookingStatus.NO_SHOW
    client.post("/logout")
    factories.login(client, own.user)
    client.post(f"/bookings/{no_show.id}/undo-mark")
    assert _after(no_show.id).status is BookingStatus.BOOKED


def test_undo_of_a_visit_still_booked_changes_nothing(client, spa):
    *_, staff = spa
    visit = _visit(spa, timedelta(minutes=-30))
    factories.login(client, staff)
    reply = client.post(f"/bookings/{visit.id}/undo-mark", follow_redirects=True)
    assert "Only a no-show or a completed visit can be undone." in reply.get_data(as_text=True)
    assert _after(visit.id).status is BookingStatus.BOOKED
