"""Pictures staff upload (a service's image, a therapist's photo): checked, stored and served.

An upload is taken only when its first bytes say JPEG, PNG or WebP (never its name or what the
browser claims) and Pillow decodes the whole picture within the size and pixel limits. It is
then saved afresh: turned upright, at most ``SAVED_SIDE`` pixels a side, and without its
metadata (a phone photo carries where and when it was taken), so nothing but pixels reaches the
page, and a file that is also something else (a "polyglot") is not kept. It goes under a random
name (``STORED_NAME``) in ``UPLOAD_FOLDER``, outside the code and static/.

Files follow the database: inside ``changes()``, a picture stored is deleted again if the block
raises (its transaction rolled back) and one replaced or removed is deleted only once the block
has ended without raising, so put ``changes()`` outside ``unit_of_work()``: after the commit.
"""

from __future__ import annotations

import contextlib
import enum
import io
import logging
import os
import re
import uuid
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from babel.numbers import format_decimal
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps

from spa_app.i18n import language

log = logging.getLogger(__name__)

#: Stored extension -> (Pillow's format name, Content-Type).
KINDS = {
    "jpg": ("JPEG", "image/jpeg"),
    "png": ("PNG", "image/png"),
    "webp": ("WEBP", "image/webp"),
}
#: The only names ever stored, and so the only ones served.
STORED_NAME = re.compile(r"[0-9a-f]{32}\.(?:jpg|png|webp)")
#: The most pixels on either side of an upload (a phone camera's is about 4000 to 5000).
MAX_SIDE = 6000
#: Pictures are saved at most this wide or high; pages show them far smaller.
SAVED_SIDE = 1600
#: A request that carries a picture may be this many times the picture limit, so that a photo
#: somewhat too large is answered on the form with its size, not with a bare 413 page.
BODY_FACTOR = 4
#: Room for the form's other fields beside the picture.
FORM_ROOM = 256 * 1024

ACCEPTED = _l("Please choose a JPEG, PNG or WebP picture.")


class BadImage(ValueError):
    """An upload that cannot be taken; ``str()`` is the reason, written for the person."""


class Change(enum.Enum):
    """What happens to a stored picture when a form is saved without a new one."""

    KEEP = "keep"
    REMOVE = "remove"


@dataclass(frozen=True)
class Picture:
    """A checked upload, re-encoded, ready to store."""

    data: bytes
    ext: str
    width: int
    height: int


#: What a form asks for a picture: keep or remove the stored one, or store this new one.
PictureChange = Change | Picture


def megabytes(size: int) -> str:
    """``size`` bytes for people: "2 MB", "3.4 MB", "850 KB" (in Spanish "3,4 MB")."""
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} KB"
    number = format_decimal(round(size / (1024 * 1024), 1), "0.#", locale=language())
    return f"{number} MB"


def max_image_bytes(config) -> int:
    return int(config["MAX_IMAGE_BYTES"])


def body_limit(config) -> int:
    """The largest request body taken by a page with a picture field."""
    return BODY_FACTOR * max_image_bytes(config) + FORM_ROOM


def upload_folder(app=None) -> Path:
    """Where pictures are stored: UPLOAD_FOLDER, or ``uploads`` in the instance folder."""
    app = app or current_app
    return Path(app.config.get("UPLOAD_FOLDER") or os.path.join(app.instance_path, "uploads"))


def content_type(name: str) -> str:
    return KINDS[name.rsplit(".", 1)[-1]][1]


def sniff(head: bytes) -> str | None:
    """The stored extension for a file that starts with ``head``, by its magic bytes, or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return None


def check(stream: IO[bytes], *, max_bytes: int) -> Picture:
    """Read an upload and make it a Picture; raises BadImage with the reason it is refused."""
    size = _size(stream)
    if size is not None and size > max_bytes:
        raise _too_large(size, max_bytes)
    data = stream.read(max_bytes + 1)
    if not data:
        raise BadImage(_("That file is empty.") + " " + str(ACCEPTED))
    if len(data) > max_bytes:
        raise _too_large(size, max_bytes)
    ext = sniff(data[:12])
    if ext is None:
        raise BadImage(_not_a_picture(data[:512]))
    image = _decode(data, ext)
    return _reencode(image, ext)


def _size(stream: IO[bytes]) -> int | None:
    try:
        start = stream.tell()
        size = stream.seek(0, os.SEEK_END) - start
        stream.seek(start)
    except (AttributeError, OSError, ValueError):
        return None
    return size


def _too_large(size: int | None, max_bytes: int) -> BadImage:
    most = megabytes(max_bytes)
    if size:
        said = _(
            "That picture is %(size)s; the most we take is %(most)s.",
            size=megabytes(size),
            most=most,
        )
    else:
        said = _("That picture is too large; the most we take is %(most)s.", most=most)
    return BadImage(
        said
        + " "
        + _("Please choose a smaller one (a photo saved for the web is usually well under 1 MB).")
    )


def _not_a_picture(head: bytes) -> str:
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<svg", b"<?xml", b"<!doctype svg")) or b"<svg" in text:
        return _("That is an SVG drawing, which we cannot show safely.") + " " + str(ACCEPTED)
    if head[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1", b"ftypmsf1", b"ftyphevc"):
        return _("That is a HEIC photo, which browsers cannot show.") + " " + str(ACCEPTED)
    if head.startswith((b"GIF87a", b"GIF89a")):
        return _("That is a GIF.") + " " + str(ACCEPTED)
    return _("That file is not a JPEG, PNG or WebP picture, whatever its name says.")


def _decode(data: bytes, ext: str) -> Image.Image:
    """Open and fully decode the picture, so a damaged or cut-short file is caught here."""
    damaged = BadImage(
        _(
            "That picture seems damaged or cut short, so we could not read it. "
            "Please try another copy of it."
        )
    )
    with warnings.catch_warnings():
        # A picture of absurd pixel counts (a "decompression bomb") is refused, not decoded.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
            if image.format != KINDS[ext][0]:
                raise damaged
            width, height = image.size
            if max(width, height) > MAX_SIDE:
                raise _too_many_pixels(width, height)
            if min(width, height) < 1:
                raise damaged
            if ext == "jpg":  # decode a large photo at a fraction of its size: far quicker
                image.draft(image.mode, (SAVED_SIDE, SAVED_SIDE))
            image.load()
        except BadImage:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise _too_many_pixels() from exc
        except (OSError, SyntaxError, ValueError, EOFError, IndexError) as exc:
            raise damaged from exc
    return image


def _too_many_pixels(width: int | None = None, height: int | None = None) -> BadImage:
    if width:
        said = _(
            "That picture is %(width)d × %(height)d pixels; the most we take is %(most)d pixels "
            "on each side.",
            width=width,
            height=height,
            most=MAX_SIDE,
        )
    else:
        said = _(
            "That picture is too big; the most we take is %(most)d pixels on each side.",
            most=MAX_SIDE,
        )
    return BadImage(said + " " + _("Please choose a smaller one."))


def _reencode(image: Image.Image, ext: str) -> Picture:
    """The picture upright, at most SAVED_SIDE a side, saved afresh without its metadata."""
    icc = image.info.get("icc_profile")
    image = ImageOps.exif_transpose(image)
    image.thumbnail((SAVED_SIDE, SAVED_SIDE))
    out = io.BytesIO()
    if ext == "jpg":
        if image.mode not in ("RGB", "L", "CMYK"):
            image = image.convert("RGB")
        image.save(out, "JPEG", quality=85, optimize=True, icc_profile=icc)
    elif ext == "png":
        image.save(out, "PNG", icc_profile=icc)
    else:
        if image.mode not in ("RGB", "RGBA"):
            image = image.convert("RGBA")
        image.save(out, "WEBP", quality=85, icc_profile=icc)
    return Picture(data=out.getvalue(), ext=ext, width=image.width, height=image.height)


# Storing ----------------------------------------------------------------------------------------


class NotStored(BadImage):
    """The picture could not be written (a full or read-only disk); nothing was changed."""


class FileChanges:
    """The pictures stored and dropped by one change; see ``changes()``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.stored: list[str] = []
        self.dropped: list[str] = []

    def apply(self, current: str | None, change: PictureChange) -> str | None:
        """The stored name after ``change`` to a row whose picture is ``current``."""
        if change is Change.KEEP:
            return current
        if current:
            self.dropped.append(current)
        return None if change is Change.REMOVE else self.store(change)

    def store(self, picture: Picture) -> str:
        """Write ``picture`` under a new random name, whole or not at all; raises NotStored."""
        name = f"{uuid.uuid4().hex}.{picture.ext}"
        part = self.folder / f".{name}.part"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            part.write_bytes(picture.data)
            os.replace(part, self.folder / name)
        except OSError as exc:
            log.error("a picture could not be stored in %s: %s", self.folder, exc)
            with contextlib.suppress(OSError):
                part.unlink(missing_ok=True)
            raise NotStored(
                _(
                    "We could not save the picture just now, so nothing was changed. "
                    "Please try again in a moment."
                )
            ) from exc
        self.stored.append(name)
        return name

    def delete(self, names: list[str]) -> None:
        for name in names:
            if not STORED_NAME.fullmatch(name):
                continue  # never a path of someone's making
            try:
                (self.folder / name).unlink(missing_ok=True)
            except OSError as exc:  # left behind, harmless: nothing names it any more
                log.warning("a replaced picture could not be deleted: %s", exc)


@contextlib.contextmanager
def changes(folder: Path | None = None) -> Iterator[FileChanges]:
    """Pictures stored inside the block are deleted if it raises; pictures dropped (replaced or
    removed) are deleted only when it ends without raising. Wrap it around ``unit_of_work()``."""
    files = FileChanges(folder or upload_folder())
    try:
        yield files
    except BaseException:
        files.delete(files.stored)
        raise
    files.delete(files.dropped)


def stored_path(name: str, folder: Path | None = None) -> Path | None:
    """The file of a stored picture, or None if ``name`` is not one we could have stored or it
    is gone. Only names matching STORED_NAME are looked up, so no path can be smuggled in."""
    if not STORED_NAME.fullmatch(name):
        return None
    path = (folder or upload_folder()) / name
    return path if path.is_file() else None
