"""Closing a day (or time off) over booked visits: staff see the visits, tell each client once by
e-mail or move the visit, and the client's pages say the visit needs a new time."""

from __future__ import annotations

import email
import re
from datetime import UTC, datetime, timedelta
from email import policy

import pytest
import sqlalchemy as sa

from spa_app.accounts.models import Role
from spa_app.booking import service as booking_service
from spa_app.booking.models import Booking, BookingStatus
from spa_app.database import unit_of_work
from spa_app.extensions import db
from spa_app.notifications import delivery, outbox, tasks
from spa_app.notifications.models import Message, MessageKind, MessageState
from spa_app.scheduling import affected
from spa_app.scheduling import notices as notices_service
from spa_app.scheduling.models import Closure, TimeOff
from tests import factories
from tests.access.test_fuzz import login_with_token
from tests.factories import at
from tests.sqlcount import count_statements

KIND = MessageKind.VISIT_NEEDS_NEW_TIME


@pytest.fixture
def spa(app):
    """Two therapists, a room each, one service; the day two weeks on (a Wednesday) has Ann's
    visits at 10:00 and 14:00 and Ben's at 11:00; a visit the day after too."""
    svc, (ann, ben), (room, other_room) = factories.spa(therapists=2, rooms=2)
    day = factories.next_weekday(2, weeks_ahead=2)
    alice = factories.user(name="Alice Client")
    bob = factories.user(name="Bob Client")
    cara = factories.user(name="Cara Client")
    visits = {
        "alice": factories.booking(alice, ann, room, svc, at(day, "10:00")),
        "bob": factories.booking(bob, ann, room, svc, at(day, "14:00")),
        "cara": factories.booking(cara, ben, other_room, svc, at(day, "11:00")),
        "next_day": factories.booking(alice, ann, room, svc, at(day + timedelta(days=1), "10:00")),
    }
    return {"svc": svc, "ann": ann, "ben": ben, "day": day, "visits": visits,
            "clients": {"alice": alice, "bob": bob, "cara": cara}}  # fmt: skip


@pytest.fixture
def staff(client):
    factories.login(client, factories.user(Role.STAFF, name="Desk Person"))
    return client


def close(staff, day, reason=""):
    """Close ``day`` through the staff page; the page staff land on."""
    return staff.post("/staff/closures", data={"day": day.isoformat(), "reason": reason},
                      follow_redirects=True)  # fmt: skip


def closure_id(day) -> int:
    factories.fresh()
    return db.session.execute(db.select(Closure.id).where(Closure.day == day)).scalar_one()


def notices() -> list[Message]:
    factories.fresh()
    query = db.select(Message).where(Message.kind == KIND).order_by(Message.id)
    return list(db.session.execute(query).scalars())


def send_due(app, smtp) -> list[str | None]:
    """What beat and the worker do now: dispatch what is due, then run the send task on each
    (which drops a pointless message instead of sending it), with the test's mail server."""
    app.config["MAIL_PORT"] = smtp.port
    factories.fresh()
    with unit_of_work():
        leased = delivery.dispatch_due(datetime.now(UTC))
    return [tasks.send_message(message_id, token.isoformat()) for message_id, token in leased]


def closed(spa, staff, day=None):
    """The spa's day closed by staff; the URL of its visits page."""
    close(staff, day or spa["day"])
    return f"/staff/closures/{closure_id(day or spa['day'])}/visits"


def test_closing_a_day_over_visits_lands_on_the_list_of_them(spa, staff):
    response = close(staff, spa["day"])
    page = response.get_data(as_text=True)
    assert response.request.path == f"/staff/closures/{closure_id(spa['day'])}/visits"
    assert "3 booked visits fall in that time: tell the clients or move the visits." in page
    for name in ("Alice Client", "Bob Client", "Cara Client"):
        assert name in page
    # Local time at the spa (London), not UTC: 10:00 on the wall clock.
    assert (
        spa["visits"]["alice"].starts_at.astimezone(factories.LONDON).strftime("%a %d %b %Y, %H:%M")
        in page
    )
    assert page.count(">Tell the client</button>") == 3
    alice = spa["visits"]["alice"].id
    assert f'href="/bookings/{alice}/move"' in page  # the existing move flow, linked
    assert f'href="/bookings/{spa["visits"]["next_day"].id}/move"' not in page


def test_a_day_with_no_visits_goes_back_to_the_closures(spa, staff):
    response = close(staff, spa["day"] + timedelta(days=2))
    assert response.request.path == "/staff/closures"
    assert "booked visit" not in response.get_data(as_text=True)


def test_the_closures_list_says_how_many_visits_need_a_new_time(spa, staff):
    url = closed(spa, staff)
    close(staff, spa["day"] + timedelta(days=2))
    page = staff.get("/staff/closures").get_data(as_text=True)
    assert f'<a href="{url}">3 visits need a new time' in page
    assert page.count("need a new time") == 1  # the empty day has no link


def test_telling_one_client_queues_one_e_mail_about_that_visit(spa, staff):
    url = closed(spa, staff)
    alice = spa["visits"]["alice"]
    response = staff.post(url, data={"visit": str(alice.id), "note": "Our boiler broke."},
                          follow_redirects=True)  # fmt: skip
    assert "E-mail queued to the client" in response.get_data(as_text=True)
    (message,) = notices()
    assert message.idempotency_key == outbox.key(KIND, f"booking-{alice.id}:closed-{spa['day']}")
    assert (message.user_id, message.booking_id, message.state) == (
        spa["clients"]["alice"].id, alice.id, MessageState.PENDING,
    )  # fmt: skip
    assert (message.visit_starts_at, message.visit_sequence) == (alice.starts_at, 0)
    assert message.reason == "Our boiler broke."
    page = response.get_data(as_text=True)
    assert "E-mail queued" in page and page.count(">Tell the client</button>") == 2


def test_telling_all_queues_one_each_and_pressing_again_queues_none(spa, staff):
    url = closed(spa, staff)
    staff.post(url, data={"visit": "all"})
    assert sorted(m.booking_id for m in notices()) == sorted(
        spa["visits"][n].id for n in ("alice", "bob", "cara")
    )
    again = staff.post(url, data={"visit": "all"}, follow_redirects=True)
    assert "Every client here was already told; nobody gets a second e-mail." in again.get_data(
        as_text=True
    )
    twice = staff.post(url, data={"visit": str(spa["visits"]["bob"].id)}, follow_redirects=True)
    assert "That client was already told" in twice.get_data(as_text=True)
    assert len(notices()) == 3
    assert "Every client here has been told." in staff.get(url).get_data(as_text=True)


def test_the_notice_is_sent_once_through_the_mail_server(app, spa, staff, smtp):
    url = closed(spa, staff)
    alice = spa["visits"]["alice"]
    staff.post(url, data={"visit": str(alice.id), "note": "We are sorry for the trouble."})
    staff.post(url, data={"visit": str(alice.id)})  # a double click
    assert send_due(app, smtp) == ["sent"]
    assert send_due(app, smtp) == []
    (envelope,) = smtp.received
    sent = email.message_from_bytes(envelope.content, policy=policy.default)
    assert sent["To"].addresses[0].username == spa["clients"]["alice"].email.split("@")[0]
    assert sent["Subject"].startswith(f"Please choose a new time: {spa['svc'].name} on ")
    for part in ("plain", "html"):
        body = sent.get_body((part,)).get_content()
        assert re.search(rf"/bookings/{alice.id}/manage/[\w.-]+/move", body)
        assert "is closed at the time of your visit" in body
        assert "We are sorry for the trouble." in body
        assert "10:00" in body
    assert "List-Unsubscribe" not in sent  # a service message, always sent
    assert not list(sent.iter_attachments())


def test_removing_the_closure_makes_a_queued_notice_pointless(app, spa, staff, smtp):
    url = closed(spa, staff)
    staff.post(url, data={"visit": "all"})
    (message, *_) = notices()
    assert not outbox.is_pointless(message, datetime.now(UTC))
    staff.post(f"/staff/closures/{closure_id(spa['day'])}/delete")
    (message, *_) = notices()
    assert outbox.is_pointless(message, datetime.now(UTC))
    assert send_due(app, smtp) == ["dropped"] * 3
    assert smtp.received == []
    assert {m.state for m in notices()} == {MessageState.DROPPED}


def test_a_visit_moved_off_the_day_is_no_longer_listed_and_its_notice_is_pointless(spa, staff):
    url = closed(spa, staff)
    bob = spa["visits"]["bob"]
    staff.post(url, data={"visit": str(bob.id)})
    factories.fresh()
    with unit_of_work():
        booking_service.move(
            booking=db.session.get(Booking, bob.id),
            choice=booking_service.Choice(bob.service_id, at(spa["day"] + timedelta(days=2),
                                                             "15:00"), bob.therapist_id),
            actor=factories.user(Role.STAFF),
            now=datetime.now(UTC),
        )  # fmt: skip
    page = staff.get(url).get_data(as_text=True)
    assert "Bob Client" not in page and "Alice Client" in page
    (message,) = notices()
    assert outbox.is_pointless(message, datetime.now(UTC))
    gone = staff.post(url, data={"visit": str(bob.id)}, follow_redirects=True)
    assert "That visit is no longer on this list" in gone.get_data(as_text=True)
    assert len(notices()) == 1


def test_a_cancelled_visit_on_the_day_is_not_listed_and_its_notice_is_pointless(spa, staff):
    url = closed(spa, staff)
    staff.post(url, data={"visit": "all"})
    factories.fresh()
    with unit_of_work():
        booking_service.cancel(
            booking=db.session.get(Booking, spa["visits"]["cara"].id),
            actor=factories.user(Role.STAFF),
            now=datetime.now(UTC),
            reason="",
            note_to_client="",
        )
    page = staff.get(url).get_data(as_text=True)
    assert "Cara Client" not in page and "Bob Client" in page
    pointless = {m.booking_id: outbox.is_pointless(m, datetime.now(UTC)) for m in notices()}
    assert pointless[spa["visits"]["cara"].id] is True
    assert pointless[spa["visits"]["bob"].id] is False


def test_visits_cancelled_before_the_closure_are_not_counted(spa, staff):
    factories.fresh()
    for name in ("alice", "bob"):
        db.session.get(Booking, spa["visits"][name].id).status = BookingStatus.CANCELLED
    db.session.commit()
    page = close(staff, spa["day"]).get_data(as_text=True)
    assert "1 booked visit falls in that time" in page
    assert "Alice Client" not in page and "Cara Client" in page


def time_off(staff, therapist, day, start="09:00", end="13:00"):
    data = {"start_date": day.isoformat(), "start_time": start, "end_date": day.isoformat(),
            "end_time": end, "reason": "Dentist"}  # fmt: skip
    return staff.post(f"/staff/therapists/{therapist.id}/time-off", data=data,
                      follow_redirects=True)  # fmt: skip


def test_time_off_over_a_visit_lists_it_and_tells_its_client_once(app, spa, staff, smtp):
    ann = spa["ann"]
    response = time_off(staff, ann, spa["day"])
    factories.fresh()
    entry = db.session.execute(db.select(TimeOff)).scalar_one()
    url = f"/staff/therapists/{ann.id}/time-off/{entry.id}/visits"
    assert response.request.path == url
    page = response.get_data(as_text=True)
    assert "1 booked visit falls in that time" in page
    # Ann's 10:00 only: not her 14:00 (after the time off), nor Ben's 11:00 (another therapist).
    assert "Alice Client" in page and "Bob Client" not in page and "Cara Client" not in page
    listing = staff.get(f"/staff/therapists/{ann.id}/time-off").get_data(as_text=True)
    assert f'<a href="{url}">1 visit needs a new time' in listing
    staff.post(url, data={"visit": "all"})
    staff.post(url, data={"visit": "all"})
    (message,) = notices()
    alice = spa["visits"]["alice"]
    assert message.idempotency_key == outbox.key(KIND, f"booking-{alice.id}:time-off-{entry.id}")
    assert send_due(app, smtp) == ["sent"]
    sent = email.message_from_bytes(smtp.received[0].content, policy=policy.default)
    assert "Dentist" not in sent.as_string()  # time off's reason is the spa's own note


def test_removing_the_time_off_makes_its_notice_pointless(spa, staff):
    time_off(staff, spa["ann"], spa["day"])
    factories.fresh()
    entry = db.session.execute(db.select(TimeOff)).scalar_one()
    base = f"/staff/therapists/{spa['ann'].id}/time-off/{entry.id}"
    staff.post(f"{base}/visits", data={"visit": "all"})
    staff.post(f"{base}/delete")
    (message,) = notices()
    assert outbox.is_pointless(message, datetime.now(UTC))


def test_the_client_pages_say_the_visit_needs_a_new_time(app, spa, staff):
    alice = spa["clients"]["alice"]
    visit, next_day = spa["visits"]["alice"], spa["visits"]["next_day"]
    mine = factories.signed_in(app, alice)
    line = "The spa is closed then – please"
    assert line not in mine.get("/bookings").get_data(as_text=True)
    close(staff, spa["day"])
    page = mine.get("/bookings").get_data(as_text=True)
    assert page.count(line) == 1  # the closed day's visit, not the next day's
    assert f'<a href="/bookings/{visit.id}/move">choose a new time' in page
    detail = mine.get(f"/bookings/{visit.id}").get_data(as_text=True)
    assert f'{line} <a href="/bookings/{visit.id}/move">choose a new time</a>.' in detail
    assert line not in mine.get(f"/bookings/{next_day.id}").get_data(as_text=True)
    staff.post(f"/staff/closures/{closure_id(spa['day'])}/delete")
    assert line not in mine.get("/bookings").get_data(as_text=True)


def test_the_client_pages_say_so_for_their_therapists_time_off_too(app, spa, staff):
    time_off(staff, spa["ann"], spa["day"])
    bob = factories.signed_in(app, spa["clients"]["bob"])  # Ann's 14:00, after the time off
    cara = factories.signed_in(app, spa["clients"]["cara"])  # Ben's 11:00, inside it
    alice = factories.signed_in(app, spa["clients"]["alice"])  # Ann's 10:00, inside it
    line = "The spa is closed then – please"
    assert line in alice.get("/bookings").get_data(as_text=True)
    assert line not in bob.get("/bookings").get_data(as_text=True)
    assert line not in cara.get("/bookings").get_data(as_text=True)


def test_inside_the_online_change_window_a_closed_visit_can_still_move_online(app, spa, staff):
    """The spa asked for a new time: its own window does not stand in the way (the e-mail's
    link leads to a move that works), though the window holds for visits the spa did not close."""
    factories.settings(grace_min=0)  # no minutes of grace after booking either
    soon = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=3)
    svc, ann = spa["svc"], spa["ann"]
    room = db.session.get(Booking, spa["visits"]["alice"].id).room
    visit = factories.booking(spa["clients"]["alice"], ann, room, svc, soon)
    close(staff, soon.astimezone(factories.LONDON).date())
    mine = factories.signed_in(app, spa["clients"]["alice"])
    page = mine.get(f"/bookings/{visit.id}").get_data(as_text=True)
    assert f'please <a href="/bookings/{visit.id}/move">choose a new time</a>.' in page
    assert mine.get(f"/bookings/{visit.id}/move").status_code == 200
    factories.fresh()
    assert booking_service.change_refusal(visit, spa["clients"]["alice"], datetime.now(UTC)) is None
    with unit_of_work():  # the closure removed: the window holds again
        db.session.execute(sa.delete(Closure))
    factories.fresh()
    assert "Online changes close 24 hours" in booking_service.change_refusal(
        db.session.get(Booking, visit.id), spa["clients"]["alice"], datetime.now(UTC)
    )


def test_my_bookings_reads_the_closures_in_one_statement_for_any_number_of_visits(app, spa):
    alice = spa["clients"]["alice"]
    mine = factories.signed_in(app, alice)

    def statements() -> int:
        with count_statements() as sent:
            assert mine.get("/bookings").status_code == 200
        return len(sent)

    two = statements()
    svc, ann = spa["svc"], spa["ann"]
    room = db.session.get(Booking, spa["visits"]["alice"].id).room
    for weeks in (3, 4, 5):
        factories.booking(alice, ann, room, svc, at(factories.next_weekday(1, weeks), "10:00"))
    assert statements() == two
    db.session.add(Closure(day=spa["day"]))
    db.session.add(TimeOff(therapist_id=ann.id, starts_at=at(spa["day"], "08:00"),
                           ends_at=at(spa["day"], "20:00")))  # fmt: skip
    db.session.commit()
    assert statements() == two


def test_pages_without_upcoming_visits_ask_nothing_more(app, spa):
    nobody = factories.signed_in(app, factories.user())
    with count_statements() as sent:
        assert nobody.get("/bookings").status_code == 200
    assert not [s for s in sent if "closures" in s]


# Refusals -------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.CLIENT, Role.THERAPIST])
def test_other_roles_get_404_and_change_nothing(app, spa, staff, role):
    url = closed(spa, staff)
    someone = factories.signed_in(app, factories.user(role))
    assert someone.get(url).status_code == 404
    assert someone.post(url, data={"visit": "all"}).status_code == 404
    assert notices() == []


def test_anonymous_visitors_are_sent_to_log_in(app, spa, staff):
    url = closed(spa, staff)
    anonymous = app.test_client()
    assert anonymous.get(url).headers["Location"].startswith("/login?next=")
    assert anonymous.post(url, data={"visit": "all"}).headers["Location"].startswith("/login")
    assert notices() == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"visit": "all", "note": "x" * 481}, "Notes are plain text, 480 characters at most."),
        ({"visit": "all", "note": "bad\x00byte"}, "Notes are plain text"),
        ({"visit": "abc"}, "That is not a visit on this list. Nobody was told."),
        ({"visit": "-1"}, "That is not a visit on this list. Nobody was told."),
        ({"visit": "99999"}, "That visit is no longer on this list"),
        ({"visit": "next_day"}, "That visit is no longer on this list"),
    ],
)
def test_bad_input_is_told_and_queues_nothing(spa, staff, data, message):
    url = closed(spa, staff)
    if data["visit"] == "next_day":  # a real visit, but on another day
        data = {"visit": str(spa["visits"]["next_day"].id)}
    response = staff.post(url, data=data, follow_redirects=True)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert notices() == []


def test_unknown_closures_and_time_off_are_404(spa, staff):
    time_off(staff, spa["ann"], spa["day"])
    factories.fresh()
    entry = db.session.execute(db.select(TimeOff)).scalar_one()
    assert staff.get("/staff/closures/99999/visits").status_code == 404
    assert staff.post("/staff/closures/99999/visits", data={"visit": "all"}).status_code == 404
    other = f"/staff/therapists/{spa['ben'].id}/time-off/{entry.id}/visits"  # not Ben's
    assert staff.get(other).status_code == 404
    assert staff.post(other, data={"visit": "all"}).status_code == 404
    assert notices() == []


def test_telling_when_every_visit_has_gone_says_so(spa, staff):
    url = closed(spa, staff)
    factories.fresh()
    for name in ("alice", "bob", "cara"):
        db.session.get(Booking, spa["visits"][name].id).status = BookingStatus.CANCELLED
    db.session.commit()
    assert "nothing to do" in staff.get(url).get_data(as_text=True)
    response = staff.post(url, data={"visit": "all"}, follow_redirects=True)
    assert "No booked visits are left on this list" in response.get_data(as_text=True)
    assert notices() == []


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_a_post_without_the_csrf_token_is_refused(app, spa, app_config):
    desk = app.test_client()
    login_with_token(desk, factories.user(Role.STAFF))
    db.session.add(Closure(day=spa["day"]))
    db.session.commit()
    url = f"/staff/closures/{closure_id(spa['day'])}/visits"
    page = desk.get(url).get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert desk.post(url, data={"visit": "all"}).status_code == 400
    assert notices() == []
    assert desk.post(url, data={"visit": "all", "csrf_token": token}).status_code == 302
    assert len(notices()) == 3


def test_the_staff_day_view_marks_the_visits_that_need_a_new_time(spa, staff):
    time_off(staff, spa["ann"], spa["day"])  # Ann's 10:00 only
    page = staff.get(f"/staff/bookings/?date={spa['day']}").get_data(as_text=True)
    assert page.count("Needs a new time (closed then)") == 1
    close(staff, spa["day"])
    page = staff.get(f"/staff/bookings/?date={spa['day']}").get_data(as_text=True)
    assert page.count("Needs a new time (closed then)") == 3


@pytest.mark.postgres
def test_the_reads_and_the_notice_on_postgresql(pg_app):
    svc, (ann,), (room,) = factories.spa()
    day = factories.next_weekday(2)
    visit = factories.booking(factories.user(), ann, room, svc, at(day, "10:00"))
    other = factories.booking(factories.user(), ann, room, svc, at(day, "15:00"))
    db.session.add_all([Closure(day=day + timedelta(days=1)),
                        TimeOff(therapist_id=ann.id, starts_at=at(day, "09:00"),
                                ends_at=at(day, "12:00"))])  # fmt: skip
    db.session.commit()
    now = datetime.now(UTC)
    assert affected.needs_new_time([visit, other], factories.LONDON, now) == {visit.id}
    entry = db.session.execute(db.select(TimeOff)).scalar_one()
    cause = affected.of_time_off(entry)
    assert [v.id for v in affected.visits(cause, now)] == [visit.id]
    assert affected.counts({"away": cause}, now) == {"away": 1}
    with unit_of_work():
        assert notices_service.tell([visit], cause, note="", now=now) == 1
        assert notices_service.tell([visit], cause, note="", now=now) == 0
    (message,) = notices()
    assert not outbox.is_pointless(message, now)
