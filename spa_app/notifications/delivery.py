"""Handing outbox messages to the mail server, once, and recording what happened.

A worker first claims a due message (a conditional UPDATE that leases it for a few minutes)
and commits, then sends it and records the attempt in a second transaction. Two workers can
therefore never both send one message; the only duplicate left is a crash after the server's
250 and before the second commit, when the lease runs out and the message goes again.
"""

from __future__ import annotations

import enum
import random
import smtplib
import ssl
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from spa_app.extensions import db
from spa_app.notifications.emails import Sender, render
from spa_app.notifications.models import Message, MessageAttempt, MessageState
from spa_app.scheduling.service import get_settings

LEASE = timedelta(minutes=5)
LONGEST_WAIT = timedelta(hours=6)


class Outcome(enum.StrEnum):
    SENT = "sent"
    RETRY = "retry"
    FAILED = "failed"


@dataclass(frozen=True)
class MailSettings:
    host: str
    port: int
    security: str  # none, starttls or ssl
    username: str | None
    password: str | None
    timeout: float
    max_attempts: int
    retry_base: timedelta
    sender: Sender

    @classmethod
    def from_config(cls, config: Mapping) -> MailSettings:
        address = config["MAIL_FROM"]
        return cls(
            host=config["MAIL_HOST"],
            port=int(config["MAIL_PORT"]),
            security=config["MAIL_SECURITY"],
            username=config["MAIL_USERNAME"],
            password=config["MAIL_PASSWORD"],
            timeout=float(config["MAIL_TIMEOUT_SECONDS"]),
            max_attempts=int(config["MAIL_MAX_ATTEMPTS"]),
            retry_base=timedelta(seconds=float(config["MAIL_RETRY_BASE_SECONDS"])),
            sender=Sender(
                address=address,
                public_url=config["PUBLIC_URL"].rstrip("/"),
                domain=address.rsplit("@", 1)[-1].strip(" >") or "localhost",
            ),
        )


def claim(message_id: int, now: datetime, lease: timedelta = LEASE) -> bool:
    """Lease a due, pending message to this worker; True if it is ours to send now.

    Commit before sending, so that a second worker (or a duplicate task) finds it taken.
    """
    taken = db.session.execute(
        sa.update(Message)
        .where(
            Message.id == message_id,
            Message.state == MessageState.PENDING,
            Message.due_at <= now,
        )
        .values(due_at=now + lease)
        .execution_options(synchronize_session=False)
    )
    return taken.rowcount == 1


def send(
    message_id: int, now: datetime, mail: MailSettings, jitter: Callable[[], float] = random.random
) -> Outcome:
    """Send a claimed message and record the attempt (flushed; the caller commits).

    No connection, a timeout or a 4xx answer is transient: the message is due again after an
    exponential, jittered wait, until ``max_attempts``. A 5xx answer fails it for good.
    """
    message = db.session.get(Message, message_id)
    email = render(message, get_settings(), mail.sender)
    try:
        _hand_over(email, mail)
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        return _record(message, now, mail, _answer(min(codes), str(exc)), jitter)
    except smtplib.SMTPResponseException as exc:
        detail = (
            exc.smtp_error.decode(errors="replace")
            if isinstance(exc.smtp_error, bytes)
            else exc.smtp_error
        )
        return _record(
            message, now, mail, _answer(exc.smtp_code, f"{exc.smtp_code} {detail}"), jitter
        )
    except (OSError, smtplib.SMTPException) as exc:  # refused, reset, timed out, TLS trouble
        return _record(message, now, mail, (Outcome.RETRY, f"{type(exc).__name__}: {exc}"), jitter)
    return _record(message, now, mail, (Outcome.SENT, "250 accepted"), jitter)


def _answer(code: int, detail: str) -> tuple[Outcome, str]:
    return (Outcome.FAILED if code >= 500 else Outcome.RETRY), detail


def _hand_over(email, mail: MailSettings) -> None:
    if mail.security == "ssl":
        smtp = smtplib.SMTP_SSL(
            mail.host, mail.port, timeout=mail.timeout, context=ssl.create_default_context()
        )
    else:
        smtp = smtplib.SMTP(mail.host, mail.port, timeout=mail.timeout)
    with smtp:
        if mail.security == "starttls":
            smtp.starttls(context=ssl.create_default_context())
        if mail.username:
            smtp.login(mail.username, mail.password or "")
        smtp.send_message(email)


def _record(message: Message, now: datetime, mail: MailSettings, result, jitter) -> Outcome:
    outcome, detail = result
    message.attempts += 1
    if outcome is Outcome.RETRY and message.attempts >= mail.max_attempts:
        outcome, detail = Outcome.FAILED, f"gave up after {message.attempts} attempts: {detail}"
    if outcome is Outcome.SENT:
        message.state, message.sent_at, message.last_error = MessageState.SENT, now, None
    elif outcome is Outcome.FAILED:
        message.state, message.last_error = MessageState.FAILED, detail[:500]
    else:
        wait = mail.retry_base * 2 ** (message.attempts - 1) * (0.5 + jitter())
        message.due_at, message.last_error = now + min(wait, LONGEST_WAIT), detail[:500]
    db.session.add(
        MessageAttempt(message_id=message.id, at=now, outcome=outcome, detail=detail[:500])
    )
    db.session.flush()
    return outcome
