"""Reading the feedback back: the rated visits, newest first, for the client record and the
reports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from spa_app.accounts.models import User
from spa_app.booking.models import Booking
from spa_app.catalog.models import Service, Therapist
from spa_app.extensions import db
from spa_app.feedback.models import Feedback


@dataclass(frozen=True)
class Rated:
    """A visit the client rated: who, when, what and with whom, the rating and the comment."""

    client_id: int
    client: str
    starts_at: datetime
    service: str
    therapist: str
    rating: int
    comment: str


def rated(*where: sa.ColumnElement[bool], limit: int) -> list[Rated]:
    """The rated visits ``where`` picks (on Feedback and Booking), the newest visit first, at
    most ``limit``. One statement."""
    rows = db.session.execute(
        sa.select(
            User.id,
            User.name,
            Booking.starts_at,
            Service.name,
            Therapist.display_name,
            Feedback.rating,
            Feedback.comment,
        )  # fmt: skip
        .join(Booking, Booking.id == Feedback.booking_id)
        .join(User, User.id == Feedback.client_id)
        .join(Service, Service.id == Booking.service_id)
        .join(Therapist, Therapist.id == Booking.therapist_id)
        .where(*where)
        .order_by(Booking.starts_at.desc(), Feedback.id.desc())
        .limit(limit)
    )
    return [Rated(*row) for row in rows]
