"""The signed link in a visit's e-mails: that one visit, seen, moved or cancelled with no log-in,
until it ends; every other link refused with a clear page, nothing changed, never a 5xx."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from spa_app.accounts.models import Role
from spa_app.booking import links, service
from spa_app.booking.models import Booking, BookingStatus
from spa_app.database import unit_of_work
from spa_app.extensions import db
from spa_app.notifications.models import Message, MessageKind
from spa_app.notifications.preferences import unsubscribe_token
from tests import factories
from tests.access.snapshots import dump
from tests.factories import at

SECRET = "test-secret"  # tests/conftest.base_config's


@pytest.fixture
def visit(app):
    """A client's visit next week, booked online (its confirmation queued), with an intake
    whose answers must never show on the link's page."""
    svc, (anna,), _ = factories.spa()
    booking = factories.booked_online(svc, anna, factories.next_weekday(0), "10:00")
    factories.intake(
        booking.client_id,
        conditions=["blood_clots"],
        condition_note="Bad left knee",
        medicines="Warfarin",
    )
    return booking


_TOKENS: dict[tuple[int, int], str] = {}


def path_of(booking: Booking, token: str | None = None) -> str:
    """The visit's link path; one token per visit in a test run (a token carries the second it
    was made, so two made either side of a second would differ)."""
    key = (booking.id, booking.client_id)
    token = token or _TOKENS.setdefault(key, links.manage_token(SECRET, *key))
    return f"/bookings/{booking.id}/manage/{token}"


def reloaded(booking: Booking) -> Booking:
    factories.fresh()
    return db.session.get(Booking, booking.id)


def later(monkeypatch, moment: datetime) -> None:
    """The link's pages see ``moment`` as now."""
    monkeypatch.setattr("spa_app.booking.manage.utcnow", lambda: moment)


def logged_in(client) -> bool:
    """Whether ``client``'s session is logged in: the client's own list opens, not the login."""
    return client.get("/bookings").status_code == 200


def test_the_link_shows_the_visit_without_logging_in(client, visit):
    path = path_of(visit)
    page = client.get(path)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert visit.service.name in html and visit.therapist.display_name in html
    assert "10:00" in html and "11:00" in html and visit.room.name in html
    assert "Cancel my visit" in html and f"{path}/move" in html
    assert "calendar.google.com" in html and "outlook.live.com" in html
    # No health data, nor who the client is: anyone the e-mail reached could open it.
    for private in (
        "Bad left knee",
        "Warfarin",
        "clot",
        "intake",
        visit.client.email,
        visit.client.name,
    ):
        assert private not in html
    assert page.headers["Cache-Control"] == "no-store"
    assert page.headers["Referrer-Policy"] == "same-origin"  # never sent to another site
    assert not logged_in(client)


def test_the_link_acts_for_that_visit_only_whoever_is_logged_in(app, visit):
    other = factories.user(name="Bea Other")
    browser = factories.signed_in(app, other)
    page = browser.get(path_of(visit)).get_data(as_text=True)
    assert visit.service.name in page
    assert browser.post(f"{path_of(visit)}/cancel").status_code == 302
    assert reloaded(visit).cancel_reason == "client"  # cancelled as its client, not as Bea
    # Bea is still Bea: her own list, and not the visit's page behind the log-in.
    assert "Bea Other" in browser.get("/bookings").get_data(as_text=True)
    assert browser.get(f"/bookings/{visit.id}").status_code == 404


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_cancel_through_the_link_works_with_its_csrf_token(client, visit):
    page = client.get(path_of(visit)).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    reply = client.post(f"{path_of(visit)}/cancel", data={"csrf_token": token})
    assert reply.status_code == 302 and reply.location == path_of(visit)
    booking = reloaded(visit)
    assert booking.status is BookingStatus.CANCELLED and booking.cancel_reason == "client"
    kinds = db.session.execute(db.select(Message.kind).order_by(Message.id)).scalars().all()
    assert kinds == [MessageKind.BOOKING_CONFIRMED, MessageKind.BOOKING_CANCELLED]
    after = client.get(path_of(visit)).get_data(as_text=True)
    assert "Your visit is cancelled." in after and "cancelled" in after and "(by you)" in after
    assert "Cancel my visit" not in after and "Book another time" in after
    assert not logged_in(client)


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_cancel_without_the_csrf_token_is_refused_and_changes_nothing(client, visit):
    before = dump()
    reply = client.post(f"{path_of(visit)}/cancel")
    assert reply.status_code == 400 and dump() == before


def tampered(token: str) -> str:
    """The token with the first character of its signature changed. Not the last: base64 leaves
    that one's low bits unused, so 'B' for 'A' there can decode to the very same signature."""
    cut = token.rindex(".") + 1
    return token[:cut] + ("A" if token[cut] != "A" else "B") + token[cut + 1 :]


def foreign_tokens(booking: Booking) -> dict[str, str]:
    ids = [booking.id, booking.client_id]
    return {
        "forged": "not-a-token",
        "tampered": tampered(links.manage_token(SECRET, *ids)),
        "other secret": links.manage_token("another-secret", *ids),
        "other salt": URLSafeTimedSerializer(SECRET, salt="plan-day-done").dumps(ids),
        "unsubscribe": unsubscribe_token(SECRET, booking.client_id, MessageKind.BOOKING_MOVED),
        "not ids": URLSafeTimedSerializer(SECRET, salt=links._SALT).dumps(["7", True]),
        "very long": "a" * 3000,
    }


@pytest.mark.parametrize(
    "kind", ["forged", "tampered", "other secret", "other salt", "unsubscribe", "not ids",
             "very long"],
)  # fmt: skip
def test_a_forged_or_tampered_link_is_refused_and_changes_nothing(client, visit, kind):
    token = foreign_tokens(visit)[kind]
    before = dump()
    for method, suffix in (("GET", ""), ("POST", "/cancel"), ("GET", "/move"), ("POST", "/move")):
        reply = client.open(path_of(visit, token) + suffix, method=method)
        html = reply.get_data(as_text=True)
        assert reply.status_code == 403, (kind, method, suffix)
        assert "not one we sent" in html and "/login?next=" in html
        assert visit.service.name not in html and visit.therapist.display_name not in html
    assert dump() == before
    assert not logged_in(client)


def test_another_visits_link_opens_neither_visit_and_changes_nothing(client, visit):
    mine = links.manage_token(SECRET, visit.id, visit.client_id)
    other = factories.booked_online(visit.service, visit.therapist, factories.next_weekday(1))
    before = dump()
    for method, suffix in (("GET", ""), ("POST", "/cancel"), ("POST", "/move")):
        reply = client.open(path_of(other, mine) + suffix, method=method)
        assert reply.status_code == 403
        assert "belongs to another visit" in reply.get_data(as_text=True)
    assert dump() == before


def test_a_link_naming_another_client_is_refused(client, visit):
    someone = factories.user()
    token = links.manage_token(SECRET, visit.id, someone.id)
    before = dump()
    assert client.get(path_of(visit, token)).status_code == 410
    assert client.post(path_of(visit, token) + "/cancel").status_code == 410
    assert dump() == before


def test_a_link_to_a_visit_no_longer_there_is_gone(client, visit):
    token = links.manage_token(SECRET, visit.id + 100, visit.client_id)
    reply = client.get(f"/bookings/{visit.id + 100}/manage/{token}")
    assert reply.status_code == 410 and "no longer on our books" in reply.get_data(as_text=True)


def test_after_the_visit_ends_the_link_is_refused_and_changes_nothing(client, visit, monkeypatch):
    later(monkeypatch, visit.ends_at)
    before = dump()
    for method, suffix in (("GET", ""), ("POST", "/cancel"), ("GET", "/move"), ("POST", "/move")):
        reply = client.open(path_of(visit) + suffix, method=method)
        html = reply.get_data(as_text=True)
        assert reply.status_code == 410 and "has ended" in html and "/login?next=" in html
        assert visit.service.name not in html
    assert dump() == before


def test_during_the_visit_the_link_shows_it_but_changes_nothing(client, visit, monkeypatch):
    later(monkeypatch, visit.starts_at + timedelta(minutes=10))
    page = client.get(path_of(visit)).get_data(as_text=True)
    assert "This visit has already started." in page and "Cancel my visit" not in page
    before = dump()
    assert client.post(path_of(visit) + "/cancel").status_code == 302
    assert client.get(path_of(visit) + "/move").status_code == 302
    assert dump() == before
    assert "already started. Nothing was changed." in client.get(path_of(visit)).get_data(
        as_text=True
    )


def test_inside_the_policy_window_the_client_is_asked_to_call(client, visit, monkeypatch):
    later(monkeypatch, visit.starts_at - timedelta(hours=3))
    page = client.get(path_of(visit)).get_data(as_text=True)
    assert "Online changes close 24 hours before the visit" in page
    before = dump()
    client.post(path_of(visit) + "/cancel")
    assert dump() == before


def test_a_cancelled_visit_shows_cancelled_and_cannot_be_cancelled_again(client, visit):
    staff = factories.user(Role.STAFF)
    with unit_of_work():
        service.cancel(booking=reloaded(visit), actor=staff, now=datetime.now(UTC),
                       reason="therapist ill", note_to_client="Sorry")  # fmt: skip
    page = client.get(path_of(visit)).get_data(as_text=True)
    assert "cancelled" in page and "(by the spa)" in page and "therapist ill" not in page
    assert "Cancel my visit" not in page and "calendar.google.com" not in page
    before = dump()
    assert client.post(path_of(visit) + "/cancel").status_code == 302
    assert dump() == before


def test_a_moved_visit_keeps_its_link_until_the_new_end(client, visit, monkeypatch):
    token = links.manage_token(SECRET, visit.id, visit.client_id)
    old_end, new_start = visit.ends_at, visit.starts_at + timedelta(days=1)
    with unit_of_work():
        booking = reloaded(visit)
        service.move(booking=booking, choice=service.Choice(booking.service_id, new_start),
                     actor=booking.client, now=datetime.now(UTC))  # fmt: skip
    page = client.get(path_of(visit, token)).get_data(as_text=True)
    assert new_start.astimezone(factories.LONDON).strftime("%A %d %B %Y, %H:%M") in page
    later(monkeypatch, old_end + timedelta(hours=1))  # the old end has passed
    assert client.get(path_of(visit, token)).status_code == 200
    later(monkeypatch, new_start + timedelta(hours=1))
    assert client.get(path_of(visit, token)).status_code == 410


def test_move_through_the_link(client, visit):
    page = client.get(path_of(visit) + "/move")
    assert page.status_code == 200 and "Move your" in page.get_data(as_text=True)
    new_start = at(factories.next_weekday(0), "14:00")
    reply = client.post(
        path_of(visit) + "/move",
        data={"start": new_start.isoformat(), "therapist": str(visit.therapist_id)},
    )
    assert reply.status_code == 302 and reply.location == path_of(visit)
    booking = reloaded(visit)
    assert (booking.starts_at, booking.sequence) == (new_start, 1)
    kinds = db.session.execute(db.select(Message.kind).order_by(Message.id)).scalars().all()
    assert kinds == [MessageKind.BOOKING_CONFIRMED, MessageKind.BOOKING_MOVED]
    assert "Your visit is moved." in client.get(path_of(visit)).get_data(as_text=True)
    assert not logged_in(client)


@pytest.mark.parametrize(
    "data",
    [{}, {"start": "yesterday"}, {"start": "2020-01-06T10:00:00+00:00"},
     {"start": "2099-01-06T10:00:00+00:00", "therapist": "999"}, {"therapist": "x" * 500}],
    ids=["nothing", "not a time", "past", "far and unknown therapist", "junk therapist"],
)  # fmt: skip
def test_a_bad_move_through_the_link_says_so_and_changes_nothing(client, visit, data):
    before = dump()
    reply = client.post(path_of(visit) + "/move", data=data)
    assert reply.status_code == 409 and dump() == before
    assert 'role="alert"' in reply.get_data(as_text=True)


def test_a_deleted_clients_link_is_gone(client, visit):
    factories.fresh()
    user = db.session.get(type(visit.client), visit.client_id)
    user.email = f"deleted-{user.id}@deleted.invalid"
    db.session.commit()
    assert client.get(path_of(visit)).status_code == 410


def test_a_link_older_than_the_longest_reach_is_refused(visit):
    class Aged(TimestampSigner):
        def get_timestamp(self):
            return super().get_timestamp() - links.MAX_AGE_SECONDS - 10

    aged = URLSafeTimedSerializer(SECRET, salt=links._SALT, signer=Aged)
    old = aged.dumps([visit.id, visit.client_id])
    assert links.read_manage_token(SECRET, old) is None
    fresh = links.manage_token(SECRET, visit.id, visit.client_id)
    assert links.read_manage_token(SECRET, fresh) == (visit.id, visit.client_id)


@pytest.mark.parametrize(
    "app_config", [{"RATELIMIT_ENABLED": True, "LOGIN_LIMIT_PER_ADDRESS": "2 per minute"}]
)
def test_the_links_changes_are_rate_limited_like_the_other_public_forms(client, visit):
    forged = path_of(visit, "not-a-token") + "/cancel"
    assert [client.post(forged).status_code for _ in range(3)] == [403, 403, 429]
    assert client.get(path_of(visit)).status_code == 200  # reading is not counted


def test_the_links_move_page_says_a_day_out_of_range_as_the_logged_in_one_does(client, visit):
    """One search behind both move pages (booking/finding.py): a day too far ahead says so and
    opens the nearest bookable days."""
    far = (visit.starts_at + timedelta(days=400)).date().isoformat()
    page = client.get(f"{path_of(visit)}/move?date={far}").get_data(as_text=True)
    assert "We take bookings up to 90 days ahead" in page
    assert "Here are the nearest days you can move to." in page
