"""Placing a visit on a therapist and a room free at its start, when others book the same moment.

Availability says which therapists and rooms are free; several requests reading it at once
would all pick the same best pair, and the database would rightly turn all but one away while
other rooms and therapists stay free. ``place`` tries the pairs in order of preference, each in
a savepoint under the therapist's and room's locks, and moves on to the next free pair whenever
a concurrent booking got there first: the exclusion constraints remain the final word, and a
refusal means the time really has gone.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from sqlalchemy.exc import DBAPIError

from spa_app.database import lock_for_booking, lost_race, try_lock_for_booking
from spa_app.extensions import db
from spa_app.scheduling.availability import Slot
from spa_app.scheduling.queries import Availability

T = TypeVar("T")
Pair = tuple[int, int]


class _Outcome(enum.Enum):
    PLACED = "placed"
    #: A concurrent booking holds this therapist or room at an overlapping time.
    TAKEN = "taken"


class _Busy(Exception):
    """Another transaction is writing this therapist or room at this moment."""

    def __init__(self, what: str):
        super().__init__(what)
        self.what = what


def candidates(
    availability: Availability,
    slot: Slot,
    prefer_room: int | None = None,
    room_id: int | None = None,
):
    """Every (therapist, room) free at ``slot``, best first; in ``room_id`` only, when asked.

    Therapists with the least booked time that day come first (then the lowest id), which is
    how "any therapist" spreads the work. Each therapist's rooms start at a different room, so
    simultaneous bookings with different therapists do not all ask for the first one; a visit
    being moved keeps its room when that room is free.
    """
    therapists = sorted(slot.therapist_ids, key=lambda t: (availability.load.get(t, 0), t))
    rooms = [r for r in slot.room_ids if room_id in (None, r)]
    if not rooms:
        return []
    pairs: list[Pair] = []
    for therapist_id in therapists:
        k = therapist_id % len(rooms)
        order = rooms[k:] + rooms[:k]
        if prefer_room in order:
            order.remove(prefer_room)
            order.insert(0, prefer_room)
        pairs.extend((therapist_id, room_id) for room_id in order)
    return pairs


def place(
    starts_at: datetime,
    availability: Availability,
    write: Callable[[int, int], T],
    refresh: Callable[[], Availability],
    *,
    prefer_room: int | None = None,
    room_id: int | None = None,
    keep: Callable[[DBAPIError], bool] = lambda exc: False,
) -> T | None:
    """Run ``write(therapist_id, room_id)`` on the best pair free at ``starts_at`` (in
    ``room_id`` only, when one is asked for); its result, or None once no free pair is left
    (every one taken by concurrent bookings).

    A first pass skips pairs that another transaction is writing right now, so simultaneous
    requests spread over the free rooms and therapists instead of queueing behind one; when
    every pair is being written, it waits for the best. After a loss ``refresh()`` reads the
    availability again (PostgreSQL reads committed data, so the winner shows). A constraint
    error for which ``keep(exc)`` is true (the client's own overlap, say) is not a lost pair:
    it is raised for the caller to explain.
    """
    tried: set[Pair] = set()
    while (slot := availability.slot_at(starts_at)) is not None:
        pairs = [p for p in candidates(availability, slot, prefer_room, room_id) if p not in tried]
        if not pairs:
            break
        pair, outcome, result = _first_free(pairs, write, keep)
        if pair is None:
            pair = pairs[0]
            outcome, result = _attempt(pair, write, keep, wait=True)
        if outcome is _Outcome.PLACED:
            return result
        tried.add(pair)
        availability = refresh()
    return None


def _first_free(pairs: list[Pair], write, keep):
    """Try each pair no other transaction is writing; (pair, outcome, result) of the first one
    tried, or (None, None, None) when every pair is being written."""
    busy_therapists: set[int] = set()
    busy_rooms: set[int] = set()
    for pair in pairs:
        therapist_id, room_id = pair
        if therapist_id in busy_therapists or room_id in busy_rooms:
            continue
        try:
            outcome, result = _attempt(pair, write, keep, wait=False)
        except _Busy as busy:
            if busy.what == "therapist":
                busy_therapists.add(therapist_id)
            else:
                busy_rooms.add(room_id)
            continue
        return pair, outcome, result
    return None, None, None


def _attempt(pair: Pair, write, keep, *, wait: bool):
    """Lock the pair and write, in one savepoint: (outcome, result). Raises _Busy (not waiting,
    and another transaction holds the pair) with nothing held."""
    therapist_id, room_id = pair
    try:
        with db.session.begin_nested():
            if wait:
                lock_for_booking(db.session, therapist_id, room_id)
            elif (busy := try_lock_for_booking(db.session, therapist_id, room_id)) is not None:
                raise _Busy(busy)
            result = write(therapist_id, room_id)
    except DBAPIError as exc:
        if not lost_race(exc) or keep(exc):
            raise
        return _Outcome.TAKEN, None
    return _Outcome.PLACED, result
