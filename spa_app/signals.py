"""Domain events: what happened to a visit, declared low so that any feature may react to it
without the feature that made it happen knowing (as Indico's ``core/signals`` does).

The booking service sends them; the outbox's visit notices, the waitlist and the next-visit
window react. Receivers run at once, inside the sender's transaction, in the order they were
connected (``create_app`` connects each feature's in a set order): whatever they add
commits or rolls back with the change itself, so "the same transaction offers the freed time"
holds. A receiver that raises stops the change.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, MutableSet

from blinker import NamedSignal


class _InOrder(MutableSet):
    """A set that remembers insertion order (blinker's ``set_class``), so receivers are called
    in the order they were connected rather than in the order of their ids."""

    def __init__(self, items: Iterable = ()):
        self._items = dict.fromkeys(items)

    def __contains__(self, item) -> bool:
        return item in self._items

    def __iter__(self) -> Iterator:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def add(self, item) -> None:
        self._items[item] = None

    def discard(self, item) -> None:
        self._items.pop(item, None)

    def copy(self) -> _InOrder:
        return _InOrder(self._items)


class Event(NamedSignal):
    set_class = _InOrder


visit_booked = Event(
    "visit-booked",
    doc="A visit was booked. Sender: the Booking. Keywords: ``now``, ``changed_by`` "
    '("client" or "staff", as the client is told).',
)
visit_moved = Event(
    "visit-moved",
    doc="A visit moved (its id kept, its sequence one higher). Sender: the Booking, as it is "
    "now. Keywords: ``now``, ``changed_by``, ``freed`` (the booking.models.Freed time it held), "
    "``tell_client`` (False: staff chose to tell the client themselves, so no e-mail).",
)
visit_cancelled = Event(
    "visit-cancelled",
    doc="A visit was cancelled. Sender: the Booking. Keywords: ``now``, ``changed_by``, "
    "``note_to_client`` (staff's words for the client, or None), ``freed``, ``tell_client``.",
)
visit_unmarked = Event(
    "visit-unmarked",
    doc="A no-show or completed mark was undone the same day: the visit is booked again. "
    "Sender: the Booking. Keywords: ``now``, ``was`` (the BookingStatus it had).",
)
visit_marked = Event(
    "visit-marked",
    doc="A visit was marked arrived, completed or no-show. Sender: the Booking. Keywords: "
    "``now``, ``status`` (the BookingStatus it has now).",
)
