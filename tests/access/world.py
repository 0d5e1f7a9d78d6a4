"""The one world of the access tests: who is in it, and what they own.

``build_cast`` makes the people and the spa they meet in, and nothing else: client A and client
B, three therapists offering one service in two rooms (A's own, another who has B, and one whose
visit with A is cancelled) and a member of staff. The tests of one feature's pages start there.

``build_world`` adds everything the matrix and the fuzz test open: client A with an intake, a
published plan, a draft, visits past, present, future and cancelled, a waitlist offer, a failed
and an unconfirmed e-mail; client B with their own visit; staff-only objects (time off, a
closure, a routine); and the token links that name an object (calendar feeds, unsubscribe, plan
day-done, password reset).

Every text that identifies A or B is a distinct marker, so a response can be searched for leaks.
"""

from __future__ import annotations

import mailbox
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from email.message import EmailMessage
from urllib.parse import urlencode

import sqlalchemy as sa

from spa_app.accounts.models import Role, User
from spa_app.accounts.service import reset_token
from spa_app.booking import series
from spa_app.booking.links import manage_token
from spa_app.booking.models import BookingStatus
from spa_app.cadence.service import record_completed_visit
from spa_app.calendar.models import CalendarFeed
from spa_app.catalog.models import Room, Service, Therapist
from spa_app.clients.models import ClientTag
from spa_app.database import utcnow
from spa_app.extensions import db
from spa_app.feedback.links import feedback_path
from spa_app.homecare.library import load_library
from spa_app.homecare.models import Plan, Routine
from spa_app.homecare.notes.models import SessionFinding, SessionNote
from spa_app.homecare.outcomes.links import checkin_token, visit_period, week_period
from spa_app.homecare.plans.links import day_done_token
from spa_app.homecare.vocab import Area
from spa_app.notifications.models import Message, MessageKind, MessageState
from spa_app.notifications.preferences import unsubscribe_token
from spa_app.scheduling.models import Closure, TimeOff
from spa_app.waitlist.models import WaitlistEntry, WaitlistOffer
from tests import factories
from tests.factories import LONDON, at

#: Texts that identify client A or B. None may appear in a response to someone who may not see
#: that client's data; the health ones are A's intake note and plan (routine names and notes).
A_NAME, A_EMAIL = "Alice Quokka", "alice.quokka@example.com"
A_NOTE = "quokka-intake-answer"
A_ROUTINE, A_PLAN_NOTE = "Quokka shoulder glide", "quokka-note-from-therapist"
A_DRAFT_ROUTINE = "Quokka draft-only glide"
#: What A told her therapist at the table (session notes: never on A's own pages).
A_SOAP = "quokka-session-report"
B_NAME, B_EMAIL, B_NOTE = "Bruno Wombat", "bruno.wombat@example.com", "wombat-intake-answer"

A_HEALTH = (A_NOTE, A_ROUTINE, A_PLAN_NOTE, A_DRAFT_ROUTINE, A_SOAP)
A_ALL = (A_NAME, A_EMAIL, *A_HEALTH)
B_ALL = (B_NAME, B_EMAIL, B_NOTE)

#: The roles, in the order of the matrix's columns. "gone_therapist" had A on a visit that was
#: cancelled: they keep that visit's page but none of A's health data.
ROLES = (
    "anonymous",
    "client_a",
    "client_b",
    "own_therapist",
    "other_therapist",
    "gone_therapist",
    "staff",
)


@dataclass
class World:
    """The people by role (the keys of ROLES but "anonymous"), the spa's service, its rooms
    and therapists ("own", "other", "gone"); ids and tokens to put in URLs (``ids``) and form
    values (``forms``)."""

    people: dict[str, User]
    service: Service
    rooms: tuple[Room, Room]
    therapists: dict[str, Therapist]
    ids: dict[str, object] = field(default_factory=dict)
    forms: dict[str, dict] = field(default_factory=dict)

    def person(self, role: Role) -> User:
        """Who logs in with ``role``: client A, A's own therapist, or staff."""
        return self.people[BY_ROLE[role]]


#: The person of each role, for a test that only asks what a role may do.
BY_ROLE = {Role.CLIENT: "client_a", Role.THERAPIST: "own_therapist", Role.STAFF: "staff"}


def build_cast() -> World:
    """The people and the spa, nobody booked yet (committed). See the module docstring."""
    own, other, gone = (factories.therapist(n) for n in ("Tess Own", "Otto Other", "Gil Gone"))
    svc = factories.service(name="Deep calm", therapists=[own, other, gone])
    room, room2 = factories.room("Willow"), factories.room("Cedar")
    a = factories.user(name=A_NAME, email=A_EMAIL)
    b = factories.user(name=B_NAME, email=B_EMAIL)
    staff = factories.user(Role.STAFF, name="Sam Desk")
    people = {
        "client_a": a,
        "client_b": b,
        "own_therapist": own.user,
        "other_therapist": other.user,
        "gone_therapist": gone.user,
        "staff": staff,
    }
    therapists = {"own": own, "other": other, "gone": gone}
    world = World(people=people, service=svc, rooms=(room, room2), therapists=therapists)
    world.ids = {
        "service": svc.id,
        "room": room.id,
        "own": own.id,
        "other": other.id,
        "a": a.id,
        "b": b.id,
        "own_user": own.user_id,
    }
    return world


def build_world(app, sink_dir: str | None = None) -> World:
    """The spa both security tests use (committed). See the module docstring."""
    now = utcnow()
    load_library()
    db.session.commit()
    world = build_cast()
    svc, (room, room2) = world.service, world.rooms
    own, other, gone = (world.therapists[n] for n in ("own", "other", "gone"))
    a, b, staff = (world.people[n] for n in ("client_a", "client_b", "staff"))
    factories.intake(a.id, conditions=["other"], condition_note=A_NOTE)
    factories.intake(b.id, conditions=["other"], condition_note=B_NOTE)

    tuesday = factories.next_weekday(1)
    a_next = factories.booking(a, own, room, svc, at(tuesday, "10:00"))
    b_next = factories.booking(b, other, room2, svc, at(tuesday, "10:00"))
    a_gone = factories.booking(a, gone, room, svc, at(tuesday + timedelta(days=1), "10:00"),
                               status=BookingStatus.CANCELLED)  # fmt: skip
    # Under way now, so its therapist and staff may mark it arrived.
    a_now = factories.booking(a, own, room2, svc, now - timedelta(minutes=10))
    done_day = now.astimezone(LONDON).date() - timedelta(weeks=4, days=2)
    a_done = factories.booking(a, own, room, svc, at(done_day, "10:00"),
                               status=BookingStatus.COMPLETED)  # fmt: skip
    factories.fresh()
    record_completed_visit(a_done, LONDON)

    published = factories.plan(a_done, now=now - timedelta(days=20))
    first = published.items[0]
    first.name, first.note, first.days = A_ROUTINE, A_PLAN_NOTE, "0123456"
    db.session.commit()
    draft = factories.plan(a_next, published=False, now=now)
    draft.items[0].name = A_DRAFT_ROUTINE
    db.session.commit()

    today = now.astimezone(LONDON).date()
    entry = WaitlistEntry(client_id=a.id, service_id=svc.id, first_day=today,
                          last_day=today + timedelta(days=14), created_at=now)  # fmt: skip
    db.session.add(entry)
    db.session.flush()
    offer = WaitlistOffer(
        entry_id=entry.id,
        therapist_id=own.id,
        starts_at=at(tuesday + timedelta(days=1), "11:00"),
        freed_by_id=a_gone.id,
    )
    failed = Message(
        kind=MessageKind.BOOKING_CONFIRMED, idempotency_key="access-test-failed", user_id=a.id,
        booking_id=a_next.id, state=MessageState.FAILED, visit_starts_at=a_next.starts_at,
        visit_ends_at=a_next.ends_at, visit_sequence=0, due_at=now, last_error="550 no",
    )  # fmt: skip
    unconfirmed = Message(
        kind=MessageKind.BOOKING_MOVED, idempotency_key="access-test-unconfirmed", user_id=a.id,
        booking_id=a_next.id, state=MessageState.UNCONFIRMED, visit_starts_at=a_next.starts_at,
        visit_ends_at=a_next.ends_at, visit_sequence=0, due_at=now, last_error="no answer",
    )  # fmt: skip
    time_off = TimeOff(therapist_id=own.id, reason="dentist",
                       starts_at=at(tuesday + timedelta(days=21), "09:00"),
                       ends_at=at(tuesday + timedelta(days=21), "13:00"))  # fmt: skip
    closure = Closure(day=tuesday + timedelta(days=28), reason="Spring holiday")
    feeds = {
        "feed_a": CalendarFeed(user_id=a.id, token="feed-a-" + secrets.token_urlsafe(16)),
        "feed_own": CalendarFeed(user_id=own.user.id, token="feed-t-" + secrets.token_urlsafe(16)),
        "feed_staff": CalendarFeed(user_id=staff.id, token="feed-s-" + secrets.token_urlsafe(16)),
    }
    db.session.add_all([offer, failed, unconfirmed, time_off, closure, *feeds.values()])
    db.session.commit()
    # The client record: a tag the desk gave A. Session notes of A's visit four weeks ago,
    # locked long since (so only amended).
    a_tag = ClientTag(client_id=a.id, tag="Prefers mornings")
    soap = SessionNote(booking_id=a_done.id, client_id=a.id, author_id=own.user.id,
                       subjective=A_SOAP, created_at=a_done.ends_at,
                       updated_at=a_done.ends_at,
                       findings=[SessionFinding(area=Area.NECK, tension=7)])  # fmt: skip
    db.session.add_all([a_tag, soap])
    db.session.commit()

    secret = app.config["SECRET_KEY"]
    routine_id = db.session.execute(sa.select(Routine.id).order_by(Routine.id)).scalars().first()
    world.ids |= {
        "a_next": a_next.id,
        "a_now": a_now.id,
        "a_done": a_done.id,
        "a_gone": a_gone.id,
        "b_next": b_next.id,
        "plan": published.id,
        "draft": draft.id,
        "entry": entry.id,
        "offer": offer.id,
        "message": failed.id,
        "unconfirmed": unconfirmed.id,
        "time_off": time_off.id,
        "closure": closure.id,
        "routine": routine_id,
        "items": [item.id for plan in (published, draft) for item in plan.items],
        "tuesday": tuesday.isoformat(),
        "day_done": day_done_token(secret, published.id, a.id, today),
        "checkin": checkin_token(secret, a.id, week_period(today), now + timedelta(days=8)),
        "checkin_visit": checkin_token(
            secret, a.id, visit_period(a_next.id), a_next.ends_at + timedelta(days=1)
        ),
        "checkin_b_visit": checkin_token(
            secret, a.id, visit_period(b_next.id), b_next.ends_at + timedelta(days=1)
        ),
        "feedback_a": feedback_path(secret, a_done.id, a.id, now + timedelta(days=30)).rsplit(
            "/", 1
        )[-1],
        "feedback_forged": feedback_path(secret, a_next.id, a.id, now + timedelta(days=30)).rsplit(
            "/", 1
        )[-1],
        "manage_a": manage_token(secret, a_next.id, a.id),
        "unsubscribe": unsubscribe_token(secret, a.id, MessageKind.APPOINTMENT_REMINDER),
        "reset": reset_token(secret, a),
        "sink_key": _letter_to(sink_dir, a) if sink_dir else "none",
        **{name: feed.token for name, feed in feeds.items()},
        "tag": a_tag.id,
    }
    world.forms = _forms(world, a_next, published, draft, tuesday, now)
    # The "move from X to Y?" step is a GET of the time picked: the move form's time.
    world.ids["move_step"] = urlencode(world.forms["move"])
    return world


def _letter_to(folder: str, user: User) -> str:
    """A letter to ``user`` in the development mail sink; its key."""
    letter = EmailMessage()
    letter["To"], letter["Subject"] = f"{user.name} <{user.email}>", f"Booked: {user.name}"
    letter.set_content(f"Dear {user.name}, see you soon.")
    return mailbox.Maildir(folder, create=True).add(letter)


def _forms(world: World, a_next, published: Plan, draft: Plan, tuesday, now) -> dict[str, dict]:
    """A valid submission of each state-changing form in the world, by name."""
    ids = world.ids
    today = now.astimezone(LONDON).date()  # the spa's day, as the waitlist counts it
    a = world.people["client_a"]
    chosen = series.preview(a_next, 4, 2, a, now)
    editor = {"action": "save"}
    for n, item in enumerate(draft.items):
        editor |= {f"items-{n}-item_id": str(item.id), f"items-{n}-minutes": str(item.minutes),
                   f"items-{n}-days": list(item.days), f"items-{n}-pressure": str(item.pressure),
                   f"items-{n}-note": "edited"}  # fmt: skip
    return {
        "cancel": {"reason": "moving house"},
        "arrived": {"status": "arrived"},
        # The calendar's drag-and-drop move (staff only).
        "drop": {"booking": str(ids["a_next"]), "time": "14:00",
                 "date": (tuesday + timedelta(days=2)).isoformat()},
        "move": {"start": at(tuesday + timedelta(days=2), "11:00").isoformat(),
                 "therapist": str(ids["own"])},
        "series": {"every": "4", "visits": "2",
                   "chosen": [o.chosen.isoformat() if o.bookable else "" for o in chosen]},
        "plan_start": {"start": "suggest"},
        "plan_edit": editor,
        "tick": {"item_id": str(published.items[0].id), "discomfort": ""},
        "day_done": {"done": [str(i.id) for i in published.items]},
        "checkin": {"area-neck": "4"},
        "feedback": {"rating": "5", "comment": "Lovely."},  # A's intake scored the neck (6)
        "interval": {"min_weeks": "5", "max_weeks": "7", "back": f"/bookings/{ids['a_next']}"},
        "password": {"password": "a-new-password-1", "confirm": "a-new-password-1"},
        "service": {"name": "Deep calm, longer", "description": "", "duration_min": "75",
                    "price": "70.00", "buffer_min": "0", "active": "y",
                    "therapists": [str(ids["own"]), str(ids["other"])]},
        "room": {"name": "Willow east"},
        "room_off": {"active": "0"},
        "therapist": {"display_name": "Tess Own-Renamed", "bio": "", "active": "y",
                      "services": [str(ids["service"])]},
        "hours": {"monday": "09:00-17:00", "tuesday": "09:00-17:00"},
        "time_off": {"start_date": (tuesday + timedelta(days=35)).isoformat(),
                     "start_time": "09:00", "end_date": (tuesday + timedelta(days=35)).isoformat(),
                     "end_time": "12:00", "reason": "course"},
        "routine": {"name": "Quiet wrist circles", "kind": "routine", "area": "hands_wrists",
                    "steps": "Circle the wrist.\nRest.", "min_minutes": "3", "minutes": "5",
                    "times_per_week": "3", "sides": "1", "time_of_day": "", "pressure": "1",
                    "active": "y"},
        "condition_rule": {"names_areas": "", "pressure_cap": "1", "pauses_all": "",
                           "therapist_note": "Ask about the trimester.", "client_caution": ""},
        "confirm": {"start": at(tuesday + timedelta(days=3), "11:00").isoformat(),
                    "therapist": "any", "request_key": "matrix-request-key-1"},
        "join": {"therapist": "any", "first_day": today.isoformat(),
                 "last_day": (today + timedelta(days=10)).isoformat()},
        # The client record (staff for a client).
        "contact": {"name": A_NAME, "email": A_EMAIL, "phone": "0161 496 0000"},
        "tag": {"tag": "VIP"},
        "desk_note": {"body": "Prefers the quiet room."},
        "client_waitlist": {"service": str(ids["service"]), "therapist": str(ids["own"]),
                            "part": "any", "first_day": today.isoformat(),
                            "last_day": (today + timedelta(days=5)).isoformat()},
        "email_choices": {"wanted": ["appointment_reminder"], "routine_time": "07:45"},
        "erase": {"name": A_NAME},
        # Session notes: the visit under way now, and an amendment of the locked ones.
        "soap": {"subjective": "Stiff after gardening.", "tension_neck": "6",
                 "techniques": "Effleurage", "pressure": "2", "treated_areas": ["neck"]},
        "soap_amend": {"part": "plan", "plan-text": "See again in four weeks."},
    }  # fmt: skip
