"""Only staff reach the schedule pages: others get 404, anonymous visitors a login; in the
access tests' world (the hours and time off of its therapist "own", who tries too)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from spa_app.accounts.models import Role
from spa_app.extensions import db
from spa_app.scheduling.models import BusinessSettings, Closure, TimeOff, WorkingHours
from tests import factories
from tests.access.world import build_cast


@pytest.fixture
def world(app):
    return build_cast()


@pytest.mark.parametrize("role", [None, Role.CLIENT, Role.THERAPIST])
def test_nobody_else_can_change_the_schedule(client, world, role):
    therapist = world.therapists["own"]
    entry = TimeOff(
        therapist_id=therapist.id,
        starts_at=datetime.now(UTC) + timedelta(days=3),
        ends_at=datetime.now(UTC) + timedelta(days=4),
    )
    closure = Closure(day=factories.next_weekday(2), reason="Holiday")
    db.session.add_all([entry, closure])
    db.session.commit()
    if role is not None:
        factories.login(client, world.person(role))
    expected = 302 if role is None else 404
    posts = {
        "/staff/settings": {"business_name": "Hacked", "timezone": "UTC", "slot_step_min": "5"},
        "/staff/closures": {"day": factories.next_weekday(3).isoformat()},
        f"/staff/closures/{closure.id}/delete": {},
        f"/staff/therapists/{therapist.id}/hours": {"monday": "01:00-02:00"},
        f"/staff/therapists/{therapist.id}/time-off": {"start_date": "2030-01-01"},
        f"/staff/therapists/{therapist.id}/time-off/{entry.id}/delete": {},
    }
    statuses = {url: client.post(url, data=data).status_code for url, data in posts.items()}
    assert statuses == {url: expected for url in posts}
    db.session.rollback()
    assert db.session.get(BusinessSettings, 1).business_name == "Spa"
    assert db.session.execute(db.select(db.func.count(Closure.id))).scalar_one() == 1
    assert db.session.execute(db.select(db.func.count(TimeOff.id))).scalar_one() == 1
    hours = db.session.execute(db.select(WorkingHours.starts)).scalars().all()
    assert len(hours) == 6 * len(world.therapists) and all(starts.hour == 9 for starts in hours)


def test_missing_or_impossible_ids_are_404(client, world):
    therapist = world.therapists["own"]
    factories.login(client, world.person(Role.STAFF))
    gets = [
        f"/staff/therapists/{number}/{page}"
        for number in ("99999999999", "12345", "0", "-1")
        for page in ("hours", "time-off")
    ]
    posts = gets + [
        "/staff/closures/99999999999/delete",
        "/staff/closures/12345/delete",
        f"/staff/therapists/{therapist.id}/time-off/99999999999/delete",
        f"/staff/therapists/{therapist.id}/time-off/12345/delete",
        "/staff/therapists/99999999999/time-off/1/delete",
    ]
    statuses = {f"GET {url}": client.get(url).status_code for url in gets}
    statuses |= {f"POST {url}": client.post(url, data={}).status_code for url in posts}
    assert set(statuses.values()) == {404}, statuses
