"""The staff waitlist: everyone waiting, in the order they hear of a freed time, a page at a
time, found by client, service or the therapist they asked for."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from spa_app import paging, search
from spa_app.accounts.models import User
from spa_app.extensions import db
from spa_app.waitlist.models import WaitlistEntry

#: The therapist filter's value for requests that named no therapist.
NO_PREFERENCE = "any"


@dataclass(frozen=True)
class WaitingFilters:
    #: Part of the client's name or e-mail, or their phone number ("": everyone).
    term: str = ""
    service_id: int | None = None
    #: A therapist's id, NO_PREFERENCE for requests that named none, or None for all.
    therapist: int | str | None = None


def waiting_page(
    today: date,
    filters: WaitingFilters = WaitingFilters(),
    number: int = 1,
    per_page: int = paging.PER_PAGE,
) -> paging.Page[WaitlistEntry]:
    """Page ``number`` of the open requests whose days have not all passed, in join order (the
    id breaking ties), each with its client, service, therapist, visit and offers: two
    statements, whatever the page holds."""
    query = (
        sa.select(WaitlistEntry)
        .join(WaitlistEntry.client)
        .where(WaitlistEntry.closed_at.is_(None), WaitlistEntry.last_day >= today)
        .options(
            db.contains_eager(WaitlistEntry.client),
            db.joinedload(WaitlistEntry.service),
            db.joinedload(WaitlistEntry.therapist),
            db.joinedload(WaitlistEntry.booking),
            db.selectinload(WaitlistEntry.offers),
        )
        .order_by(WaitlistEntry.created_at, WaitlistEntry.id)
    )
    if filters.term:
        query = query.where(
            search.person_matches(filters.term, name=User.name, email=User.email, phone=User.phone)
        )
    if filters.service_id is not None:
        query = query.where(WaitlistEntry.service_id == filters.service_id)
    if filters.therapist == NO_PREFERENCE:
        query = query.where(WaitlistEntry.therapist_id.is_(None))
    elif filters.therapist is not None:
        query = query.where(WaitlistEntry.therapist_id == filters.therapist)
    return paging.page_of(query, number, per_page, scalars=True)
