"""The staff message log: every message a page at a time, what happened to each and when, and
one message's e-mail as it would go out now. Reads only: nothing here writes a row."""

from __future__ import annotations

import dataclasses
import enum
import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from spa_app import paging, search
from spa_app.accounts.models import User
from spa_app.extensions import db
from spa_app.notifications import delivery
from spa_app.notifications.models import Message, MessageKind, MessageState

log = logging.getLogger(__name__)

#: Beat sweeps the outbox every minute: a message tried within this of being queued (or due)
#: went out at once.
AT_ONCE = timedelta(minutes=2)


@dataclass(frozen=True)
class LogFilters:
    state: MessageState | None = None
    kind: MessageKind | None = None
    #: Part of the recipient's name or e-mail ("": everyone).
    term: str = ""


def log_page(
    filters: LogFilters, number: int = 1, per_page: int = paging.PER_PAGE
) -> paging.Page[Message]:
    """Page ``number`` of the messages matching ``filters``, newest first (the id breaking
    ties), each with its recipient and every try: two statements, whatever the page holds."""
    query = (
        db.select(Message)
        .join(Message.user)
        .options(db.contains_eager(Message.user), db.selectinload(Message.history))
        .order_by(Message.created_at.desc(), Message.id.desc())
    )
    if filters.state is not None:
        query = query.where(Message.state == filters.state)
    if filters.kind is not None:
        query = query.where(Message.kind == filters.kind)
    if filters.term:
        query = query.where(search.person_matches(filters.term, name=User.name, email=User.email))
    return paging.page_of(query, number, per_page, scalars=True)


class Step(enum.StrEnum):
    QUEUED = "queued"
    DUE_AT_ONCE = "due at once"  # pending, to go with the next sweep
    SCHEDULED = "scheduled"  # pending, due later than it was queued
    SENDING = "sending"  # a try is with the mail server now
    NEXT_TRY = "next try"  # pending again after a try that may succeed later
    FIRST_TRY = "first try"  # closed, first tried well after it was queued
    SENT_AT_ONCE = "sent at once"
    SENT = "sent"
    FAILED = "failed"
    DROPPED = "dropped"
    UNCONFIRMED = "unconfirmed"


@dataclass(frozen=True)
class Moment:
    step: Step
    at: datetime | None


_CLOSED = {
    MessageState.FAILED: Step.FAILED,
    MessageState.DROPPED: Step.DROPPED,
    MessageState.UNCONFIRMED: Step.UNCONFIRMED,
}


def timeline(message: Message) -> list[Moment]:
    """When ``message`` was queued, when it is due if not at once, and how it ended, in order.

    The row's ``due_at`` is the schedule only while nothing has tried it: the sweep moves it to
    the end of a lease, and a retry to the next try. So a message that has gone (or failed, or
    was dropped) shows when it was first tried instead, and only if that was well after it was
    queued; one sent at once says so, and no "due" ever follows "sent".
    """
    moments = [Moment(Step.QUEUED, message.created_at)]
    history = message.history
    if message.state is MessageState.PENDING:
        return moments + [_pending(message)]
    if history and history[0].at - message.created_at > AT_ONCE:
        moments.append(Moment(Step.FIRST_TRY, history[0].at))
    if message.state is MessageState.SENT:
        quick = message.sent_at is not None and message.sent_at - message.created_at <= AT_ONCE
        moments.append(Moment(Step.SENT_AT_ONCE if quick else Step.SENT, message.sent_at))
    else:
        ended = history[-1].at if history else None
        moments.append(Moment(_CLOSED[message.state], ended))
    return moments


def _pending(message: Message) -> Moment:
    if message.history and message.history[-1].outcome == delivery.SENDING:
        return Moment(Step.SENDING, message.history[-1].at)
    if message.attempts:
        return Moment(Step.NEXT_TRY, message.due_at)
    if message.due_at - message.created_at > AT_ONCE:
        return Moment(Step.SCHEDULED, message.due_at)
    return Moment(Step.DUE_AT_ONCE, None)


#: Kinds whose text is health data (a routine reminder lists the routines of the client's plan,
#: a therapist's digest the clients whose plans raised a flag): their preview shows the headers
#: only. Reading the routines would be a read of the plan, which
#: is audited, and this page writes nothing.
HEALTH_KINDS = frozenset({MessageKind.ROUTINE_REMINDER, MessageKind.CARE_DIGEST})


@dataclass(frozen=True)
class Preview:
    """One message's e-mail as it would go out now: its headers, text and HTML parts and the
    names of its attachments; ``problem`` instead when it cannot be composed, and ``withheld``
    when its text is health data (see HEALTH_KINDS)."""

    message: Message
    sender: str = ""
    to: str = ""
    subject: str = ""
    text: str = ""
    html: str = ""
    attachments: tuple[str, ...] = ()
    problem: str | None = None
    withheld: bool = False


def message_with_history(message_id: int) -> Message | None:
    """The message with its recipient and every try (two statements), or None."""
    return db.session.execute(
        db.select(Message)
        .where(Message.id == message_id)
        .options(db.joinedload(Message.user), db.selectinload(Message.history))
    ).scalar_one_or_none()


def preview(message: Message, config: Mapping) -> Preview:
    """``message`` composed by its kind's composer, as the send task would now, in its
    recipient's language, without sending it or writing anything.

    Links that carry a key (to open the visit, unsubscribe, set a password, tick a day's
    routines) are signed with a key made for this preview alone: they read as the client's do,
    and open nothing. A reset link that worked would let whoever reads this page into the
    recipient's account. The text of a kind in HEALTH_KINDS is left out.
    """
    mail = delivery.MailSettings.from_config(config)
    throwaway = dataclasses.replace(mail.sender, secret=secrets.token_urlsafe(32))
    try:
        email = delivery.compose(message.id, dataclasses.replace(mail, sender=throwaway))
    except Exception as exc:  # the page says so; the send task would meet the same trouble
        log.exception("message %s could not be composed for its preview", message.id)
        return Preview(message, problem=f"{type(exc).__name__}: {exc}"[:300])
    headers = {"sender": str(email["From"]), "to": str(email["To"]),
               "subject": str(email["Subject"])}  # fmt: skip
    if message.kind in HEALTH_KINDS:
        return Preview(message, **headers, withheld=True)
    text, html = email.get_body(("plain",)), email.get_body(("html",))
    return Preview(
        message,
        **headers,
        text=text.get_content() if text is not None else "",
        html=html.get_content() if html is not None else "",
        attachments=tuple(part.get_filename() or "" for part in email.iter_attachments()),
    )
