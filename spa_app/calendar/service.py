"""The calendar: a day as a grid of slot-step rows, one column per therapist (or room).

``day_view`` reads the day in four statements whatever the number of therapists: the settings
with the day's opening bounds and any closure; the columns (therapists with that weekday's
working windows, or rooms); their time off; and the day's bookings with what the markers and
the details need (client, service, therapist, room, intake, whether it is the client's first
visit; cancelled ones too, listed apart). Given ``now``, times that have passed are not free
to book and today's grid knows where now is.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

import sqlalchemy as sa
import sqlalchemy.orm
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from spa_app.accounts.models import DELETED_DOMAIN, NO_EMAIL_DOMAIN, User
from spa_app.booking.models import Booking, BookingStatus
from spa_app.catalog.models import Room, Service, Therapist
from spa_app.clock import day_bounds, zone
from spa_app.extensions import db
from spa_app.homecare.models import Intake
from spa_app.i18n import language
from spa_app.i18n import when as written
from spa_app.scheduling.models import BusinessSettings, Closure, TimeOff, WorkingHours

DEFAULT_OPEN, DEFAULT_CLOSE = time(9), time(18)
BY = ("therapist", "room")
#: What the cards' colours say: their status (the default) or their service.
COLOURS = ("status", "service")
#: Service colours: a service's is SERVICE_COLOURS apart from the next one's (its id modulo).
SERVICE_COLOURS = 8
#: A visit's status as the cards and lists say it.
STATUS_WORDS = {
    BookingStatus.BOOKED: _l("booked"),
    BookingStatus.ARRIVED: _l("arrived"),
    BookingStatus.COMPLETED: _l("completed"),
    BookingStatus.NO_SHOW: _l("no-show"),
    BookingStatus.CANCELLED: _l("cancelled"),
}


@dataclass(frozen=True)
class Block:
    """A booking on the grid."""

    booking_id: int
    client_id: int
    client: str
    service: str
    status: BookingStatus
    starts: datetime  # local
    ends: datetime  # local
    row: int
    span: int
    new_client: bool
    flagged: bool  # a contraindication is ticked on the intake
    no_intake: bool
    service_id: int = 0
    therapist_id: int = 0
    therapist_user_id: int = 0
    therapist: str = ""
    room_id: int = 0
    room: str = ""
    no_email: bool = False  # the client has no e-mail address: nothing reaches them by mail
    late_cancel: bool = False
    care: bool = False  # the client's home-care plan raised a flag lately (see with_care)

    @cached_property  # read several times per card; a Block lives for one request
    def markers(self) -> list[Marker]:
        """The markers this visit shows, most urgent first (the card puts them before the name
        so a long name or a short visit cannot push them out of sight)."""
        return [m for m in _said().markers if getattr(self, m.when)]

    @cached_property
    def status_words(self) -> str:
        return _said().statuses[self.status]

    @property
    def status_line(self) -> str:
        """The line of the card's tooltip that says its status ("Status: booked")."""
        return _said().status_lines[self.status]

    @property
    def details(self) -> str:
        """The whole card in words, markers spelt out: the card's tooltip and the list's line."""
        when = f"{self.starts:%H:%M}–{self.ends:%H:%M}"
        said = "".join(f" {m.words}." for m in self.markers)
        return f"{self.client}, {when}, {self.service}, {self.status_words}.{said}"


@dataclass(frozen=True)
class Marker:
    when: str  # the Block field that turns it on
    symbol: str
    words: str  # lazy in MARKERS, said in the page's language; a plain string from _said()
    css: str = ""


MARKERS = (
    Marker("flagged", "!", _l("Contraindication ticked"), "flag"),
    Marker("care", "⌂", _l("Home care needs a look"), "care"),
    Marker("no_intake", "?", _l("No health intake yet")),
    Marker("new_client", "N", _l("New client")),
)


@dataclass(frozen=True)
class _Said:
    """The markers and the status words in one language, as plain strings."""

    markers: tuple[Marker, ...]
    statuses: dict[BookingStatus, str]
    status_lines: dict[BookingStatus, str]


#: Each language's, translated once: a day's cards say them some seven times a card.
_SAID: dict[str, _Said] = {}


def _said() -> _Said:
    spoken = language()
    if (found := _SAID.get(spoken)) is None:
        statuses = {status: str(words) for status, words in STATUS_WORDS.items()}
        found = _SAID[spoken] = _Said(
            tuple(replace(m, words=str(m.words)) for m in MARKERS),
            statuses,
            {status: _("Status: %(status)s", status=words) for status, words in statuses.items()},
        )
    return found


@dataclass
class Column:
    id: int  # the therapist's or room's
    name: str
    #: rows inside working hours (rooms: every row)
    open_rows: set[int] = field(default_factory=set)
    #: (first row, rows, what): time off
    blocked: list[tuple[int, int, str]] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    day: date | None = None  # in a week view, the column's day
    #: the first row whose start has not passed (rows before it cannot be booked)
    bookable_from: int = 0
    #: whether the now line crosses this column (today's)
    has_now: bool = False

    def free_rows(self) -> list[int]:
        """Rows a booking could start on: open, not passed, not blocked, not under a booking."""
        taken = {r for b in self.blocks for r in range(b.row, b.row + b.span)}
        taken |= {r for first, n, _ in self.blocked for r in range(first, first + n)}
        return sorted(r for r in self.open_rows - taken if r >= self.bookable_from)


@dataclass(frozen=True)
class NowMark:
    """Where now is on today's grid: in slot row ``row``, ``tenths`` of the way down it."""

    row: int
    tenths: int
    label: str  # the local time, 14:05
    minutes: int  # since the grid's first row: a script keeps the line moving from here


@dataclass
class DayView:
    day: date
    by: str
    tz: ZoneInfo
    step: int
    start: datetime  # local time of row 0
    rows: int
    columns: list[Column]
    closure: str | None
    now: NowMark | None = None
    #: the day's cancelled visits (not on the grid: their time is free), earliest first
    cancelled: list[Block] = field(default_factory=list)
    #: whether the visits were marked for home care that needs a look (with_care)
    care_read: bool = False

    def time_of(self, row: int) -> datetime:
        return self.start + timedelta(minutes=self.step * row)

    @property
    def services(self) -> list[tuple[int, str]]:
        """The services of the visits shown, (id, name) by name: the colour legend's."""
        found = {b.service_id: b.service for c in self.columns for b in c.blocks}
        return sorted(found.items(), key=lambda item: (item[1], item[0]))

    @property
    def flagged_clients(self) -> set[int]:
        return {b.client_id for c in self.columns for b in c.blocks if b.flagged}

    @property
    def clients(self) -> set[int]:
        """The clients of the visits on the grid."""
        return {b.client_id for c in self.columns for b in c.blocks}

    def with_care(self, clients: set[int]) -> None:
        """Mark the visits of ``clients``, whose home care needs a look (homecare.watch)."""
        self.care_read = True
        for column in self.columns:
            column.blocks = [replace(b, care=True) if b.client_id in clients else b
                             for b in column.blocks]  # fmt: skip


def day_view(
    day: date,
    by: str = "therapist",
    therapist_user_id: int | None = None,
    now: datetime | None = None,
) -> DayView:
    """The day's grid. ``therapist_user_id`` keeps only that therapist's column; with ``now``,
    rows that have started are not free and today's grid has its now mark."""
    settings = _settings(day)
    tz = zone(settings.timezone)
    lo, hi = day_bounds(day, day, tz)
    opens = settings.opens or DEFAULT_OPEN
    closes = settings.closes or DEFAULT_CLOSE
    rows_read = _bookings(lo, hi, therapist_user_id)
    bookings = [b for b in rows_read if b.status is not BookingStatus.CANCELLED]
    for b in bookings:  # widen the grid for a visit booked outside the usual hours
        opens = min(opens, b.starts_at.astimezone(tz).time())
        end = b.ends_at.astimezone(tz)
        closes = max(closes, end.time() if end.date() == day else time(23, 59))
    step = settings.slot_step_min
    start = datetime.combine(day, _floor(opens, step), tz)
    rows = math.ceil(_minutes(start.time(), closes) / step)
    view = DayView(day, by, tz, step, start, rows, [], settings.closure)

    if by == "room":
        view.columns = [Column(r.id, r.name, set(range(rows))) for r in _rooms()]
        where = {c.id: c for c in view.columns}
        placed = [(where.get(b.room_id), b) for b in bookings]
    else:
        view.columns = _therapist_columns(day, view, therapist_user_id)
        where = {c.id: c for c in view.columns}
        for therapist_id, starts_at, ends_at, reason in _time_off(lo, hi, list(where)):
            first, span = _rows_of(view, starts_at, ends_at)
            where[therapist_id].blocked.append((first, span, reason or _("Time off")))
        placed = [(where.get(b.therapist_id), b) for b in bookings]
    for column, b in placed:
        if column is not None:
            column.blocks.append(_block(view, b))
    shown = {c.id for c in view.columns}
    view.cancelled = [
        _block(view, b)
        for b in rows_read
        if b.status is BookingStatus.CANCELLED
        and (b.room_id if by == "room" else b.therapist_id) in shown
    ]
    if now is not None:
        _place_now(view, now)
    return view


def _place_now(view: DayView, now: datetime) -> None:
    """Rows that have started are no longer free; today's grid gets its now mark."""
    minutes = _wall_minutes(view, now)
    passed = min(max(math.ceil(minutes / view.step), 0), view.rows)
    for column in view.columns:
        column.bookable_from = passed
    if now.astimezone(view.tz).date() == view.day and 0 <= minutes < view.rows * view.step:
        row, into = divmod(minutes, view.step)
        label = now.astimezone(view.tz).strftime("%H:%M")
        view.now = NowMark(row, into * 10 // view.step, label, minutes)
        for column in view.columns:
            column.has_now = True


def _block(view: DayView, b) -> Block:
    row, span = _rows_of(view, b.starts_at, b.ends_at)
    return Block(
        booking_id=b.id,
        client_id=b.client_id,
        client=b.client,
        service=b.service,
        status=b.status,
        starts=b.starts_at.astimezone(view.tz),
        ends=b.ends_at.astimezone(view.tz),
        row=row,
        span=span,
        new_client=b.new_client,
        flagged=bool(b.conditions),
        no_intake=not b.has_intake,
        service_id=b.service_id,
        therapist_id=b.therapist_id,
        therapist_user_id=b.therapist_user_id,
        therapist=b.therapist,
        room_id=b.room_id,
        room=b.room,
        no_email=not b.has_email,
        late_cancel=bool(b.late_cancel),
    )


def visit_markers(bookings: list[Booking]) -> dict[int, list[Marker]]:
    """{booking id: its markers, most urgent first} for a list of visits, as the calendar
    cards show them (two queries whatever the length)."""
    clients = {b.client_id for b in bookings}
    intakes = dict(
        db.session.execute(
            sa.select(Intake.client_id, Intake.conditions).where(Intake.client_id.in_(clients))
        ).all()
    )
    seen = sa.select(Booking.client_id, sa.func.min(Booking.starts_at)).where(
        Booking.client_id.in_(clients),
        Booking.status.in_([BookingStatus.ARRIVED, BookingStatus.COMPLETED]),
    )
    first_visit = dict(db.session.execute(seen.group_by(Booking.client_id)).all())
    found = {}
    for b in bookings:
        on = {
            "flagged": bool(intakes.get(b.client_id)),
            "care": False,  # read on the calendar only (homecare.watch)
            "no_intake": b.client_id not in intakes,
            "new_client": (first := first_visit.get(b.client_id)) is None or first >= b.starts_at,
        }
        found[b.id] = [m for m in MARKERS if on[m.when]]
    return found


def _rows_of(view: DayView, starts_at: datetime, ends_at: datetime) -> tuple[int, int]:
    """First row and row count of an interval on the local wall clock, clipped to the grid."""
    first = _wall_minutes(view, starts_at) // view.step
    last = math.ceil(_wall_minutes(view, ends_at) / view.step)
    first, last = max(first, 0), min(last, view.rows)
    return first, max(last - first, 1)


def _wall_minutes(view: DayView, instant: datetime) -> int:
    local = instant.astimezone(view.tz).replace(tzinfo=None)
    return int((local - view.start.replace(tzinfo=None)) / timedelta(minutes=1))


def _minutes(a: time, b: time) -> int:
    return (b.hour * 60 + b.minute) - (a.hour * 60 + a.minute)


def _floor(t: time, step: int) -> time:
    minutes = (t.hour * 60 + t.minute) // step * step
    return time(minutes // 60, minutes % 60)


# The four statements ---------------------------------------------------------------------------


def _settings(day: date):
    weekday = WorkingHours.weekday == day.weekday()
    opens = sa.select(sa.func.min(WorkingHours.starts)).where(weekday).scalar_subquery()
    closes = sa.select(sa.func.max(WorkingHours.ends)).where(weekday).scalar_subquery()
    closure = sa.select(Closure.reason).where(Closure.day == day).scalar_subquery()
    return db.session.execute(
        sa.select(
            BusinessSettings.timezone,
            BusinessSettings.slot_step_min,
            opens.label("opens"),
            closes.label("closes"),
            closure.label("closure"),
        ).where(BusinessSettings.id == 1)
    ).one()


def _therapist_columns(day: date, view: DayView, only_user: int | None) -> list[Column]:
    query = (
        sa.select(Therapist.id, Therapist.display_name, WorkingHours.starts, WorkingHours.ends)
        .outerjoin(
            WorkingHours,
            sa.and_(
                WorkingHours.therapist_id == Therapist.id, WorkingHours.weekday == day.weekday()
            ),
        )
        .where(Therapist.active)
        .order_by(Therapist.display_name, Therapist.id, WorkingHours.starts)
    )
    if only_user is not None:
        query = query.where(Therapist.user_id == only_user)
    columns: dict[int, Column] = {}
    for therapist_id, name, starts, ends in db.session.execute(query):
        column = columns.setdefault(therapist_id, Column(therapist_id, name))
        if starts is not None:
            first = datetime.combine(day, starts, view.tz)
            last = datetime.combine(day, ends, view.tz)
            a, n = _rows_of(view, first, last)
            column.open_rows |= set(range(a, a + n))
    return list(columns.values())


def _rooms():
    return db.session.execute(sa.select(Room.id, Room.name).order_by(Room.name, Room.id)).all()


def _time_off(lo: datetime, hi: datetime, therapist_ids: list[int]):
    return db.session.execute(
        sa.select(TimeOff.therapist_id, TimeOff.starts_at, TimeOff.ends_at, TimeOff.reason).where(
            TimeOff.therapist_id.in_(therapist_ids), TimeOff.starts_at < hi, TimeOff.ends_at > lo
        )
    ).all()


def _bookings(lo: datetime, hi: datetime, only_user: int | None):
    earlier = sa.orm.aliased(Booking)
    query = (
        sa.select(
            Booking.id,
            Booking.client_id,
            Booking.therapist_id,
            Booking.room_id,
            Booking.starts_at,
            Booking.ends_at,
            Booking.status,
            Booking.service_id,
            Booking.late_cancel,
            User.name.label("client"),
            ~(
                User.email.endswith("@" + NO_EMAIL_DOMAIN)
                | User.email.endswith("@" + DELETED_DOMAIN)
            ).label("has_email"),
            Service.name.label("service"),
            Therapist.display_name.label("therapist"),
            Therapist.user_id.label("therapist_user_id"),
            Room.name.label("room"),
            Intake.client_id.is_not(None).label("has_intake"),
            Intake.conditions,
            ~sa.exists()
            .where(
                earlier.client_id == Booking.client_id,
                earlier.status.in_([BookingStatus.ARRIVED, BookingStatus.COMPLETED]),
                earlier.starts_at < Booking.starts_at,
            )
            .label("new_client"),
        )
        .join(User, User.id == Booking.client_id)
        .join(Service, Service.id == Booking.service_id)
        .join(Therapist, Therapist.id == Booking.therapist_id)
        .join(Room, Room.id == Booking.room_id)
        .outerjoin(Intake, Intake.client_id == Booking.client_id)
        .where(Booking.starts_at >= lo, Booking.starts_at < hi)
        .order_by(Booking.starts_at, Booking.id)
    )
    if only_user is not None:
        query = query.where(Therapist.user_id == only_user)
    return db.session.execute(query).all()


def rooms_or_therapists(by: str | None) -> str:
    return by if by in BY else "therapist"


def week_view(monday: date, therapist_id: int, now: datetime | None = None) -> DayView | None:
    """One therapist's week: a column per day, rows over the widest day. None if no such
    (active) therapist. Seven day reads; the week is not a hot page."""
    user_id = db.session.execute(
        sa.select(Therapist.user_id).where(Therapist.id == therapist_id, Therapist.active)
    ).scalar_one_or_none()
    if user_id is None:
        return None
    days = [day_view(monday + timedelta(days=n), "therapist", user_id, now) for n in range(7)]
    first = days[0]
    wall = [d.start.replace(tzinfo=None) - datetime.combine(d.day, time()) for d in days]
    earliest = min(wall)
    ends = [w + timedelta(minutes=d.step * d.rows) for w, d in zip(wall, days, strict=True)]
    rows = math.ceil((max(ends) - earliest) / timedelta(minutes=first.step))
    start = datetime.combine(monday, time(), first.tz) + earliest
    week = DayView(monday, "week", first.tz, first.step, start, rows, [], None)
    for d, w in zip(days, wall, strict=True):
        shift = int((w - earliest) / timedelta(minutes=d.step))
        week.columns.append(_shifted(d, shift, rows, therapist_id))
        week.cancelled += d.cancelled
        if d.now is not None:
            week.now = replace(d.now, row=d.now.row + shift, minutes=d.now.minutes + shift * d.step)
    return week


def _shifted(d: DayView, shift: int, rows: int, therapist_id: int) -> Column:
    """Day ``d``'s column moved ``shift`` rows down, to sit in a week of ``rows`` rows."""
    (column,) = d.columns or [Column(therapist_id, "")]
    column.name, column.day = written(d.day, "%a %d %b"), d.day
    column.open_rows = {r + shift for r in column.open_rows} if d.closure is None else set()
    column.blocked = [(r + shift, n, what) for r, n, what in column.blocked]
    if d.closure is not None:
        closed = _("Closed: %(reason)s", reason=d.closure) if d.closure else _("Closed")
        column.blocked.append((0, rows, closed))
    column.blocks = [replace(b, row=b.row + shift) for b in column.blocks]
    passed = column.bookable_from
    column.bookable_from = rows if passed >= d.rows else passed + shift if passed else 0
    return column
