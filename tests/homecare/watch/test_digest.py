"""The therapist's daily digest: once a day from seven, one e-mail per therapist naming the
clients whose plans raised a flag, each flag told once, nothing of what was raised."""

from __future__ import annotations

from datetime import time, timedelta

import pytest

from spa_app.business import business
from spa_app.database import unit_of_work
from spa_app.extensions import db
from spa_app.homecare.watch import service
from spa_app.homecare.watch.models import FlagNotice
from spa_app.notifications import emails, outbox
from spa_app.notifications.delivery import MailSettings
from spa_app.notifications.models import MailOptOut, Message, MessageKind
from tests import factories
from tests.homecare.watch.conftest import LONDON, at_seven_thirty, follow, local_today
from tests.sqlcount import count_statements

KIND = MessageKind.CARE_DIGEST


def run(now) -> int:
    factories.fresh()
    with unit_of_work():
        return service.queue_digests(now, LONDON)


def digests() -> list[Message]:
    factories.fresh()
    return list(db.session.scalars(db.select(Message).where(Message.kind == KIND)
                                   .order_by(Message.id)))  # fmt: skip


def texts(app, message: Message) -> list[str]:
    sender = MailSettings.from_config(app.config).sender
    email = emails.render(db.session.get(Message, message.id), business(), sender)
    return [part.get_content() for part in email.walk() if not part.is_multipart()]


def test_one_digest_per_therapist_naming_their_flagged_clients(app, clients):
    assert run(at_seven_thirty()) == 2
    mine, theirs = sorted(digests(), key=lambda m: m.user_id != clients["own"].id)
    assert mine.user_id == clients["own"].id and theirs.user_id == clients["other"].id
    text, html = texts(app, mine)
    assert "Halved Client" in text and "Sore Client" in text
    assert "Steady Client" not in text and "Other Client" not in text
    assert f"/clients/{clients['halved'].client_id}" in text
    assert f'href="http://127.0.0.1:5000/clients/{clients["sore"].client_id}"' in html
    assert "2 of your clients' home-care plans need a look" in text


def test_the_digest_says_nothing_of_what_was_raised(app, clients):
    run(at_seven_thirty())
    (mine,) = [m for m in digests() if m.user_id == clients["own"].id]
    plan = clients["sore"]
    words = [i.name for i in plan.items] + ["discomfort", "8 out of 10", "Week", "half",
                                            "neck", "Neck", "%"]  # fmt: skip
    for part in texts(app, mine):
        assert not [w for w in words if w in part], part


def test_not_before_seven_and_once_a_day(clients):
    assert run(at_seven_thirty() - timedelta(minutes=31)) == 0  # 06:59
    assert digests() == []
    assert run(at_seven_thirty()) == 2
    assert run(at_seven_thirty() + timedelta(hours=3)) == 0  # a second run the same day
    assert len(digests()) == 2


def test_a_flag_is_told_once_a_new_one_the_next_day(clients):
    run(at_seven_thirty())
    told = len(digests())
    # The next morning the same flags are still raised: nothing is told again.
    tomorrow = local_today() + timedelta(days=1)
    assert run(at_seven_thirty(tomorrow)) == 0
    assert len(digests()) == told
    # A new client of the same therapist halves: the day after, only they are told.
    newcomer = follow(*clients["spa"], name="Newly Halved", kept=[7, 7, 7, 1])
    assert run(at_seven_thirty(tomorrow + timedelta(days=1))) == 1
    latest = digests()[-1]
    assert latest.user_id == clients["own"].id
    factories.fresh()
    named = db.session.scalars(db.select(FlagNotice.client_id).where(
        FlagNotice.message_id == latest.id)).all()  # fmt: skip
    assert set(named) == {newcomer.client_id}


def test_each_flag_is_one_row_whatever_the_runs(clients):
    run(at_seven_thirty())
    factories.fresh()
    rows = db.session.scalars(db.select(FlagNotice)).all()
    keys = {(r.client_id, r.key) for r in rows}
    # Halved and elsewhere dropped in weeks 3 and 4; sore: one routine at 8 of 10 in week 4.
    assert len(keys) == len(rows) == 5
    run(at_seven_thirty(local_today() + timedelta(days=1)))
    factories.fresh()
    assert len(db.session.scalars(db.select(FlagNotice)).all()) == 5


def test_a_therapist_who_turned_it_off_gets_none(clients, client):
    factories.login(client, clients["own"])
    page = client.get("/schedule/emails").get_data(as_text=True)
    assert "A daily list of your clients whose home care needs a look" in page
    assert '<input checked id="wanted-0" name="wanted" type="checkbox" value="care_digest">' in page
    reply = client.post("/schedule/emails", data={})  # the box unticked
    assert reply.status_code == 302
    factories.fresh()
    assert db.session.get(MailOptOut, (clients["own"].id, KIND)) is not None
    run(at_seven_thirty())
    assert [m.user_id for m in digests()] == [clients["other"].id]


def test_turning_it_off_after_it_was_queued_drops_it(clients):
    run(at_seven_thirty())
    (mine,) = [m for m in digests() if m.user_id == clients["own"].id]
    db.session.add(MailOptOut(user_id=clients["own"].id, kind=KIND))
    db.session.commit()
    assert outbox.is_pointless(db.session.get(Message, mine.id), at_seven_thirty())


def test_the_settings_page_is_the_therapists_own(client, clients):
    factories.login(client, factories.user())
    assert client.get("/schedule/emails").status_code in (403, 404)


def test_one_click_unsubscribe_works_for_the_digest(app, clients, client):
    run(at_seven_thirty())
    (mine,) = [m for m in digests() if m.user_id == clients["own"].id]
    sender = MailSettings.from_config(app.config).sender
    email = emails.render(db.session.get(Message, mine.id), business(), sender)
    url = email["List-Unsubscribe"].strip("<>").removeprefix("http://127.0.0.1:5000")
    assert client.post(url, data={"List-Unsubscribe": "One-Click"}).status_code == 200
    factories.fresh()
    assert db.session.get(MailOptOut, (clients["own"].id, KIND)) is not None


def test_a_digest_whose_clients_were_all_erased_is_dropped(clients):
    from datetime import UTC, datetime

    from spa_app.accounts.models import Role, User
    from spa_app.privacy import erasure

    run(at_seven_thirty())
    (theirs,) = [m for m in digests() if m.user_id == clients["other"].id]
    gone, staff_id = clients["elsewhere"].client_id, factories.user(Role.STAFF).id
    factories.fresh()
    with unit_of_work():
        erasure.erase_for_client(db.session.get(User, gone), actor=db.session.get(User, staff_id),
                                 now=datetime.now(UTC))  # fmt: skip
    assert outbox.is_pointless(db.session.get(Message, theirs.id), at_seven_thirty())
    assert db.session.scalars(db.select(FlagNotice).where(FlagNotice.client_id == gone)).all() == []


@pytest.mark.parametrize("more", [0, 3])
def test_the_statements_do_not_grow_with_the_clients(clients, more):
    """The day's claim; the reading's five statements and the spa's settings (the flags'
    words); one insert of the notices and one read of who has untold ones; then per therapist:
    the digest, and the notices it tells."""
    for n in range(more):
        follow(*clients["spa"], name=f"More {n}", kept=[7, 7, 1, 1])
    factories.fresh()
    with count_statements() as sent, unit_of_work():
        service.queue_digests(at_seven_thirty(), LONDON, time(7))
    assert len(sent) == 1 + 5 + 1 + 2 + 2 * 2  # two therapists


@pytest.mark.parametrize(
    "before, at, day",
    [
        # Spring forward in London: 07:00 is 06:00 UTC that day.
        ("2027-03-28T05:59:00+00:00", "2027-03-28T06:00:00+00:00", "2027-03-28"),
        # Fall back: 07:00 is 07:00 UTC again.
        ("2026-10-25T06:59:00+00:00", "2026-10-25T07:00:00+00:00", "2026-10-25"),
    ],
)
def test_the_digest_hour_is_the_spas_on_a_change_of_the_clocks(app, before, at, day):
    from datetime import date, datetime

    from spa_app.homecare.watch.models import DigestRun

    run(datetime.fromisoformat(before))
    assert db.session.scalars(db.select(DigestRun)).all() == []
    run(datetime.fromisoformat(at))
    factories.fresh()
    assert [r.day for r in db.session.scalars(db.select(DigestRun))] == [date.fromisoformat(day)]
