"""Which clients' home care needs a look, read for many clients at once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from spa_app.accounts.models import Role, User
from spa_app.database import unit_of_work
from spa_app.extensions import db
from spa_app.homecare.loop.reading import FlagKind
from spa_app.homecare.watch.queries import raised
from spa_app.privacy import erasure
from tests import factories
from tests.homecare.watch.conftest import LONDON, follow, local_today
from tests.sqlcount import count_statements


def kinds(found, plan) -> set[FlagKind]:
    return {f.kind for f in found[plan.client_id].flags}


def test_the_halving_and_the_sore_routine_are_raised_the_steady_client_is_not(clients):
    found = raised(local_today(), LONDON)
    assert set(found) == {clients[k].client_id for k in ("halved", "sore", "elsewhere")}
    assert kinds(found, clients["halved"]) == {FlagKind.DROP_OFF}
    assert kinds(found, clients["sore"]) == {FlagKind.LOW_COMFORT}
    # Each is the plan's own therapist's to look at.
    assert found[clients["halved"].client_id].therapist_user_id == clients["own"].id
    assert found[clients["elsewhere"].client_id].therapist_user_id == clients["other"].id
    assert found[clients["halved"].client_id].plan_id == clients["halved"].id


def test_five_statements_for_one_client_or_for_all(clients):
    halved = clients["halved"].client_id
    raised(local_today(), LONDON)  # the spa's settings (its language, for the flags' words)
    with count_statements() as one:
        raised(local_today(), LONDON, clients=[halved])
    with count_statements() as every:
        raised(local_today(), LONDON)
    assert len(one) == len(every) == 5


def test_only_the_clients_asked_about(clients):
    found = raised(local_today(), LONDON, clients=[clients["steady"].client_id,
                                                   clients["sore"].client_id])  # fmt: skip
    assert set(found) == {clients["sore"].client_id}
    assert raised(local_today(), LONDON, clients=[]) == {}


def test_an_old_drop_off_the_client_recovered_from_is_not_raised(clients):
    """Weeks 1-2 at two days, then five weeks kept to: the drop-off is weeks ago."""
    recovered = follow(*clients["spa"], name="Recovered", kept=[2, 2, 7, 7, 7, 7, 7])
    assert recovered.client_id not in raised(local_today(), LONDON)
    # The same history read five weeks ago would have raised it.
    then = local_today() - timedelta(days=35)
    assert recovered.client_id in raised(then, LONDON, clients=[recovered.client_id])


def test_only_the_latest_published_plan_counts(clients):
    """A new plan published today replaces the halved one: nothing to read yet."""
    halved = clients["halved"]
    was = halved.booking
    visit = factories.booking(was.client, was.therapist, was.room, was.service,
                              factories.at(local_today(), "09:00"))  # fmt: skip
    factories.plan(visit, [i.routine for i in halved.items])
    assert halved.client_id not in raised(local_today(), LONDON)


def test_a_deleted_client_is_never_raised(clients):
    halved, staff = clients["halved"], factories.user(Role.STAFF)
    gone, staff_id = halved.client_id, staff.id
    factories.fresh()
    with unit_of_work():
        client, staff = db.session.get(User, gone), db.session.get(User, staff_id)
        erasure.erase_for_client(client, actor=staff, now=datetime.now(UTC))
    assert gone not in raised(local_today(), LONDON)
