"""The signed link in a visit's e-mails: it opens that one visit, to see, move or cancel, with no
log-in, until the visit ends.

The token names the visit (the booking's id) and its client, signed with the app's secret and
a salt of its own, so it is good for nothing else (not the unsubscribe link, not another visit,
not a log-in). It is judged against the visit as it is now, not as it was when the e-mail was
written: a visit moved since keeps its links working (the client has one visit, and every
e-mail about it still leads to it), and they stop when the visit as it now stands ends. A
cancelled visit's link shows it cancelled until the time it would have ended.

Pure but for the signer: the view reads the booking and passes it with ``now``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeTimedSerializer

from spa_app.booking.models import Booking
from spa_app.clock import REACH

_SALT = "visit-manage-link"
#: A belt to the visit's end: no link outlives the furthest ahead a visit may be booked.
MAX_AGE_SECONDS = int(REACH.total_seconds())

NOT_GENUINE = _l(
    "This link is not one we sent, or part of it is missing (long links sometimes break across "
    "lines in an e-mail). Please open the link from the e-mail again, or log in to see your visits."
)
OTHER_VISIT = _l(
    "This link belongs to another visit, so it cannot open this one. Please use the link from "
    "this visit's own e-mail, or log in to see your visits."
)
GONE = _l("This visit is no longer on our books. Please log in to see your visits.")
ENDED = _l(
    "This visit has ended, and its link worked only until then. Please log in to see your "
    "visits or book the next one."
)


@dataclass(frozen=True)
class Refusal:
    """Why a link opens nothing: the HTTP status (403 not ours, 410 no longer) and the words."""

    status: int
    message: str


def manage_token(secret: str, booking_id: int, client_id: int) -> str:
    """The token for the e-mails of visit ``booking_id`` of client ``client_id``."""
    return _serializer(secret).dumps([booking_id, client_id])


def manage_path(secret: str, booking: Booking) -> str:
    """The site path the link opens (without the site's address)."""
    return f"/bookings/{booking.id}/manage/{manage_token(secret, booking.id, booking.client_id)}"


def read_manage_token(secret: str, token: str) -> tuple[int, int] | None:
    """(booking id, client id) from a genuine token not older than MAX_AGE_SECONDS, else None."""
    try:
        booking_id, client_id = _serializer(secret).loads(token, max_age=MAX_AGE_SECONDS)
    except (BadSignature, ValueError, TypeError):  # forged, tampered, too old, or not a pair
        return None
    if not all(type(v) is int for v in (booking_id, client_id)):
        return None
    return booking_id, client_id


def refusal(
    named: tuple[int, int] | None, booking_id: int, booking: Booking | None, now: datetime
) -> Refusal | None:
    """Why the token that named ``named`` may not open visit ``booking_id`` (``booking``, None
    if there is none) at ``now``; None if it may."""
    if named is None:
        return Refusal(403, NOT_GENUINE)
    if named[0] != booking_id:
        return Refusal(403, OTHER_VISIT)
    # The client named too: a visit whose row was ever given to someone else opens nothing,
    # nor one whose client has since deleted their account.
    if booking is None or booking.client_id != named[1] or booking.client.is_deleted:
        return Refusal(410, GONE)
    if now >= booking.ends_at:
        return Refusal(410, ENDED)
    return None


def _serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=_SALT)
