"""The visit page offers what the services decide: the interval form only to those who may set
it, with the cadence's bounds; the repeat form with the series' choices; "tell me of an earlier
time" only to the client of a visit they may still change."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from spa_app.accounts.models import Role
from spa_app.booking import series
from spa_app.cadence import service as cadence
from tests import factories as f


def _visit_in_days(days: int):
    svc, (anna,), (room,) = f.spa()
    client = f.user(name="Cara Client")
    day = f.next_weekday(0)
    while (day - datetime.now(UTC).date()).days < days:
        day += timedelta(days=7)
    return client, anna, f.booking(client, anna, room, svc, f.at(day, "10:00"))


def test_the_therapist_gets_the_interval_form_with_the_cadence_bounds(app, client):
    with app.app_context():
        me, anna, visit = _visit_in_days(3)
        visit_id = visit.id
        f.login(client, anna.user)
    page = client.get(f"/bookings/{visit_id}").get_data(as_text=True)
    assert 'name="min_weeks"' in page
    assert f'min="{cadence.LOWEST_MIN_WEEKS}" max="{cadence.HIGHEST_MIN_WEEKS}"' in page
    assert f'min="{cadence.LOWEST_MIN_WEEKS}" max="{cadence.HIGHEST_MAX_WEEKS}"' in page
    assert "Tell me if an earlier time frees up" not in page


def test_the_client_gets_no_interval_form_and_may_ask_for_an_earlier_time(app, client):
    with app.app_context():
        me, anna, visit = _visit_in_days(3)
        visit_id = visit.id
        f.login(client, me)
    page = client.get(f"/bookings/{visit_id}").get_data(as_text=True)
    assert 'name="min_weeks"' not in page
    assert "Tell me if an earlier time frees up" in page
    options = [f'<option value="{w}">{w} weeks</option>' for w in series.EVERY_WEEKS]
    assert all(option in page for option in options)
    assert f'max="{series.VISITS.stop - 1}"' in page


def test_inside_the_cancellation_window_the_client_is_not_offered_an_earlier_time(app, client):
    with app.app_context():
        me, anna, visit = _visit_in_days(0)
        visit.starts_at = datetime.now(UTC) + timedelta(hours=3)
        visit.ends_at = visit.busy_until = visit.starts_at + timedelta(hours=1)
        from spa_app.extensions import db

        db.session.commit()
        visit_id = visit.id
        f.login(client, me)
    page = client.get(f"/bookings/{visit_id}").get_data(as_text=True)
    assert "Tell me if an earlier time frees up" not in page


def test_a_staff_member_may_set_the_interval(app):
    with app.app_context():
        me, anna, visit = _visit_in_days(3)
        staff = f.user(Role.STAFF)
        choice = cadence.interval_choice(staff, me)
        assert choice is not None and choice.weeks == cadence.DEFAULT_WEEKS
        assert cadence.interval_choice(me, me) is None
