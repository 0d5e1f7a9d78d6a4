"""Users and their roles, and how their passwords are hashed and their sessions recognised."""

from __future__ import annotations

import enum
import functools
import hashlib
import hmac
import secrets
from datetime import datetime

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from spa_app.database import UTCDateTime, enum_type, utcnow
from spa_app.extensions import db

#: Where a deleted client's address is moved (RFC 2606 reserves .invalid: it never gets mail).
DELETED_DOMAIN = "deleted.invalid"
#: The address of a client the desk added with a phone and no e-mail: a unique placeholder
#: that never gets mail (see User.has_email) until staff enter their real one.
NO_EMAIL_DOMAIN = "no-email.invalid"


def no_email_address() -> str:
    """A fresh placeholder address for a client without e-mail."""
    return f"no-email-{secrets.token_hex(8)}@{NO_EMAIL_DOMAIN}"


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
    #: The language chosen in the account (a supported locale), or None for the browser's.
    locale: Mapped[str | None] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def set_password(self, password: str) -> None:
        """Hash with the app's PASSWORD_HASH_METHOD; every session made before ends (see get_id)."""
        self.password_hash = generate_password_hash(password, method=_hash_method())

    def check_password(self, password: str) -> bool:
        """Whether ``password`` is this user's; costs a full hash even when they have none."""
        if self.password_hash is None:
            return spend_a_password_check(password)
        return check_password_hash(self.password_hash, password)

    def password_needs_rehash(self) -> bool:
        """Whether the stored hash was made by another method or with other parameters."""
        stored_method = (self.password_hash or "").split("$", 1)[0]
        return self.password_hash is not None and stored_method != _hash_method()

    def session_stamp(self) -> str:
        """A short keyed digest of the password hash: it changes whenever the password does.

        Keyed with the secret so the cookie, which its holder can read, tells nothing about the
        hash; a user without a password gets a stamp too but can never log in.
        """
        key = current_app.config["SECRET_KEY"].encode()
        message = b"session-stamp:" + (self.password_hash or "").encode()
        return hmac.new(key, message, hashlib.sha256).hexdigest()[:16]

    def get_id(self) -> str:
        """``<id>.<stamp>``, stored in the session and the remember-me cookie.

        The user loader compares the stamp, so changing or resetting the password logs out every
        other session and remember-me cookie without a column to store sessions in.
        """
        return f"{self.id}.{self.session_stamp()}"

    @property
    def is_deleted(self) -> bool:
        """A client who deleted their account: the row stays, anonymised, for the spa's books."""
        return self.email.endswith("@" + DELETED_DOMAIN)

    @property
    def has_email(self) -> bool:
        """Whether mail can reach them: not deleted, and not a client added without e-mail."""
        return not self.email.endswith((f"@{DELETED_DOMAIN}", f"@{NO_EMAIL_DOMAIN}"))

    @property
    def shown_email(self) -> str:
        """The address as pages show it: empty for a client without e-mail."""
        return self.email if self.has_email else ""

    @property
    def is_staff(self) -> bool:
        return self.role is Role.STAFF

    @property
    def is_therapist(self) -> bool:
        return self.role is Role.THERAPIST

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role.value}>"


def _hash_method() -> str:
    return current_app.config["PASSWORD_HASH_METHOD"]


def spend_a_password_check(password: str) -> bool:
    """Check ``password`` against a throwaway hash and answer False.

    A login for an unknown e-mail then costs as much as one for a real account, so the time it
    takes does not tell whether the account exists.
    """
    check_password_hash(_throwaway_hash(_hash_method()), password)
    return False


@functools.lru_cache(maxsize=4)
def _throwaway_hash(method: str) -> str:
    # One per process and method: made at the first unknown login, never matched by anyone.
    return generate_password_hash(secrets.token_urlsafe(32), method=method)
