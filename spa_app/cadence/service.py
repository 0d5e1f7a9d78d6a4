"""The four-to-six-week rhythm: when a client's next visit is due after a completed one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from spa_app import params, signals
from spa_app.accounts.models import Role, User
from spa_app.booking.models import Booking, BookingStatus
from spa_app.business import Business, business_tz
from spa_app.cadence.models import NextVisit, VisitInterval
from spa_app.clock import local_today
from spa_app.database import dialect_insert
from spa_app.extensions import db
from spa_app.homecare.access import may_see_health
from spa_app.notifications import outbox
from spa_app.notifications.models import NUDGE_KINDS, WIN_BACK_KINDS, Message, MessageKind
from spa_app.scheduling.queries import UnknownService, find_slots

DEFAULT_WEEKS = (4, 6)
#: The weeks a therapist may set: the fewest from 1 to 12, the most from that to 16 (the
#: visit_intervals table checks the same).
LOWEST_MIN_WEEKS, HIGHEST_MIN_WEEKS, HIGHEST_MAX_WEEKS = 1, 12, 16
MAX_SEARCH_DAYS = 62  # the search for suggestions stops two months into the window


class CadenceError(ValueError):
    """A change to the cadence the rules refuse; the message is for the person."""


class NotYourClient(CadenceError):
    """The person may not set this client's interval, or there is no such client (a 404)."""


class IntervalRefused(CadenceError):
    """Weeks that are no whole numbers, or out of bounds."""


class NothingDue(CadenceError):
    """The client has no next-visit window open with nothing booked since: no nudge."""


def window_after(
    visit_start: datetime, tz: ZoneInfo, weeks: tuple[int, int] = (4, 6)
) -> tuple[datetime, datetime]:
    """(opens, closes) in UTC: ``weeks`` (four and six unless the therapist set others) after
    ``visit_start`` on the local clock.

    Adding days to an aware local time is wall-clock arithmetic in Python, so a visit at 10:00
    in winter gives windows at 10:00 in summer (an hour fewer in real time). A local time that a
    clock change skips resolves to the time it would have been before the change, which reads
    an hour later on the new clock.
    """
    local = visit_start.astimezone(tz)
    opens, closes = (timedelta(weeks=w) for w in weeks)
    return (local + opens).astimezone(UTC), (local + closes).astimezone(UTC)


def record_completed_visit(booking: Booking, tz: ZoneInfo) -> None:
    """Make ``booking`` the client's latest visit, unless a later one is already recorded.

    One upsert, so two visits of one client marked at once leave the later one. Flushed with the
    caller's transaction.
    """
    opens_at, closes_at = window_after(booking.starts_at, tz, interval_of(booking.client_id))
    values = {
        "client_id": booking.client_id,
        "booking_id": booking.id,
        "therapist_id": booking.therapist_id,
        "service_id": booking.service_id,
        "last_visit_at": booking.starts_at,
        "opens_at": opens_at,
        "closes_at": closes_at,
    }
    table = NextVisit.__table__
    insert = dialect_insert(table, db.session).values(**values)
    statement = insert.on_conflict_do_update(
        index_elements=[table.c.client_id],
        set_={name: insert.excluded[name] for name in values if name != "client_id"},
        where=table.c.last_visit_at < insert.excluded.last_visit_at,
    )
    db.session.execute(statement)


def interval_of(client_id: int) -> tuple[int, int]:
    """The client's (min, max) weeks between visits: as their therapist set, else 4 to 6."""
    row = db.session.get(VisitInterval, client_id)
    return (row.min_weeks, row.max_weeks) if row else DEFAULT_WEEKS


def may_set_interval(user: User, client: User | None) -> bool:
    """Staff, or a therapist who may see the client's health data, for a client."""
    return (
        client is not None
        and client.role is Role.CLIENT
        and user.role in (Role.STAFF, Role.THERAPIST)
        and may_see_health(user, client.id)
    )


@dataclass(frozen=True)
class IntervalChoice:
    """The interval form on a visit's page: the client's weeks now, and the bounds to offer."""

    weeks: tuple[int, int]
    lowest: int = LOWEST_MIN_WEEKS
    highest_min: int = HIGHEST_MIN_WEEKS
    highest_max: int = HIGHEST_MAX_WEEKS


def interval_choice(user: User, client: User) -> IntervalChoice | None:
    """What ``user`` may set of ``client``'s interval (None: they may not, so no form)."""
    if not may_set_interval(user, client):
        return None
    return IntervalChoice(interval_of(client.id))


def weeks_from(min_weeks: str | None, max_weeks: str | None) -> tuple[int, int]:
    """The (min, max) weeks as a person typed them (ASCII digits), checked against the bounds;
    raises IntervalRefused."""
    low, high = params.as_whole(min_weeks, most=99), params.as_whole(max_weeks, most=99)
    if low is None or high is None:
        raise IntervalRefused(_("Please give the weeks as whole numbers."))
    if not (LOWEST_MIN_WEEKS <= low <= HIGHEST_MIN_WEEKS and low <= high <= HIGHEST_MAX_WEEKS):
        raise IntervalRefused(
            _(
                "From %(lowest)s to %(highest_min)s weeks, to at most %(highest_max)s and not "
                "fewer than the first.",
                lowest=LOWEST_MIN_WEEKS,
                highest_min=HIGHEST_MIN_WEEKS,
                highest_max=HIGHEST_MAX_WEEKS,
            )
        )
    return low, high


def set_interval(
    client_id: int, min_weeks: str | None, max_weeks: str | None, by: User, now: datetime
) -> tuple[int, int]:
    """Store the weeks between visits ``by`` set for the client (as typed), and move their
    current window to them; the (min, max) weeks stored. Raises NotYourClient (who may set it:
    see may_set_interval) or IntervalRefused. Flushed with the caller's transaction.
    """
    if not may_set_interval(by, db.session.get(User, client_id)):
        raise NotYourClient(_("No such client."))
    weeks = weeks_from(min_weeks, max_weeks)
    row = db.session.get(VisitInterval, client_id) or VisitInterval(client_id=client_id)
    row.min_weeks, row.max_weeks, row.set_by_id, row.set_at = *weeks, by.id, now
    db.session.add(row)
    window = db.session.get(NextVisit, client_id)
    if window is not None:
        window.opens_at, window.closes_at = window_after(window.last_visit_at, business_tz(), weeks)
    db.session.flush()
    return weeks


def suggestions(window: NextVisit, now: datetime, limit: int = 5) -> list:
    """Up to ``limit`` free times in the client's window (from now on) with the same therapist
    and service: the same weekday and time of day as the last visit first, then the nearest."""
    tz = business_tz()
    today = local_today(now, tz)
    first = max(today, window.opens_at.astimezone(tz).date())
    last = window.closes_at.astimezone(tz).date()
    if last < first:
        return []
    try:
        found = find_slots(
            service_id=window.service_id,
            therapist_id=window.therapist_id,
            first_day=first,
            last_day=min(last, first + timedelta(days=MAX_SEARCH_DAYS)),
            now=now,
        )
    except UnknownService:
        return []
    before = window.last_visit_at.astimezone(tz)
    minute_of_day = before.hour * 60 + before.minute

    def likeness(slot):
        local = slot.starts_at.astimezone(tz)
        return (
            local.weekday() != before.weekday(),
            abs(local.hour * 60 + local.minute - minute_of_day),
            slot.starts_at,
        )

    return sorted(sorted(found.slots, key=likeness)[:limit], key=lambda s: s.starts_at)


def visit_since(client_id, since) -> sa.Exists:
    """EXISTS: the client (an id or a column) has a visit after ``since`` that they booked and
    did not cancel or miss: one ahead, or one that happened and nobody marked completed yet."""
    return sa.exists().where(
        Booking.client_id == client_id,
        Booking.status.in_([BookingStatus.BOOKED, BookingStatus.ARRIVED, BookingStatus.COMPLETED]),
        Booking.starts_at > since,
    )


def due_window(client_id: int) -> NextVisit | None:
    """The client's next-visit window, if nothing is booked (or had) since their last visit."""
    window = db.session.get(NextVisit, client_id)
    if window is None:
        return None
    booked = db.session.execute(sa.select(visit_since(client_id, window.last_visit_at)))
    return None if booked.scalar_one() else window


def nudge_now(client_id: int, now: datetime) -> bool:
    """Queue the client a "time to book" nudge now, asked for at the desk: at most one such
    extra a day (the UTC day, as it always was). True if queued, False if one already was
    today. Raises NothingDue. In the caller's transaction.
    """
    window = due_window(client_id)
    if window is None:
        raise NothingDue(_("This client has nothing due: no nudge sent."))
    kind = MessageKind.REBOOK_WINDOW_OPEN
    return outbox.enqueue(
        kind,
        to=client_id,
        key=outbox.key(kind, f"booking-{window.booking_id}:desk-{now.date()}"),
        due_at=now,
        about=outbox.About(booking_id=window.booking_id, visit_starts_at=window.last_visit_at),
        created_at=now,
    )


@outbox.pointless_when(*NUDGE_KINDS, *WIN_BACK_KINDS)
def _nudge_overtaken(message: Message, now: datetime) -> bool:
    """The client has booked (or had) a visit since, or completed a later one."""
    latest = db.session.get(NextVisit, message.user_id)
    return (
        latest is None
        or latest.booking_id != message.booking_id
        or db.session.execute(
            sa.select(visit_since(message.user_id, message.visit_starts_at))
        ).scalar_one()
    )


NUDGE_SUBJECTS = {
    MessageKind.REBOOK_WINDOW_OPEN: _l("Time to book your next visit to %(spa)s"),
    MessageKind.REBOOK_WINDOW_CLOSING: _l("%(weeks)d weeks since your last visit to %(spa)s"),
    MessageKind.WIN_BACK: _l("We would love to see you again at %(spa)s"),
    MessageKind.WIN_BACK_LAST: _l("A last note from %(spa)s"),
}


def rhythm_of(message: Message, tz: ZoneInfo) -> tuple[int, int]:
    """The (min, max) weeks a nudge speaks of: those of the window it was sent for (the
    client's interval when the visit was completed), else the client's interval now."""
    window = db.session.get(NextVisit, message.user_id)
    if window is None or window.booking_id != message.booking_id:
        return interval_of(message.user_id)
    visit = window.last_visit_at.astimezone(tz).date()
    return tuple(
        (edge.astimezone(tz).date() - visit).days // 7
        for edge in (window.opens_at, window.closes_at)
    )


@outbox.composes(*NUDGE_SUBJECTS)
def _nudge_letter(message: Message, settings: Business, sender: outbox.Sender) -> outbox.Letter:
    """Time to book again: the last visit (from the row's snapshot), the weeks since and the
    client's own rhythm (rhythm_of), and a link to book it again.

    The link names the same therapist while they still offer that service.
    """
    visit = message.booking
    therapist, service = visit.therapist, visit.service
    if not service.active:
        link = f"{sender.public_url}/"
    elif therapist.active and service in therapist.services:
        link = f"{sender.public_url}/book/{service.id}?therapist={therapist.id}"
    else:
        link = f"{sender.public_url}/book/{service.id}"
    low, high = rhythm_of(message, settings.tz)
    since = message.created_at.astimezone(settings.tz).date()
    weeks = max((since - message.visit_starts_at.astimezone(settings.tz).date()).days // 7, 1)
    context = {
        "visit": visit,
        "therapist": therapist,
        "same_therapist": "therapist=" in link,
        "link": link,
        "weeks": weeks,  # since the visit, when the nudge was queued
        "low": low,
        "high": high,
    }
    # In the recipient's language: composed inside their force_locale.
    subject = NUDGE_SUBJECTS[message.kind] % {"spa": settings.business_name, "weeks": weeks}
    return outbox.Letter(subject, context)


def _on_marked(booking: Booking, *, now: datetime, status: BookingStatus) -> None:
    if status is BookingStatus.COMPLETED:
        record_completed_visit(booking, business_tz())


def _on_unmarked(booking: Booking, *, now: datetime, was: BookingStatus) -> None:
    """A completion undone: the window follows the client's latest visit still completed (or
    goes, with none); nudges queued for the undone one find it gone and are dropped."""
    latest = db.session.get(NextVisit, booking.client_id)
    if was is not BookingStatus.COMPLETED or latest is None or latest.booking_id != booking.id:
        return
    db.session.delete(latest)
    db.session.flush()
    before = db.session.scalars(
        sa.select(Booking)
        .where(Booking.client_id == booking.client_id, Booking.status == BookingStatus.COMPLETED)
        .order_by(Booking.starts_at.desc(), Booking.id.desc())
        .limit(1)
    ).first()
    if before is not None:
        record_completed_visit(before, business_tz())


def connect() -> None:
    """A completed visit starts the client's next-visit window, in its own transaction; an
    undone completion gives it back to the visit before."""
    signals.visit_marked.connect(_on_marked)
    signals.visit_unmarked.connect(_on_unmarked)
