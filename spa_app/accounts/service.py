"""Registering, finding and authenticating users."""

from __future__ import annotations

from spa_app.accounts.models import Role, User
from spa_app.extensions import db


class EmailTaken(ValueError):
    """Another account already uses this e-mail address."""


def normalize_email(email: str) -> str:
    return email.strip().lower()


def find_by_email(email: str) -> User | None:
    return db.session.execute(
        db.select(User).where(User.email == normalize_email(email))
    ).scalar_one_or_none()


def create_user(
    *, email: str, name: str, role: Role, password: str | None = None, phone: str | None = None
) -> User:
    """Add a user (flushed, not committed); raises EmailTaken if the address is in use.

    A user without a password (a phone or walk-in client created by staff) cannot log in.
    """
    if find_by_email(email) is not None:
        raise EmailTaken(email)
    user = User(email=normalize_email(email), name=name.strip(), role=role, phone=phone or None)
    if password is not None:
        user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The user with this e-mail and password, or None; the same answer for either mistake."""
    user = find_by_email(email)
    if user is None or not user.check_password(password):
        return None
    return user


def search_clients(term: str, limit: int = 20) -> list[User]:
    """Clients whose name or e-mail contains ``term`` (case-insensitive), by name."""
    pattern = f"%{term.strip().lower()}%"
    return list(
        db.session.execute(
            db.select(User)
            .where(
                User.role == Role.CLIENT,
                db.or_(db.func.lower(User.name).like(pattern), User.email.like(pattern)),
            )
            .order_by(User.name)
            .limit(limit)
        ).scalars()
    )
