"""Read-only lists of the cadence for staff pages: who is due to rebook, a page at a time or
the whole list at once for a download."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from spa_app import paging, search
from spa_app.accounts.models import User
from spa_app.cadence.models import NextVisit
from spa_app.cadence.service import visit_since
from spa_app.catalog.models import Therapist
from spa_app.extensions import db
from spa_app.notifications.models import NUDGE_KINDS, Message, MessageState


@dataclass(frozen=True)
class DueClient:
    """One client due to rebook: their window, who they are, and the nudges sent about it."""

    window: NextVisit
    name: str
    email: str
    phone: str | None
    therapist_name: str
    nudges_sent: int


@dataclass(frozen=True)
class DueFilters:
    #: Part of the client's name or e-mail, or their phone number ("": everyone).
    term: str = ""
    #: Whose client they were at their last visit (None: anyone's).
    therapist_id: int | None = None


def rebook_due(
    now: datetime,
    filters: DueFilters = DueFilters(),
    number: int = 1,
    per_page: int = paging.PER_PAGE,
) -> paging.Page[DueClient]:
    """Page ``number`` of the clients whose window is open or past with nothing booked since,
    the oldest window first (the client breaking ties): one statement."""
    return paging.page_of(_due(now, filters), number, per_page, row=_due_client)


def all_rebook_due(now: datetime, filters: DueFilters = DueFilters()) -> list[DueClient]:
    """Every client ``rebook_due`` pages through, in the same order: one statement."""
    return [_due_client(row) for row in db.session.execute(_due(now, filters))]


def _due(now: datetime, filters: DueFilters) -> sa.Select:
    nudges = (
        sa.select(sa.func.count())
        .where(
            Message.booking_id == NextVisit.booking_id,
            Message.kind.in_(NUDGE_KINDS),
            Message.state == MessageState.SENT,
        )
        .scalar_subquery()
    )
    query = (
        sa.select(NextVisit, User.name, User.email, User.phone, Therapist.display_name, nudges)
        .join(User, User.id == NextVisit.client_id)
        .join(Therapist, Therapist.id == NextVisit.therapist_id)
        .where(NextVisit.opens_at <= now, ~visit_since(NextVisit.client_id,
                                                       NextVisit.last_visit_at))
        .order_by(NextVisit.opens_at, NextVisit.client_id)
    )  # fmt: skip
    if filters.term:
        query = query.where(
            search.person_matches(filters.term, name=User.name, email=User.email, phone=User.phone)
        )
    if filters.therapist_id is not None:
        query = query.where(NextVisit.therapist_id == filters.therapist_id)
    return query


def _due_client(row) -> DueClient:
    window, name, email, phone, therapist_name, nudges_sent = row
    return DueClient(window, name, email, phone, therapist_name, nudges_sent)
