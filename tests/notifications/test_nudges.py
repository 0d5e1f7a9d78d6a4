"""Next-visit nudges: four and six weeks after a completed visit, on the local clock."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes, policy

import pytest

from spa_app.accounts.models import Role
from spa_app.booking import service as booking_service
from spa_app.booking.models import Booking, BookingStatus
from spa_app.cadence.models import NextVisit
from spa_app.database import serialized_writes, unit_of_work
from spa_app.extensions import db
from spa_app.notifications import delivery, preferences, service, tasks
from spa_app.notifications.delivery import Outcome
from spa_app.notifications.models import Message, MessageKind, MessageState
from tests import factories
from tests.factories import LONDON, at
from tests.notifications.conftest import deliver, mail_settings
from tests.sqlcount import count_statements

OPEN, CLOSING = MessageKind.REBOOK_WINDOW_OPEN, MessageKind.REBOOK_WINDOW_CLOSING


def completed_visit(starts_at: datetime, client=None):
    """A visit at ``starts_at`` that its therapist marks completed an hour after it began."""
    svc, (t,), (r,) = factories.spa()
    b = factories.booking(client or factories.user(), t, r, svc, starts_at)
    complete(b)
    return b


def complete(b: Booking) -> None:
    with unit_of_work():
        booking = db.session.get(Booking, b.id)
        booking_service.mark(
            booking=booking,
            status=BookingStatus.COMPLETED,
            actor=booking.therapist.user,
            now=b.starts_at + timedelta(hours=1),
        )


def sweep(now) -> int:
    with unit_of_work():
        added = service.schedule_nudges(now)
    return added


def nudges():
    factories.fresh()
    query = db.select(Message).where(Message.kind.in_([OPEN, CLOSING])).order_by(Message.id)
    return db.session.execute(query).scalars().all()


def window(client_id: int) -> NextVisit:
    factories.fresh()
    return db.session.get(NextVisit, client_id)


@pytest.mark.parametrize(
    "visit_day,opens_day,closes_day,real_hours_to_open",
    [
        # Winter visit, clocks go forward on 28 March: the window opens at 10:00 BST.
        (date(2027, 3, 1), date(2027, 3, 29), date(2027, 4, 12), 28 * 24 - 1),
        # Summer visit, clocks go back on 31 October: the window opens at 10:00 GMT.
        (date(2027, 10, 10), date(2027, 11, 7), date(2027, 11, 21), 28 * 24 + 1),
    ],
)
def test_the_window_is_four_to_six_weeks_on_the_local_clock_across_dst(
    app, visit_day, opens_day, closes_day, real_hours_to_open
):
    b = completed_visit(at(visit_day, "10:00"))
    w = window(b.client_id)
    assert (w.booking_id, w.therapist_id, w.service_id) == (b.id, b.therapist_id, b.service_id)
    assert w.opens_at == at(opens_day, "10:00") and w.closes_at == at(closes_day, "10:00")
    assert w.opens_at.astimezone(LONDON).strftime("%H:%M") == "10:00"
    assert (w.opens_at - b.starts_at) == timedelta(hours=real_hours_to_open)


def test_one_nudge_when_the_window_opens_one_when_it_closes_and_reruns_add_nothing(app):
    b = completed_visit(at(date(2027, 3, 1), "10:00"))
    opens, closes = at(date(2027, 3, 29), "10:00"), at(date(2027, 4, 12), "10:00")
    assert sweep(opens - timedelta(minutes=1)) == 0
    assert sweep(opens) == 1
    assert sweep(opens + timedelta(minutes=1)) == 0
    assert sweep(closes - timedelta(minutes=1)) == 0
    assert sweep(closes) == 1
    assert sweep(closes + timedelta(days=1)) == 0
    first, last = nudges()
    assert (first.kind, first.due_at, first.idempotency_key) == (
        OPEN,
        opens,
        f"rebook_window_open:booking-{b.id}",
    )
    assert (last.kind, last.due_at, last.idempotency_key) == (
        CLOSING,
        closes,
        f"rebook_window_closing:booking-{b.id}",
    )
    assert {(m.user_id, m.booking_id, m.visit_starts_at) for m in (first, last)} == {
        (b.client_id, b.id, b.starts_at)
    }


def test_a_sweep_that_was_down_sends_no_stale_news(app):
    completed_visit(at(date(2027, 3, 1), "10:00"))
    closes = at(date(2027, 4, 12), "10:00")
    # Back a week or more after the window closed: neither nudge is news any more.
    assert sweep(closes + service.NUDGE_GRACE) == 0
    # Back two days after it closed: the closing nudge goes, the opening one never will.
    assert sweep(closes + timedelta(days=2)) == 1
    assert [m.kind for m in nudges()] == [CLOSING]


def test_the_sweep_is_two_statements_however_many_clients(app):
    for hhmm in ("09:00", "11:00", "14:00", "16:00"):
        completed_visit(at(date(2027, 3, 1), hhmm))
    with count_statements() as statements:
        assert sweep(at(date(2027, 3, 29), "17:00")) == 4
    assert len(statements) == 2


def test_a_visit_booked_ahead_means_no_nudge(app):
    b = completed_visit(at(date(2027, 3, 1), "10:00"))
    svc, (t,), (r,) = factories.spa()
    ahead = factories.booking(
        db.session.get(Booking, b.id).client, t, r, svc, at(date(2027, 4, 5), "10:00")
    )
    assert sweep(at(date(2027, 3, 29), "10:00")) == 0
    # Cancelled: nothing is booked any more, so the closing nudge goes after all.
    ahead = db.session.get(Booking, ahead.id)
    ahead.status = BookingStatus.CANCELLED
    db.session.commit()
    assert sweep(at(date(2027, 4, 12), "10:00")) == 1
    assert [m.kind for m in nudges()] == [CLOSING]


@pytest.mark.parametrize(
    "status,nudged",
    [
        (BookingStatus.BOOKED, False),  # the client came, and nobody marked it yet
        (BookingStatus.ARRIVED, False),
        (BookingStatus.NO_SHOW, True),  # a missed visit is not a visit
        (BookingStatus.CANCELLED, True),
    ],
)
def test_a_later_visit_stops_the_nudges_even_unmarked_but_not_a_missed_one(app, status, nudged):
    b = completed_visit(at(date(2027, 3, 1), "10:00"))
    svc, (t,), (r,) = factories.spa()
    client = db.session.get(Booking, b.id).client
    factories.booking(client, t, r, svc, at(date(2027, 3, 15), "10:00"), status=status)
    assert sweep(at(date(2027, 3, 29), "10:00")) == int(nudged)


def test_a_later_completed_visit_moves_the_window_and_an_earlier_one_does_not(app):
    client = factories.user()
    march = completed_visit(at(date(2027, 3, 1), "10:00"), client)
    april = completed_visit(at(date(2027, 4, 5), "10:00"), client)
    assert window(client.id).booking_id == april.id
    # Staff mark the March visit completed late, out of order: the later visit still counts.
    db.session.get(Booking, march.id).status = BookingStatus.ARRIVED
    db.session.commit()
    complete(march)
    assert window(client.id).booking_id == april.id
    assert sweep(at(date(2027, 3, 29), "10:00")) == 0  # March's window no longer applies
    assert sweep(at(date(2027, 5, 3), "10:00")) == 1
    assert [m.booking_id for m in nudges()] == [april.id]


def test_a_client_who_turned_a_nudge_off_gets_only_the_other(app):
    b = completed_visit(at(date(2027, 3, 1), "10:00"))
    with unit_of_work():
        preferences.unsubscribe(b.client_id, OPEN)
    assert sweep(at(date(2027, 3, 29), "10:00")) == 0
    assert sweep(at(date(2027, 4, 12), "10:00")) == 1
    assert [m.kind for m in nudges()] == [CLOSING]


def test_staff_marking_a_visit_completed_over_http_opens_the_window(app, client):
    svc, (t,), (r,) = factories.spa()
    started = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2)
    b = factories.booking(factories.user(), t, r, svc, started)
    factories.login(client, factories.user(Role.STAFF))
    response = client.post(f"/bookings/{b.id}/status", data={"status": "completed"})
    assert response.status_code == 302
    w = window(b.client_id)
    assert w is not None and w.booking_id == b.id
    assert w.opens_at == (started.astimezone(LONDON) + timedelta(weeks=4)).astimezone(UTC)


@pytest.mark.parametrize("status", [BookingStatus.NO_SHOW, BookingStatus.ARRIVED])
def test_no_show_and_arrived_open_no_window(app, status):
    svc, (t,), (r,) = factories.spa()
    b = factories.booking(factories.user(), t, r, svc, at(date(2027, 3, 1), "10:00"))
    with unit_of_work():
        booking_service.mark(
            booking=db.session.get(Booking, b.id),
            status=status,
            actor=factories.user(Role.STAFF),
            now=b.starts_at + timedelta(hours=1),
        )
    assert window(b.client_id) is None


# Sending: these run on the real clock, since the send task checks against it.


def recent_visit():
    """A visit completed four weeks and a day ago (a day: a clock change may lie between)."""
    starts_at = datetime.now(UTC).replace(microsecond=0) - timedelta(weeks=4, days=1)
    b = completed_visit(starts_at)
    assert sweep(datetime.now(UTC)) == 1
    (message,) = nudges()
    return b, message


def test_the_nudge_links_to_booking_the_same_therapist_and_can_be_turned_off(app, smtp):
    factories.settings(business_name="Lime Tree Spa")
    b, message = recent_visit()
    assert deliver(message.id, datetime.now(UTC), mail_settings(app, smtp.port)) is Outcome.SENT
    (envelope,) = smtp.received
    mail = message_from_bytes(envelope.content, policy=policy.default)
    assert mail["Subject"] == "Time to book your next visit to Lime Tree Spa"
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert mail["List-Unsubscribe"].startswith("<http://127.0.0.1:5000/unsubscribe/")
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    link = f"/book/{b.service_id}?therapist={b.therapist_id}"
    assert link in text and link in html
    therapist = db.session.get(Booking, b.id).therapist.display_name
    assert f"with {therapist}" in text and "It has been 4 weeks since" in text
    assert "Turn them off" in html and mail["List-Unsubscribe"].strip("<>") in text
    assert list(mail.iter_attachments()) == []  # no calendar file: nothing was booked


def test_the_link_drops_the_therapist_who_no_longer_offers_the_service(app, smtp):
    b, message = recent_visit()
    booking = db.session.get(Booking, b.id)
    booking.therapist.services.remove(booking.service)
    db.session.commit()
    assert deliver(message.id, datetime.now(UTC), mail_settings(app, smtp.port)) is Outcome.SENT
    mail = message_from_bytes(smtp.received[0].content, policy=policy.default)
    text = mail.get_body(("plain",)).get_content()
    assert f"http://127.0.0.1:5000/book/{b.service_id}" in text.split()
    assert "therapist=" not in text


def test_booking_after_the_nudge_was_queued_stops_it_at_send(app):
    b, message = recent_visit()
    with unit_of_work():
        [(message_id, token)] = delivery.dispatch_due(datetime.now(UTC))
    with serialized_writes():
        svc, (t,), (r,) = factories.spa()
        client = db.session.get(Booking, b.id).client
        factories.booking(client, t, r, svc, datetime.now(UTC) + timedelta(days=3))
    # No mail server is listening: a send attempt would be recorded as a retry.
    assert tasks.send_message(message_id, token.isoformat()) == "dropped"
    (dropped,) = nudges()
    assert dropped.state is MessageState.DROPPED


@pytest.mark.postgres
def test_nudges_on_postgresql(pg_app):
    client = factories.user()
    march = completed_visit(at(date(2027, 3, 1), "10:00"), client)
    completed_visit(at(date(2027, 2, 1), "10:00"), client)  # earlier, marked later: ignored
    assert window(client.id).booking_id == march.id
    assert sweep(at(date(2027, 3, 29), "10:00")) == 1 and sweep(at(date(2027, 3, 29), "10:00")) == 0
    assert sweep(at(date(2027, 4, 12), "10:00")) == 1
    assert [m.kind for m in nudges()] == [OPEN, CLOSING]


@pytest.mark.postgres
def test_two_sweeps_at_once_queue_each_nudge_once_on_postgresql(pg_app):
    for hour in range(9, 17):
        completed_visit(at(date(2027, 3, 1), f"{hour:02d}:00"))
    now = at(date(2027, 3, 29), "17:00")
    barrier = threading.Barrier(2)
    added, failures = [], []

    def beat():
        with pg_app.app_context():
            barrier.wait()
            try:
                added.append(sweep(now))
            except Exception as exc:  # noqa: BLE001 - reported by the assert below
                failures.append(exc)

    threads = [threading.Thread(target=beat) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(15)
    assert failures == [] and sum(added) == 8
    assert len(nudges()) == 8
