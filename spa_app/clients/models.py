"""What the front desk keeps about a client beyond their account: tags and desk notes.

Neither is health data: a tag says how the desk looks after someone ("VIP", "prefers mornings",
"pays by invoice"), a desk note what to remember at the next call. Health belongs in the intake
and the session notes, which are audited; the desk-note form says so.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from spa_app.database import UTCDateTime, utcnow
from spa_app.extensions import db

TAG_MAX = 40
NOTE_MAX = 1000


class ClientTag(db.Model):
    __tablename__ = "client_tags"
    __table_args__ = (
        UniqueConstraint("client_id", "tag", name="uq_client_tags_client_tag"),
        CheckConstraint("length(tag) > 0", name="tag_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: Stored as typed, compared without case (the service folds before the unique check).
    tag: Mapped[str] = mapped_column(String(TAG_MAX))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class DeskNote(db.Model):
    __tablename__ = "desk_notes"
    __table_args__ = (CheckConstraint("length(body) > 0", name="body_not_empty"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(String(NOTE_MAX))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    author = relationship("User", foreign_keys=[author_id])
