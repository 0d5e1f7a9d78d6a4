"""Celery tasks for e-mail: beat's sweep, and one send per message. Ids and strings only."""

from __future__ import annotations

from datetime import datetime, timedelta

from celery import shared_task
from flask import current_app

from spa_app.business import business_tz
from spa_app.database import unit_of_work, utcnow
from spa_app.extensions import db
from spa_app.feedback import service as feedback
from spa_app.notifications import delivery, outbox, service
from spa_app.notifications.models import Message, MessageState


@shared_task(name="notifications.sweep")
def sweep() -> int:
    """Queue the reminders, nudges, win-backs, feedback requests and routine reminders now
    due, lease due messages, commit, then a send task each.

    Safe to run twice at once. If queueing fails (the broker is down), the leases simply run
    out and a later sweep dispatches the same messages again: nothing is lost.
    """
    now = utcnow()
    lead = timedelta(hours=current_app.config["REMINDER_LEAD_HOURS"])
    with unit_of_work():
        service.schedule_reminders(now, lead)
        service.schedule_nudges(now)
        feedback.schedule_requests(now)
        config = current_app.config
        service.schedule_win_backs(
            now, config["WIN_BACK_AFTER_WEEKS"], config["WIN_BACK_LAST_AFTER_WEEKS"]
        )
        service.schedule_routine_reminders(now, business_tz())
        leased = delivery.dispatch_due(now, lease=_lease())
    soft, hard = delivery.send_time_limits(current_app.config)
    for message_id, token in leased:
        send_message.apply_async(
            (message_id, token.isoformat()), soft_time_limit=soft, time_limit=hard
        )
    return len(leased)


@shared_task(name="notifications.send")
def send_message(message_id: int, token: str) -> str | None:
    """Send one dispatched message once: claim and write the attempt (commit), talk SMTP,
    record its outcome (commit).

    A duplicate or stale task finds its token spent and does nothing. A message to someone
    without an e-mail address (a client the desk added with a phone only, or a deleted
    account) is dropped, saying so. No transaction is open while the mail server is talking,
    so bookings never wait on it.
    """
    now = utcnow()
    mail = delivery.MailSettings.from_config(current_app.config)
    with unit_of_work():
        if not delivery.claim(message_id, datetime.fromisoformat(token), now, lease=_lease()):
            return None  # a duplicate or stale task: nothing was changed
        message = db.session.get(Message, message_id)
        if not message.user.has_email:
            delivery.drop(message_id, now, delivery.NO_ADDRESS)
            return MessageState.DROPPED.value
        if outbox.is_pointless(message, now):
            delivery.drop(message_id, now)
            return MessageState.DROPPED.value
        if delivery.unfinished_tries(message, mail):
            delivery.give_up(message_id, now, mail)
            return MessageState.FAILED.value
        attempt_id = delivery.begin_attempt(message_id, now)
    email = delivery.compose(message_id, mail)
    db.session.rollback()  # end the read before the network
    result = delivery.hand_over(email, mail)
    with unit_of_work():
        outcome = delivery.record(message_id, utcnow(), mail, result, attempt_id=attempt_id)
    return outcome.value


def _lease() -> timedelta:
    return timedelta(seconds=float(current_app.config["MAIL_LEASE_SECONDS"]))
