"""Handing outbox messages to the mail server, once, and recording what happened.

Beat's sweep leases due messages and commits (dispatch_due); each send task then claims its
message with the lease token, writes the attempt as "sending" and commits (claim,
begin_attempt), and only then talks to the mail server and records the outcome on that attempt
in a second transaction (record). Two tasks can therefore never both send one message.

Once the whole message has gone out, only the server's answer says whether it took it. That
answer gets its own long timeout (RFC 5321 gives it ten minutes); if it never comes, the
message may have arrived, so it is not sent again: it is held as "unconfirmed" for staff, who
send it again or mark it received. The one duplicate left is a worker that stops (killed, its
machine lost) after the whole message went out and before the outcome is committed: the lease
runs out, the message goes again, and its first attempt shows as "cut short".
"""

from __future__ import annotations

import enum
import random
import smtplib
import ssl
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage

import sqlalchemy as sa
from celery.exceptions import SoftTimeLimitExceeded

from spa_app.business import business
from spa_app.config import DEFAULTS, mail_domain
from spa_app.extensions import db
from spa_app.notifications.emails import render
from spa_app.notifications.models import Message, MessageAttempt, MessageState
from spa_app.notifications.outbox import Sender

LEASE = timedelta(seconds=DEFAULTS["MAIL_LEASE_SECONDS"])
LONGEST_WAIT = timedelta(hours=6)


class Outcome(enum.StrEnum):
    SENT = "sent"
    RETRY = "retry"
    FAILED = "failed"
    #: The whole message went out and the server never answered: it may have arrived.
    UNCONFIRMED = "unconfirmed"


#: An attempt talking to the mail server; one still so when the next try comes was cut short.
SENDING = "sending"
CUT_SHORT = "cut short"


@dataclass(frozen=True)
class MailSettings:
    host: str
    port: int
    security: str  # none, starttls or ssl
    username: str | None
    password: str | None
    #: Connecting, the greeting and each command before the message is sent.
    timeout: float
    #: The server's answer once the whole message is sent (RFC 5321 4.5.3.2.6: ten minutes).
    data_timeout: float
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
            data_timeout=float(config["MAIL_DATA_TIMEOUT_SECONDS"]),
            max_attempts=int(config["MAIL_MAX_ATTEMPTS"]),
            retry_base=timedelta(seconds=float(config["MAIL_RETRY_BASE_SECONDS"])),
            sender=Sender(
                address=address,
                public_url=config["PUBLIC_URL"].rstrip("/"),
                domain=mail_domain(config),
                secret=config["SECRET_KEY"],
            ),
        )


def send_time_limits(config: Mapping) -> tuple[float, float]:
    """The send task's (soft, hard) time limits in seconds: room for every phase's timeout.

    Each step before the message (connecting with its greeting, EHLO, STARTTLS, AUTH, MAIL,
    RCPT, DATA) may take MAIL_TIMEOUT_SECONDS, and the answer to the message
    MAIL_DATA_TIMEOUT_SECONDS; the hard limit leaves one more timeout to record the outcome.
    The lease must outlast the hard limit, or a send still waiting could go out again.
    """
    timeout = float(config["MAIL_TIMEOUT_SECONDS"])
    soft = _STEPS_BEFORE_THE_MESSAGE * timeout + float(config["MAIL_DATA_TIMEOUT_SECONDS"])
    return soft, soft + timeout


_STEPS_BEFORE_THE_MESSAGE = 7


def dispatch_due(now: datetime, limit: int = 500, lease: timedelta = LEASE) -> list[tuple]:
    """Lease up to ``limit`` due messages for sending: [(id, lease token)], oldest due first.

    Each chosen row's due_at moves to the end of the lease, which is also its token: a send task
    must present it (see claim). A second sweep at the same time skips the rows this one holds
    (FOR UPDATE SKIP LOCKED on PostgreSQL; SQLite serializes writers). If the task is lost
    (broker flushed, worker killed), the lease runs out and a later sweep sends it again.
    Flushes; commit before handing the ids to tasks.
    """
    due = (
        sa.select(Message.id)
        .where(Message.state == MessageState.PENDING, Message.due_at <= now)
        .order_by(Message.due_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    token = now + lease
    ids = db.session.execute(due).scalars().all()
    if ids:
        db.session.execute(
            sa.update(Message)
            .where(Message.id.in_(ids))
            .values(due_at=token)
            .execution_options(synchronize_session=False)
        )
    return [(message_id, token) for message_id in ids]


def claim(message_id: int, token: datetime, now: datetime, lease: timedelta = LEASE) -> bool:
    """Take a dispatched message for sending; True only for the first task holding ``token``.

    The conditional UPDATE moves the lease on, so a duplicate of the same task (a redelivery)
    finds the token spent, and counts the attempt now, before any mail server is involved: a
    try that never reports back (its worker killed) still counts towards the limit. Commit
    before sending.
    """
    taken = db.session.execute(
        sa.update(Message)
        .where(
            Message.id == message_id,
            Message.state == MessageState.PENDING,
            Message.due_at == token,
        )
        .values(due_at=now + lease + timedelta(microseconds=1), attempts=Message.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    return taken.rowcount == 1


def unfinished_tries(message: Message, mail: MailSettings) -> bool:
    """True for a claimed message past its limit: its last tries claimed it and never reported
    back (only such tries get this far; a reported retry fails at the limit in ``record``)."""
    return message.attempts > mail.max_attempts


def compose(message_id: int, mail: MailSettings) -> EmailMessage:
    """The e-mail for a claimed message (reads only; end the transaction before sending)."""
    return render(db.session.get(Message, message_id), business(), mail.sender)


def begin_attempt(message_id: int, now: datetime) -> int:
    """Write the try about to talk to the mail server, before it does; its id (flushed; commit
    before sending). An earlier try still "sending" never reported back: its worker stopped,
    so it is marked cut short (the server may have that copy)."""
    _mark_cut_short(message_id)
    attempt = MessageAttempt(
        message_id=message_id, at=now, outcome=SENDING, detail="with the mail server"
    )
    db.session.add(attempt)
    db.session.flush()
    return attempt.id


def _mark_cut_short(message_id: int) -> None:
    db.session.execute(
        sa.update(MessageAttempt)
        .where(MessageAttempt.message_id == message_id, MessageAttempt.outcome == SENDING)
        .values(
            outcome=CUT_SHORT,
            detail="its worker stopped while sending, before the outcome was recorded; "
            "the mail server may have this copy",
        )
        .execution_options(synchronize_session=False)
    )


def hand_over(email: EmailMessage, mail: MailSettings) -> tuple[Outcome, str]:
    """Give ``email`` to the mail server: (SENT, detail), (RETRY, why), (FAILED, why) or
    (UNCONFIRMED, why).

    No connection, a timeout or a 4xx answer before the whole message is sent is transient. A
    5xx answer to the message itself (sender, recipient, content) is permanent; one while
    connecting, starting TLS or logging in is our own setup at fault (a changed password, say),
    so it is retried until fixed. No answer at all once the whole message has gone out is
    UNCONFIRMED: the server may have it. Once the server has accepted the message, nothing it
    says later changes that. Touches no database, so no lock is held while the server takes
    its time.
    """
    try:
        _smtp(email, mail)
    except _NoAnswer as exc:
        return Outcome.UNCONFIRMED, (
            f"the whole message went out and the mail server never answered ({exc}); "
            "held, not sent again: it may have arrived"
        )
    except _SetupRefused as exc:
        return Outcome.RETRY, f"mail server setup refused: {exc}"
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        return _answer(min(codes), str(exc))
    except smtplib.SMTPResponseException as exc:
        return _answer(exc.smtp_code, f"{exc.smtp_code} {_text(exc.smtp_error)}")
    except (OSError, smtplib.SMTPException) as exc:  # refused, reset, timed out, TLS trouble
        return Outcome.RETRY, f"{type(exc).__name__}: {exc}"
    except SoftTimeLimitExceeded:  # a server trickling its answers: each read within timeout
        return Outcome.RETRY, "the whole send took longer than the task may run"
    return Outcome.SENT, "250 accepted"


#: Why a message was dropped unsent, as its history says.
NO_LONGER_WANTED = "no longer wanted"
NO_ADDRESS = "no e-mail address"


def drop(message_id: int, now: datetime, why: str = NO_LONGER_WANTED) -> None:
    """Mark a claimed message dropped, unsent, with the reason in its history (flushed)."""
    _close(message_id, now, MessageState.DROPPED, "dropped", why)


def give_up(message_id: int, now: datetime, mail: MailSettings) -> None:
    """Fail a claimed message whose earlier tries never finished (flushed)."""
    detail = (
        f"gave up after {mail.max_attempts} tries: the last never reported back "
        "(its worker stopped while sending)"
    )
    _close(message_id, now, MessageState.FAILED, "failed", detail)


def _close(message_id: int, now: datetime, state: MessageState, outcome: str, detail: str):
    _mark_cut_short(message_id)
    message = db.session.get(Message, message_id)
    message.state = state
    if state is MessageState.FAILED:
        message.last_error = detail
    db.session.add(MessageAttempt(message_id=message_id, at=now, outcome=outcome, detail=detail))
    db.session.flush()


def _answer(code: int, detail: str) -> tuple[Outcome, str]:
    # 530 and 535-538: authentication or TLS wanted first, a setup matter, not the message's.
    setup = code == 530 or 534 <= code <= 538
    return (Outcome.FAILED if code >= 500 and not setup else Outcome.RETRY), detail


class _SetupRefused(Exception):
    """The server refused the connection, TLS or login with a 5xx (or 4xx) answer."""


class _NoAnswer(Exception):
    """The whole message went out, and no answer to it came (timeout, hang-up, time limit)."""


class _Phases:
    """An smtplib session that knows when the whole message has gone out.

    smtplib sends the message as the one write after DATA's 354 answer. From then on the answer
    gets ``data_timeout`` instead of the short timeout of every other step, and
    ``message_sent`` tells the sender that silence now means "the server may have it".
    """

    data_timeout: float = 600
    message_sent = False
    answered = False
    _body_next = False
    _awaiting_answer = False

    def getreply(self):
        code, text = super().getreply()
        self._body_next = code == 354
        if self._awaiting_answer:
            self._awaiting_answer, self.answered = False, True
            self.sock.settimeout(self.timeout)  # QUIT is quick again
        return code, text

    def send(self, s):
        body, self._body_next = self._body_next, False
        super().send(s)
        if body:
            self.message_sent = self._awaiting_answer = True
            self.sock.settimeout(self.data_timeout)


class _Session(_Phases, smtplib.SMTP):
    pass


class _SSLSession(_Phases, smtplib.SMTP_SSL):
    pass


def _smtp(email: EmailMessage, mail: MailSettings) -> None:
    """Connect, secure, log in and send; raises on any failure before the server's 250, and
    _NoAnswer when the whole message went out and no answer came."""
    try:
        if mail.security == "ssl":
            smtp = _SSLSession(
                mail.host, mail.port, timeout=mail.timeout, context=ssl.create_default_context()
            )
        else:
            smtp = _Session(mail.host, mail.port, timeout=mail.timeout)
    except smtplib.SMTPConnectError as exc:
        raise _SetupRefused(f"{exc.smtp_code} {_text(exc.smtp_error)}") from exc
    smtp.data_timeout = mail.data_timeout
    try:
        try:
            if mail.security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
            if mail.username:
                smtp.login(mail.username, mail.password or "")
        except smtplib.SMTPResponseException as exc:
            raise _SetupRefused(f"{exc.smtp_code} {_text(exc.smtp_error)}") from exc
        try:
            smtp.send_message(email)
        except smtplib.SMTPResponseException:
            raise  # the server answered; its code decides
        except (OSError, SoftTimeLimitExceeded) as exc:
            if smtp.message_sent and not smtp.answered:
                raise _NoAnswer(_describe(exc)) from exc
            raise
    finally:
        _say_goodbye(smtp)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, SoftTimeLimitExceeded):
        return "the send task ran out of time"
    return f"{type(exc).__name__}: {exc}"


def _say_goodbye(smtp: smtplib.SMTP) -> None:
    """QUIT, ignoring what the server says: the message was sent (or not) before this. A
    server that never answered the message is not waited for again."""
    if smtp.message_sent and not smtp.answered:
        smtp.close()
        return
    try:
        smtp.quit()
    except (OSError, smtplib.SMTPException, SoftTimeLimitExceeded):
        smtp.close()


def _text(error: bytes | str) -> str:
    return error.decode(errors="replace") if isinstance(error, bytes) else str(error)


def record(
    message_id: int,
    now: datetime,
    mail: MailSettings,
    result: tuple[Outcome, str],
    jitter: Callable[[], float] = random.random,
    attempt_id: int | None = None,
) -> Outcome:
    """Record the result of the attempt ``claim`` counted, on its row ``attempt_id`` (see
    begin_attempt; a new row without one). Flushed; the caller commits.

    A retry is due again after an exponential, jittered wait (base × 2^(attempts-1) ×
    0.5-1.5, at most six hours), until ``max_attempts``; then the message fails. An
    unconfirmed one waits for staff.
    """
    message = db.session.get(Message, message_id)
    outcome, detail = result
    if outcome is Outcome.RETRY and message.attempts >= mail.max_attempts:
        outcome, detail = Outcome.FAILED, f"gave up after {message.attempts} attempts: {detail}"
    if outcome is Outcome.SENT:
        message.state, message.sent_at, message.last_error = MessageState.SENT, now, None
    elif outcome is Outcome.FAILED:
        message.state, message.last_error = MessageState.FAILED, detail[:500]
    elif outcome is Outcome.UNCONFIRMED:
        message.state, message.last_error = MessageState.UNCONFIRMED, detail[:500]
    else:
        wait = mail.retry_base * 2 ** (message.attempts - 1) * (0.5 + jitter())
        message.due_at, message.last_error = now + min(wait, LONGEST_WAIT), detail[:500]
    attempt = db.session.get(MessageAttempt, attempt_id) if attempt_id is not None else None
    if attempt is None:
        attempt = MessageAttempt(message_id=message.id, at=now)
        db.session.add(attempt)
    attempt.outcome, attempt.detail = outcome.value, detail[:500]
    db.session.flush()
    return outcome
