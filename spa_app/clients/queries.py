"""Reads of the client record: who may open it, the directory a page at a time, and what a
profile shows (visits, counts, tags, desk notes, messages). Nothing here writes but the audit
of a health read (see ``health_glance``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from spa_app import paging, search
from spa_app.accounts.models import DELETED_DOMAIN, NO_EMAIL_DOMAIN, Role, User
from spa_app.booking.models import Booking, BookingStatus
from spa_app.clients.models import ClientTag, DeskNote
from spa_app.extensions import db
from spa_app.feedback.models import Feedback
from spa_app.feedback.queries import Rated, rated
from spa_app.homecare.access import audit_read, may_see_health, therapist_has_client
from spa_app.homecare.intake.service import intake_for
from spa_app.homecare.models import Plan
from spa_app.homecare.plans.queries import Adherence, adherence, current_plan
from spa_app.notifications.models import Message

#: Between a client's tags in the directory's one statement; the tag form refuses control
#: characters, so no tag holds it.
TAG_SEPARATOR = "\x1f"
#: What a profile shows of each list before its "see all" link.
SHOWN = 10


def is_listed(viewer: User):
    """The condition on ``User`` for the clients ``viewer`` may open: every client for staff,
    their own (a visit with them not cancelled, as for health data) for a therapist; deleted
    accounts never. Nobody else opens any."""
    listed = sa.and_(User.role == Role.CLIENT, ~User.email.endswith("@" + DELETED_DOMAIN))
    if viewer.role is Role.STAFF:
        return listed
    if viewer.role is Role.THERAPIST:
        return sa.and_(listed, therapist_has_client(viewer.id, User.id))
    return sa.false()


def client_for(viewer: User, client_id: int) -> User | None:
    """The client if ``viewer`` may open their record, else None (the views answer 404)."""
    client = db.session.get(User, client_id)
    if client is None or client.role is not Role.CLIENT or client.is_deleted:
        return None
    if viewer.role is Role.STAFF:
        return client
    if viewer.role is Role.THERAPIST and may_see_health(viewer, client_id):
        return client
    return None


# The directory ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DirectoryFilters:
    #: Part of the name or e-mail, or a phone number in any format ("": everyone).
    term: str = ""
    #: One tag, any case ("": any).
    tag: str = ""


@dataclass(frozen=True)
class DirectoryRow:
    id: int
    name: str
    email: str  # "" for a client without e-mail
    phone: str | None
    next_visit: datetime | None
    last_visit: datetime | None
    tags: list[str]

    @classmethod
    def of(cls, row) -> DirectoryRow:
        tags = sorted(row.tags.split(TAG_SEPARATOR), key=str.casefold) if row.tags else []
        return cls(row.id, row.name, row.email, row.phone, row.next_visit, row.last_visit, tags)


def _real_email():
    """The address, or "" for a client without e-mail (the placeholder is never shown nor
    searched)."""
    return sa.case((User.email.endswith("@" + NO_EMAIL_DOMAIN), ""), else_=User.email)


def directory_page(
    viewer: User,
    filters: DirectoryFilters,
    now: datetime,
    number: int = 1,
    per_page: int = paging.PER_PAGE,
) -> paging.Page[DirectoryRow]:
    """Page ``number`` of the clients ``viewer`` may open that match ``filters``, by name (the
    id breaking ties), each with their next and last visit and their tags: one statement."""
    mine = Booking.client_id == User.id
    next_visit = sa.select(sa.func.min(Booking.starts_at)).where(
        mine, Booking.status == BookingStatus.BOOKED, Booking.starts_at > now
    )
    last_visit = sa.select(sa.func.max(Booking.starts_at)).where(
        mine, Booking.status.in_(VISITED), Booking.starts_at <= now
    )
    tags = sa.select(sa.func.aggregate_strings(ClientTag.tag, TAG_SEPARATOR)).where(
        ClientTag.client_id == User.id
    )
    email = _real_email()
    query = (
        sa.select(
            User.id,
            User.name,
            email.label("email"),
            User.phone,
            next_visit.scalar_subquery().label("next_visit"),
            last_visit.scalar_subquery().label("last_visit"),
            tags.scalar_subquery().label("tags"),
        )
        .where(is_listed(viewer))
        .order_by(sa.func.lower(User.name), User.id)
    )
    if filters.term:
        query = query.where(
            search.person_matches(filters.term, name=User.name, email=email, phone=User.phone)
        )
    if filters.tag:
        query = query.where(
            sa.exists().where(
                ClientTag.client_id == User.id,
                sa.func.lower(ClientTag.tag) == sa.func.lower(filters.tag),
            )
        )
    return paging.page_of(query, number, per_page, row=DirectoryRow.of)


# A profile -------------------------------------------------------------------------------

#: The statuses of a visit that took place (the last visit is the latest of these).
VISITED = (BookingStatus.ARRIVED, BookingStatus.COMPLETED)


@dataclass(frozen=True)
class Counts:
    """What the client's record counts, over every visit booked since ``since`` (their first
    visit's start; None: none yet) up to now."""

    completed: int
    no_shows: int
    late_cancels: int
    since: datetime | None


def counts(client_id: int) -> Counts:
    """Completed visits, no-shows and late cancellations (a cancellation inside the window; a
    cancelled visit is never a no-show): one statement."""

    def total(condition):
        return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)

    row = db.session.execute(
        sa.select(
            total(Booking.status == BookingStatus.COMPLETED),
            total(Booking.status == BookingStatus.NO_SHOW),
            total(sa.and_(Booking.status == BookingStatus.CANCELLED, Booking.late_cancel)),
            sa.func.min(Booking.starts_at),
        ).where(Booking.client_id == client_id)
    ).one()
    return Counts(int(row[0]), int(row[1]), int(row[2]), row[3])


def _visits(client_id: int):
    return (
        sa.select(Booking)
        .where(Booking.client_id == client_id)
        .options(db.joinedload(Booking.service), db.joinedload(Booking.therapist))
    )


def ahead(client_id: int, now: datetime, most: int = SHOWN) -> paging.Page[Booking]:
    """The client's booked visits still to come, soonest first: one statement."""
    query = _visits(client_id).where(
        Booking.status == BookingStatus.BOOKED, Booking.starts_at > now
    )
    return paging.page_of(query.order_by(Booking.starts_at, Booking.id), 1, most, scalars=True)


def history(
    client_id: int, now: datetime, number: int = 1, per_page: int = SHOWN
) -> paging.Page[Booking]:
    """Page ``number`` of the client's visits that have started (whatever became of them),
    latest first: one statement."""
    query = _visits(client_id).where(Booking.starts_at <= now)
    query = query.order_by(Booking.starts_at.desc(), Booking.id.desc())
    return paging.page_of(query, number, per_page, scalars=True)


def tags_of(client_id: int) -> list[ClientTag]:
    return list(
        db.session.execute(
            sa.select(ClientTag)
            .where(ClientTag.client_id == client_id)
            .order_by(sa.func.lower(ClientTag.tag), ClientTag.id)
        ).scalars()
    )


def notes_of(client_id: int, number: int = 1, per_page: int = SHOWN) -> paging.Page[DeskNote]:
    """Page ``number`` of the desk's notes about the client, newest first, with their authors:
    one statement."""
    query = (
        sa.select(DeskNote)
        .where(DeskNote.client_id == client_id)
        .options(db.joinedload(DeskNote.author))
        .order_by(DeskNote.created_at.desc(), DeskNote.id.desc())
    )
    return paging.page_of(query, number, per_page, scalars=True)


def messages_of(client_id: int, number: int = 1, per_page: int = SHOWN) -> paging.Page:
    """Page ``number`` of the e-mails to the client (kind, when, state), newest first: one
    statement."""
    query = (
        sa.select(Message.id, Message.kind, Message.state, Message.created_at, Message.sent_at)
        .where(Message.user_id == client_id)
        .order_by(Message.created_at.desc(), Message.id.desc())
    )
    return paging.page_of(query, number, per_page)


# Health data at a glance -----------------------------------------------------------------


@dataclass(frozen=True)
class HealthGlance:
    """What a profile shows of the client's health data: when the intake was last updated
    (None: no intake), their current plan and how they have kept to it (None: no plan)."""

    intake_updated: datetime | None
    plan: Plan | None
    adherence: Adherence | None


@dataclass(frozen=True)
class _Until:
    """What ``adherence`` reads of the visit that ends a plan's period: when it starts."""

    starts_at: datetime


def health_glance(
    viewer: User, client_id: int, now: datetime, today: date, tz, coming: Booking | None
) -> HealthGlance | None:
    """The glance for ``viewer``, or None if they may not see the client's health data. The
    current plan's adherence runs from its publication to today (or the day before the
    ``coming`` visit). A read of anything is audited first (committed on its own)."""
    if not may_see_health(viewer, client_id):
        return None
    intake, plan = intake_for(client_id), current_plan(client_id)
    if intake is None and plan is None:
        return HealthGlance(None, None, None)
    read = (["intake date"] if intake else []) + (
        [f"plan {plan.id} adherence, check-ins"] if plan else []
    )
    audit_read(viewer, client_id, ", ".join(read))
    until = coming or _Until(now + timedelta(days=1))
    kept = adherence(plan, until, today, tz) if plan is not None else None
    return HealthGlance(intake.updated_at if intake else None, plan, kept)


def feedback_of(client_id: int, limit: int = 10) -> list[Rated]:
    """The client's latest ratings of their visits, newest visit first. One statement."""
    return rated(Feedback.client_id == client_id, limit=limit)
