"""Plain functions that add objects for tests (flushed and committed)."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from spa_app import clock
from spa_app.accounts.models import Role, User
from spa_app.booking import service as booking_service
from spa_app.booking.models import Booking, BookingStatus
from spa_app.catalog.models import Room, Service, Therapist
from spa_app.database import unit_of_work
from spa_app.extensions import db
from spa_app.homecare.models import Completion, Intake, Plan, PlanItem, PlanStatus, Routine
from spa_app.homecare.plans import service as plans
from spa_app.scheduling.models import BusinessSettings, WorkingHours

PASSWORD = "correct-horse-battery"
_seq = itertools.count(1)

#: The spa's time zone in tests (the business settings' default), the one every test uses.
LONDON = ZoneInfo("Europe/London")
MON_TO_SAT_9_TO_18 = {d: [(time(9), time(18))] for d in range(6)}


def at(day: date, hhmm: str, tz: ZoneInfo = LONDON) -> datetime:
    """The instant (aware, in UTC) when the wall clock in ``tz`` shows ``hhmm`` on ``day``:
    ``at(monday, "10:00")`` is ten in the morning in London. A time the clocks skip raises
    clock.NonexistentLocalTime; of the hour the clocks repeat, the first is taken."""
    return clock.local_to_utc(day, time.fromisoformat(hhmm), tz)


def settings(**values) -> BusinessSettings:
    fresh()
    row = db.session.get(BusinessSettings, 1)
    for key, value in values.items():
        setattr(row, key, value)
    db.session.commit()
    return row


def user(role: Role = Role.CLIENT, *, name: str | None = None, email: str | None = None) -> User:
    fresh()
    n = next(_seq)
    u = User(email=email or f"user{n}@example.com", name=name or f"User {n}", role=role)
    u.set_password(PASSWORD)
    db.session.add(u)
    db.session.commit()
    return u


def therapist(name: str | None = None, hours=None, services=()) -> Therapist:
    fresh()
    login = user(Role.THERAPIST, name=name)
    t = Therapist(user_id=login.id, display_name=login.name, services=list(services))
    db.session.add(t)
    db.session.flush()
    for weekday, spans in (MON_TO_SAT_9_TO_18 if hours is None else hours).items():
        for starts, ends in spans:
            db.session.add(
                WorkingHours(therapist_id=t.id, weekday=weekday, starts=starts, ends=ends)
            )
    db.session.commit()
    return t


def service(
    name: str | None = None, minutes: int = 60, buffer: int = 0, cents: int = 6000, therapists=()
) -> Service:
    fresh()
    s = Service(
        name=name or f"Massage {next(_seq)}",
        duration_min=minutes,
        buffer_min=buffer,
        price_cents=cents,
        therapists=list(therapists),
    )
    db.session.add(s)
    db.session.commit()
    return s


def room(name: str | None = None) -> Room:
    fresh()
    r = Room(name=name or f"Room {next(_seq)}")
    db.session.add(r)
    db.session.commit()
    return r


def booking(
    client: User,
    therapist: Therapist,
    room: Room,
    svc: Service,
    starts_at: datetime,
    status: BookingStatus = BookingStatus.BOOKED,
) -> Booking:
    fresh()
    b = Booking(
        client_id=client.id,
        therapist_id=therapist.id,
        room_id=room.id,
        service_id=svc.id,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=svc.duration_min),
        busy_until=starts_at + timedelta(minutes=svc.duration_min + svc.buffer_min),
        price_cents=svc.price_cents,
        status=status,
    )
    db.session.add(b)
    db.session.commit()
    return b


def spa(therapists: int = 1, rooms: int = 1, minutes: int = 60, buffer: int = 0):
    """A small spa: therapists (Mon-Sat 09-18 London) offering one service, and rooms."""
    ts = [therapist() for _ in range(therapists)]
    svc = service(minutes=minutes, buffer=buffer, therapists=ts)
    rs = [room() for _ in range(rooms)]
    return svc, ts, rs


def booked_online(svc: Service, t: Therapist, day: date, hhmm: str = "10:00") -> Booking:
    """A new client books ``svc`` with ``t`` at ``hhmm`` London time through the booking service,
    as the site does: the booking and its confirmation (due now), committed."""
    client = user()
    start = at(day, hhmm)
    with unit_of_work():
        b = booking_service.book(
            client=client,
            choice=booking_service.Choice(svc.id, start, t.id),
            actor=client,
            now=datetime.now(UTC),
        )
    return b


def regular():
    """A client ("Regular Rae") whose last visit, with Anna at 10:00 on a weekday four weeks and
    two days ago, is marked completed: their next-visit window is open. Anna and Ben offer the
    service in one room. Returns (client, anna, ben, service, visit)."""
    svc, (anna, ben), (r,) = spa(therapists=2)
    me = user(name="Regular Rae")
    day = datetime.now(UTC).astimezone(LONDON).date() - timedelta(weeks=4, days=2)
    while day.weekday() == 6:  # Anna works Monday to Saturday
        day -= timedelta(days=1)
    visit = booking(me, anna, r, svc, at(day, "10:00"))
    with unit_of_work():
        booking_service.mark(booking=db.session.get(Booking, visit.id),
                             status=BookingStatus.COMPLETED, actor=anna.user,
                             now=visit.starts_at + timedelta(hours=1))  # fmt: skip
    return me, anna, ben, svc, visit


#: A desk worker's intake: neck and lower back pain, moderate pressure, 20 minutes a day.
DESK_WORKER = {
    "severity": {"neck": 6, "lower_back": 5},
    "goals": ["pain_relief"],
    "contexts": ["desk_work"],
    "pressure": 2,
    "minutes_per_day": 20,
    "conditions": [],
}


def intake(client_id: int, **values) -> Intake:
    """A health intake for the client: neck 6/10, pain relief, medium pressure, 15 minutes a day,
    nothing to be careful of, unless ``values`` say otherwise. Committed."""
    row = Intake(
        client_id=client_id,
        **{
            "severity": {"neck": 6},
            "goals": ["pain_relief"],
            "contexts": [],
            "pressure": 2,
            "minutes_per_day": 15,
            "conditions": [],
            # "Nothing to be careful of" is an answer: the client ticked "None of these".
            "no_conditions": not values.get("conditions"),
            **values,
        },
    )
    db.session.add(row)
    db.session.commit()
    return row


def plan(
    visit: Booking,
    routines: Iterable[Routine | str] | None = None,
    *,
    published: bool = True,
    days: str | None = None,
    reviewed: bool = True,
    now: datetime | None = None,
) -> Plan:
    """A home-care plan for ``visit`` by its therapist, the booking's next version. Committed.
    The library must be loaded (``load_library()``).

    Without ``routines``: the generator's suggestion for the client's intake, made as the
    therapist would (plans.start_draft, then plans.edit to put every item on ``days`` if given,
    then plans.publish with the review box ticked as ``reviewed`` says).

    With ``routines`` (library rows, or their names) the plan is written as it is, no generator
    and no checks: one item of each in that order, with the routine's words and spots, 5 minutes
    at pressure 1 on ``days`` (every day unless told).

    Either way ``published=False`` leaves a draft, and ``now`` (default: now) is when the plan
    was made and published. Change items on the result, then commit, for anything else.
    """
    fresh()
    now = now or datetime.now(UTC)
    with unit_of_work():
        visit = db.session.get(Booking, visit.id)
        author = visit.therapist.user
        if routines is None:
            made = plans.start_draft(visit, author, now, suggested=True)
            if days is not None:
                plans.edit(made, [plans.ItemEdit(i.id, i.minutes, days, i.pressure, i.note)
                                  for i in made.items])  # fmt: skip
            if published:
                plans.publish(made, reviewed=reviewed, now=now)
        else:
            made = _plan_as_written(visit, author, routines, published, days, reviewed, now)
    return made


def _plan_as_written(visit, author, routines, published, days, reviewed, now) -> Plan:
    library = {r.name: r for r in db.session.execute(db.select(Routine)).scalars()}
    latest = db.session.execute(
        db.select(db.func.max(Plan.version)).where(Plan.booking_id == visit.id)
    ).scalar()
    made = Plan(
        booking_id=visit.id,
        client_id=visit.client_id,
        author_id=author.id,
        version=(latest or 0) + 1,
        status=PlanStatus.PUBLISHED if published else PlanStatus.DRAFT,
        reviewed=reviewed and published,
        created_at=now,
        published_at=now if published else None,
    )
    db.session.add(made)
    db.session.flush()
    for position, routine in enumerate(routines):
        routine = library[routine] if isinstance(routine, str) else routine
        item = PlanItem(plan_id=made.id, position=position, routine_id=routine.id, minutes=5,
                        days=days or "0123456", pressure=1)  # fmt: skip
        item.copy_words(routine)
        db.session.add(item)
    db.session.flush()
    return made


def completion(
    plan: Plan, day: date, *, item: PlanItem | None = None, discomfort: int | None = None
) -> Completion:
    """The client did ``item`` of ``plan`` (its first unless told) on the local ``day``, with
    how it felt (0 none to 10 the worst) if ``discomfort`` says. Committed."""
    row = Completion(plan_item_id=(item or plan.items[0]).id, day=day, discomfort=discomfort)
    db.session.add(row)
    db.session.commit()
    return row


def next_weekday(weekday: int, weeks_ahead: int = 1) -> date:
    """A date on ``weekday`` at least a week from today: safely past notice, inside the horizon."""
    today = datetime.now(UTC).date()
    return today + timedelta(days=(weekday - today.weekday()) % 7 + 7 * weeks_ahead)


def signed_in(app, user):
    """A test client of its own, logged in as ``user`` (several people act in one test)."""
    browser = app.test_client()
    login(browser, user)
    return browser


def login(client, u: User, password: str = PASSWORD):
    return client.post("/login", data={"email": u.email, "password": password})


def fresh() -> None:
    """End the test's read transaction so it sees what requests committed since (SQLite WAL)."""
    db.session.rollback()
