"""The outbox: the one way any feature queues an e-mail, and asks whether one still should go.

A message is a row added in the caller's transaction: its kind, to whom, the key that makes it
this message (a repeat adds nothing), when it is due and what it is about (a visit as it is
now, a plan, a waitlist offer). It sits below every feature: it imports none of them. Each
feature declares, for its own kinds, what the e-mail says (``composes``: its subject, the
template context and any attachment) and when a queued message has become pointless
(``pointless_when``); the send task asks ``is_pointless`` just before sending, then renders the
kind's letter.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime

import sqlalchemy as sa

from spa_app.database import dialect_insert, utcnow
from spa_app.extensions import db
from spa_app.notifications.models import (
    MailOptOut,
    Message,
    MessageKind,
    MessageState,
    switch_for,
)


@dataclass(frozen=True)
class About:
    """What a message concerns; the visit's times and change number as they are when queued
    (each notice tells of its own change, whatever happens to the visit later)."""

    booking_id: int | None = None
    plan_id: int | None = None
    waitlist_offer_id: int | None = None
    visit_starts_at: datetime | None = None
    visit_ends_at: datetime | None = None
    visit_sequence: int | None = None
    #: Who made the change ("client" or "staff") and the words for the client, told as written.
    changed_by: str | None = None
    reason: str | None = None


def key(kind: MessageKind, subject: str) -> str:
    """The idempotency key of ``kind`` about ``subject`` ("booking-7:2", "offer-3", ...)."""
    return f"{kind.value}:{subject}"


def enqueue(
    kind: MessageKind,
    *,
    to: int,
    key: str,
    due_at: datetime,
    about: About = About(),
    created_at: datetime | None = None,
) -> bool:
    """Add ``kind`` for user ``to`` unless a message with ``key`` exists; True if added.

    ON CONFLICT DO NOTHING: the same change queued twice, or two requests at once, add one row
    and neither fails. In the caller's transaction; the caller commits.
    """
    table = Message.__table__
    statement = (
        dialect_insert(table, db.session)
        .values(
            kind=kind.value,
            idempotency_key=key,
            user_id=to,
            state=MessageState.PENDING.value,
            due_at=due_at,
            attempts=0,
            created_at=created_at or utcnow(),
            **asdict(about),
        )
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
        .returning(table.c.id)
    )
    return db.session.connection().execute(statement).first() is not None


@dataclass(frozen=True)
class Sender:
    """Who sends and where links point: what a composer needs beyond the message itself."""

    address: str  # "Name <address>" as the From header
    public_url: str  # where links point, without a trailing slash
    domain: str  # for calendar UIDs and Message-IDs
    secret: str  # signs unsubscribe and one-click links


@dataclass(frozen=True)
class Attachment:
    data: bytes
    maintype: str
    subtype: str
    filename: str
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Letter:
    """What one message says: the subject, the context its kind's templates
    (``emails/<kind>.txt`` and ``.html``) render, and any attachments."""

    subject: str
    context: dict
    attachments: tuple[Attachment, ...] = ()


#: (message, business settings, sender) -> the Letter; one per kind.
Compose = Callable[..., Letter]
_composers: dict[MessageKind, Compose] = {}


def composes(*kinds: MessageKind) -> Callable[[Compose], Compose]:
    """Declare (as a decorator) how messages of ``kinds`` are written. One composer per kind."""
    return _register(_composers, kinds, "a composer")


def composer(kind: MessageKind) -> Compose:
    """The composer declared for ``kind``; LookupError if no feature declared one."""
    try:
        return _composers[kind]
    except KeyError:
        raise LookupError(f"no composer declared for {kind.value}") from None


def _register(registry: dict, kinds, what: str):
    def register(function):
        for kind in kinds:
            if registry.get(kind, function) is not function:
                raise ValueError(f"{kind.value} already has {what}")
            registry[kind] = function
        return function

    return register


#: kind -> (message, now) -> True when the message should not go out after all.
Check = Callable[[Message, datetime], bool]
_pointless: dict[MessageKind, Check] = {}


def pointless_when(*kinds: MessageKind) -> Callable[[Check], Check]:
    """Declare (as a decorator) when queued messages of ``kinds`` have become pointless: a
    reminder for a visit that moved, say. One check per kind."""
    return _register(_pointless, kinds, "a pointless check")


def is_pointless(message: Message, now: datetime) -> bool:
    """True for a message that should not go out after all: its kind's check says so, or (for
    an optional kind) the client has turned it off meanwhile."""
    check = _pointless.get(message.kind)
    if check is not None and check(message, now):
        return True
    switch = switch_for(message.kind)
    return switch is not None and db.session.get(MailOptOut, (message.user_id, switch)) is not None


def drop_pending(booking_id: int, kinds: tuple[MessageKind, ...]) -> None:
    """Drop the queued messages of ``kinds`` about a visit (the sweep makes new ones)."""
    db.session.execute(
        sa.update(Message)
        .where(
            Message.booking_id == booking_id,
            Message.kind.in_(kinds),
            Message.state == MessageState.PENDING,
        )
        .values(state=MessageState.DROPPED)
        .execution_options(synchronize_session=False)
    )
