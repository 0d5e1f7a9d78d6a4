"""A client on a visit that began two hours ago with Anna; Ben saw her a month ago (one of her
therapists, so he may read her notes, not write Anna's); Sid never saw her; and staff."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest

from spa_app.accounts.models import Role
from spa_app.booking.models import BookingStatus
from spa_app.database import utcnow
from spa_app.extensions import db
from spa_app.homecare.library import load_library
from tests import factories

SAID = "quokka-said-my-neck-clicks"


@pytest.fixture
def spa(app):
    load_library()
    db.session.commit()
    svc, (anna, ben), (room,) = factories.spa(therapists=2)
    sid = factories.therapist("Sid Stranger")
    me = factories.user(name="Nora Client")
    staff = factories.user(Role.STAFF, name="Desk Dee")
    now = utcnow()
    visit = factories.booking(me, anna, room, svc, now - timedelta(hours=2))
    earlier = factories.booking(me, ben, room, svc, now - timedelta(days=30),
                                status=BookingStatus.COMPLETED)  # fmt: skip
    factories.intake(
        me.id,
        severity={"neck": 3, "shoulders": 4, "lower_back": 5},
        goals=["pain_relief"],
        contexts=["desk_work"],
        minutes_per_day=20,
    )
    return SimpleNamespace(svc=svc, anna=anna, ben=ben, sid=sid, me=me, staff=staff, room=room,
                           visit=visit, earlier=earlier)  # fmt: skip


def note_form(**changes) -> dict:
    """A valid notes form: neck tender 8/10, the lower back to avoid; ``changes`` on top (a
    value of None leaves the field out)."""
    data = {
        "subjective": SAID,
        "tension_neck": "8",
        "points_neck": "trigger point left of C7",
        "avoid_lower_back": "y",
        "avoid_reason_lower_back": "disc flare last week",
        "techniques": "Effleurage, trigger point release",
        "pressure": "2",
        "treated_areas": ["neck", "shoulders"],
        "plan": "Neck routine daily; review in four weeks.",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}
