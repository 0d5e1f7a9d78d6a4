"""A small spa for the client record's tests: a therapist with clients, another without, and
the front desk."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from spa_app.accounts.models import Role, User
from spa_app.booking.models import Booking, BookingStatus
from spa_app.catalog.models import Room, Service, Therapist
from tests import factories


@dataclass
class Spa:
    svc: Service
    anna: Therapist
    ben: Therapist
    room: Room
    staff: User

    def visit(self, client: User, starts_at: datetime, status=BookingStatus.BOOKED,
              therapist: Therapist | None = None) -> Booking:  # fmt: skip
        return factories.booking(client, therapist or self.anna, self.room, self.svc, starts_at,
                                 status=status)  # fmt: skip


@pytest.fixture
def spa(app) -> Spa:
    svc, (anna, ben), (room,) = factories.spa(therapists=2)
    return Spa(svc, anna, ben, room, factories.user(Role.STAFF, name="Dee Desk"))


def days_ago(days: int, hour: int = 10) -> datetime:
    return datetime.now(UTC).replace(hour=hour, minute=0, second=0, microsecond=0) - timedelta(
        days=days
    )
