"""Every staff management page: staff get it, other roles 404, anonymous visitors a login, in
the access tests' world (the pages of its service, room, own therapist and a library routine);
and the staff pages that act on something of client A's (a failed e-mail to resend, the audit
log of who read their health data) refuse the others too."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from spa_app.accounts.models import Role
from spa_app.extensions import db
from spa_app.homecare.access import audit
from spa_app.homecare.library import load_library
from spa_app.homecare.models import Routine
from spa_app.notifications.models import Message, MessageKind, MessageState
from tests import factories
from tests.access.world import A_NAME, build_cast

PAGES = [
    "/staff/",
    "/staff/services/",
    "/staff/services/new",
    "/staff/services/{service}",
    "/staff/rooms/",
    "/staff/rooms/new",
    "/staff/rooms/{room}",
    "/staff/therapists/",
    "/staff/therapists/new",
    "/staff/therapists/{therapist}",
    "/staff/therapists/{therapist}/hours",
    "/staff/therapists/{therapist}/time-off",
    "/staff/settings",
    "/staff/closures",
    "/staff/bookings/",
    "/staff/bookings/new",
    "/staff/messages",
    "/staff/routines/",
    "/staff/routines/new",
    "/staff/routines/{routine}",
    "/staff/calendar",
    "/staff/calendar/week?therapist={therapist}",
    "/staff/rebook-due",
    "/staff/waitlist",
    "/staff/audit",
]


@pytest.fixture
def world(app):
    return build_cast()


def _urls(world) -> list[str]:
    ids = {"service": world.service.id, "room": world.rooms[0].id}
    ids["therapist"] = world.therapists["own"].id
    load_library()
    db.session.commit()
    ids["routine"] = db.session.execute(db.select(Routine.id)).scalars().first()
    return [page.format(**ids) for page in PAGES]


def test_staff_see_every_page(client, world):
    urls = _urls(world)
    factories.login(client, world.person(Role.STAFF))
    assert {url: client.get(url).status_code for url in urls} == dict.fromkeys(urls, 200)


@pytest.mark.parametrize("role", [Role.CLIENT, Role.THERAPIST])
def test_other_roles_get_404_everywhere(client, world, role):
    urls = _urls(world)
    factories.login(client, world.person(role))  # a therapist, on their own pages too
    assert {url: client.get(url).status_code for url in urls} == dict.fromkeys(urls, 404)


def test_anonymous_visitors_are_sent_to_log_in(client, world):
    urls = _urls(world)
    locations = {url: client.get(url).headers.get("Location", "") for url in urls}
    assert all(location.startswith("/login?next=") for location in locations.values()), locations


# Single pages, by role ----------------------------------------------------------------------


@pytest.fixture
def failed(world):
    """A confirmation of A's visit next week that the mail server refused."""
    a, own = world.people["client_a"], world.therapists["own"]
    visit = factories.booking(a, own, world.rooms[0], world.service,
                              datetime.now(UTC) + timedelta(days=3))  # fmt: skip
    message = Message(kind=MessageKind.BOOKING_CONFIRMED, idempotency_key="k-failed",
                      user_id=a.id, booking_id=visit.id, state=MessageState.FAILED,
                      due_at=datetime.now(UTC), attempts=3,
                      last_error="550 5.1.1 no such mailbox")  # fmt: skip
    db.session.add(message)
    db.session.commit()
    return message


@pytest.mark.parametrize("role", [Role.CLIENT, Role.THERAPIST])
def test_only_staff_see_messages(client, world, failed, role):
    factories.login(client, world.person(role))
    assert client.get("/staff/messages").status_code == 404
    assert client.post(f"/staff/messages/{failed.id}/retry").status_code == 404
    factories.fresh()
    kept = db.session.get(Message, failed.id)
    assert (kept.state, kept.attempts) == (MessageState.FAILED, 3)  # not sent again


@pytest.fixture
def audited(world):
    """The own therapist read A's intake: a line in the audit log."""
    audit(world.people["own_therapist"], world.people["client_a"].id, "read", "intake")
    db.session.commit()


@pytest.mark.parametrize("role", [Role.CLIENT, Role.THERAPIST])
def test_only_staff_see_the_audit_log(client, world, audited, role):
    factories.login(client, world.person(role))
    reply = client.get("/staff/audit")
    assert reply.status_code == 404
    # The other party of the line is nowhere (the reader's own name is, in the menu).
    other = world.people["own_therapist"].name if role is Role.CLIENT else A_NAME
    assert other not in reply.get_data(as_text=True)


def test_anonymous_visitors_are_sent_to_the_login_from_the_audit_log(client, world, audited):
    assert client.get("/staff/audit").headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize(
    "role,staff_page,own_page", [(Role.CLIENT, 404, 404), (Role.THERAPIST, 404, 200)]
)
def test_who_may_open_which_calendar(client, world, role, staff_page, own_page):
    factories.login(client, world.person(role))  # the therapist: A's own, with a column
    assert client.get("/staff/calendar").status_code == staff_page
    assert client.get("/schedule/day").status_code == own_page
