"""The home-care plan's e-mails: "your plan is ready" to the client, "please review" to the
therapist, and when a queued review request or routine reminder has become pointless."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l

from spa_app.homecare.models import Plan
from spa_app.homecare.outcomes.links import checkin_path, week_link_until, week_period
from spa_app.homecare.plans.links import day_done_token
from spa_app.homecare.plans.queries import current_plan
from spa_app.notifications import outbox
from spa_app.notifications.models import Message, MessageKind

#: A routine reminder not sent by then is for a day that is over (a long mail outage).
ROUTINE_STALE = timedelta(hours=12)


def queue_plan_ready(plan: Plan, now: datetime) -> None:
    """Tell the client their plan is published, once per plan (in the caller's transaction)."""
    kind = MessageKind.PLAN_READY
    outbox.enqueue(
        kind,
        to=plan.client_id,
        key=outbox.key(kind, f"plan-{plan.id}"),
        due_at=now,
        about=outbox.About(booking_id=plan.booking_id, plan_id=plan.id),
    )


def queue_review_request(plan: Plan, now: datetime) -> None:
    """Tell the plan's therapist that the client's intake changed after publishing (once per
    change; the e-mail names the client and links to the visit, nothing of the intake)."""
    kind = MessageKind.PLAN_NEEDS_REVIEW
    outbox.enqueue(
        kind,
        to=plan.booking.therapist.user_id,
        key=outbox.key(kind, f"plan-{plan.id}:{now.isoformat(timespec='seconds')}"),
        due_at=now,
        about=outbox.About(booking_id=plan.booking_id, plan_id=plan.id),
    )


@outbox.pointless_when(MessageKind.PLAN_NEEDS_REVIEW)
def _review_overtaken(message: Message, now: datetime) -> bool:
    """Reviewed already, replaced by a newer plan, or erased with the client's health data."""
    plan = message.plan
    return plan is None or plan.review_needed_at is None or current_plan(plan.client_id) != plan


@outbox.pointless_when(MessageKind.ROUTINE_REMINDER)
def _routine_reminder_overtaken(message: Message, now: datetime) -> bool:
    """A newer plan replaced its plan, or the day it was for is over."""
    current = current_plan(message.user_id)
    replaced = current is None or current.id != message.plan_id
    return replaced or now - message.created_at > ROUTINE_STALE


PLAN_SUBJECTS = {
    MessageKind.PLAN_READY: _l("Your home-care plan from %(spa)s is ready"),
    MessageKind.PLAN_NEEDS_REVIEW: _l("Please look again at a client's home-care plan"),
    MessageKind.ROUTINE_REMINDER: _l("Today's home routines"),
}


@outbox.composes(*PLAN_SUBJECTS)
def _plan_letter(message: Message, settings, sender: outbox.Sender) -> outbox.Letter:
    """A plan e-mail: names of routines only (no intake, no notes), and links to the plan.

    A routine reminder lists the routines of the local day it was queued on, with a signed link
    that marks them all done for that day. The reminder of the plan's first day each week (its
    earliest weekday with a routine) also carries the week's check-in link: once a week, and
    the link alone (no area, no score).
    """
    plan = message.plan
    context = {
        "plan": plan,
        "therapist": plan.booking.therapist,
        "link": f"{sender.public_url}/plans/{plan.id}",
    }
    if message.kind is MessageKind.PLAN_NEEDS_REVIEW:  # to the therapist: the visit's page
        context["client"] = plan.booking.client
        context["link"] = f"{sender.public_url}/bookings/{plan.booking_id}"
    if message.kind is MessageKind.ROUTINE_REMINDER:
        day = message.created_at.astimezone(settings.tz).date()
        context["day"] = day
        context["routines"] = [i for i in plan.items if day.weekday() in i.weekdays]
        token = day_done_token(sender.secret, plan.id, plan.client_id, day)
        context["done_link"] = f"{sender.public_url}/plans/{plan.id}/day-done/{token}"
        if day.weekday() == _first_weekday(plan):
            path = checkin_path(sender.secret, plan.client_id, week_period(day),
                                week_link_until(message.created_at))  # fmt: skip
            context["checkin_link"] = sender.public_url + path
    # In the recipient's language: composed inside their force_locale.
    subject = str(PLAN_SUBJECTS[message.kind]) % {"spa": settings.business_name}
    return outbox.Letter(subject, context)


def _first_weekday(plan: Plan) -> int | None:
    """The plan's first day of the week with a routine (0 is Monday); None if it has none."""
    return min((d for item in plan.items for d in item.weekdays), default=None)
