"""Reading the development mail sink: a Maildir that a local aiosmtpd server writes to."""

from __future__ import annotations

import mailbox
import re
from dataclasses import dataclass
from email import policy
from email.parser import BytesParser

_KEY = re.compile(r"^[A-Za-z0-9._-]{1,200}$")


@dataclass(frozen=True)
class Letter:
    key: str
    to: str
    subject: str
    date: str
    text: str
    attachments: list[str]


def letters(folder: str, limit: int = 100) -> list[Letter]:
    """The newest letters in the sink, newest first (a missing folder is an empty sink)."""
    box = mailbox.Maildir(folder, factory=None, create=True)
    found = [_load(box, key) for key in box.iterkeys()]
    return sorted(found, key=lambda letter: _delivered(letter.key), reverse=True)[:limit]


#: Maildir names start "<seconds>.M<microseconds>P<pid>Q<count>"; the microseconds are not
#: zero-padded, so the names do not sort as text within one second.
_DELIVERED = re.compile(r"^(\d+)\.M(\d+)P\d+Q(\d+)")


def _delivered(key: str) -> tuple[int, int, int]:
    """When the sink stored a letter, from its Maildir name (unknown names sort first)."""
    match = _DELIVERED.match(key)
    return tuple(int(part) for part in match.groups()) if match else (0, 0, 0)


def letter(folder: str, key: str) -> Letter | None:
    """One letter by its Maildir key, or None (unknown or malformed key)."""
    if not _KEY.match(key):
        return None
    box = mailbox.Maildir(folder, factory=None, create=True)
    try:
        return _load(box, key)
    except KeyError:
        return None


def _load(box: mailbox.Maildir, key: str) -> Letter:
    with box.get_file(key) as handle:
        return _read(key, handle.read())


def _read(key: str, raw: bytes) -> Letter:
    mail = BytesParser(policy=policy.default).parsebytes(raw)
    body = mail.get_body(("plain",))
    return Letter(
        key=key,
        to=str(mail.get("To", "")),
        subject=str(mail.get("Subject", "")),
        date=str(mail.get("Date", "")),
        text=body.get_content() if body is not None else "",
        attachments=[
            part.get_filename() or part.get_content_type() for part in mail.iter_attachments()
        ],
    )
