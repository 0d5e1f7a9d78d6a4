"""The waitlist on real PostgreSQL: two clients taking one freed time, and two joins at once."""

from __future__ import annotations

from collections import Counter
from functools import partial

import pytest
import sqlalchemy as sa

from spa_app.booking import service as booking_service
from spa_app.database import utcnow
from spa_app.extensions import db
from spa_app.waitlist.models import WaitlistEntry, WaitlistOffer
from tests import factories
from tests.postgres.test_races import active_at, logged_in_clients, race, slot_starts

pytestmark = pytest.mark.postgres


def join(browser, service_id, day):
    data = {"therapist": "any", "first_day": str(day), "last_day": str(day)}
    return browser.post(f"/waitlist/join/{service_id}", data=data)


def test_two_clients_taking_one_freed_time_one_gets_it(pg_app):
    """Both were e-mailed (the second after the first's head start) and both click at once:
    exactly one booking, and the other a clear 409 saying it has gone, every round."""
    svc, (anna,), (room,) = factories.spa(therapists=1, rooms=1)
    service_id, winners = svc.id, Counter()
    for start in slot_starts(8):
        visit = factories.booking(factories.user(), anna, room, svc, start)
        first, second = logged_in_clients(pg_app, 2)
        for browser in (first, second):
            assert join(browser, service_id, start.date()).status_code == 302
        in_line = [e.id for e in db.session.scalars(sa.select(WaitlistEntry).order_by(
            WaitlistEntry.id.desc()).limit(2))][::-1]  # fmt: skip
        booking_service.cancel(booking=visit, actor=visit.client, now=utcnow())
        db.session.commit()
        offered = dict(
            db.session.execute(
                sa.select(WaitlistOffer.entry_id, WaitlistOffer.id).where(
                    WaitlistOffer.freed_by_id == visit.id
                )
            ).all()
        )
        ids = [offered[entry_id] for entry_id in in_line]
        codes = race(
            first=partial(first.post, f"/waitlist/offers/{ids[0]}"),
            second=partial(second.post, f"/waitlist/offers/{ids[1]}"),
        )
        factories.fresh()
        assert active_at(start) == 1, codes
        assert sorted(codes.values()) == [302, 409], codes
        winners[min(codes, key=lambda name: codes[name])] += 1
    assert sum(winners.values()) == 8


def test_one_client_joining_from_two_tabs_at_once_has_one_request(pg_app):
    svc, _, _ = factories.spa()
    service_id, day = svc.id, factories.next_weekday(1)
    for _ in range(10):
        (browser,) = logged_in_clients(pg_app, 1)
        twin = pg_app.test_client()
        with browser.session_transaction() as mine, twin.session_transaction() as theirs:
            theirs.update(mine)
        codes = race(
            a=partial(join, browser, service_id, day), b=partial(join, twin, service_id, day)
        )
        assert sorted(codes.values()) == [302, 302], codes
    factories.fresh()
    counted = db.session.execute(
        sa.select(WaitlistEntry.client_id, sa.func.count()).group_by(WaitlistEntry.client_id)
    ).all()
    assert len(counted) == 10 and {n for _, n in counted} == {1}
