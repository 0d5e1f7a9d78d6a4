"""A client with something in every corner of the data we hold, and a second client beside them.

A plain function (not a fixture), so the SQLite and the PostgreSQL tests build the same cast.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from spa_app.accounts.models import Role, User
from spa_app.booking import service as booking_service
from spa_app.booking.models import Booking
from spa_app.cadence.models import VisitInterval
from spa_app.calendar import feeds
from spa_app.catalog.models import Service, Therapist
from spa_app.database import unit_of_work, utcnow
from spa_app.extensions import db
from spa_app.homecare.access import audit
from spa_app.homecare.library import load_library
from spa_app.homecare.models import Plan, RoutineReminderTime
from spa_app.notifications.models import MailOptOut, Message, MessageKind, MessageState
from spa_app.privacy.export import export_for
from spa_app.waitlist.models import WaitlistEntry, WaitlistOffer
from tests import factories
from tests.factories import at
from tests.sqlcount import count_statements

OWN_REASON = "my sciatica flared up"
STAFF_NOTE = "desk note: card declined twice"
INTAKE_NOTE = "Knee surgery in March"
OTHER_NOTE = "Olive's own private note"


@dataclass
class Cast:
    me: User
    other: User
    anna: Therapist
    ben: Therapist
    staff: User
    svc: Service
    past: Booking  # completed, four weeks ago, with a published plan
    ahead: Booking  # booked next week, with Anna at 10:00
    cancelled_own: Booking  # the client cancelled it, giving a reason
    cancelled_by_staff: Booking
    other_visit: Booking
    plan: Plan
    day: date  # the local day of ``ahead``


def build() -> Cast:
    load_library()
    db.session.commit()
    me, anna, ben, svc, past = factories.regular()
    me.phone = "07700 900123"
    db.session.commit()
    other = factories.user(name="Other Olive")
    staff = factories.user(Role.STAFF, name="Desk Dee")
    day = factories.next_weekday(2)
    ahead = _book(me, svc, anna, at(day, "10:00"))
    cancelled_own = factories.booking(
        me, anna, past.room, svc, at(day + timedelta(days=7), "11:00")
    )
    cancelled_by_staff = factories.booking(
        me, ben, past.room, svc, at(day + timedelta(days=8), "11:00")
    )
    _cancel(cancelled_own, me, OWN_REASON)
    _cancel(cancelled_by_staff, staff, STAFF_NOTE)
    other_visit = factories.booking(other, ben, past.room, svc, at(day, "14:00"))
    factories.intake(me.id, conditions=["recent_injury"], condition_note=INTAKE_NOTE)
    factories.intake(other.id, condition_note=OTHER_NOTE)
    plan = _published_plan(past)
    _settings_and_more(me, other, anna, ben, staff, svc, day, other_visit, plan)
    factories.fresh()
    return Cast(me, other, anna, ben, staff, svc, past, ahead, cancelled_own, cancelled_by_staff,
                other_visit, plan, day)  # fmt: skip


def _book(client: User, svc: Service, therapist: Therapist, start: datetime) -> Booking:
    factories.fresh()
    with unit_of_work():
        booking = booking_service.book(
            client=client,
            choice=booking_service.Choice(svc.id, start, therapist.id),
            actor=client,
            now=utcnow(),
        )
    return booking


def _cancel(booking: Booking, actor: User, reason: str) -> None:
    factories.fresh()
    with unit_of_work():
        booking_service.cancel(
            booking=db.session.get(Booking, booking.id), actor=actor, now=utcnow(), reason=reason
        )


def _published_plan(visit: Booking) -> Plan:
    """The visit's therapist's suggested plan, published, with its first routine done on its
    latest planned day up to today."""
    now = utcnow()
    plan = factories.plan(visit, now=now)
    first = plan.items[0]
    today = now.astimezone(factories.LONDON).date()
    ticked = today - timedelta(days=(today.weekday() - first.weekdays[0]) % 7)
    factories.completion(plan, ticked, discomfort=7)
    return plan


def _settings_and_more(me, other, anna, ben, staff, svc, day, other_visit, plan) -> None:
    """E-mail settings, the visit interval, a calendar link, waitlist requests and offers, and
    audit entries (about both clients)."""
    now = utcnow()
    db.session.add_all([
        MailOptOut(user_id=me.id, kind=MessageKind.APPOINTMENT_REMINDER),
        RoutineReminderTime(client_id=me.id, local_time="07:30"),
        VisitInterval(client_id=me.id, min_weeks=3, max_weeks=5, set_by_id=anna.user_id),
    ])  # fmt: skip
    feeds.new_token(me.id)
    feeds.new_token(other.id)
    mine = WaitlistEntry(client_id=me.id, service_id=svc.id, first_day=day,
                         last_day=day + timedelta(days=6), created_at=now)  # fmt: skip
    # Olive waits for Anna on the day of the client's visit ahead: deleting frees it for her.
    theirs = WaitlistEntry(client_id=other.id, service_id=svc.id, therapist_id=anna.id,
                           first_day=day, last_day=day, created_at=now)  # fmt: skip
    db.session.add_all([mine, theirs])
    db.session.flush()
    db.session.add(WaitlistOffer(entry_id=mine.id, therapist_id=ben.id, starts_at=at(day, "14:00"),
                                 freed_by_id=other_visit.id, created_at=now))  # fmt: skip
    # A reminder the mail server refused, quoting the address: staff could send it again.
    db.session.add(Message(kind=MessageKind.APPOINTMENT_REMINDER, idempotency_key="refused",
                           user_id=me.id, state=MessageState.FAILED, due_at=now,
                           last_error=f"550 <{me.email}> mailbox full"))  # fmt: skip
    audit(anna.user, me.id, "read", "intake")
    audit(staff, me.id, "read", f"plan {plan.id}")
    audit(anna.user, other.id, "read", "intake")
    db.session.commit()


def export_statements(user_id: int) -> int:
    """How many statements the data download of ``user_id`` sends (read afresh)."""
    factories.fresh()
    user = db.session.get(User, user_id)
    with count_statements() as statements:
        export_for(user, utcnow())
    return len(statements)
