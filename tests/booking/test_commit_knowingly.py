"""Commit knowingly, undo easily (issue 14, items 4 and 5): the summary with the policy before
every change, the grace period after booking, the move and cancel steps, stale confirm links,
days out of range, and the cancellation e-mail's way back to booking."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from spa_app.accounts.models import Role
from spa_app.booking import service
from spa_app.booking.models import Booking, BookingStatus
from spa_app.business import business
from spa_app.catalog.models import Service
from spa_app.database import unit_of_work
from spa_app.extensions import db
from spa_app.notifications import outbox
from spa_app.notifications.models import Message, MessageKind
from tests import factories
from tests.factories import LONDON, at

PHONE = "020 7946 0000"
ADDRESS = "12 Willow Lane\nLondon N1 2AB"
MAP = "https://maps.example.com/?q=willow"


@pytest.fixture
def spa(app):
    svc, therapists, rooms = factories.spa(therapists=2, rooms=2)
    factories.settings(address=ADDRESS, phone=PHONE, map_url=MAP, grace_min=10)
    return svc, therapists, factories.next_weekday(0)


def _book(client, svc, start, *, now, therapist=None, actor=None) -> Booking:
    with unit_of_work():
        return service.book(
            client=client,
            choice=service.Choice(svc.id, start, therapist.id if therapist else None),
            actor=actor or client,
            now=now,
        )


def _fresh(booking_id: int) -> Booking:
    factories.fresh()
    return db.session.get(Booking, booking_id)


def _text(reply) -> str:
    return reply.get_data(as_text=True)


# The grace period (service) ----------------------------------------------------------------------


def test_inside_the_window_a_client_may_cancel_within_the_grace_period(spa):
    svc, (anna, _), monday = spa
    me = factories.user()
    booked_at = at(monday, "07:00")  # three hours before: inside the 24-hour window
    b = _book(me, svc, at(monday, "10:00"), now=booked_at, therapist=anna)
    assert b.created_at == booked_at
    nine_minutes_on = booked_at + timedelta(minutes=9)
    actions = service.actions_for(b, me, nine_minutes_on)
    assert actions.change_refusal is None
    assert actions.grace_until == booked_at + timedelta(minutes=10)
    assert not actions.may_ask_earlier  # a later offer could not be taken in the window
    service.cancel(booking=b, actor=me, now=nine_minutes_on)
    db.session.commit()
    assert _fresh(b.id).status is BookingStatus.CANCELLED


def test_inside_the_window_a_client_may_move_within_the_grace_period(spa):
    svc, (anna, _), monday = spa
    me = factories.user()
    booked_at = at(monday, "07:00")
    b = _book(me, svc, at(monday, "10:00"), now=booked_at, therapist=anna)
    with unit_of_work():
        service.move(booking=b, choice=service.Choice(svc.id, at(monday, "11:00"), anna.id),
                     actor=me, now=booked_at + timedelta(minutes=5))  # fmt: skip
    assert _fresh(b.id).starts_at == at(monday, "11:00")


def test_once_the_grace_period_has_passed_the_refusal_names_the_phone(spa):
    svc, (anna, _), monday = spa
    me = factories.user()
    booked_at = at(monday, "07:00")
    b = _book(me, svc, at(monday, "10:00"), now=booked_at, therapist=anna)
    ten_minutes_on = booked_at + timedelta(minutes=10)  # the grace ends at exactly 10
    with pytest.raises(service.ChangeNotAllowed) as refused:
        service.cancel(booking=b, actor=me, now=ten_minutes_on)
    assert str(refused.value) == (
        "Online changes close 24 hours before the visit. "
        f"Please call us on {PHONE} and we will do our best to help."
    )
    db.session.rollback()
    with pytest.raises(service.ChangeNotAllowed, match=PHONE), unit_of_work():
        service.move(booking=b, choice=service.Choice(svc.id, at(monday, "11:00"), anna.id),
                     actor=me, now=ten_minutes_on)  # fmt: skip
    assert _fresh(b.id).status is BookingStatus.BOOKED
    assert service.actions_for(b, me, ten_minutes_on).grace_until is None


def test_without_a_phone_number_the_refusal_sends_the_client_to_the_front_desk(spa):
    svc, (anna, _), monday = spa
    factories.settings(phone="", cancel_window_hours=1)
    me = factories.user()
    b = _book(me, svc, at(monday, "10:00"), now=at(monday, "08:00"), therapist=anna)
    refusal = service.change_refusal(b, me, at(monday, "09:30"))
    assert refusal == (
        "Online changes close 1 hour before the visit. "
        "Please speak to the front desk and we will do our best to help."
    )
    assert "call us" not in refusal


def test_a_visit_the_front_desk_booked_has_the_grace_period_from_its_creation(spa):
    """Decided: grace applies to a staff-made booking too, counted from when staff made it, so
    a client booked by phone can undo a mistake in the same few minutes as one online."""
    svc, (anna, _), monday = spa
    me, desk = factories.user(), factories.user(Role.STAFF)
    booked_at = at(monday, "08:00")
    b = _book(me, svc, at(monday, "10:00"), now=booked_at, therapist=anna, actor=desk)
    assert b.created_by_id == desk.id
    assert service.change_refusal(b, me, booked_at + timedelta(minutes=9)) is None
    assert PHONE in service.change_refusal(b, me, booked_at + timedelta(minutes=11))


def test_a_grace_period_of_zero_means_none(spa):
    svc, (anna, _), monday = spa
    factories.settings(grace_min=0)
    me = factories.user()
    booked_at = at(monday, "07:00")
    b = _book(me, svc, at(monday, "10:00"), now=booked_at, therapist=anna)
    assert "24 hours" in service.change_refusal(b, me, booked_at)


def test_the_grace_period_does_not_open_a_visit_that_has_started_or_another_clients(spa):
    svc, (anna, _), monday = spa
    me, other = factories.user(), factories.user()
    booked_at = at(monday, "09:55")
    b = _book(me, svc, at(monday, "10:00"), now=at(monday, "07:00"), therapist=anna)
    b.created_at = booked_at
    assert service.change_refusal(b, me, at(monday, "10:01")) == "This visit has already started."
    assert "Only the client" in service.change_refusal(b, other, booked_at)
    assert service.actions_for(b, anna.user, booked_at).grace_until is None


def test_the_visit_page_says_until_when_the_grace_period_lets_the_client_change_it(client, spa):
    svc, (anna, _), _ = spa
    me = factories.user()
    soon = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(hours=3)
    b = factories.booking(me, anna, factories.room(), svc, soon)  # booked just now
    factories.login(client, me)
    page = _text(client.get(f"/bookings/{b.id}"))
    ends = (b.created_at + timedelta(minutes=10)).astimezone(LONDON)
    assert f"you can still move or cancel it online until {ends:%H:%M}" in page
    assert "Cancel this visit" in page
    reply = client.post(f"/bookings/{b.id}/cancel", data={"reason": ""})
    assert reply.status_code == 302
    assert _fresh(b.id).status is BookingStatus.CANCELLED


# The summary -------------------------------------------------------------------------------------


def test_the_confirm_page_shows_the_summary_with_the_address_map_and_policy(client, spa):
    svc, (anna, _), monday = spa
    factories.login(client, factories.user())
    query = urlencode({"start": at(monday, "10:00").isoformat(), "therapist": anna.id})
    page = _text(client.get(f"/book/{svc.id}/confirm?{query}"))
    assert f"{svc.name}, {svc.duration_min} minutes" in page
    assert f"{monday:%A} {monday.day} {monday:%B %Y}, 10:00 to 11:00" in page
    assert anna.display_name in page and "paid at the spa" in page
    assert "12 Willow Lane<br>\nLondon N1 2AB" in page and f'href="{html.escape(MAP)}"' in page
    assert "You can cancel or move a visit online up to 24 hours before it starts" in page
    assert "within 10 minutes of booking it whenever it is" in page
    assert "Confirm booking" in page


def test_the_spas_own_policy_words_come_with_the_grace_period(client, spa):
    svc, (anna, _), monday = spa
    factories.settings(cancellation_policy="Please give us a day's notice.")
    factories.login(client, factories.user())
    query = urlencode({"start": at(monday, "10:00").isoformat(), "therapist": anna.id})
    page = _text(client.get(f"/book/{svc.id}/confirm?{query}"))
    assert "Please give us a day&#39;s notice." in page
    assert "Within 10 minutes of booking you can cancel or move a visit online" in page


def test_the_series_and_the_waitlist_offer_show_the_summary(client, spa):
    svc, (anna, _), monday = spa
    me = factories.user()
    b = factories.booking(me, anna, factories.room(), svc, at(monday, "10:00"))
    factories.login(client, me)
    page = _text(client.get(f"/bookings/{b.id}/series?every=4&visits=2"))
    assert "Each visit" in page and "If your plans change" in page and "London N1 2AB" in page
    assert "a visit, paid at the spa" in page


# Stale confirm links -----------------------------------------------------------------------------


def test_a_confirm_link_for_a_time_taken_since_offers_the_nearest_free_times(client, spa):
    svc, (anna, _), monday = spa
    factories.booking(factories.user(), anna, factories.room(), svc, at(monday, "10:00"))
    factories.login(client, factories.user())
    query = urlencode({"start": at(monday, "10:00").isoformat(), "therapist": anna.id})
    reply = client.get(f"/book/{svc.id}/confirm?{query}")
    page = _text(reply)
    assert reply.status_code == 200
    assert "That time is no longer free." in page and "Confirm booking" not in page
    offered = [parse_qs(urlsplit(html.unescape(h)).query)["start"][0]
               for h in re.findall(rf'href="(/book/{svc.id}/confirm\?[^"]+)"', page)]  # fmt: skip
    assert at(monday, "11:00").isoformat() in offered
    assert at(monday, "10:00").isoformat() not in offered


def test_a_confirm_link_for_a_time_that_has_passed_says_so(client, spa):
    svc, (anna, _), _ = spa
    factories.login(client, factories.user())
    gone = at(datetime.now(UTC).date() - timedelta(days=3), "10:00")
    query = urlencode({"start": gone.isoformat(), "therapist": anna.id})
    page = _text(client.get(f"/book/{svc.id}/confirm?{query}"))
    assert "That time has passed." in page and "Confirm booking" not in page
    assert "The nearest free times" in page  # from today on


def test_posting_a_stale_confirm_is_refused_and_books_nothing(client, spa):
    svc, (anna, _), _ = spa
    factories.login(client, factories.user())
    gone = at(datetime.now(UTC).date() - timedelta(days=3), "10:00")
    reply = client.post(f"/book/{svc.id}/confirm", data={
        "start": gone.isoformat(), "therapist": str(anna.id), "request_key": "k" * 24})  # fmt: skip
    assert reply.status_code == 409 and "That time has passed." in _text(reply)
    factories.fresh()
    assert db.session.scalar(db.select(db.func.count(Booking.id))) == 0


# Moving: pick, then "from X to Y?" ---------------------------------------------------------------


def _visit(client, spa):
    svc, (anna, ben), monday = spa
    me = factories.user()
    b = factories.booking(me, anna, factories.room(), svc, at(monday, "10:00"))
    factories.login(client, me)
    return b, me


def test_picking_a_new_time_shows_from_and_to_and_changes_nothing(client, spa):
    svc, (anna, ben), monday = spa
    b, _ = _visit(client, spa)
    picker = _text(client.get(f"/bookings/{b.id}/move?therapist={ben.id}&date={monday}"))
    assert f"/bookings/{b.id}/move/confirm?start=" in picker and 'name="start"' not in picker
    query = urlencode({"start": at(monday, "14:00").isoformat(), "therapist": ben.id})
    page = _text(client.get(f"/bookings/{b.id}/move/confirm?{query}"))
    day = f"{monday:%a} {monday.day} {monday:%b}"
    assert f"Move from {day}, 10:00 to {day}, 14:00?" in page
    assert f"10:00 to 11:00, with {anna.display_name}" in page
    assert f"14:00 to 15:00</strong>, with {ben.display_name}" in page
    assert "Confirm move" in page and "If your plans change" in page
    assert _fresh(b.id).starts_at == at(monday, "10:00")


def test_a_move_step_for_a_time_gone_since_offers_the_nearest_instead(client, spa):
    svc, (anna, ben), monday = spa
    b, _ = _visit(client, spa)
    factories.booking(factories.user(), ben, factories.room(), svc, at(monday, "14:00"))
    query = urlencode({"start": at(monday, "14:00").isoformat(), "therapist": ben.id})
    page = _text(client.get(f"/bookings/{b.id}/move/confirm?{query}"))
    assert "That time is no longer free." in page and "Confirm move" not in page
    assert f"/bookings/{b.id}/move/confirm?start=" in page


@pytest.mark.parametrize("query", ["", "start=garbage", "start=2026-13-01T09:00&therapist=any",
                                   "therapist=x&start=2030-01-01T09:00:00%2B00:00"])  # fmt: skip
def test_a_malformed_move_step_goes_back_to_the_times(client, spa, query):
    b, _ = _visit(client, spa)
    reply = client.get(f"/bookings/{b.id}/move/confirm?{query}")
    assert reply.status_code == 302 and reply.location.startswith(f"/bookings/{b.id}/move")


def test_the_move_step_inside_the_window_is_refused_like_the_move(client, spa):
    svc, (anna, _), _ = spa
    me = factories.user()
    soon = datetime.now(UTC) + timedelta(hours=3)
    b = factories.booking(me, anna, factories.room(), svc, soon)
    b.created_at = datetime.now(UTC) - timedelta(hours=1)
    db.session.commit()
    factories.login(client, me)
    query = urlencode({"start": (soon + timedelta(hours=1)).isoformat(), "therapist": "any"})
    for url in (f"/bookings/{b.id}/move/confirm?{query}", f"/bookings/{b.id}/cancel"):
        reply = client.get(url, follow_redirects=True)
        assert PHONE in _text(reply), url


def test_a_move_posted_for_a_time_taken_meanwhile_is_refused(client, spa):
    svc, (anna, ben), monday = spa
    b, _ = _visit(client, spa)
    factories.booking(factories.user(), ben, factories.room(), svc, at(monday, "14:00"))
    reply = client.post(f"/bookings/{b.id}/move", data={
        "start": at(monday, "14:00").isoformat(), "therapist": str(ben.id)})  # fmt: skip
    assert reply.status_code == 409 and "not free" in _text(reply)
    assert _fresh(b.id).starts_at == at(monday, "10:00")


# Cancelling: a step of its own -------------------------------------------------------------------


def test_the_cancel_step_asks_first_and_a_get_changes_nothing(client, spa):
    svc, (anna, _), monday = spa
    b, _ = _visit(client, spa)
    page = _text(client.get(f"/bookings/{b.id}/cancel"))
    assert f"Cancel your {svc.name} on {monday:%A} {monday.day} {monday:%B} at 10:00?" in page
    assert "If your plans change" in page and 'name="reason"' in page
    assert 'name="note_to_client"' not in page  # the client's own form
    assert _fresh(b.id).status is BookingStatus.BOOKED
    done = client.post(f"/bookings/{b.id}/cancel", data={"reason": "Away"}, follow_redirects=True)
    assert "The visit is cancelled." in _text(done)
    assert _fresh(b.id).status is BookingStatus.CANCELLED
    again = client.get(f"/bookings/{b.id}/cancel", follow_redirects=True)
    assert "can no longer change" in _text(again)


def test_staff_cancel_with_the_clients_name_in_the_question(client, spa):
    svc, (anna, _), _ = spa
    me = factories.user(name="Cleo Client")
    b = factories.booking(me, anna, factories.room(), svc, at(spa[2], "10:00"))
    factories.login(client, factories.user(Role.STAFF))
    page = _text(client.get(f"/bookings/{b.id}/cancel"))
    assert f"Cancel Cleo Client's {svc.name}" in page and 'name="note_to_client"' in page


# Days out of range on the free-times page --------------------------------------------------------


def test_a_day_that_has_passed_says_so_and_opens_the_nearest_bookable_days(client, spa):
    svc, _, _ = spa
    page = _text(client.get(f"/book/{svc.id}?date=2020-01-01"))
    assert "That day has passed. Here are the nearest days you can book." in page
    assert "Free times on Wednesday 01 January 2020" not in page
    assert "Free times on " in page  # a day that can be booked


def test_a_day_too_far_ahead_names_the_last_day_and_opens_the_days_before_it(client, spa):
    svc, _, _ = spa
    factories.settings(horizon_days=30)
    last = datetime.now(UTC).astimezone(LONDON).date() + timedelta(days=30)
    far = last + timedelta(days=10)
    page = _text(client.get(f"/book/{svc.id}?date={far.isoformat()}"))
    assert (
        "We take bookings up to 30 days ahead – the last day you can book is "
        f"{last:%A} {last.day} {last:%B %Y}." in page
    )
    assert f"Free times on {far:%A %d %B %Y}" not in page
    (shown,) = re.findall(r"Free times on (\w+ \d\d \w+ \d{4})", page)
    assert datetime.strptime(shown, "%A %d %B %Y").date() <= last
    assert f'value="{datetime.strptime(shown, "%A %d %B %Y").date().isoformat()}"' in page
    assert f'href="/book/{svc.id}?date={last.isoformat()}' in page  # the strip ends on it
    assert f'date={(last + timedelta(days=1)).isoformat()}&amp;therapist=any" aria' not in page


def test_the_free_times_page_still_takes_five_statements_for_a_day_out_of_range(client, spa):
    from tests.sqlcount import count_statements

    service_id = spa[0].id
    factories.login(client, factories.user())
    with count_statements() as statements:
        client.get(f"/book/{service_id}?date=2099-01-01")
    # Four for the search (as for any day), and one for "Who you can see": the therapists'
    # photos and bios, all at once.
    assert len(statements) <= 5, [st[:80] for st in statements]


# The cancellation e-mail -------------------------------------------------------------------------


def _cancellation_letter(app, b, me):
    with unit_of_work():
        service.cancel(booking=_fresh(b.id), actor=me, now=datetime.now(UTC))
    message = db.session.execute(
        db.select(Message).where(Message.kind == MessageKind.BOOKING_CANCELLED)
    ).scalar_one()
    sender = outbox.Sender("Spa <spa@example.com>", "https://spa.example", "spa.example",
                           app.config["SECRET_KEY"])  # fmt: skip
    return outbox.composer(MessageKind.BOOKING_CANCELLED)(message, business(), sender)


def test_the_cancellation_email_leads_to_booking_the_same_service_again(app, spa):
    svc, (anna, _), monday = spa
    me = factories.user()
    b = factories.booking(me, anna, factories.room(), svc, at(monday, "10:00"))
    letter = _cancellation_letter(app, b, me)
    assert letter.context["link"] == f"https://spa.example/book/{svc.id}"
    assert f"/bookings/{b.id}/manage/" in letter.context["visit_link"]


def test_a_service_no_longer_offered_leads_the_email_to_the_menu(app, spa):
    svc, (anna, _), monday = spa
    me = factories.user()
    b = factories.booking(me, anna, factories.room(), svc, at(monday, "10:00"))
    db.session.get(Service, svc.id).active = False
    db.session.commit()
    assert _cancellation_letter(app, b, me).context["link"] == "https://spa.example/"
