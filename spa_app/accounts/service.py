"""Registering, finding and authenticating users."""

from __future__ import annotations

import hmac
from datetime import datetime, timedelta

from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer

from spa_app.accounts.models import DELETED_DOMAIN, Role, User, spend_a_password_check
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
    """Clients whose name or e-mail contains ``term`` (case-insensitive, % and _ literal)."""
    term = term.strip().lower()
    return list(
        db.session.execute(
            db.select(User)
            .where(
                User.role == Role.CLIENT,
                ~User.email.endswith("@" + DELETED_DOMAIN),
                db.or_(
                    db.func.lower(User.name).contains(term, autoescape=True),
                    User.email.contains(term, autoescape=True),
                ),
            )
            .order_by(User.name)
            .limit(limit)
        ).scalars()
    )


class ClientDetailsNeeded(ValueError):
    """No account has this e-mail, and no name was given to create a client."""


class NotAClient(ValueError):
    """The e-mail belongs to a staff or therapist login, which cannot be booked as a client."""


def client_for_booking(*, email: str, name: str | None, phone: str | None) -> User:
    """The client with this e-mail, or a new client without a password (phone / walk-in).

    Raises ClientDetailsNeeded (unknown e-mail, no name) and NotAClient (a staff or therapist
    login, or a deleted account). Flushes.
    """
    user = find_by_email(email)
    if user is None:
        if not name:
            raise ClientDetailsNeeded(email)
        return create_user(email=email, name=name, phone=phone, role=Role.CLIENT)
    if user.role is not Role.CLIENT or user.is_deleted:
        raise NotAClient(email)
    return user


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
