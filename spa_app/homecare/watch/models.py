"""What the daily digest has told: one row per flag a client's plan raised, for the therapist
who wrote the plan, so no flag is told twice; and one row per day the digest ran."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from spa_app.database import UTCDateTime, utcnow
from spa_app.extensions import db


class FlagNotice(db.Model):
    """A flag raised by a client's plan (``Flag.key``, with the plan), to tell its therapist
    in their next digest (``message_id``: the digest that told it, None until then).

    Unique per client and key: the digest that finds the same flag again adds nothing. Health
    data in outline (that a plan raised something, never what): erased with the client.
    """

    __tablename__ = "care_flag_notices"
    __table_args__ = (
        UniqueConstraint("client_id", "key", name="uq_care_flag_notices_client_key"),
        Index("ix_care_flag_notices_therapist_untold", "therapist_user_id", "message_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    therapist_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    #: "plan-12:drop_off:w3" (see notice_key)
    key: Mapped[str] = mapped_column(String(120))
    #: The flag's own day (a drop-off's week's last, the worst discomfort, the score)
    raised_on: Mapped[date]
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class DigestRun(db.Model):
    """The digest ran for this local day: a second run that day (another beat, a retry) finds
    the row and does nothing, so each therapist gets at most one digest a day."""

    __tablename__ = "care_digest_runs"

    day: Mapped[date] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


def notice_key(plan_id: int, key: str) -> str:
    return f"plan-{plan_id}:{key}"
