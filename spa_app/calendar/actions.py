"""What the person looking at the calendar may do with each visit on it, decided by the booking
rules themselves (booking.service's refusals) from what the grid has already read: no statement,
however many visits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from spa_app.accounts.models import User
from spa_app.booking import service as booking_service
from spa_app.booking.models import BookingStatus
from spa_app.calendar.service import Block, DayView


class _AsVisit:
    """What booking.service's refusals read of a visit, from a calendar block (no query)."""

    def __init__(self, b: Block):
        self.id, self.client_id, self.status = b.booking_id, b.client_id, b.status
        self.starts_at = b.starts
        self.therapist = _Owner(b.therapist_user_id)


@dataclass(frozen=True)
class _Owner:
    user_id: int


@dataclass(frozen=True)
class CardActions:
    """What the person looking at the calendar may do with one visit from its list."""

    marks: tuple[BookingStatus, ...]
    may_unmark: bool
    may_move: bool


def card_actions(view: DayView, actor: User, now: datetime) -> dict[int, CardActions]:
    """{booking id: what ``actor`` may do with it now}, decided by the booking rules
    themselves (mark_refusal, unmark_refusal, change_refusal), without a statement. Pass the
    user itself, not Flask-Login's ``current_user``: the rules read it several times a card,
    and the proxy looks the user up again on every read."""
    found = {}
    for b in (b for c in view.columns for b in c.blocks):
        visit = _AsVisit(b)
        found[b.booking_id] = CardActions(
            marks=tuple(
                s
                for s in booking_service.NEXT_STATUS
                if booking_service.mark_refusal(visit, s, actor, now) is None
            ),
            may_unmark=booking_service.unmark_refusal(visit, actor, now) is None,
            may_move=booking_service.change_refusal(visit, actor, now) is None,
        )
    return found
