"""Who may see a client's health data (intake, plans, adherence), and the audit of each look.

The client; staff; and therapists who have the client on a booking (any that was not
cancelled). Everyone else gets a 404 from the views, as if there were nothing.
"""

from __future__ import annotations

import sqlalchemy as sa

from spa_app.accounts.models import Role, User
from spa_app.booking.models import Booking, BookingStatus
from spa_app.catalog.models import Therapist
from spa_app.database import serialized_writes
from spa_app.extensions import db
from spa_app.homecare.models import AuditEntry


def may_see_health(user: User, client_id: int) -> bool:
    if user.id == client_id or user.role is Role.STAFF:
        return True
    if user.role is not Role.THERAPIST:
        return False
    return db.session.execute(sa.select(therapist_has_client(user.id, client_id))).scalar_one()


def therapist_has_client(therapist_user_id: int, client_id) -> sa.Exists:
    """The rule for therapists above as a condition: the therapist who logs in as
    ``therapist_user_id`` has ``client_id`` (an id, or a column to filter a list of clients
    by) on a booking that was not cancelled."""
    return sa.exists().where(
        Booking.client_id == client_id,
        Booking.status != BookingStatus.CANCELLED,
        Booking.therapist_id == Therapist.id,
        Therapist.user_id == therapist_user_id,
    )


def audit(user: User, client_id: int, action: str, subject: str) -> None:
    """Record that ``user`` did ``action`` on a client's ``subject``; the client's own reads are
    not recorded. Added to the session; the caller commits."""
    if user.id != client_id:
        db.session.add(
            AuditEntry(actor_id=user.id, client_id=client_id, action=action, subject=subject)
        )


def audit_read(user: User, client_id: int, subject: str) -> None:
    """Record a read, committed before the data is shown (see ``audit_reads``)."""
    audit_reads(user, {client_id}, subject)


def audit_reads(user: User, client_ids: set[int], subject: str) -> None:
    """Record that ``user`` read the health data of ``client_ids`` (a page showing many, such
    as the calendar's intake flags), the client's own reads left out.

    The rows go in on a connection and a write transaction of their own, committed before the
    data is shown: the page's session, its read and the objects it loaded, stay as they are
    (on SQLite a page reads in a deferred transaction, which must not turn into a write).
    """
    others = sorted(client_ids - {user.id})
    if not others:
        return
    rows = [
        {"actor_id": user.id, "client_id": c, "action": "read", "subject": subject} for c in others
    ]
    with serialized_writes(), db.engine.begin() as connection:
        connection.execute(sa.insert(AuditEntry), rows)
