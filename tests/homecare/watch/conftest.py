"""Clients following plans their therapists wrote, some kept to, some not."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from spa_app.extensions import db
from spa_app.homecare.library import load_library
from spa_app.homecare.models import Plan, Routine
from tests import factories

LONDON = factories.LONDON


def local_today() -> date:
    return datetime.now(UTC).astimezone(LONDON).date()


def at_seven_thirty(day: date | None = None) -> datetime:
    """Half past seven on the spa's clock: after the digest's hour."""
    return datetime.combine(day or local_today(), time(7, 30), LONDON).astimezone(UTC)


def follow(therapist, room, svc, *, name: str, kept: list[int], sore: int | None = None) -> Plan:
    """A client whose plan (two routines, every day) was published ``len(kept)`` weeks ago,
    with ``kept[n]`` of each routine's seven days done in week n+1; ``sore``: the discomfort
    noted on the last tick. Committed."""
    client = factories.user(name=name)
    factories.intake(client.id)
    first = local_today() - timedelta(days=7 * len(kept))
    visit = factories.booking(client, therapist, room, svc, factories.at(first, "10:00"))
    routines = db.session.execute(db.select(Routine).order_by(Routine.id).limit(2)).scalars()
    plan = factories.plan(visit, list(routines), now=factories.at(first, "12:00"))
    days = [first + timedelta(days=7 * week + d) for week, n in enumerate(kept) for d in range(n)]
    for day in days:
        for item in plan.items:
            last = day == days[-1] and item is plan.items[-1]
            factories.completion(plan, day, item=item, discomfort=sore if last else None)
    return plan


@pytest.fixture
def clients(app):
    """Three clients of one therapist: one kept to it (Steady), one halved (Halved), one
    noting an 8 of 10 on a routine (Sore); and one of another therapist who halved too."""
    load_library()
    db.session.commit()
    svc, (own, other), (room,) = factories.spa(therapists=2)
    plans = {
        "steady": follow(own, room, svc, name="Steady Client", kept=[7, 7, 6, 7]),
        "halved": follow(own, room, svc, name="Halved Client", kept=[7, 7, 2, 2]),
        "sore": follow(own, room, svc, name="Sore Client", kept=[7, 7, 7, 7], sore=8),
        "elsewhere": follow(other, room, svc, name="Other Client", kept=[7, 7, 1, 1]),
    }
    return {"own": own.user, "other": other.user, "spa": (own, room, svc), **plans}
