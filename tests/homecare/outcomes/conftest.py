"""Cora, a client whose intake scored her neck 6 and lower back 3 and who wants less stress
(and pain relief); Bea, another client; a visit of Cora's tomorrow; and staff."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest

from spa_app.accounts.models import Role
from spa_app.database import utcnow
from spa_app.homecare.outcomes.links import checkin_path, visit_period, week_period
from tests import factories

CORA_NOTE = "cora-intake-note"


@pytest.fixture
def cast(app):
    return build_cast()


def build_cast() -> SimpleNamespace:
    svc, (anna,), (room,) = factories.spa()
    cora = factories.user(name="Cora Client")
    bea = factories.user(name="Bea Other")
    staff = factories.user(Role.STAFF, name="Desk Dee")
    now = utcnow()
    visit = factories.booking(cora, anna, room, svc, now + timedelta(days=1))
    factories.intake(cora.id, severity={"neck": 6, "lower_back": 3},
                     goals=["pain_relief", "stress"], conditions=["other"],
                     condition_note=CORA_NOTE)  # fmt: skip
    factories.intake(bea.id, severity={"hands_wrists": 7}, goals=["sleep"])
    return SimpleNamespace(svc=svc, anna=anna, room=room, cora=cora, bea=bea, staff=staff,
                           visit=visit, now=now)  # fmt: skip


def week_link(app, client_id: int, *, until=None, period=None) -> str:
    """This week's check-in link for ``client_id`` (working for eight days unless told)."""
    now = utcnow()
    return checkin_path(app.config["SECRET_KEY"], client_id,
                        period or week_period(now.astimezone(factories.LONDON).date()),
                        until or now + timedelta(days=8))  # fmt: skip


def visit_link(app, client_id: int, booking_id: int, *, until=None) -> str:
    return week_link(app, client_id, period=visit_period(booking_id),
                     until=until or utcnow() + timedelta(days=2))  # fmt: skip
