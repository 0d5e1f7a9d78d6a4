"""Registering, finding and authenticating users."""

from __future__ import annotations

import hmac
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer

from spa_app import search
from spa_app.accounts.models import (
    DELETED_DOMAIN,
    NO_EMAIL_DOMAIN,
    Role,
    User,
    no_email_address,
    spend_a_password_check,
)
from spa_app.extensions import db
from spa_app.i18n import LANGUAGES
from spa_app.notifications import outbox
from spa_app.notifications.models import MessageKind


class EmailTaken(ValueError):
    """Another account already uses this e-mail address."""


class WrongPassword(ValueError):
    """The current password given does not match."""


class UnknownLanguage(ValueError):
    """A language the site does not speak."""


def normalize_email(email: str) -> str:
    return email.strip().lower()


def find_by_email(email: str) -> User | None:
    """The account using ``email`` (any case), or None; one with control characters (a NUL,
    which PostgreSQL refuses in text) cannot be anybody's, so it is not looked up."""
    email = normalize_email(email)
    if not email.isprintable():
        return None
    return db.session.execute(db.select(User).where(User.email == email)).scalar_one_or_none()


def create_user(
    *,
    email: str,
    name: str,
    role: Role,
    password: str | None = None,
    phone: str | None = None,
    locale: str | None = None,
) -> User:
    """Add a user (flushed, not committed); raises EmailTaken if the address is in use, and
    UnknownLanguage for a ``locale`` the site does not speak (None: the browser's).

    A user without a password (a phone or walk-in client created by staff) cannot log in.
    """
    if locale is not None and locale not in LANGUAGES:
        raise UnknownLanguage(locale)
    if find_by_email(email) is not None:
        raise EmailTaken(email)
    user = User(
        email=normalize_email(email),
        name=name.strip(),
        role=role,
        phone=phone or None,
        locale=locale,
    )
    if password is not None:
        user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The user with this e-mail and password, or None; the same answer for either mistake.

    An unknown e-mail costs one password check too, so timing tells nothing. A hash made with
    an older method is replaced with the current one (flushed; the caller commits).
    """
    user = find_by_email(email)
    if user is None or user.is_deleted:
        spend_a_password_check(password)
        return None
    if not user.check_password(password):
        return None
    if user.password_needs_rehash():
        user.set_password(password)
        db.session.flush()
    return user


def change_password(user: User, current: str, new: str) -> None:
    """Set ``new`` if ``current`` is right (raises WrongPassword); other sessions end. Flushes."""
    if not user.check_password(current):
        raise WrongPassword()
    user.set_password(new)
    db.session.flush()


def set_language(user: User, locale: str | None) -> None:
    """Store the account's language (a code from LANGUAGES; None: the browser's), or raise
    UnknownLanguage and change nothing. Flushes."""
    if locale is not None and locale not in LANGUAGES:
        raise UnknownLanguage(locale)
    user.locale = locale
    db.session.flush()


def search_clients(term: str, limit: int = 20) -> list[User]:
    """Clients whose name, e-mail or phone ``term`` matches (spa_app.search: "07700 900-123",
    "(07700) 900123" and "+447700900123" all find "+44 7700 900123"). Deleted clients are
    never found, nor the placeholder address of a client without e-mail. One statement."""
    term = term.strip()
    if not term:
        return []
    # The placeholder address of a client without e-mail is nobody's words to find.
    email = sa.case((User.email.endswith("@" + NO_EMAIL_DOMAIN), ""), else_=User.email)
    return list(
        db.session.execute(
            db.select(User)
            .where(
                User.role == Role.CLIENT,
                ~User.email.endswith("@" + DELETED_DOMAIN),
                search.person_matches(term, name=User.name, email=email, phone=User.phone),
            )
            .order_by(User.name, User.id)
            .limit(limit)
        ).scalars()
    )


class ClientDetailsNeeded(ValueError):
    """A new client without a name: no account has the e-mail given (or none was given)."""


class ContactNeeded(ValueError):
    """A new client with neither an e-mail nor a phone: the spa could not reach them."""


class NotAClient(ValueError):
    """Not a client who can be booked: a staff or therapist login, a deleted account, or no
    account at all (an id from a search gone stale)."""


def bookable_client(client_id: int | None) -> User | None:
    """The client with this id if they can be booked for (not deleted), else None."""
    user = db.session.get(User, client_id) if client_id is not None else None
    if user is None or user.role is not Role.CLIENT or user.is_deleted:
        return None
    return user


def client_for_booking(
    *, email: str | None, name: str | None, phone: str | None, client_id: int | None = None
) -> User:
    """Who the front desk is booking for: the client chosen from a search (``client_id``), the
    client with this e-mail, or a new client without a password (phone or walk-in) from a
    name and an e-mail or a phone. A new client with a phone and no e-mail gets a placeholder
    address that never gets mail (User.has_email is false).

    Raises NotAClient (a chosen id that is no bookable client; an e-mail of a staff or
    therapist login, or of a deleted account), ContactNeeded (neither e-mail nor phone) and
    ClientDetailsNeeded (a new client without a name). Flushes.
    """
    if client_id is not None:
        if (chosen := bookable_client(client_id)) is None:
            raise NotAClient(client_id)
        return chosen
    email, name, phone = (email or "").strip(), (name or "").strip(), (phone or "").strip()
    user = find_by_email(email) if email else None
    if user is not None:
        if user.role is not Role.CLIENT or user.is_deleted:
            raise NotAClient(email)
        return user
    if not email and not phone:
        raise ContactNeeded()
    if not name:
        raise ClientDetailsNeeded(email)
    return create_user(
        email=email or no_email_address(), name=name, phone=phone or None, role=Role.CLIENT
    )


RESET_SALT = "password-reset"
RESET_MAX_AGE = timedelta(hours=1)


def request_password_reset(email: str, now: datetime) -> None:
    """Queue a reset e-mail if an account uses ``email``; silent either way (no discovery).

    At most one per account per ten minutes, so the form cannot flood anyone's inbox.
    The link itself is made when the e-mail is written, so no secret sits in the outbox.
    """
    user = find_by_email(email)
    if user is None or user.is_deleted:
        return
    window = f"{now:%Y%m%d%H}{now.minute // 10}"
    kind = MessageKind.PASSWORD_RESET
    outbox.enqueue(
        kind,
        to=user.id,
        key=outbox.key(kind, f"user-{user.id}:{window}"),
        due_at=now,
        created_at=now,
    )


def reset_token(secret: str, user: User) -> str:
    """A one-hour link token, spent once the password changes (it carries the hash's tail)."""
    return URLSafeTimedSerializer(secret, salt=RESET_SALT).dumps([user.id, _fingerprint(user)])


def user_for_reset(secret: str, token: str) -> User | None:
    """The user a genuine, unexpired, unspent reset token names, else None."""
    try:
        user_id, fingerprint = URLSafeTimedSerializer(secret, salt=RESET_SALT).loads(
            token, max_age=int(RESET_MAX_AGE.total_seconds())
        )
    except (BadSignature, ValueError, TypeError):
        return None
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or user.is_deleted or not isinstance(fingerprint, str):
        return None
    if not hmac.compare_digest(_fingerprint(user).encode(), fingerprint.encode()):
        return None
    return user


def _fingerprint(user: User) -> str:
    # The session stamp: keyed, so the e-mailed link shows nothing of the hash itself.
    return user.session_stamp()


@outbox.composes(MessageKind.PASSWORD_RESET)
def _reset_letter(message, settings, sender: outbox.Sender) -> outbox.Letter:
    """A link to set a new password. The link is made now, not stored: the outbox holds no
    secrets."""
    token = reset_token(sender.secret, message.user)
    return outbox.Letter(
        _("Set a new password for %(spa)s", spa=settings.business_name),
        {"link": f"{sender.public_url}/reset-password/{token}"},
    )
