"""What the front desk changes on a client's record, and does for a client who asks by phone.

Every function takes the acting staff member and flushes; the caller commits once. Bad input
raises ClientError with the person's message and changes nothing. Changes to personal data
(contact details, e-mail choices, the data download, erasure) are audited: who did what to
which fields, never the values.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from spa_app.accounts.models import User, no_email_address
from spa_app.accounts.service import find_by_email, normalize_email
from spa_app.clients.models import NOTE_MAX, TAG_MAX, ClientTag, DeskNote
from spa_app.clients.queries import tags_of
from spa_app.extensions import db
from spa_app.homecare.access import audit
from spa_app.notifications import preferences
from spa_app.notifications.models import MessageKind
from spa_app.privacy import erasure, export

#: The most tags one client carries (the directory shows them all on the row).
MAX_TAGS = 20
#: Each contact field as the audit log names it.
CONTACT_FIELDS = {"name": "name", "email": "e-mail", "phone": "phone"}
EMAIL_TAKEN = _l("Another account already uses this e-mail address.")


class ClientError(ValueError):
    """A change the rules refuse; the message is for the person, ``field`` the form field it
    is about (None: the whole form)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Contact:
    name: str
    email: str  # "": none
    phone: str  # "": none


def update_contact(client: User, contact: Contact, *, actor: User) -> list[str]:
    """Give ``client`` the name, e-mail and phone of ``contact``; the fields changed, as the
    audit names them (none changed: nothing written).

    An empty e-mail leaves a client without one as they are, and gives one who never had a
    password the placeholder; a client who logs in with their address must be given another.
    Raises ClientError: no name, or an address another account uses (checked, and decided by
    the database when two saves race). Audited. Flushes.
    """
    name = " ".join(contact.name.split())
    if not name:
        raise ClientError(_("Please give the client's name."), "name")
    email = _new_email(client, normalize_email(contact.email))
    values = {"name": name, "email": email, "phone": contact.phone.strip() or None}
    changed = [field for field, value in values.items() if getattr(client, field) != value]
    if not changed:
        return []
    try:
        with db.session.begin_nested():
            for field in changed:
                setattr(client, field, values[field])
    except IntegrityError as exc:
        raise ClientError(str(EMAIL_TAKEN), "email") from exc
    labels = [CONTACT_FIELDS[field] for field in changed]
    audit(actor, client.id, "change contact", ", ".join(labels))
    return labels


def _new_email(client: User, email: str) -> str:
    if not email:
        if not client.has_email:
            return client.email
        if client.password_hash is not None:
            raise ClientError(
                _("They log in with their e-mail: give the new address rather than none."),
                "email",
            )
        return no_email_address()
    if email != client.email and find_by_email(email) is not None:
        raise ClientError(str(EMAIL_TAKEN), "email")
    return email


def add_tag(client_id: int, typed: str) -> ClientTag:
    """Tag the client with ``typed`` (spaces tidied; written as the spa already writes the same
    tag, whatever the case). Raises ClientError: empty, too long, one they have in any case,
    or one too many. Flushes."""
    tag = " ".join(typed.split())
    if not tag or not tag.isprintable():
        raise ClientError(_("Please type a tag on one line."), "tag")
    if len(tag) > TAG_MAX:
        raise ClientError(_("A tag is at most %(max)d characters.", max=TAG_MAX), "tag")
    held = tags_of(client_id)
    if any(t.tag.casefold() == tag.casefold() for t in held):
        raise ClientError(_("They already have the tag “%(tag)s”.", tag=tag), "tag")
    if len(held) >= MAX_TAGS:
        raise ClientError(_("A client has at most %(max)d tags.", max=MAX_TAGS), "tag")
    spelling = db.session.execute(
        sa.select(ClientTag.tag)
        .where(sa.func.lower(ClientTag.tag) == sa.func.lower(tag))
        .order_by(ClientTag.id)
        .limit(1)
    ).scalar()
    row = ClientTag(client_id=client_id, tag=spelling or tag)
    try:
        with db.session.begin_nested():  # the same tag added twice at once: one stays
            db.session.add(row)
    except IntegrityError as exc:
        raise ClientError(_("They already have the tag “%(tag)s”.", tag=tag), "tag") from exc
    return row


def remove_tag(client_id: int, tag_id: int) -> bool:
    """Take the tag off the client; False if they do not have it (removed already). Flushes."""
    removed = db.session.execute(
        sa.delete(ClientTag).where(ClientTag.id == tag_id, ClientTag.client_id == client_id)
    )
    return removed.rowcount == 1


def add_note(client_id: int, author: User, body: str, now: datetime) -> DeskNote:
    """A desk note about the client by ``author``. Raises ClientError: empty or too long.
    Flushes."""
    text = "\n".join(line.rstrip() for line in body.strip().splitlines())
    if not text:
        raise ClientError(_("Please write the note."), "body")
    if len(text) > NOTE_MAX:
        raise ClientError(_("A note is at most %(max)d characters.", max=NOTE_MAX), "body")
    note = DeskNote(client_id=client_id, author_id=author.id, body=text, created_at=now)
    db.session.add(note)
    db.session.flush()
    return note


def set_email_choices(
    client_id: int, wanted: set[MessageKind], routine_time: str, *, actor: User
) -> None:
    """Make the client's optional e-mails exactly ``wanted`` and their routine reminder time
    ``routine_time`` ("HH:MM"), as they asked. Audited. Flushes."""
    preferences.set_wanted(client_id, wanted)
    preferences.set_routine_time(client_id, routine_time)
    audit(actor, client_id, "change", "e-mail choices")


def data_for(client: User, *, actor: User, now: datetime) -> dict:
    """The client's data download, the same document they get themselves; audited (the audit
    row is added; the caller commits it before handing the file over)."""
    audit(actor, client.id, "download", "personal data")
    return export.export_for(client, now)


def _folded(name: str) -> str:
    return " ".join(name.split()).casefold()


def erase(client: User, typed_name: str, *, actor: User, now: datetime) -> int:
    """Delete the client's account as they asked, once ``typed_name`` is their name (any case
    or spacing): the self-service erasure, all or nothing; how many visits ahead were
    cancelled. Raises ClientError (the name differs) or erasure.ErasureRefused. Audited.
    Flushes; on SQLite, call inside unit_of_work()."""
    if _folded(typed_name) != _folded(client.name):
        raise ClientError(
            _("That is not the client's name as the record shows it; nothing was deleted."),
            "name",
        )
    cancelled = erasure.erase_for_client(client, actor=actor, now=now)
    audit(actor, client.id, "erase", "account, on request")
    return cancelled
