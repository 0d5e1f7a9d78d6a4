"""The waitlist's rules: who waits for what, who hears of a freed time, and in what order.

When a visit is cancelled or moved, the time it held is offered, in the same transaction, to
the clients waiting for it: the ones whose service fits into it with that therapist, on a local
day in their range, in the order they joined. Each offer is an outbox e-mail; the first in line
hears first and each next one ``HEAD_START`` later, and an offer whose time has been taken by
then is dropped unsent. Taking an offer is an ordinary booking (or move), so the database's
overlap guarantee decides who gets the time; the others are told it has gone. A client has one
visit at a time, so nobody hears of a time their own other visit overlaps.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy.exc import IntegrityError

from spa_app import signals
from spa_app.accounts.models import User
from spa_app.booking import service as booking_service
from spa_app.booking.browse import PARTS
from spa_app.booking.clashes import clash_message, client_clash, overlapping
from spa_app.booking.models import LONGEST_HOLD, Booking, BookingStatus, Freed
from spa_app.business import Business, business, business_tz
from spa_app.clock import local_today
from spa_app.extensions import db
from spa_app.i18n import when as written
from spa_app.notifications import outbox
from spa_app.notifications.models import Message, MessageKind
from spa_app.scheduling.availability import Slot
from spa_app.scheduling.queries import UnknownService, find_slots
from spa_app.waitlist.models import WaitlistEntry, WaitlistOffer

#: How long each client in line has the freed time to themselves before the next one hears.
HEAD_START = timedelta(minutes=10)
#: How many waiting clients hear of one freed time (the rest wait for the next one).
MAX_OFFERS = 10
#: The days a new request covers unless the client picks others.
DEFAULT_DAYS = 14
#: The parts of the day a request can name, as the free-times page groups its times: each
#: one's key, its label and the local hours it covers, [from, until). None is any time.
PARTS_OF_DAY = {
    label.lower(): (label, starts, ends)
    for (label, ends), starts in zip(PARTS, (0, *(ends for _, ends in PARTS[:-1])), strict=True)
}


GONE = _l("Sorry, that time has gone: someone booked it first.")


class WaitlistError(ValueError):
    """A waitlist request the rules refuse; the message is for the person."""


class AlreadyWaiting(WaitlistError):
    """A second request for the same service joined at the same moment (another tab) and won."""

    def __init__(self) -> None:
        super().__init__(_("You are already on the waitlist for this service."))


class OfferRefused(WaitlistError):
    """The offer cannot be taken now. ``problem`` is what the offer page says: a message, or the
    booking service's error (a ClientBusy keeps the client's visit, so the page links to it)."""

    def __init__(self, problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


@dataclass(frozen=True)
class Request:
    """What a client asks to wait for: a service, a therapist (None: any), local days and a
    part of the day (a key of PARTS_OF_DAY; None: any time)."""

    service_id: int
    therapist_id: int | None
    first_day: date
    last_day: date
    booking: Booking | None = None
    part: str | None = None


def join(client: User, request: Request, now: datetime) -> tuple[WaitlistEntry, bool]:
    """Put ``client`` on the waitlist, or change their open request for the same service.

    A changed request keeps its place in line. Returns (entry, created). Raises WaitlistError,
    and AlreadyWaiting when a concurrent join of the same client and service added its request
    first (the partial unique index decides). Flushes; the caller commits.
    """
    if request.part is not None and request.part not in PARTS_OF_DAY:
        raise WaitlistError(_("Please choose a time of day from the list."))
    tz = business_tz()
    today = local_today(now, tz)
    horizon = business().horizon_days
    if request.first_day < today:
        raise WaitlistError(_("The first day has passed; please start today or later."))
    if request.last_day < request.first_day:
        raise WaitlistError(_("The last day must be on or after the first day."))
    if request.last_day > today + timedelta(days=horizon):
        raise WaitlistError(
            ngettext(
                "We take bookings up to %(num)d day ahead.",
                "We take bookings up to %(num)d days ahead.",
                horizon,
            )
        )
    visit = request.booking
    if visit is not None and request.last_day > visit.starts_at.astimezone(tz).date():
        raise WaitlistError(_("To see your visit earlier, the last day must be on or before it."))
    entry = open_entry(client.id, request.service_id)
    created = entry is None
    try:
        with db.session.begin_nested():  # a lost race leaves the session usable
            if created:
                entry = WaitlistEntry(
                    client_id=client.id, service_id=request.service_id, created_at=now
                )
                db.session.add(entry)
            entry.therapist_id = request.therapist_id
            entry.first_day, entry.last_day = request.first_day, request.last_day
            entry.part_of_day = request.part
            entry.booking_id = visit.id if visit is not None else None
    except IntegrityError as exc:
        raise AlreadyWaiting() from exc
    return entry, created


def visit_to_bring_earlier(
    client: User, service_id: int, booking_id: int | None, now: datetime
) -> Booking | None:
    """The visit a client asks to have earlier (a request's ``booking``): their own, booked, of
    this service and still ahead; None for any other id, or none (the view answers 404)."""
    visit = db.session.get(Booking, booking_id) if booking_id is not None else None
    if (
        visit is None
        or visit.client_id != client.id
        or visit.service_id != service_id
        or visit.status is not BookingStatus.BOOKED
        or visit.starts_at <= now
    ):
        return None
    return visit


@dataclass(frozen=True)
class Defaults:
    """What the join form shows before the client changes it (therapist and part None: any)."""

    therapist_id: int | None
    first_day: date
    last_day: date
    part: str | None = None


def defaults(
    existing: WaitlistEntry | None,
    visit: Booking | None,
    today: date,
    tz: ZoneInfo,
    therapist_id: int | None = None,
    *,
    day: date | None = None,
    part: str | None = None,
    horizon_days: int | None = None,
) -> Defaults:
    """The open request as it stands; else, to bring ``visit`` earlier, from local ``today``
    (or ``day``, if before the visit) to its day with its therapist; else ``DEFAULT_DAYS`` from
    ``day`` (or today) with ``therapist_id``, within ``horizon_days`` of today (if given).

    ``day`` and ``part`` are the day and the part of it being browsed, from a link: a day
    outside today to the horizon is ignored, and so is a part that is not a key of
    PARTS_OF_DAY.
    """
    horizon = date.max if horizon_days is None else today + timedelta(days=horizon_days)
    first = day if day is not None and today <= day <= horizon else today
    part = part if part in PARTS_OF_DAY else None
    if existing is not None:
        return Defaults(
            existing.therapist_id, existing.first_day, existing.last_day, existing.part_of_day
        )
    if visit is not None:
        on = visit.starts_at.astimezone(tz).date()
        return Defaults(visit.therapist_id, first if first <= on else today, on, part)
    return Defaults(therapist_id, first, min(first + timedelta(days=DEFAULT_DAYS), horizon), part)


def leave(entry: WaitlistEntry, now: datetime, why: str = "left") -> None:
    if entry.closed_at is None:
        entry.closed_at, entry.closed_why = now, why


def entry_of(client: User, entry_id: int) -> WaitlistEntry | None:
    """The client's own request ``entry_id``, or None (someone else's is none of theirs)."""
    entry = db.session.get(WaitlistEntry, entry_id)
    return entry if entry is not None and entry.client_id == client.id else None


def offer_for(client: User, offer_id: int) -> WaitlistOffer | None:
    """The offer ``offer_id`` made to the client, or None (someone else's is none of theirs)."""
    offer = db.session.get(WaitlistOffer, offer_id)
    return offer if offer is not None and offer.entry.client_id == client.id else None


def open_entry(client_id: int, service_id: int) -> WaitlistEntry | None:
    return db.session.execute(
        sa.select(WaitlistEntry).where(
            WaitlistEntry.client_id == client_id,
            WaitlistEntry.service_id == service_id,
            WaitlistEntry.closed_at.is_(None),
        )
    ).scalar_one_or_none()


def waiting(client_id: int, today: date) -> list[WaitlistEntry]:
    """The client's open requests whose days have not all passed, soonest first."""
    return list(
        db.session.execute(
            sa.select(WaitlistEntry)
            .where(
                WaitlistEntry.client_id == client_id,
                WaitlistEntry.closed_at.is_(None),
                WaitlistEntry.last_day >= today,
            )
            .options(
                db.joinedload(WaitlistEntry.service),
                db.joinedload(WaitlistEntry.therapist),
                db.joinedload(WaitlistEntry.booking),
            )
            .order_by(WaitlistEntry.first_day, WaitlistEntry.id)
        ).scalars()
    )


def close_for_cancelled(booking: Booking, now: datetime) -> None:
    """A visit the client wanted earlier is cancelled: its waitlist request goes with it."""
    db.session.execute(
        sa.update(WaitlistEntry)
        .where(WaitlistEntry.booking_id == booking.id, WaitlistEntry.closed_at.is_(None))
        .values(closed_at=now, closed_why="cancelled")
        .execution_options(synchronize_session=False)
    )


def offer_freed(freed: Freed, now: datetime) -> int:
    """Offer the time ``freed`` held to the clients waiting for it; how many were offered.

    Call after the change, in its transaction. Reads the waiting requests for that local day
    (one statement), their clients' visits around the time (one more) and free times once per
    service they wait for; adds an offer and its e-mail for each, in join order, each next one
    due ``HEAD_START`` later. A client whose own other visit overlaps the time is passed over.
    Flushes.
    """
    if freed.starts_at <= now:
        return 0
    tz = business_tz()
    day = freed.starts_at.astimezone(tz).date()
    entries = _waiting_for(freed, day)
    busy = _their_visits(entries, freed)
    slots: dict[int, tuple[list[Slot], timedelta] | None] = {}
    offered = 0
    for entry in entries:
        if entry.service_id not in slots:
            slots[entry.service_id] = _slots_in(freed, entry.service_id, day, now)
        if (fit := slots[entry.service_id]) is None:
            continue
        starts, length = fit
        slot = min(
            (s for s in starts if _in_part(s, entry.part_of_day, tz)),
            key=lambda s: abs(s.starts_at - freed.starts_at),
            default=None,
        )
        if slot is None:
            continue
        theirs = [v for v in busy.get(entry.client_id, []) if v.id != entry.booking_id]
        if not _earlier_than_their_visit(entry, slot) or overlapping(
            theirs, slot.starts_at, slot.starts_at + length
        ):
            continue
        offer = WaitlistOffer(
            entry_id=entry.id,
            therapist_id=freed.therapist_id,
            starts_at=slot.starts_at,
            freed_by_id=freed.booking.id,
            created_at=now,
        )
        db.session.add(offer)
        db.session.flush()
        kind = MessageKind.WAITLIST_OFFER
        outbox.enqueue(
            kind,
            to=entry.client_id,
            key=outbox.key(kind, f"offer-{offer.id}"),
            due_at=now + offered * HEAD_START,
            about=outbox.About(waitlist_offer_id=offer.id, visit_starts_at=slot.starts_at),
            created_at=now,
        )
        offered += 1
        if offered == MAX_OFFERS:
            break
    db.session.flush()
    return offered


def _waiting_for(freed: Freed, day: date) -> list[WaitlistEntry]:
    """Open requests covering local ``day`` for this therapist or any, in join order."""
    return list(
        db.session.execute(
            sa.select(WaitlistEntry)
            .outerjoin(Booking, Booking.id == WaitlistEntry.booking_id)
            .where(
                WaitlistEntry.closed_at.is_(None),
                WaitlistEntry.first_day <= day,
                WaitlistEntry.last_day >= day,
                sa.or_(
                    WaitlistEntry.therapist_id.is_(None),
                    WaitlistEntry.therapist_id == freed.therapist_id,
                ),
                WaitlistEntry.client_id != freed.booking.client_id,
                sa.or_(WaitlistEntry.booking_id.is_(None), Booking.status == BookingStatus.BOOKED),
            )
            .options(db.contains_eager(WaitlistEntry.booking))
            .order_by(WaitlistEntry.created_at, WaitlistEntry.id)
        ).scalars()
    )


def _their_visits(entries: list[WaitlistEntry], freed: Freed) -> dict[int, list[Booking]]:
    """The waiting clients' active visits near the freed time, by client (one statement)."""
    clients = {e.client_id for e in entries}
    if not clients:
        return {}
    rows = db.session.execute(
        sa.select(Booking).where(
            Booking.client_id.in_(clients),
            Booking.status != BookingStatus.CANCELLED,
            Booking.starts_at < freed.busy_until + LONGEST_HOLD,
            Booking.ends_at > freed.starts_at - LONGEST_HOLD,
        )
    ).scalars()
    by_client: dict[int, list[Booking]] = {}
    for visit in rows:
        by_client.setdefault(visit.client_id, []).append(visit)
    return by_client


def _slots_in(
    freed: Freed, service_id: int, day: date, now: datetime
) -> tuple[list[Slot], timedelta] | None:
    """The free starts for ``service_id`` with the freed therapist that use the freed time, and
    the visit's length; None if the service is no longer offered. Each request then takes the
    one nearest the old start in its part of the day.

    Only starts overlapping the freed time count: the rest were free before and are no news.
    Online rules apply (minimum notice), as the client books it themselves.
    """
    try:
        availability = find_slots(
            service_id=service_id, first_day=day, now=now, therapist_id=freed.therapist_id
        )
    except UnknownService:
        return None
    hold = timedelta(minutes=availability.service.duration_min + availability.service.buffer_min)
    fitting = [
        s for s in availability.slots
        if s.starts_at < freed.busy_until and s.starts_at + hold > freed.starts_at
    ]  # fmt: skip
    return fitting, timedelta(minutes=availability.service.duration_min)


def _in_part(slot: Slot, part: str | None, tz: ZoneInfo) -> bool:
    """Whether ``slot`` starts in the part of the day (local hours); any time for None."""
    if part is None:
        return True
    _label, starts, ends = PARTS_OF_DAY[part]
    return starts <= slot.starts_at.astimezone(tz).hour < ends


def _earlier_than_their_visit(entry: WaitlistEntry, slot: Slot) -> bool:
    return entry.booking is None or slot.starts_at < entry.booking.starts_at


def offer_problem(offer: WaitlistOffer, now: datetime):
    """Why ``offer`` cannot be taken now, or None if its time is still free for the client.

    A message, or the booking service's ClientBusy (its text, and the visit of theirs that
    overlaps the offered time) when they have booked another visit at that time since.
    """
    entry = offer.entry
    if entry.closed_at is not None:
        return _l("This waitlist request is closed, so the offer no longer stands.")
    if entry.booking is not None and (
        entry.booking.status is not BookingStatus.BOOKED
        or entry.booking.starts_at <= offer.starts_at
    ):
        return _l("Your visit has changed since this offer, so it no longer applies.")
    ends_at = offer.starts_at + timedelta(minutes=entry.service.duration_min)
    clash = client_clash(entry.client_id, offer.starts_at, ends_at, ignore=entry.booking_id)
    if clash is not None:
        return booking_service.ClientBusy(clash_message(clash, business_tz()), clash)
    if offer_slot(offer, now) is None:
        return GONE
    return None


def take(offer: WaitlistOffer, client: User, now: datetime) -> Booking:
    """Book the offered time for ``client`` (or move the visit it is earlier than); the offer is
    taken and the request closed. Raises what book and move raise: the database's overlap
    guarantee decides between two clients taking the same time, and ClientBusy says the client
    has another visit then. Flushes; the caller commits.
    """
    entry = offer.entry
    choice = booking_service.Choice(entry.service_id, offer.starts_at, offer.therapist_id)
    if entry.booking is not None:
        visit = booking_service.move(booking=entry.booking, choice=choice, actor=client, now=now)
    else:
        visit = booking_service.book(
            client=client,
            choice=choice,
            actor=client,
            now=now,
            request_key=f"waitlist-offer-{offer.id}",
        )
    offer.taken_at = now
    leave(entry, now, why="booked")
    db.session.flush()
    return visit


def take_offer(offer: WaitlistOffer, client: User, now: datetime) -> Booking | None:
    """Take ``offer`` for ``client`` if it still stands: the visit booked (or moved), or None
    when they took it already (a second click, which changes nothing).

    Raises OfferRefused with what the offer page says: why it no longer stands (offer_problem),
    GONE when another client booked the time first (the database decided between them), or the
    booking service's refusal (a visit of theirs at that time, say). In the caller's
    transaction, which a refusal leaves to be rolled back.
    """
    if offer.taken_at is not None and offer.entry.closed_why == "booked":
        return None
    problem = offer_problem(offer, now)
    if problem is not None:
        raise OfferRefused(problem)
    try:
        return take(offer, client, now)
    except booking_service.SlotUnavailable as exc:
        raise OfferRefused(GONE) from exc
    except booking_service.BookingError as exc:
        raise OfferRefused(exc) from exc


def offer_slot(offer: WaitlistOffer, now: datetime) -> Slot | None:
    """The offered start if it is still free for the waiting client to book online."""
    tz = business_tz()
    try:
        availability = find_slots(
            service_id=offer.entry.service_id,
            first_day=offer.starts_at.astimezone(tz).date(),
            now=now,
            therapist_id=offer.therapist_id,
            ignore_booking_id=offer.entry.booking_id,
        )
    except UnknownService:
        return None
    return availability.slot_at(offer.starts_at)


@outbox.composes(MessageKind.WAITLIST_OFFER)
def _offer_letter(message: Message, settings: Business, sender: outbox.Sender) -> outbox.Letter:
    """A freed time for a waiting client: when, what and with whom, and a link to take it.

    Nothing of the visit that freed it (someone else's) is told.
    """
    offer = message.waitlist_offer
    entry = offer.entry
    when = offer.starts_at.astimezone(settings.tz)
    context = {
        "offer": offer,
        "entry": entry,
        "link": f"{sender.public_url}/waitlist/offers/{offer.id}",
    }
    subject = _(
        "A time has freed up: %(service)s on %(when)s",
        service=entry.service.name,
        when=written(when, "%a %d %b, %H:%M"),
    )
    return outbox.Letter(subject, context)


@outbox.pointless_when(MessageKind.WAITLIST_OFFER)
def _offer_overtaken(message: Message, now: datetime) -> bool:
    """Its time has been taken (by someone told before them), or the client left the list."""
    return offer_problem(message.waitlist_offer, now) is not None


def _on_moved(booking: Booking, *, now: datetime, freed: Freed, **_) -> None:
    offer_freed(freed, now)


def _on_cancelled(booking: Booking, *, now: datetime, freed: Freed, **_) -> None:
    close_for_cancelled(booking, now)
    offer_freed(freed, now)


def connect() -> None:
    """Offer every time a moved or cancelled visit frees, in the change's own transaction."""
    signals.visit_moved.connect(_on_moved)
    signals.visit_cancelled.connect(_on_cancelled)
