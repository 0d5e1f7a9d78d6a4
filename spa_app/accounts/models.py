"""Users and their roles."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from spa_app.database import UTCDateTime, enum_type, utcnow
from spa_app.extensions import db


class Role(enum.StrEnum):
    CLIENT = "client"
    THERAPIST = "therapist"
    STAFF = "staff"


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(40))
    # None for a client that staff created for a phone or walk-in booking: no login until reset.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(enum_type(Role, "role"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return self.password_hash is not None and check_password_hash(self.password_hash, password)

    @property
    def is_staff(self) -> bool:
        return self.role is Role.STAFF

    @property
    def is_therapist(self) -> bool:
        return self.role is Role.THERAPIST

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role.value}>"
