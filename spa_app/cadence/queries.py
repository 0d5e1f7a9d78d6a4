"""Read-only lists of the cadence for staff pages: who is due to rebook."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

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
    therapist_name: str
    nudges_sent: int


def rebook_due(now: datetime, limit: int = 300) -> list[DueClient]:
    """Clients whose window is open or past with nothing booked since, the oldest window first
    (two statements)."""
    rows = db.session.execute(
        sa.select(NextVisit, User.name, User.email, Therapist.display_name)
        .join(User, User.id == NextVisit.client_id)
        .join(Therapist, Therapist.id == NextVisit.therapist_id)
        .where(NextVisit.opens_at <= now, ~visit_since(NextVisit.client_id,
                                                       NextVisit.last_visit_at))
        .order_by(NextVisit.opens_at)
        .limit(limit)
    ).all()  # fmt: skip
    sent = nudges_sent([row.NextVisit.booking_id for row in rows])
    return [
        DueClient(
            window=row.NextVisit,
            name=row.name,
            email=row.email,
            therapist_name=row.display_name,
            nudges_sent=sent.get(row.NextVisit.booking_id, 0),
        )
        for row in rows
    ]


def nudges_sent(booking_ids: list[int]) -> dict[int, int]:
    """How many "time to book" nudges went out about each of these visits (none: absent)."""
    if not booking_ids:
        return {}
    counted = db.session.execute(
        sa.select(Message.booking_id, sa.func.count())
        .where(
            Message.booking_id.in_(booking_ids),
            Message.kind.in_(NUDGE_KINDS),
            Message.state == MessageState.SENT,
        )
        .group_by(Message.booking_id)
    )
    return dict(counted.all())
