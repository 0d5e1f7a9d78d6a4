"""Demo data for a first start: a small spa with three therapists, two rooms and four services."""

from __future__ import annotations

from datetime import time, timedelta

from spa_app.accounts.models import Role, User
from spa_app.accounts.service import create_user
from spa_app.booking.models import Booking, BookingStatus
from spa_app.cadence.service import record_completed_visit
from spa_app.catalog.models import Room, Service, Therapist
from spa_app.clock import local_to_utc, local_today, zone
from spa_app.database import utcnow
from spa_app.extensions import db
from spa_app.homecare.library import load_library
from spa_app.homecare.models import Intake
from spa_app.homecare.plans import service as plans
from spa_app.scheduling.models import BusinessSettings, WorkingHours

DEMO_PASSWORD = "demo-password"

LOGINS = [
    ("staff@example.com", "Sam Reed", Role.STAFF),
    ("therapist@example.com", "Anna Berg", Role.THERAPIST),
    ("client@example.com", "Chris Client", Role.CLIENT),
]

THERAPISTS = {
    # name: {weekday: [(start, end), ...]} in local time; two windows make a lunch break.
    "Anna Berg": {d: [(time(9), time(13)), (time(14), time(18))] for d in range(5)},
    "Ben Okafor": {d: [(time(11), time(19))] for d in (1, 2, 3, 4, 5)},
    "Chloe Martin": {d: [(time(9), time(15))] for d in (0, 2, 4, 5)},
}

SERVICES = [
    ("Swedish relaxation", "Long, flowing strokes to unwind body and mind.", 60, 6500, 15),
    ("Deep tissue", "Slow, firm work on knots in the back, neck and shoulders.", 60, 7500, 15),
    ("Deep tissue, extended", "Ninety minutes for the whole body's tension.", 90, 10000, 15),
    ("Neck, back and shoulders", "A focused half hour for desk-bound tension.", 30, 4000, 10),
]
#: Each service's category and place in it on the services page.
CATEGORIES = {
    "Swedish relaxation": ("Relaxation", 0),
    "Deep tissue": ("Tension and knots", 0),
    "Deep tissue, extended": ("Tension and knots", 1),
    "Neck, back and shoulders": ("Tension and knots", 2),
}


def load_demo_data() -> bool:
    """Create the demo spa unless any user exists; True if it did. Flushes; caller commits."""
    if db.session.execute(db.select(User.id).limit(1)).first() is not None:
        return False
    settings = db.session.get(BusinessSettings, 1)
    settings.business_name = "Willow & Cedar Day Spa"
    settings.address = "14 Orchard Row\nLondon N1 7AB"
    settings.phone = "+44 20 7946 0321"
    settings.map_url = "https://www.openstreetmap.org/search?query=Orchard%20Row%20London"
    settings.opening_hours = "Monday to Saturday 09:00-18:00\nSunday closed"
    settings.cancellation_policy = (
        "Please give us 24 hours' notice to cancel or move a visit, so another client can have "
        "the time. You can also cancel or move within 10 minutes of booking, whenever the visit is."
    )
    users = {
        email: create_user(email=email, name=name, role=role, password=DEMO_PASSWORD)
        for email, name, role in LOGINS
    }
    therapists = []
    for name, week in THERAPISTS.items():
        user = users.get("therapist@example.com") if name == "Anna Berg" else None
        if user is None:
            slug = name.split()[0].lower()
            user = create_user(
                email=f"{slug}@example.com", name=name, role=Role.THERAPIST, password=DEMO_PASSWORD
            )
        therapist = Therapist(user_id=user.id, display_name=name, bio="")
        db.session.add(therapist)
        db.session.flush()
        for weekday, spans in week.items():
            for starts, ends in spans:
                db.session.add(
                    WorkingHours(
                        therapist_id=therapist.id, weekday=weekday, starts=starts, ends=ends
                    )
                )
        therapists.append(therapist)
    for name, description, minutes, cents, buffer in SERVICES:
        db.session.add(
            Service(
                name=name,
                description=description,
                duration_min=minutes,
                price_cents=cents,
                buffer_min=buffer,
                therapists=list(therapists),
                category=CATEGORIES[name][0],
                position=CATEGORIES[name][1],
            )
        )
    rooms = [Room(name="Willow room"), Room(name="Cedar room")]
    db.session.add_all(rooms)
    db.session.flush()
    visit = _past_visit(users["client@example.com"], therapists[0], rooms[0], settings)
    load_library()
    _home_care(visit, users["therapist@example.com"])
    return True


def _home_care(visit: Booking, therapist_login: User) -> None:
    """The demo client's intake, and the plan Anna published after the past visit."""
    db.session.add(
        Intake(
            client_id=visit.client_id,
            severity={"neck": 6, "shoulders": 5, "hands_wrists": 3},
            goals=["pain_relief", "stress"],
            contexts=["desk_work", "repetitive_hands"],
            pressure=2,
            minutes_per_day=15,
            conditions=[],
            no_conditions=True,
            updated_at=visit.starts_at - timedelta(days=2),
        )
    )
    db.session.flush()
    published = visit.starts_at + timedelta(hours=2)
    draft = plans.start_draft(visit, therapist_login, published, suggested=True)
    plans.publish(draft, reviewed=False, now=published)


def _past_visit(
    client: User, therapist: Therapist, room: Room, settings: BusinessSettings
) -> Booking:
    """A visit the demo client completed four weeks and two days ago, so the first sweep sends
    the "time to book your next visit" nudge to the mail sink."""
    tz = zone(settings.timezone)
    day = local_today(utcnow(), tz) - timedelta(weeks=4, days=2)
    service = therapist.services[0]
    starts_at = local_to_utc(day, time(10), tz)
    visit = Booking(
        client_id=client.id,
        therapist_id=therapist.id,
        room_id=room.id,
        service_id=service.id,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=service.duration_min),
        busy_until=starts_at + timedelta(minutes=service.duration_min + service.buffer_min),
        price_cents=service.price_cents,
        status=BookingStatus.COMPLETED,
        created_at=starts_at - timedelta(days=10),
    )
    db.session.add(visit)
    db.session.flush()
    record_completed_visit(visit, tz)
    return visit
