"""The therapist's daily digest: once a day, from CARE_DIGEST_AT (07:00, the spa's time), each
therapist gets one e-mail listing the clients whose current plan (one they wrote) raised a flag
lately that no digest has told them yet. A flag is told once (``FlagNotice``, unique per
client and flag); one raised after the day's digest waits for the next day's.

The e-mail names the clients and links to each one's record, and says nothing of what was
raised: the flags are health data, shown on the record to those allowed, and audited there.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from spa_app.accounts.models import User
from spa_app.clock import local_today
from spa_app.database import dialect_insert
from spa_app.extensions import db
from spa_app.homecare.watch.models import DigestRun, FlagNotice, notice_key
from spa_app.homecare.watch.queries import LATELY, raised
from spa_app.notifications import outbox
from spa_app.notifications.models import MailOptOut, Message, MessageKind

KIND = MessageKind.CARE_DIGEST


def queue_digests(now: datetime, tz: ZoneInfo, at: time = time(7)) -> int:
    """Run the day's digest if it is ``at`` or later (the spa's clock) and it has not run
    today: note the flags raised lately, then queue one digest per therapist with flags untold
    (unless they turned the digest off). How many digests were queued. In the caller's
    transaction."""
    today = local_today(now, tz)
    if now.astimezone(tz).time() < at or not _claim_the_day(today, now):
        return 0
    found = raised(today, tz)
    rows = [
        {"client_id": r.client_id, "therapist_user_id": r.therapist_user_id,
         "key": notice_key(r.plan_id, flag.key), "raised_on": flag.day, "created_at": now}
        for r in found.values()
        for flag in r.flags
    ]  # fmt: skip
    if rows:
        db.session.execute(
            dialect_insert(FlagNotice.__table__, db.session)
            .values(rows)
            .on_conflict_do_nothing(index_elements=["client_id", "key"])
        )
    since = today - LATELY + timedelta(days=1)
    untold = (
        sa.select(FlagNotice.therapist_user_id)
        .where(
            FlagNotice.message_id.is_(None),
            FlagNotice.raised_on >= since,
            ~sa.exists().where(
                MailOptOut.user_id == FlagNotice.therapist_user_id, MailOptOut.kind == KIND
            ),
        )
        .distinct()
    )
    queued = 0
    for therapist in db.session.execute(untold).scalars().all():
        key = outbox.key(KIND, f"therapist-{therapist}:{today.isoformat()}")
        if not outbox.enqueue(KIND, to=therapist, key=key, due_at=now):
            continue
        message_id = sa.select(Message.id).where(Message.idempotency_key == key).scalar_subquery()
        db.session.execute(
            sa.update(FlagNotice)
            .where(
                FlagNotice.therapist_user_id == therapist,
                FlagNotice.message_id.is_(None),
                FlagNotice.raised_on >= since,
            )
            .values(message_id=message_id)
            .execution_options(synchronize_session=False)
        )
        queued += 1
    return queued


def _claim_the_day(today, now: datetime) -> bool:
    """True for the first run of the local day (one row per day; a second run adds none)."""
    claimed = db.session.execute(
        dialect_insert(DigestRun.__table__, db.session)
        .values(day=today, at=now)
        .on_conflict_do_nothing(index_elements=["day"])
        .returning(DigestRun.__table__.c.day)
    )
    return claimed.first() is not None


def clients_told(message: Message) -> list[User]:
    """The clients a digest tells of, by name (those erased since left out)."""
    return list(
        db.session.execute(
            sa.select(User)
            .where(
                User.id.in_(
                    sa.select(FlagNotice.client_id).where(FlagNotice.message_id == message.id)
                )
            )  # fmt: skip
            .order_by(User.name, User.id)
        ).scalars()
    )


SUBJECT = _l("Home care to look at today")


@outbox.composes(KIND)
def _digest_letter(message: Message, settings, sender: outbox.Sender) -> outbox.Letter:
    """Names and links only: nothing of what each client's plan raised."""
    clients = clients_told(message)
    links = [(c.name, f"{sender.public_url}/clients/{c.id}") for c in clients]
    lead = ngettext(
        "%(num)d of your clients' home-care plans needs a look: something changed in how the "
        "routines are going.",
        "%(num)d of your clients' home-care plans need a look: something changed in how the "
        "routines are going.",
        len(links),
    )  # fmt: skip
    context = {"clients": links, "lead": lead, "link": f"{sender.public_url}/schedule/day"}
    return outbox.Letter(str(SUBJECT), context)


@outbox.pointless_when(KIND)
def _nobody_left(message: Message, now: datetime) -> bool:
    """Every client it named has been erased since it was queued."""
    return not clients_told(message)
