"""Private calendar subscriptions: a secret link per person, revoked by making a new one."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from spa_app.database import UTCDateTime, utcnow
from spa_app.extensions import db


class CalendarFeed(db.Model):
    __tablename__ = "calendar_feeds"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    #: The secret in the subscription URL; a new one replaces (revokes) the old.
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
