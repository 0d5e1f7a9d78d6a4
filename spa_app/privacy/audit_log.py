"""The audit log for staff: who read or changed which client's health data, and when.

Each row names the person, the client, the action and the subject ("intake", "plan 12"); it
never holds the health data itself, so the page showing it does not either.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm

from spa_app import paging
from spa_app.accounts.models import Role, User
from spa_app.extensions import db
from spa_app.homecare.models import AuditEntry

PER_PAGE = 100


@dataclass(frozen=True)
class Filters:
    client_email: str = ""  # part of the client's e-mail address, any case
    actor_id: int | None = None
    actor_role: Role | None = None  # staff or therapist


@dataclass(frozen=True)
class Row:
    at: datetime
    actor_name: str
    actor_role: Role
    client_name: str
    client_email: str
    action: str
    subject: str


def page_of(filters: Filters, number: int = 1, per_page: int = PER_PAGE) -> paging.Page[Row]:
    """Entries matching ``filters``, newest first, page ``number`` (from 1): one statement."""
    actor, client = sa.orm.aliased(User), sa.orm.aliased(User)
    query = (
        sa.select(
            AuditEntry.at,
            actor.name,
            actor.role,
            client.name,
            client.email,
            AuditEntry.action,
            AuditEntry.subject,
        )
        .join(actor, actor.id == AuditEntry.actor_id)
        .join(client, client.id == AuditEntry.client_id)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    )
    if filters.client_email:
        term = filters.client_email.strip().lower()
        query = query.where(client.email.contains(term, autoescape=True))
    if filters.actor_id is not None:
        query = query.where(AuditEntry.actor_id == filters.actor_id)
    if filters.actor_role is not None:
        query = query.where(actor.role == filters.actor_role)
    return paging.page_of(query, number, per_page, row=lambda r: Row(*r))


def actors() -> list[User]:
    """Everyone whose reads are audited (staff and therapists), by name."""
    return list(
        db.session.execute(
            sa.select(User)
            .where(User.role.in_([Role.STAFF, Role.THERAPIST]))
            .order_by(User.name, User.id)
        ).scalars()
    )
