from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from spa_app.database import UTCDateTime
from spa_app.extensions import db


class Heartbeat(db.Model):
    """When a background process last proved it was alive (beat schedules, a worker runs it)."""

    __tablename__ = "heartbeats"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
