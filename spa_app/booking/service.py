"""Booking rules: book, move and cancel, with the database as the final word on overlaps.

The service checks availability first so people get a friendly answer; the exclusion
constraints (PostgreSQL) or the immediate write transaction (SQLite) make the check-then-write
safe under concurrency. A lost race for a therapist or room raises SlotUnavailable with fresh
alternatives; a time that overlaps the client's own other visit raises ClientBusy naming it.

Each change is announced as a domain event (``spa_app.signals``) in its transaction; the
features that care react there (the notices and reminders, the waitlist offered a freed time,
the next-visit window), without this module knowing them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy.exc import DBAPIError

from spa_app import signals
from spa_app.accounts.models import Role, User
from spa_app.booking.clashes import clash_message, client_clash, is_the_same_visit
from spa_app.booking.models import CLIENT_OVERLAP, REQUEST_KEY, Booking, BookingStatus, Freed
from spa_app.booking.placement import place
from spa_app.business import business
from spa_app.catalog.models import Room, Therapist
from spa_app.clock import day_bounds, local_today
from spa_app.database import lock_client, require_serialized, violated_constraint
from spa_app.extensions import db
from spa_app.scheduling import affected
from spa_app.scheduling.availability import Slot
from spa_app.scheduling.queries import Availability, find_slots

ALTERNATIVES = 6
ALTERNATIVE_DAYS = 7
NOT_FREE = _l("That time is not free. Here are the nearest free times.")
NO_LONGER_FREE = _l("That time is no longer free. Here are the nearest free times.")
PASSED = _l("That time has passed. Here are the nearest free times.")
TAKEN = _l("That time was just taken by someone else. Here are the nearest free times.")


class BookingError(Exception):
    """A booking request that the rules refuse; the message is for the person."""


class SlotUnavailable(BookingError):
    def __init__(self, message: str, alternatives: list[Slot], therapists: dict[int, str]):
        super().__init__(str(message))  # in the language of the request that met it
        self.alternatives = alternatives
        self.therapists = therapists


class ChangeNotAllowed(BookingError):
    """The booking cannot be moved or cancelled by this person now."""


class ClientBusy(BookingError):
    """The client already has an active visit overlapping the time; ``visit`` is that visit."""

    def __init__(self, message: str, visit: Booking):
        super().__init__(message)
        self.visit = visit


class AlreadyBooked(ClientBusy):
    """The very visit asked for is booked already (a confirm sent again, say after Back)."""


class RoomRefused(BookingError):
    """The room asked for cannot be booked: unknown, closed, not one the service uses, or
    asked for by someone other than the front desk (clients never pick rooms)."""


@dataclass(frozen=True)
class Choice:
    """What a person picked: a service, a start, a therapist (None: any) and, for the front
    desk, a room (None: any free room the service may use)."""

    service_id: int
    starts_at: datetime
    therapist_id: int | None = None
    room_id: int | None = None


def book(
    *,
    client: User,
    choice: Choice,
    actor: User,
    now: datetime,
    request_key: str | None = None,
    horizon_days: int | None = None,
) -> Booking:
    """Book ``choice`` for ``client`` and announce it (visit_booked: the confirmation is
    queued); idempotent per request_key.

    Staff may book at short notice, at any free minute (clients on the slot step), and in a
    room they choose, and past the booking horizon up to ``horizon_days`` (a series they book
    on). Raises AlreadyBooked (the client has this very visit), ClientBusy (the
    client has another visit at that time), RoomRefused, SlotUnavailable (not free, or lost a
    race for the therapist or room) and UnknownService. Flushes; the caller commits. On
    SQLite, call inside unit_of_work().
    """
    require_serialized(db.session)
    lock_client(db.session, client.id)
    if request_key and (existing := _by_request_key(client.id, request_key)) is not None:
        return existing
    staff = actor.role is Role.STAFF
    availability = _availability_for(choice, now, staff=staff, horizon_days=horizon_days)
    _refuse_room(choice, availability, staff=staff)
    service = availability.service
    ends_at = choice.starts_at + timedelta(minutes=service.duration_min)
    tz = availability.rules.tz
    _refuse_clash(client, choice, ends_at, actor, tz, repeat_ok=True)
    if availability.slot_at(choice.starts_at) is None:
        raise _unavailable(_why_not(choice, now), choice, now, tz, staff=staff)

    def write(therapist_id: int, room_id: int) -> Booking:
        booking = Booking(
            client_id=client.id,
            therapist_id=therapist_id,
            room_id=room_id,
            service_id=service.id,
            starts_at=choice.starts_at,
            ends_at=ends_at,
            busy_until=ends_at + timedelta(minutes=service.buffer_min),
            price_cents=service.price_cents,
            request_key=request_key,
            created_by_id=actor.id,
            # On the same clock as the rules: the grace period counts from here.
            created_at=now,
        )
        db.session.add(booking)
        return booking

    try:
        booking = place(
            choice.starts_at,
            availability,
            write,
            lambda: _availability_for(choice, now, staff=staff, horizon_days=horizon_days),
            room_id=choice.room_id,
            keep=_is_own_conflict,
        )
    except DBAPIError as exc:
        if not _is_own_conflict(exc):
            raise
        # The client's own: the same request sent twice, or another visit of theirs at that time.
        if request_key and (existing := _by_request_key(client.id, request_key)) is not None:
            return existing
        _refuse_clash(client, choice, ends_at, actor, tz, repeat_ok=True)
        booking = None
    if booking is None:
        raise _unavailable(TAKEN, choice, now, tz, staff=staff)
    signals.visit_booked.send(booking, now=now, changed_by=_who(actor, client.id))
    return booking


def move(
    *, booking: Booking, choice: Choice, actor: User, now: datetime, tell_client: bool = True
) -> Booking:
    """Move ``booking`` to ``choice`` (same service), keeping its id, and announce it
    (visit_moved: the notice is queued unless staff chose not to ``tell_client``, the time it
    held offered to the waitlist).

    The visit keeps its room when that room is free at the new time, unless staff chose
    another (``choice.room_id``). Raises ChangeNotAllowed (policy), ClientBusy (the client's
    other visit is at that time), RoomRefused and SlotUnavailable. On SQLite, inside
    unit_of_work().
    """
    require_serialized(db.session)
    lock_client(db.session, booking.client_id)
    ensure_changeable(booking, actor, now)
    staff = actor.role is Role.STAFF
    availability = _availability_for(choice, now, staff=staff, ignore=booking.id)
    _refuse_room(choice, availability, staff=staff)
    ends_at = choice.starts_at + timedelta(minutes=availability.service.duration_min)
    tz = availability.rules.tz
    _refuse_clash(booking.client, choice, ends_at, actor, tz, ignore=booking.id)
    if availability.slot_at(choice.starts_at) is None:
        raise _unavailable(_why_not(choice, now), choice, now, tz, staff=staff, ignore=booking.id)
    busy_until = ends_at + timedelta(minutes=availability.service.buffer_min)
    freed = Freed.before_change(booking)
    sequence = booking.sequence

    def write(therapist_id: int, room_id: int) -> Booking:
        booking.therapist_id = therapist_id
        booking.room_id = room_id
        booking.starts_at = choice.starts_at
        booking.ends_at = ends_at
        booking.busy_until = busy_until
        booking.sequence = sequence + 1
        db.session.flush()
        return booking

    try:
        moved = place(
            choice.starts_at,
            availability,
            write,
            lambda: _availability_for(choice, now, staff=staff, ignore=booking.id),
            prefer_room=booking.room_id,
            room_id=choice.room_id,
            keep=_is_own_conflict,
        )
    except DBAPIError as exc:
        if not _is_own_conflict(exc):
            raise
        db.session.refresh(booking)
        _refuse_clash(booking.client, choice, ends_at, actor, tz, ignore=booking.id)
        moved = None
    if moved is None:
        db.session.refresh(booking)
        raise _unavailable(TAKEN, choice, now, tz, staff=staff, ignore=booking.id)
    who = _who(actor, booking.client_id)
    signals.visit_moved.send(
        booking, now=now, changed_by=who, freed=freed, tell_client=tell_client or who != "staff"
    )
    return booking


def cancel(
    *,
    booking: Booking,
    actor: User,
    now: datetime,
    reason: str = "",
    note_to_client: str = "",
    tell_client: bool = True,
    late: bool | None = None,
) -> Booking:
    """Cancel ``booking``, freeing its therapist and room, and announce it (visit_cancelled:
    the notice is queued unless staff chose not to ``tell_client``, the freed time offered to
    the waitlist).

    ``reason`` stays with the spa (a client's may well be about their health); staff may add a
    ``note_to_client``, which the e-mail quotes. A cancellation inside the cancellation window
    is marked late (it counts on the client's record) unless the spa closed, or the therapist is
    off, at its time; staff may say otherwise with ``late`` (the client rang in good time).

    Raises ChangeNotAllowed. Flushes; the caller commits.
    """
    ensure_changeable(booking, actor, now)
    freed = Freed.before_change(booking)
    booking.late_cancel = is_late_cancel(booking, now) if late is None else late
    booking.status = BookingStatus.CANCELLED
    booking.cancelled_at = now
    who = _who(actor, booking.client_id)
    booking.cancel_reason = f"{who}: {reason.strip()}" if reason.strip() else who
    booking.sequence += 1
    told = note_to_client.strip() if who == "staff" else None
    signals.visit_cancelled.send(
        booking,
        now=now,
        changed_by=who,
        note_to_client=told or None,
        freed=freed,
        tell_client=tell_client or who != "staff",
    )
    return booking


def is_late_cancel(booking: Booking, now: datetime) -> bool:
    """Whether cancelling ``booking`` at ``now`` is a late cancellation: inside the window and
    not because the spa closed (or its therapist is off) at its time."""
    return _inside_window(booking, now) and booking.id not in affected.needs_new_time(
        [booking], business().tz, now
    )


#: What a visit may become, from what, once it is near (staff and its therapist mark these).
NEXT_STATUS = {
    BookingStatus.ARRIVED: {BookingStatus.BOOKED},
    BookingStatus.COMPLETED: {BookingStatus.BOOKED, BookingStatus.ARRIVED},
    BookingStatus.NO_SHOW: {BookingStatus.BOOKED},
}
#: How early before the start a visit may be marked (a client arriving early).
MARK_EARLY = timedelta(hours=1)


def mark(*, booking: Booking, status: BookingStatus, actor: User, now: datetime) -> Booking:
    """Mark a visit arrived, completed or no-show (flushed; the caller commits).

    Announced as visit_marked: a completed visit starts the client's next-visit window (and
    its nudges). Only staff and
    the visit's own therapist may; only from a fitting status, and not before an hour ahead of
    the start. Raises ChangeNotAllowed with the reason.
    """
    if (reason := mark_refusal(booking, status, actor, now)) is not None:
        raise ChangeNotAllowed(reason)
    allowed = NEXT_STATUS[status]
    _set_status(booking, allowed, status)
    signals.visit_marked.send(booking, now=now, status=status)
    return booking


def unmark(*, booking: Booking, actor: User, now: datetime) -> Booking:
    """Undo a no-show or a completion marked by mistake: the visit is booked again.

    Only on the visit's own local day (a mistake is noticed the same day; later the next-visit
    window and its nudges have been acted on), by staff or the visit's therapist. Announced as
    visit_unmarked (``was``: the status it had), so the next-visit window forgets the visit.
    Conditional like ``mark``: of two people undoing and marking at once, one is told.
    Raises ChangeNotAllowed with the reason.
    """
    if (reason := unmark_refusal(booking, actor, now)) is not None:
        raise ChangeNotAllowed(reason)
    was = booking.status
    _set_status(booking, {was}, BookingStatus.BOOKED)
    signals.visit_unmarked.send(booking, now=now, was=was)
    return booking


def _set_status(booking: Booking, allowed: set[BookingStatus], status: BookingStatus) -> None:
    """Give ``booking`` ``status`` if it still has one of ``allowed``, else raise
    ChangeNotAllowed. Conditional, so two people marking one visit at once cannot both win (a
    no-show and a completed visit, say): the second finds the status changed and is told so."""
    changed = db.session.execute(
        sa.update(Booking)
        .where(Booking.id == booking.id, Booking.status.in_(allowed))
        .values(status=status)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(booking)
    if changed.rowcount != 1:
        raise ChangeNotAllowed(
            _("Someone marked this visit %(status)s just now.", status=booking.status.label)
        )


#: The marks that can be undone, the same day.
UNDOABLE = (BookingStatus.COMPLETED, BookingStatus.NO_SHOW)


def unmark_refusal(booking: Booking, actor: User, now: datetime) -> str | None:
    """Why ``actor`` may not undo ``booking``'s mark now, or None if they may."""
    is_own_therapist = actor.role is Role.THERAPIST and booking.therapist.user_id == actor.id
    if actor.role is not Role.STAFF and not is_own_therapist:
        return _("Only the front desk or the visit's therapist can mark it.")
    if booking.status not in UNDOABLE:
        return _("Only a no-show or a completed visit can be undone.")
    tz = business().tz
    if booking.starts_at.astimezone(tz).date() != local_today(now, tz):
        return _("A mark can be undone only on the day of the visit.")
    return None


def mark_refusal(booking: Booking, status: BookingStatus, actor: User, now: datetime) -> str | None:
    """Why ``actor`` may not mark ``booking`` as ``status`` now, or None if they may."""
    is_own_therapist = actor.role is Role.THERAPIST and booking.therapist.user_id == actor.id
    if actor.role is not Role.STAFF and not is_own_therapist:
        return _("Only the front desk or the visit's therapist can mark it.")
    if booking.status not in NEXT_STATUS.get(status, set()):
        return _(
            "A visit that is %(status)s cannot become %(new_status)s.",
            status=booking.status.label,
            new_status=status.label,
        )
    if now < booking.starts_at - MARK_EARLY:
        return _("This visit has not started yet.")
    return None


@dataclass(frozen=True)
class VisitActions:
    """What one person may do with one visit now; pages offer exactly these."""

    #: Why they may not move or cancel it, or None: they may.
    change_refusal: str | None
    #: The statuses they may mark it now (arrived, completed, no-show), in that order.
    marks: tuple[BookingStatus, ...]
    #: Whether they may book it again every few weeks (a series).
    may_repeat: bool
    #: Whether they may ask to hear of an earlier time (the client, of their own visit).
    may_ask_earlier: bool = False
    #: When the client may change it only thanks to the grace period: when that ends.
    grace_until: datetime | None = None
    #: Whether they may undo its no-show or completed mark (the same day).
    may_unmark: bool = False
    #: Whether cancelling it now would be a late cancellation (inside the window).
    cancel_is_late: bool = False


def actions_for(booking: Booking, actor: User, now: datetime) -> VisitActions:
    """What ``actor`` may do with ``booking`` now: the one answer views and templates use."""
    refusal = change_refusal(booking, actor, now)
    in_grace = refusal is None and actor.role is not Role.STAFF and _inside_window(booking, now)
    return VisitActions(
        change_refusal=refusal,
        marks=tuple(s for s in NEXT_STATUS if mark_refusal(booking, s, actor, now) is None),
        may_repeat=booking.status is BookingStatus.BOOKED
        and (actor.role is Role.STAFF or actor.id == booking.client_id),
        # Not in the grace period: an earlier time offered later could not be taken then.
        may_ask_earlier=refusal is None and not in_grace and actor.id == booking.client_id,
        grace_until=_grace_end(booking, now) if in_grace else None,
        may_unmark=unmark_refusal(booking, actor, now) is None,
        cancel_is_late=refusal is None and is_late_cancel(booking, now),
    )


def change_refusal(booking: Booking, actor: User, now: datetime) -> str | None:
    """Why ``actor`` may not move or cancel ``booking`` now, or None if they may.

    Clients may change their own booked visit until the cancellation window before it starts,
    and inside the window during the grace period after it was booked (whoever booked it: a
    visit the front desk booked by phone can be undone by its client just the same), or when
    the spa has closed, or its therapist is off, at its time (the spa asks them to choose a new
    time); staff may change any booked visit, even inside the window; therapists only read.
    """
    if booking.status is not BookingStatus.BOOKED:
        return _("This visit is %(status)s and can no longer change.", status=booking.status.label)
    if actor.role is Role.STAFF:
        return None
    if actor.id != booking.client_id:
        return _("Only the client or the front desk can change this visit.")
    if booking.starts_at <= now:
        return _("This visit has already started.")
    if (
        _inside_window(booking, now)
        and _grace_end(booking, now) is None
        and booking.id not in affected.needs_new_time([booking], business().tz, now)
    ):
        settings = business()
        hours = settings.cancel_window_hours
        if phone := settings.phone.strip():
            return ngettext(
                "Online changes close %(num)d hour before the visit. Please call us on "
                "%(phone)s and we will do our best to help.",
                "Online changes close %(num)d hours before the visit. Please call us on "
                "%(phone)s and we will do our best to help.",
                hours,
                phone=phone,
            )
        return ngettext(
            "Online changes close %(num)d hour before the visit. Please speak to the front "
            "desk and we will do our best to help.",
            "Online changes close %(num)d hours before the visit. Please speak to the front "
            "desk and we will do our best to help.",
            hours,
        )
    return None


def _inside_window(booking: Booking, now: datetime) -> bool:
    """Whether the visit is nearer than the cancellation window (clients' changes close)."""
    return booking.starts_at - now < timedelta(hours=business().cancel_window_hours)


def _grace_end(booking: Booking, now: datetime) -> datetime | None:
    """When the grace period after booking ``booking`` ends, if it has not yet; else None."""
    ends = booking.created_at + timedelta(minutes=business().grace_min)
    return ends if now < ends else None


def cancellation_for(booking: Booking, viewer: User) -> str | None:
    """Who cancelled ``booking`` and why, as ``viewer`` may read it; None if not cancelled.

    A reason staff gave is the spa's own note: staff and the visit's therapist read it, the
    client never does (their e-mail quotes only the note to the client). A client reads the
    reason they gave themselves.
    """
    who, reason = booking.cancellation()
    if who is None:
        return None
    if viewer.id == booking.client_id:
        if who != "client":
            return _("by the spa")
        return _("by you: %(reason)s", reason=reason) if reason else _("by you")
    if who == "client":
        return _("by the client: %(reason)s", reason=reason) if reason else _("by the client")
    return _("by staff: %(reason)s", reason=reason) if reason else _("by staff")


def ensure_changeable(booking: Booking, actor: User, now: datetime) -> None:
    if (reason := change_refusal(booking, actor, now)) is not None:
        raise ChangeNotAllowed(reason)


def visible_booking(user: User, booking_id: int) -> Booking | None:
    """The booking if ``user`` may see it (its client, its therapist, or staff), else None."""
    booking = db.session.get(Booking, booking_id)
    if booking is None:
        return None
    if user.role is Role.STAFF or booking.client_id == user.id:
        return booking
    if user.role is Role.THERAPIST and booking.therapist.user_id == user.id:
        return booking
    return None


def client_bookings(client_id: int, now: datetime) -> tuple[list[Booking], list[Booking]]:
    """The client's (upcoming, past) bookings: upcoming soonest first, past latest first."""
    rows = (
        db.session.execute(
            db.select(Booking)
            .where(Booking.client_id == client_id)
            .options(db.joinedload(Booking.service), db.joinedload(Booking.therapist))
            .order_by(Booking.starts_at)
        )
        .scalars()
        .all()
    )
    upcoming, past = [], []
    for b in rows:
        (upcoming if b.starts_at >= now and b.is_active else past).append(b)
    return upcoming, past[::-1]


def therapist_upcoming(user_id: int, now: datetime, limit: int = 100) -> list[Booking]:
    """Active bookings, from now on, of the therapist whose login is ``user_id``; soonest first."""
    return list(
        db.session.execute(
            db.select(Booking)
            .join(Therapist, Therapist.id == Booking.therapist_id)
            .where(
                Therapist.user_id == user_id,
                Booking.status != BookingStatus.CANCELLED,
                Booking.busy_until > now,
            )
            .options(
                db.joinedload(Booking.service),
                db.joinedload(Booking.client),
                db.joinedload(Booking.room),
            )
            .order_by(Booking.starts_at)
            .limit(limit)
        ).scalars()
    )


def bookings_on(day: date, tz: ZoneInfo) -> list[Booking]:
    """Every booking starting on local ``day`` (cancelled ones too), by start then therapist."""
    lo, hi = day_bounds(day, day, tz)
    return list(
        db.session.execute(
            db.select(Booking)
            .where(Booking.starts_at >= lo, Booking.starts_at < hi)
            .options(
                db.joinedload(Booking.service),
                db.joinedload(Booking.client),
                db.joinedload(Booking.therapist),
                db.joinedload(Booking.room),
            )
            .order_by(Booking.starts_at, Booking.therapist_id)
        ).scalars()
    )


def _who(actor: User, client_id: int) -> str:
    """Who made a change to a client's visit, as the client is told: themselves or staff."""
    return "client" if actor.id == client_id else "staff"


def _refuse_clash(
    client: User,
    choice: Choice,
    ends_at: datetime,
    actor: User,
    tz: ZoneInfo,
    *,
    ignore: int | None = None,
    repeat_ok: bool = False,
) -> None:
    """Raise ClientBusy if the client has another active visit overlapping the choice;
    AlreadyBooked (when ``repeat_ok``) if that visit is the very one chosen."""
    visit = client_clash(client.id, choice.starts_at, ends_at, ignore=ignore)
    if visit is None:
        return
    name = None if actor.id == client.id else client.name
    message = clash_message(visit, tz, client_name=name)
    if repeat_ok and is_the_same_visit(
        visit, choice.service_id, choice.starts_at, choice.therapist_id
    ):
        raise AlreadyBooked(message, visit)
    raise ClientBusy(message, visit)


def _by_request_key(client_id: int, request_key: str) -> Booking | None:
    return db.session.execute(
        db.select(Booking).where(Booking.client_id == client_id, Booking.request_key == request_key)
    ).scalar_one_or_none()


def _availability_for(
    choice: Choice,
    now: datetime,
    *,
    staff: bool,
    ignore: int | None = None,
    horizon_days: int | None = None,
) -> Availability:
    """Whether the choice is free, with every free therapist and room at it: for staff at its
    exact minute (they may book off the slot step), without the minimum notice, and as far
    ahead as ``horizon_days`` if they look past the spa's horizon."""
    return find_slots(
        service_id=choice.service_id,
        day_of=choice.starts_at,
        now=now,
        with_rooms=True,
        therapist_id=choice.therapist_id,
        room_id=choice.room_id,
        ignore_booking_id=ignore,
        min_notice=not staff,
        only_at=choice.starts_at if staff else None,
        horizon_days=horizon_days if staff else None,
    )


def _refuse_room(choice: Choice, availability: Availability, *, staff: bool) -> None:
    """Raise RoomRefused for a room that cannot be booked for the choice's service, saying why
    (one more statement, on refusal only): only the front desk picks rooms."""
    if choice.room_id is None:
        return
    if not staff:
        raise RoomRefused(_("Only the front desk chooses rooms."))
    if choice.room_id in availability.rooms:
        return
    room = db.session.get(Room, choice.room_id)
    if room is None:
        raise RoomRefused(_("There is no such room. Please pick another, or any free room."))
    if not room.active:
        raise RoomRefused(
            _(
                "%(room)s is closed for bookings. Please pick another room, or any free room.",
                room=room.name,
            )
        )
    raise RoomRefused(
        _(
            "%(service)s does not use %(room)s. Please pick another room, or any free room.",
            service=availability.service.name,
            room=room.name,
        )
    )


def _is_own_conflict(exc: DBAPIError) -> bool:
    """A constraint about the client, not the therapist or room: their other visit overlaps,
    or this very request was booked already."""
    return violated_constraint(exc) in (CLIENT_OVERLAP, REQUEST_KEY)


def _unavailable(
    message: str,
    choice: Choice,
    now: datetime,
    tz: ZoneInfo,
    *,
    staff: bool,
    ignore: int | None = None,
) -> SlotUnavailable:
    """The error for a start that is not free, with the nearest free times over the next days."""
    day = choice.starts_at.astimezone(tz).date()
    availability = find_slots(
        service_id=choice.service_id,
        first_day=max(day - timedelta(days=1), local_today(now, tz)),
        last_day=day + timedelta(days=ALTERNATIVE_DAYS),
        now=now,
        therapist_id=choice.therapist_id,
        room_id=choice.room_id,
        ignore_booking_id=ignore,
        min_notice=not staff,
    )
    return SlotUnavailable(
        message,
        _nearest(availability, choice.starts_at),
        availability.therapists,
    )


def _nearest(availability: Availability, wanted: datetime) -> list[Slot]:
    ranked = sorted(availability.slots, key=lambda s: abs(s.starts_at - wanted))
    return sorted(ranked[:ALTERNATIVES], key=lambda s: s.starts_at)


def _why_not(choice: Choice, now: datetime) -> str:
    return PASSED if choice.starts_at <= now else NOT_FREE


def around(wanted: date, today: date, horizon_days: int) -> tuple[date, date]:
    """The days to look for the nearest free times to local ``wanted``: a day before it to a
    week after, kept between today and the last bookable day (a link from long ago, or a
    date far ahead, looks near the edge it went past)."""
    last = today + timedelta(days=horizon_days)
    day = min(max(wanted, today), last)
    return max(day - timedelta(days=1), today), min(day + timedelta(days=ALTERNATIVE_DAYS), last)


def stale_choice(
    availability: Availability, starts_at: datetime, now: datetime
) -> SlotUnavailable | None:
    """Why a time picked earlier (a link, a page left open) cannot be had now, with the
    nearest free times in ``availability`` (searched ``around`` it); None while it is free."""
    if availability.slot_at(starts_at) is not None:
        return None
    message = PASSED if starts_at <= now else NO_LONGER_FREE
    return SlotUnavailable(message, _nearest(availability, starts_at), availability.therapists)
