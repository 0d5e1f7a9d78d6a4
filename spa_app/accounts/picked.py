"""What a signed-out client had picked when booking sent them to log in: read from ``next``.

The free-times page links each time to the confirm page; a client who is not logged in is sent
to log in with that page as ``next``. The log-in and sign-up pages read the pick back from it, so
the client sees what they are about to book. ``next`` comes from anyone, so it is only read when
it is a path on this site to the confirm page, with a real id, a time and a therapist (or any),
and names an active service (and an active therapist who gives it) in one read; anything else is
no pick at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import sqlalchemy as sa
from flask import current_app
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RoutingException

from spa_app import params
from spa_app.accounts.guards import safe_next
from spa_app.catalog.models import Service, Therapist, service_therapist
from spa_app.extensions import db
from spa_app.fields import ANY

#: The page whose link ``next`` must be.
CONFIRM = "booking.confirm"


@dataclass(frozen=True)
class Choice:
    """A time picked on the free-times page, as its link carries it (therapist None: any)."""

    service_id: int
    starts_at: datetime
    therapist_id: int | None


@dataclass(frozen=True)
class Pick:
    """The pick as the client reads it: the service's and therapist's names (None: any)."""

    service: str
    starts_at: datetime
    therapist: str | None


def choice_in(target: str | None) -> Choice | None:
    """The choice a ``next`` of the confirm page carries, or None for any other ``next``: off
    this site, another page, a bad id, a time without a zone or not a time at all."""
    if (local := safe_next(target)) is None:
        return None
    parts = urlsplit(local)
    try:
        endpoint, values = current_app.url_map.bind("").match(parts.path, method="GET")
    except (HTTPException, RoutingException):  # no page, or one that would redirect
        return None
    if endpoint != CONFIRM:
        return None
    args = {name: found[0] for name, found in parse_qs(parts.query).items()}
    starts_at = _instant(args.get("start"))
    therapist = args.get("therapist", ANY)
    therapist_id = None if therapist == ANY else params.as_id(therapist)
    if starts_at is None or (therapist != ANY and therapist_id is None):
        return None
    return Choice(values["service_id"], starts_at, therapist_id)


def _instant(raw: str | None) -> datetime | None:
    """An ISO 8601 time with its zone, in UTC, as the free-times page writes it; else None."""
    try:
        value = datetime.fromisoformat(raw or "")
        value = value.astimezone(UTC) if value.tzinfo is not None else None
    except (ValueError, OverflowError):  # OverflowError: shifted past year 1 or 9999
        return None
    return value if value is not None and 1 < value.year < 9999 else None


def pick_in(target: str | None, now: datetime) -> Pick | None:
    """What ``next`` says the client is booking, with the names to show; None when it names
    nothing bookable (see ``choice_in``), a time that has passed, a service no longer offered
    or a therapist who does not give it. At most one statement."""
    choice = choice_in(target)
    if choice is None or choice.starts_at <= now:
        return None
    if choice.therapist_id is None:
        query = sa.select(Service.name, sa.null())
    else:
        offers = sa.and_(
            service_therapist.c.service_id == Service.id,
            service_therapist.c.therapist_id == choice.therapist_id,
        )
        query = (
            sa.select(Service.name, Therapist.display_name)
            .select_from(Service)
            .join(service_therapist, offers)
            .join(Therapist, Therapist.id == service_therapist.c.therapist_id)
            .where(Therapist.active)
        )
    query = query.where(Service.id == choice.service_id, Service.active)
    row = db.session.execute(query).first()
    if row is None:
        return None
    return Pick(row[0], choice.starts_at, row[1])
