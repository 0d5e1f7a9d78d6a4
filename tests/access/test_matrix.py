"""Who may open what: every role against every URL that names an object, checked against TABLE.

Each cell is one real request through the test client, from one shared world (tests/access).
A cell passes when:

- the answer is the one in the table ("in" is a redirect to the login page; a "+" means the
  request changed the database, apart from the audit log, and no "+" means it changed nothing);
- a denial ("in" or 404) shows nothing of anyone (no name, e-mail, intake answer or plan) and
  writes nothing at all, not even an audit row;
- no answer shows someone what they may never see (NEVER), except where the URL carries its own
  key (a calendar feed, an e-mail's link), which shows what it names to whoever holds it;
- a 2xx answer shows the data the row names (``shows=``), so a denial elsewhere means something.

After each cell that changed anything, the database is put back as it was, so every cell starts
from the same world. All mismatches are reported at once.
"""

from __future__ import annotations

import collections
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest

from spa_app.booking import service as booking_service
from spa_app.booking.models import Booking
from spa_app.extensions import db
from spa_app.homecare.intake import views as homecare_views
from tests import factories
from tests.access.snapshots import copy_database, dump
from tests.access.world import (
    A_ALL,
    A_DRAFT_ROUTINE,
    A_HEALTH,
    A_NAME,
    A_NOTE,
    A_ROUTINE,
    A_SOAP,
    B_ALL,
    B_NAME,
    B_NOTE,
    ROLES,
    build_world,
)

# The expected answer of each role, in the order of ROLES. Options after the answers:
# form=NAME posts that form from the world; shows=MARKER must be in every 2xx answer;
# also=MARKER may be shown here although NEVER says otherwise; key marks a URL that carries its
# own key (a signed or secret token).
TABLE = """
#    url                                     anon A    B    own  othr gone staff
# Visits: their client, their own therapist (also of a cancelled visit) and staff.
GET  /bookings/{a_next}                      in   200  404  200  404  404  200  shows=a_name
GET  /bookings/{a_gone}                      in   200  404  404  404  200  200  shows=a_name
GET  /bookings/{b_next}                      in   404  200  404  200  404  200  shows=b_name
GET  /bookings/{a_next}/move                 in   200  404  302  404  404  200
POST /bookings/{a_next}/move                 in   302+ 404  302  404  404  302+  form=move
GET  /bookings/{a_next}/move/confirm?{move_step} in   200  404  302  404  404  200  shows=a_name
GET  /bookings/{a_next}/cancel               in   200  404  302  404  404  200  shows=a_name
POST /bookings/{a_next}/cancel               in   302+ 404  302  404  404  302+  form=cancel
POST /bookings/{a_now}/status                in   302  404  302+ 404  404  302+  form=arrived
POST /bookings/{a_now}/undo-mark             in   302  404  302  404  404  302
POST /staff/calendar/move                    in   404  404  404  404  404  200+  form=drop
GET  /bookings/{a_next}/series?every=4&visits=2 in   200  404  404  404  404  200
POST /bookings/{a_next}/series               in   302+ 404  404  404  404  302+  form=series
# Session notes: the client's therapists (a visit not cancelled) and staff read them, the
# client never (but in their own download); only the visit's own therapist writes and amends.
GET  /bookings/{a_done}/notes                in   404  404  200  404  404  200  shows=a_soap
GET  /bookings/{a_now}/notes                 in   404  404  200  404  404  200
GET  /bookings/{a_now}/notes/edit            in   404  404  200  404  404  404
POST /bookings/{a_now}/notes/edit            in   404  404  302+ 404  404  404  form=soap
GET  /bookings/{a_done}/notes/edit           in   404  404  302  404  404  404
POST /bookings/{a_done}/notes/amendments     in   404  404  302+ 404  404  404  form=soap_amend
# Plans: the visit's own therapist writes; the client, staff and A's therapists read published.
POST /bookings/{a_next}/plan                 in   404  404  302+ 404  404  404  form=plan_start
POST /bookings/{a_gone}/plan                 in   404  404  404  404  404  404  form=plan_start
GET  /plans/{plan}                           in   200  404  200  404  404  200  shows=a_routine
GET  /plans/{draft}                          in   404  404  200  404  404  404  shows=draft
GET  /plans/{draft}/edit                     in   404  404  200  404  404  404  shows=draft
POST /plans/{draft}/edit                     in   404  404  302+ 404  404  404  form=plan_edit
GET  /plans/{plan}/edit                      in   404  404  302  404  404  404
POST /plans/{plan}/done                      in   302+ 404  404  404  404  404  form=tick
POST /plans/{plan}/undo                      in   302  404  404  404  404  404  form=tick
GET  /plans/{plan}/day-done/{day_done}       200  200  200  200  200  200  200  key shows=a_routine
POST /plans/{plan}/day-done/{day_done}       200+ 200+ 200+ 200+ 200+ 200+ 200+  key form=day_done
GET  /plans/{draft}/day-done/{day_done}      404  404  404  404  404  404  404
GET  /plans/{plan}/day-done/forged.token.x   404  404  404  404  404  404  404
# Check-ins: the reminder's signed link (client A, this week or her next visit) rates A's
# areas with no log-in; a visit that is not hers, or a forged link, is nothing.
GET  /check-in/{checkin}                     200  200  200  200  200  200  200  key
POST /check-in/{checkin}                     200+ 200+ 200+ 200+ 200+ 200+ 200+  key form=checkin
GET  /check-in/{checkin_visit}               200  200  200  200  200  200  200  key
POST /check-in/{checkin_visit}               200+ 200+ 200+ 200+ 200+ 200+ 200+  key form=checkin
GET  /check-in/{checkin_b_visit}             404  404  404  404  404  404  404
POST /check-in/{checkin_b_visit}             404  404  404  404  404  404  404  form=checkin
GET  /check-in/forged.token.x                404  404  404  404  404  404  404
# A visit's feedback link: only a completed visit's, with its own key.
GET  /feedback/{feedback_a}                  200  200  200  200  200  200  200  key
POST /feedback/{feedback_a}                  200+ 200+ 200+ 200+ 200+ 200+ 200+  key form=feedback
GET  /feedback/{feedback_forged}             404  404  404  404  404  404  404
GET  /feedback/forged.token.x                404  404  404  404  404  404  404
POST /check-in/forged.token.x                404  404  404  404  404  404  404  form=checkin
# Health intake: the client, staff, and therapists with the client on a visit not cancelled.
GET  /clients/{a}/intake                     in   200  404  200  404  404  200  shows=a_note
GET  /clients/{b}/intake                     in   404  200  404  200  404  200  shows=b_note
GET  /clients/{own_user}/intake              in   404  404  404  404  404  404
POST /clients/{a}/visit-interval             in   404  404  302+ 404  404  302+  form=interval
GET  /account/intake                         in   200  200  404  404  404  404
GET  /plan                                   in   302  200  404  404  404  404
# A client's own data export holds every plan version about them, drafts too (right of access).
GET  /account/data/download                  in   200  200  404  404  404  404  also=draft,a_soap
# Lists and calendars: each sees their own.
GET  /bookings                               in   200  200  404  404  404  404
GET  /schedule                               in   404  404  200  200  200  404
GET  /schedule/day?date={tuesday}            in   404  404  200  200  200  404
GET  /schedule/week?date={tuesday}           in   404  404  200  200  200  404
# A therapist's own e-mails (the daily digest of clients whose home care needs a look).
GET  /schedule/emails                        in   404  404  200  200  200  404
POST /schedule/emails                        in   404  404  302+ 302+ 302+ 404
GET  /staff/calendar?date={tuesday}          in   404  404  404  404  404  200  shows=a_name
GET  /staff/bookings/?date={tuesday}         in   404  404  404  404  404  200  shows=a_name
# Reports: the spa's figures, for staff only.
GET  /staff/reports                          in   404  404  404  404  404  200
GET  /staff/reports/visits.csv               in   404  404  404  404  404  200
GET  /staff/reports/utilisation.csv          in   404  404  404  404  404  200
GET  /staff/reports/home-care-weeks.csv      in   404  404  404  404  404  200
# The waitlist: a client's own requests and offers.
GET  /waitlist/join/{service}                in   200  200  404  404  404  404
POST /waitlist/join/{service}                in   302+ 302+ 404  404  404  404  form=join
GET  /waitlist/join/{service}?booking={a_next} in   200  404  404  404  404  404
POST /waitlist/{entry}/leave                 in   302+ 404  404  404  404  404
GET  /waitlist/offers/{offer}                in   200  404  404  404  404  404
POST /waitlist/offers/{offer}                in   302+ 404  404  404  404  404
# Booking a service: the menu is public; only clients book online.
GET  /book/{service}                         200  200  200  200  200  200  200
# Pictures staff upload are public by their random stored name; any other name is nothing.
GET  /media/0123456789abcdef0123456789abcdef.png 404  404  404  404  404  404  404
GET  /book/{service}/confirm                 in   200  200  404  404  404  404
POST /book/{service}/confirm                 in   302+ 302+ 404  404  404  404  form=confirm
# Links that carry their own key: whoever holds one gets what it names; a wrong key, nothing.
GET  /feeds/{feed_a}.ics                     200  200  200  200  200  200  200  key
GET  /feeds/{feed_own}.ics                   200  200  200  200  200  200  200  key shows=a_name
GET  /feeds/{feed_staff}.ics                 404  404  404  404  404  404  404
GET  /feeds/not-a-real-feed-token.ics        404  404  404  404  404  404  404
GET  /bookings/{a_next}/manage/{manage_a}     200  200  200  200  200  200  200  key
GET  /bookings/{a_next}/manage/{manage_a}/move 200  200  200  200  200  200  200  key
POST /bookings/{a_next}/manage/{manage_a}/move 302+ 302+ 302+ 302+ 302+ 302+ 302+  key form=move
POST /bookings/{a_next}/manage/{manage_a}/cancel 302+ 302+ 302+ 302+ 302+ 302+ 302+  key
GET  /bookings/{b_next}/manage/{manage_a}     403  403  403  403  403  403  403
POST /bookings/{b_next}/manage/{manage_a}/cancel 403  403  403  403  403  403  403
GET  /bookings/{a_next}/manage/forged.token   403  403  403  403  403  403  403
GET  /unsubscribe/{unsubscribe}              200  200  200  200  200  200  200  key
POST /unsubscribe/{unsubscribe}              200+ 200+ 200+ 200+ 200+ 200+ 200+  key
GET  /unsubscribe/forged.token               404  404  404  404  404  404  404
GET  /reset-password/{reset}                 200  200  200  200  200  200  200  key
POST /reset-password/{reset}                 in+  in+  in+  in+  in+  in+  in+   key form=password
GET  /reset-password/forged.token            302  302  302  302  302  302  302
# The client record: staff, and therapists with the client on a visit not cancelled, read it;
# staff alone act on it. A download holds every plan version, drafts too (as the client's own).
GET  /clients/{a}                            in   404  404  200  404  404  200  shows=a_name
GET  /clients/{b}                            in   404  404  404  200  404  200  shows=b_name
GET  /clients/{own_user}                     in   404  404  404  404  404  404
GET  /clients/{a}/visits                     in   404  404  200  404  404  200  shows=a_name
GET  /clients/{a}/notes                      in   404  404  200  404  404  200  shows=a_name
GET  /clients/{a}/messages                   in   404  404  404  404  404  200  shows=a_name
GET  /clients/{a}/contact                    in   404  404  404  404  404  200  shows=a_name
POST /clients/{a}/contact                    in   404  404  404  404  404  302+ form=contact
POST /clients/{a}/tags                       in   404  404  404  404  404  302+ form=tag
POST /clients/{a}/tags/{tag}/delete          in   404  404  404  404  404  302+
POST /clients/{a}/notes                      in   404  404  404  404  404  302+ form=desk_note
POST /clients/{a}/waitlist                   in   404  404  404  404  404  302+ form=client_waitlist
POST /clients/{a}/emails                     in   404  404  404  404  404  302+ form=email_choices
POST /clients/{a}/data                       in 404 404 404 404 404 200 shows=a_name also=draft
GET  /clients/{a}/erase                      in   404  404  404  404  404  200  shows=a_name
POST /clients/{a}/erase                      in   404  404  404  404  404  302+ form=erase
# Staff only.
GET  /staff/mail-sink/{sink_key}             in   404  404  404  404  404  200  shows=a_name
GET  /staff/messages/{message}               in   404  404  404  404  404  200  shows=a_name
POST /staff/messages/{message}/retry         in   404  404  404  404  404  302+
POST /staff/messages/{unconfirmed}/received  in   404  404  404  404  404  302+
POST /staff/rebook-due/{a}/nudge             in   404  404  404  404  404  302
GET  /staff/services/{service}               in   404  404  404  404  404  200
POST /staff/services/{service}               in   404  404  404  404  404  302+  form=service
GET  /staff/rooms/{room}                     in   404  404  404  404  404  200
POST /staff/rooms/{room}                     in   404  404  404  404  404  302+  form=room
POST /staff/rooms/{room}/active              in   404  404  404  404  404  302+  form=room_off
GET  /staff/therapists/{own}                 in   404  404  404  404  404  200
POST /staff/therapists/{own}                 in   404  404  404  404  404  302+  form=therapist
GET  /staff/therapists/{own}/hours           in   404  404  404  404  404  200
POST /staff/therapists/{own}/hours           in   404  404  404  404  404  302+  form=hours
GET  /staff/therapists/{own}/time-off        in   404  404  404  404  404  200
POST /staff/therapists/{own}/time-off        in   404  404  404  404  404  302+  form=time_off
POST /staff/therapists/{own}/time-off/{time_off}/delete in   404  404  404  404  404  302+
POST /staff/therapists/{other}/time-off/{time_off}/delete in   404  404  404  404  404  404
POST /staff/closures/{closure}/delete        in   404  404  404  404  404  302+
GET  /staff/closures/{closure}/visits        in   404  404  404  404  404  200
POST /staff/closures/{closure}/visits        in   404  404  404  404  404  302
GET  /staff/therapists/{own}/time-off/{time_off}/visits in   404  404  404  404  404  200
POST /staff/therapists/{own}/time-off/{time_off}/visits in   404  404  404  404  404  302
GET  /staff/therapists/{other}/time-off/{time_off}/visits in   404  404  404  404  404  404
GET  /staff/routines/{routine}               in   404  404  404  404  404  200
POST /staff/routines/{routine}               in   404  404  404  404  404  302+  form=routine
GET  /staff/conditions/pregnancy             in   404  404  404  404  404  200
POST /staff/conditions/pregnancy             in   404  404  404  404  404  302+  form=condition_rule
"""

#: Rules that name something but no one's object: files anyone may fetch.
NOT_OBJECTS = {"static"}

MARKERS = {
    "a_name": A_NAME,
    "a_note": A_NOTE,
    "a_routine": A_ROUTINE,
    "draft": A_DRAFT_ROUTINE,
    "a_soap": A_SOAP,
    "b_name": B_NAME,
    "b_note": B_NOTE,
}

#: Who each role is: their own name and e-mail are on every page they see (the menu).
OWN = {"client_a": A_ALL[:2], "client_b": B_ALL[:2]}
#: What each role may never see, on any page, whatever the answer (unless the URL is a key).
NEVER = {
    "anonymous": A_ALL + B_ALL,
    # A draft is the therapist's until published; session notes are the therapist's record.
    "client_a": B_ALL + (A_DRAFT_ROUTINE, A_SOAP),
    "client_b": A_ALL,
    "own_therapist": B_ALL,
    "other_therapist": A_ALL,
    "gone_therapist": A_HEALTH + B_ALL,  # the cancelled visit's page, never A's health data
    "staff": (A_DRAFT_ROUTINE,),
}
DENIALS = {"in", "404"}


@dataclass(frozen=True)
class Row:
    method: str
    url: str
    expected: tuple[str, ...]
    form: str | None = None
    shows: str | None = None
    key: bool = False
    also: str | None = None


def parse(table: str) -> list[Row]:
    rows = []
    for line in table.strip().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        method, url, *rest = line.split()
        answers, options = tuple(rest[: len(ROLES)]), rest[len(ROLES) :]
        values = dict(option.partition("=")[::2] for option in options)
        rows.append(
            Row(
                method,
                url,
                answers,
                form=values.get("form"),
                shows=values.get("shows"),
                key="key" in values,
                also=values.get("also"),
            )
        )
    return rows


ROWS = parse(TABLE)


@pytest.fixture
def app_config(tmp_path):
    return {"MAIL_SINK_DIR": str(tmp_path / "sink"), "RATELIMIT_ENABLED": False}


@pytest.fixture
def matrix(app, tmp_path):
    """The world, a logged-in test client per role, and a copy of the database to go back to."""
    world = build_world(app, app.config["MAIL_SINK_DIR"])
    clients = {role: app.test_client() for role in ROLES}
    for role, client in clients.items():
        if role != "anonymous":
            assert factories.login(client, world.people[role]).status_code == 302, role
    live, saved = db.engine.url.database, str(tmp_path / "world.db")
    copy_database(live, saved)
    return world, clients, live, saved


def answer_of(reply) -> str:
    if reply.status_code in (302, 303) and urlsplit(reply.location or "").path == "/login":
        return "in"
    return str(reply.status_code)


def run(matrix, rows: list[Row]) -> list[str]:
    """Every cell of ``rows``; the mismatches, each as one readable line."""
    world, clients, live, saved = matrix
    before = dump()
    before_no_audit = {k: v for k, v in before.items() if k != "audit_log"}
    mismatches = []
    for row in rows:
        url = row.url.format(**world.ids)
        for role, expected in zip(ROLES, row.expected, strict=True):
            client = clients[role]
            with client.session_transaction() as session:
                session.pop("_flashes", None)  # an earlier cell's message is not this page's
            data = world.forms[row.form] if row.form else {}
            reply = client.open(url, method=row.method, data=data)
            body = reply.get_data(as_text=True)
            after = dump()
            changed = {k: v for k, v in after.items() if k != "audit_log"} != before_no_audit
            got = answer_of(reply) + ("+" if changed else "")
            cell = f"{row.method} {url} as {role}:"
            if got != expected:
                mismatches.append(f"{cell} expected {expected}, got {got}")
            if got in DENIALS or expected in DENIALS:
                leaked = [m for m in A_ALL + B_ALL if m in body and m not in OWN.get(role, ())]
                if leaked:
                    mismatches.append(f"{cell} denied, but the page shows {leaked}")
                if after != before:
                    mismatches.append(f"{cell} denied, but the database changed")
            allowed = {MARKERS[name] for name in (row.also or "").split(",") if name}
            never = [m for m in NEVER[role] if m not in allowed]
            if not row.key and (seen := [m for m in never if m in body]):
                mismatches.append(f"{cell} shows what {role} may never see: {seen}")
            if row.shows and got.startswith("2") and MARKERS[row.shows] not in body:
                mismatches.append(f"{cell} answered {got} without {MARKERS[row.shows]!r}")
            if after != before:
                copy_database(saved, live)
    return mismatches


def test_every_role_gets_what_the_table_says_on_every_object_url(matrix):
    mismatches = run(matrix, ROWS)
    assert not mismatches, f"{len(mismatches)} mismatches:\n" + "\n".join(mismatches)


def test_the_table_has_a_row_for_every_url_that_names_something(app):
    """A new route with a converter (an id, a token) fails here until the table says who may
    open it, for each of its methods."""
    adapter = app.url_map.bind("localhost")
    placeholders = collections.defaultdict(lambda: "1")
    covered = set()
    for row in ROWS:
        path = urlsplit(row.url.format_map(placeholders)).path
        endpoint, _ = adapter.match(path, method=row.method)
        covered.add((endpoint, row.method))
    needed = {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        if rule.arguments and rule.endpoint not in NOT_OBJECTS
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert sorted(needed - covered) == []


@pytest.mark.parametrize(
    ("module", "name", "broken", "url", "role"),
    [
        (homecare_views, "may_see_health", lambda user, client_id: True,
         "/clients/{a}/intake", "client_b"),
        (booking_service, "visible_booking", lambda user, booking_id: db.session.get(
            Booking, booking_id), "/bookings/{a_next}", "other_therapist"),
    ],
    ids=["anyone-reads-an-intake", "anyone-sees-a-visit"],
)  # fmt: skip
def test_the_matrix_notices_a_broken_guard(matrix, monkeypatch, module, name, broken, url, role):
    """The check can fail: with a guard broken, its rows report the wrong answer and the leak."""
    monkeypatch.setattr(module, name, broken)
    mismatches = run(matrix, [row for row in ROWS if row.url == url])
    assert any(f"as {role}: expected 404, got 200" in m for m in mismatches), mismatches
    assert any(f"as {role}: denied, but the page shows" in m for m in mismatches), mismatches
