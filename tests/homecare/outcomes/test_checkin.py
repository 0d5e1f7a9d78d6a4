"""The check-in page from a reminder's link: no log-in, for its client and period only; a
second submit edits the one check-in; bad answers are refused whole; the scores read back in
one statement, in time order."""

from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from spa_app.booking.models import BookingStatus
from spa_app.database import unit_of_work, utcnow
from spa_app.extensions import db
from spa_app.homecare.models import AuditEntry
from spa_app.homecare.outcomes import service
from spa_app.homecare.outcomes.links import (
    checkin_token,
    parse_period,
    read_checkin_token,
    visit_period,
    week_period,
)
from spa_app.homecare.outcomes.models import CheckIn, CheckInScore
from spa_app.homecare.vocab import Area, Goal
from tests import factories
from tests.homecare.outcomes.conftest import CORA_NOTE, visit_link, week_link
from tests.sqlcount import count_statements


def checkins() -> list[tuple[str, dict, int | None]]:
    """(period, {area: score}, goal score) of every check-in."""
    factories.fresh()
    rows = db.session.execute(sa.select(CheckIn).order_by(CheckIn.id)).scalars().all()
    return [(c.period, {s.area.value: s.score for s in c.scores}, c.goal_score) for c in rows]


def chosen(page: str) -> dict[str, str]:
    return dict(re.findall(r'name="([\w-]+)" value="(\d+)" checked', page))


def test_the_link_opens_her_areas_without_logging_in(app, client, cast):
    page = client.get(week_link(app, cast.cora.id))
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "How are your areas this week?" in body
    # Her two areas in the body's order, each a 0-10 row with the intake's words at the ends.
    assert body.index("Neck") < body.index("Lower back") and "Shoulders" not in body
    for area in ("neck", "lower_back"):
        assert body.count(f'name="area-{area}"') == 11
    assert "0 – none" in body and "10 – worst" in body
    assert "(at your intake: 6)" in body and "(at your intake: 3)" in body
    # One goal question: stress (pain relief is what the areas say).
    assert (
        body.count('name="goal"') == 11 and 'Stress this week <span class="hint">(optional)' in body
    )
    assert chosen(body) == {} and CORA_NOTE not in body
    assert 'name="csrf_token"' not in body  # the signed link is the proof


def test_saving_twice_edits_the_one_checkin(app, client, cast):
    link = week_link(app, cast.cora.id)
    first = client.post(link, data={"area-neck": "4", "area-lower_back": "2", "goal": "5"})
    assert first.status_code == 200 and "Thank you" in first.get_data(as_text=True)
    week = week_period(utcnow().astimezone(factories.LONDON).date())
    assert checkins() == [(week, {"neck": 4, "lower_back": 2}, 5)]
    # Back later: her answers are chosen; she changes the neck and skips the rest.
    assert chosen(client.get(link).get_data(as_text=True)) == {
        "area-neck": "4", "area-lower_back": "2", "goal": "5",
    }  # fmt: skip
    assert client.post(link, data={"area-neck": "3", "area-lower_back": ""}).status_code == 200
    assert checkins() == [(week, {"neck": 3}, None)]
    (row,) = db.session.execute(sa.select(CheckIn)).scalars().all()
    assert row.goal is None and row.booking_id is None and row.updated_at >= row.created_at
    # Her own answers through her own link: not someone else's read, so no audit row.
    assert db.session.execute(sa.select(AuditEntry)).first() is None


def test_a_visits_link_is_for_that_visit(app, client, cast):
    link = visit_link(app, cast.cora.id, cast.visit.id)
    body = client.get(link).get_data(as_text=True)
    assert "Before your visit on" in body
    assert client.post(link, data={"area-neck": "7"}).status_code == 200
    assert checkins() == [(visit_period(cast.visit.id), {"neck": 7}, None)]
    assert db.session.execute(sa.select(CheckIn.booking_id)).scalar_one() == cast.visit.id


def test_the_link_is_for_its_client_only(app, client, cast):
    page = client.get(week_link(app, cast.bea.id)).get_data(as_text=True)
    assert "Hands and wrists" in page and "Neck" not in page and "Trouble sleeping" in page
    # Bea's link cannot write Cora's areas, nor Cora's check-in.
    reply = client.post(week_link(app, cast.bea.id), data={"area-neck": "2"})
    assert reply.status_code == 400 and checkins() == []


def _expired_or_forged(app, cast) -> list[str]:
    now = utcnow()
    week = week_period(now.date())
    theirs = factories.booking(cast.bea, cast.anna, cast.room, cast.svc, now + timedelta(days=3))
    gone = factories.booking(cast.cora, cast.anna, cast.room, cast.svc, now + timedelta(days=4),
                             status=BookingStatus.CANCELLED)  # fmt: skip
    good = week_link(app, cast.cora.id)
    return [
        good + "x",  # forged
        "/check-in/" + checkin_token("another-secret", cast.cora.id, week, now + timedelta(1)),
        week_link(app, cast.cora.id, until=now - timedelta(seconds=1)),  # expired
        week_link(app, cast.staff.id),  # not a client
        week_link(app, 99999),  # nobody
        week_link(app, cast.cora.id, period="week:2026-12-08"),  # not a Monday
        week_link(app, cast.cora.id, period="month:2026-12"),
        visit_link(app, cast.cora.id, theirs.id),  # someone else's visit
        visit_link(app, cast.cora.id, gone.id),  # cancelled
        visit_link(app, cast.cora.id, 99999),
        "/check-in/%00",
    ]


def test_forged_expired_and_borrowed_links_are_not_found(app, client, cast):
    for link in _expired_or_forged(app, cast):
        for method in (client.get, client.post):
            reply = method(link, data={"area-neck": "1"})
            body = reply.get_data(as_text=True)
            assert reply.status_code == 404, link
            assert "This link has expired" in body and "log in" in body and "Cora" not in body
    assert checkins() == []


@pytest.mark.parametrize(
    "answers",
    [
        {"area-neck": "11"},
        {"area-neck": "-1"},
        {"area-neck": "abc"},
        {"area-neck": "٣"},  # another script's digit
        {"area-neck": "3.5"},
        {"area-neck": ["3", "4"]},
        {"area-neck": "3", "area-shoulders": "2"},  # not one of her areas
        {"area-neck": "3", "area-nose": "2"},  # no such area
        {"area-neck": "3", "goal": "11"},
        {},  # nothing rated
        {"area-neck": "", "goal": "4"},  # only the optional question
    ],
)
def test_bad_answers_are_refused_and_nothing_is_saved(app, client, cast, answers):
    link = week_link(app, cast.cora.id)
    reply = client.post(link, data=answers)
    body = reply.get_data(as_text=True)
    assert reply.status_code == 400 and "Nothing was saved." in body
    assert re.search(r'role="alert">[^<]*(0 to 10|not in your intake|at least one)', body)
    assert checkins() == []


def test_a_refused_edit_keeps_the_last_answers(app, client, cast):
    link = week_link(app, cast.cora.id)
    client.post(link, data={"area-neck": "4"})
    assert client.post(link, data={"area-neck": "12"}).status_code == 400
    assert checkins()[0][1] == {"neck": 4}


def test_the_database_holds_the_scores_to_0_to_10_and_one_per_period(app, cast):
    with unit_of_work():
        made = CheckIn(client_id=cast.cora.id, period="week:2026-11-30")
        db.session.add(made)
    with pytest.raises(IntegrityError), unit_of_work():
        db.session.add(CheckInScore(checkin_id=made.id, area=Area.NECK, score=11))
    db.session.rollback()
    with pytest.raises(IntegrityError), unit_of_work():
        db.session.add(CheckIn(client_id=cast.cora.id, period="week:2026-11-30"))


def test_scores_of_reads_every_checkin_in_one_statement_in_time_order(app, cast):
    target = service.target_of(cast.cora.id, "week:2026-11-23")
    sheet = service.sheet_of(cast.cora.id)
    start = utcnow() - timedelta(days=30)
    for n, period in enumerate(["week:2026-11-23", "week:2026-11-30", visit_period(cast.visit.id)]):
        target = service.target_of(cast.cora.id, period)
        with unit_of_work():
            service.save(target, sheet, service.Answers({Area.LOWER_BACK: n, Area.NECK: 6 - n},
                                                        goal_score=n or None),
                         start + timedelta(days=7 * n))  # fmt: skip
    cora = cast.cora.id
    factories.fresh()
    with count_statements() as statements:
        rows = service.scores_of(cora)
    assert len(statements) == 1, statements
    assert [r.period for r in rows] == ["week:2026-11-23", "week:2026-11-30",
                                        visit_period(cast.visit.id)]  # fmt: skip
    assert [list(r.scores.items()) for r in rows] == [
        [(Area.NECK, 6), (Area.LOWER_BACK, 0)],
        [(Area.NECK, 5), (Area.LOWER_BACK, 1)],
        [(Area.NECK, 4), (Area.LOWER_BACK, 2)],
    ]
    assert [(r.goal, r.goal_score) for r in rows] == [(None, None), (Goal.STRESS, 1),
                                                       (Goal.STRESS, 2)]  # fmt: skip
    assert rows[2].booking_id == cast.visit.id and service.scores_of(cast.bea.id) == []


def test_what_she_is_asked_comes_from_her_intake(app, cast):
    sheet = service.sheet_of(cast.cora.id)
    assert [(a.area, a.at_intake) for a in sheet.areas] == [(Area.NECK, 6), (Area.LOWER_BACK, 3)]
    assert sheet.goal is Goal.STRESS
    assert service.areas_to_rate(cast.staff.id) == ()


def test_a_token_works_until_its_time_and_names_a_valid_period(app):
    now = utcnow()
    token = checkin_token("s", 7, "week:2026-12-07", now + timedelta(hours=1))
    assert read_checkin_token("s", token, now) == (7, "week:2026-12-07")
    assert read_checkin_token("s", token, now + timedelta(hours=1)) is None
    assert read_checkin_token("t", token, now) is None
    assert parse_period("week:2026-12-07")[0] == "week"
    assert parse_period("visit:12") == ("visit", 12)
    assert parse_period("visit:١٢") is None and parse_period("week:nope") is None
    assert week_period(factories.date(2026, 12, 13)) == "week:2026-12-07"  # a Sunday


@pytest.mark.postgres
def test_four_saves_at_once_make_one_checkin_on_postgresql(pg_app):
    cora = factories.user(name="Cora Client")
    factories.intake(cora.id, severity={"neck": 6, "lower_back": 3})
    link = week_link(pg_app, cora.id)
    barrier = threading.Barrier(4)
    statuses = []

    def submit(n: int):
        with pg_app.test_client() as browser:
            barrier.wait()
            statuses.append(browser.post(link, data={"area-neck": str(n)}).status_code)

    threads = [threading.Thread(target=submit, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert statuses == [200] * 4
    factories.fresh()
    assert db.session.execute(sa.select(sa.func.count()).select_from(CheckIn)).scalar() == 1
    assert db.session.execute(sa.select(sa.func.count()).select_from(CheckInScore)).scalar() == 1
