"""Which optional e-mails a client gets, and the signed links that turn one off without a login."""

from __future__ import annotations

from datetime import time

from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer

from spa_app.database import dialect_insert
from spa_app.extensions import db
from spa_app.homecare.models import RoutineReminderTime
from spa_app.notifications.models import OPT_OUT_KINDS, OPTIONAL_KINDS, MailOptOut, MessageKind
from spa_app.notifications.service import DEFAULT_REMINDER_TIME

_SALT = "unsubscribe"

#: Each optional kind as the e-mail settings list it (models.KIND_LABELS, capitalised).
KIND_CHOICES = {
    MessageKind.APPOINTMENT_REMINDER: _l("Reminders the day before a visit"),
    MessageKind.REBOOK_WINDOW_OPEN: _l(
        "A note when your next visit is due, four weeks after a visit or as your therapist set"
    ),
    MessageKind.REBOOK_WINDOW_CLOSING: _l("A last note when that time runs out, if none is booked"),
    MessageKind.ROUTINE_REMINDER: _l("A reminder on the days your home-care plan has routines"),
    MessageKind.WIN_BACK: _l(
        "A note some weeks later if no visit was booked, and a last one after"
    ),
    MessageKind.FEEDBACK_REQUEST: _l("A request for your feedback the day after a visit"),
    MessageKind.CARE_DIGEST: _l("A daily list of your clients whose home care needs a look"),
}
#: The same inside a sentence ("You will no longer get ..."), as models.KIND_LABELS writes it.
KIND_WORDS = {
    MessageKind.APPOINTMENT_REMINDER: _l("reminders the day before a visit"),
    MessageKind.REBOOK_WINDOW_OPEN: _l(
        "a note when your next visit is due, four weeks after a visit or as your therapist set"
    ),
    MessageKind.REBOOK_WINDOW_CLOSING: _l("a last note when that time runs out, if none is booked"),
    MessageKind.ROUTINE_REMINDER: _l("a reminder on the days your home-care plan has routines"),
    MessageKind.WIN_BACK: _l(
        "a note some weeks later if no visit was booked, and a last one after"
    ),
    MessageKind.FEEDBACK_REQUEST: _l("a request for your feedback the day after a visit"),
    MessageKind.CARE_DIGEST: _l("a daily list of your clients whose home care needs a look"),
}


def opted_out(user_id: int) -> set[MessageKind]:
    rows = db.session.execute(db.select(MailOptOut.kind).where(MailOptOut.user_id == user_id))
    return set(rows.scalars())


def set_wanted(
    user_id: int, wanted: set[MessageKind], kinds: tuple[MessageKind, ...] = OPTIONAL_KINDS
) -> None:
    """Make the user's e-mails of ``kinds`` (a client's optional ones unless told) exactly
    ``wanted`` (flushed; the caller commits)."""
    current = opted_out(user_id)
    for kind in kinds:
        if kind in wanted and kind in current:
            db.session.delete(db.session.get(MailOptOut, (user_id, kind)))
        elif kind not in wanted and kind not in current:
            db.session.add(MailOptOut(user_id=user_id, kind=kind))
    db.session.flush()


def routine_time(user_id: int) -> time:
    """The local time the user wants the day's routine reminder (08:00 unless they chose)."""
    row = db.session.get(RoutineReminderTime, user_id)
    return time.fromisoformat(row.local_time if row else DEFAULT_REMINDER_TIME)


def set_routine_time(user_id: int, hhmm: str) -> None:
    """Store the user's reminder time, "HH:MM", in one upsert (two saves at once are fine)."""
    insert = dialect_insert(RoutineReminderTime.__table__, db.session).values(
        client_id=user_id, local_time=hhmm
    )
    db.session.execute(
        insert.on_conflict_do_update(
            index_elements=["client_id"], set_={"local_time": insert.excluded.local_time}
        )
    )


def unsubscribe(user_id: int, kind: MessageKind) -> None:
    """Turn ``kind`` off for the user; doing it twice changes nothing (flushed)."""
    if kind in OPT_OUT_KINDS and db.session.get(MailOptOut, (user_id, kind)) is None:
        db.session.add(MailOptOut(user_id=user_id, kind=kind))
        db.session.flush()


def unsubscribe_token(secret: str, user_id: int, kind: MessageKind) -> str:
    """A link token naming one user and one kind; it does not expire (old e-mails keep working)."""
    return URLSafeSerializer(secret, salt=_SALT).dumps([user_id, kind.value])


def read_unsubscribe_token(secret: str, token: str) -> tuple[int, MessageKind] | None:
    """(user id, kind) from a genuine token for an optional kind, else None."""
    try:
        user_id, kind = URLSafeSerializer(secret, salt=_SALT).loads(token)
        kind = MessageKind(kind)
    except (BadSignature, ValueError, TypeError):
        return None
    if not isinstance(user_id, int) or kind not in OPT_OUT_KINDS:
        return None
    return user_id, kind
