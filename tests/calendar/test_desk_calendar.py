"""The calendar at a busy front desk: no "+" on a time that has passed, a now line on today, the
details of each visit for hover and focus, colours by status or service, status buttons only
where they apply, cancelled visits listed (late ones marked), and the drag-and-drop move."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest

from spa_app.accounts.models import Role
from spa_app.booking.models import Booking, BookingStatus
from spa_app.calendar.service import day_view
from spa_app.extensions import db
from spa_app.notifications.models import Message, MessageKind
from tests import factories
from tests.factories import LONDON, at
from tests.sqlcount import count_statements


@pytest.fixture
def spa(app):
    svc, (anna, ben), (r1, r2) = factories.spa(therapists=2, rooms=2, minutes=60)
    staff = factories.user(Role.STAFF)
    return svc, anna, ben, r1, r2, factories.next_weekday(2), staff  # a Wednesday


def frozen(monkeypatch, moment: datetime) -> None:
    """The calendar's and the visit pages' clock stopped at ``moment``."""
    monkeypatch.setattr("spa_app.calendar.views.utcnow", lambda: moment)
    monkeypatch.setattr("spa_app.booking.views.utcnow", lambda: moment)


def page(client, url: str) -> str:
    reply = client.get(url)
    assert reply.status_code == 200, reply.status_code
    return reply.get_data(as_text=True)


def book_cell(name: str, hhmm: str) -> str:
    return f'aria-label="Book {name} at {hhmm}"'


# Past times -----------------------------------------------------------------------------------


def test_no_plus_on_a_time_that_has_passed_today(client, spa, monkeypatch):
    svc, anna, ben, r1, r2, day, staff = spa
    frozen(monkeypatch, at(day, "11:10"))
    factories.login(client, staff)
    shown = page(client, f"/staff/calendar?date={day}")
    assert book_cell(anna.display_name, "09:00") not in shown
    assert book_cell(anna.display_name, "11:00") not in shown  # started ten minutes ago
    assert book_cell(anna.display_name, "11:15") in shown
    assert book_cell(ben.display_name, "17:45") in shown
    assert shown.count('class="cal-past') == 2 * 9  # 09:00 to 11:00, both columns


def test_no_plus_at_all_on_a_past_day_and_every_free_time_on_a_later_one(client, spa, monkeypatch):
    svc, anna, ben, r1, r2, day, staff = spa
    frozen(monkeypatch, at(day, "11:10"))
    factories.login(client, staff)
    yesterday = page(client, f"/staff/calendar?date={day - timedelta(days=1)}")
    assert 'class="cal-free' not in yesterday
    tomorrow = page(client, f"/staff/calendar?date={day + timedelta(days=1)}")
    assert tomorrow.count('class="cal-free') == 2 * 36  # 09:00 to 17:45 in 15-minute rows
    by_room = page(client, f"/staff/calendar?date={day}&by=room")
    assert book_cell(r1.name, "11:00") not in by_room and book_cell(r1.name, "11:15") in by_room


def test_the_week_has_no_plus_before_now(client, spa, monkeypatch):
    svc, anna, ben, r1, r2, day, staff = spa
    frozen(monkeypatch, at(day, "11:10"))
    factories.login(client, staff)
    week = page(client, f"/staff/calendar/week?therapist={anna.id}&date={day}")
    tuesday, thursday = day - timedelta(days=1), day + timedelta(days=1)
    assert f"date={tuesday}&amp;time=" not in week
    assert f"date={day}&amp;time=11:00" not in week and f"date={day}&amp;time=11:15" in week
    assert f"date={thursday}&amp;time=09:00" in week


def test_free_cells_of_the_rooms_view_name_their_room(client, spa):
    svc, anna, ben, r1, r2, day, staff = spa
    factories.login(client, staff)
    shown = page(client, f"/staff/calendar?date={day}&by=room")
    assert f"/staff/bookings/new?room={r2.id}&amp;date={day}&amp;time=10:00" in shown
    therapists = page(client, f"/staff/calendar?date={day}")
    assert f"/staff/bookings/new?therapist={anna.id}&amp;date={day}&amp;time=10:00" in therapists


# The now line ---------------------------------------------------------------------------------


def test_todays_grid_has_a_now_line_where_now_is(client, spa, monkeypatch):
    svc, anna, ben, r1, r2, day, staff = spa
    frozen(monkeypatch, at(day, "10:40"))  # 100 minutes after 09:00: row 6, 10 of its 15
    factories.login(client, staff)
    shown = page(client, f"/staff/calendar?date={day}")
    assert '<div class="cal-now gr-7 nf-6" id="now" tabindex="-1">' in shown
    assert '<span class="cal-now-label">Now 10:40</span>' in shown
    assert shown.count('class="cal-now gr-7 nf-6" aria-hidden="true"') == 2  # across each column
    assert 'data-now="100"' in shown and '<a href="#now" class="jump-now">Jump to now</a>' in shown
    # Each time label has its own row, so the line in their column cannot push them down one.
    assert '<div class="cal-time gr-9">11:00</div>' in shown
    other = page(client, f"/staff/calendar?date={day + timedelta(days=1)}")
    assert "cal-now" not in other and "Jump to now" not in other


def test_no_now_line_before_opening_and_one_in_the_week(client, spa, monkeypatch):
    svc, anna, ben, r1, r2, day, staff = spa
    frozen(monkeypatch, at(day, "07:30"))
    factories.login(client, staff)
    assert "cal-now" not in page(client, f"/staff/calendar?date={day}")
    frozen(monkeypatch, at(day, "12:05"))
    week = page(client, f"/staff/calendar/week?therapist={anna.id}&date={day}")
    assert 'class="cal-now gr-13 nf-3" id="now"' in week  # 185 minutes: row 12, a third in
    assert week.count('class="cal-now gr-13 nf-3" aria-hidden="true"') == 1  # today's column
    view = day_view(day, now=at(day, "12:05"))
    assert (view.now.row, view.now.tenths, view.now.label) == (12, 3, "12:05")


# Details, colours -----------------------------------------------------------------------------


def test_a_card_has_its_details_for_hover_and_focus(client, spa):
    svc, anna, ben, r1, r2, day, staff = spa
    no_mail = factories.user(name="Phone Only", email="no-email-1@no-email.invalid")
    visit = factories.booking(no_mail, ben, r2, svc, at(day, "14:00"))
    factories.login(client, staff)
    shown = page(client, f"/staff/calendar?date={day}")
    assert f'aria-describedby="tip-{visit.id}"' in shown
    tip = shown[shown.index(f'role="tooltip" id="tip-{visit.id}"') :]
    tip = tip[: tip.index("</span>\n</span>")]
    assert f"With {ben.display_name}, in {r2.name}" in tip and "Status: booked" in tip
    assert "No e-mail: phone the client" in tip and "14:00–15:00" in tip
    assert f'data-booking="{visit.id}"' in shown and "data-no-email" in shown


def test_colour_by_service_has_its_legend_and_keeps_the_status_in_words(client, spa):
    svc, anna, ben, r1, r2, day, staff = spa
    other = factories.service(name="Hot stones", minutes=30, therapists=[anna])
    factories.booking(factories.user(), anna, r1, svc, at(day, "10:00"))
    factories.booking(factories.user(), anna, r1, other, at(day, "12:00"),
                      status=BookingStatus.BOOKED)  # fmt: skip
    factories.login(client, staff)
    by_status = page(client, f"/staff/calendar?date={day}")
    assert 'class="cal-booking status-booked"' in by_status and "svc-" not in by_status
    assert f"/staff/calendar?colour=service&amp;date={day}&amp;by=therapist" in by_status
    by_service = page(client, f"/staff/calendar?date={day}&colour=service")
    assert f'class="cal-booking svc-{svc.id % 8}"' in by_service
    assert f'class="cal-booking svc-{other.id % 8}"' in by_service
    assert 'status-booked"' not in by_service.split('class="legend"')[0]
    legend = by_service[by_service.index('class="legend"') :]
    legend = legend[: legend.index("</div>")]
    assert "Colours: by service." in legend and "Hot stones" in legend and svc.name in legend
    assert f"{svc.name} · booked" in by_service  # the status is in words whatever the colours
    assert f"date={day + timedelta(days=1)}&amp;by=therapist&amp;colour=service" in by_service
    assert page(client, f"/staff/calendar?date={day}&colour=bogus").count("svc-") == 0


# Status buttons -------------------------------------------------------------------------------


def test_status_buttons_only_once_they_can_apply(client, spa, monkeypatch):
    svc, anna, ben, r1, r2, day, staff = spa
    soon = factories.booking(factories.user(name="Soon Sam"), anna, r1, svc, at(day, "11:00"))
    later = factories.booking(factories.user(name="Later Lu"), ben, r2, svc, at(day, "15:00"))
    frozen(monkeypatch, at(day, "10:40"))
    factories.login(client, staff)
    shown = page(client, f"/staff/calendar?date={day}")
    listed = shown[shown.index('<details class="cal-list">') :]
    for status in ("arrived", "completed", "no-show"):
        assert f'aria-label="Mark Soon Sam {status}"' in listed
        assert f'aria-label="Mark Later Lu {status}"' not in listed
    assert f'action="/bookings/{soon.id}/status"' in listed
    assert f'action="/bookings/{later.id}/status"' not in listed
    assert 'aria-label="Move Later Lu at 15:00"' in listed
    # The visit page too: a visit hours away has no status buttons at all.
    assert "At the spa" not in page(client, f"/bookings/{later.id}")
    assert "Mark arrived" in page(client, f"/bookings/{soon.id}")
    # Its therapist sees the marks for their own visit, never a move.
    client.post("/logout")
    factories.login(client, anna.user)
    own = page(client, f"/schedule/day?date={day}")
    assert 'aria-label="Mark Soon Sam arrived"' in own and 'aria-label="Move ' not in own


def test_a_mark_from_the_calendar_goes_back_to_the_calendar(client, spa, monkeypatch):
    svc, anna, ben, r1, r2, day, staff = spa
    soon = factories.booking(factories.user(name="Soon Sam"), anna, r1, svc, at(day, "11:00"))
    frozen(monkeypatch, at(day, "10:55"))
    factories.login(client, staff)
    back = f"/staff/calendar?date={day}"
    reply = client.post(f"/bookings/{soon.id}/status", data={"status": "arrived", "back": back})
    assert reply.status_code == 302 and reply.headers["Location"] == back
    away = client.post(f"/bookings/{soon.id}/status",
                       data={"status": "completed", "back": "https://evil.example/"})  # fmt: skip
    assert away.headers["Location"] == f"/bookings/{soon.id}"  # never off the site
    shown = page(client, back)
    assert 'aria-label="Undo Soon Sam\'s completed"' in shown


# Cancelled visits -----------------------------------------------------------------------------


def test_cancelled_visits_are_listed_apart_a_late_one_marked(client, spa):
    svc, anna, ben, r1, r2, day, staff = spa
    late = factories.booking(factories.user(name="Late Lee"), anna, r1, svc, at(day, "10:00"),
                             status=BookingStatus.CANCELLED)  # fmt: skip
    factories.booking(factories.user(name="Early Em"), ben, r2, svc, at(day, "12:00"),
                      status=BookingStatus.CANCELLED)  # fmt: skip
    db.session.get(Booking, late.id).late_cancel = True
    db.session.commit()
    factories.login(client, staff)
    shown = page(client, f"/staff/calendar?date={day}")
    assert book_cell(anna.display_name, "10:00") in shown  # the time is free again
    listed = shown[shown.index('<ul class="cal-cancelled">') :]
    assert "2 cancelled visits" in shown
    late_words = r'Late Lee</a>, [^<]+ <strong class="late">Late cancellation</strong>'
    assert re.search(late_words, listed)
    assert "Early Em</a>" in listed and listed.count("Late cancellation") == 1
    day_list = page(client, f"/staff/bookings/?date={day}")
    assert day_list.count('<strong class="late">Late cancellation</strong>') == 1


# The statement count ----------------------------------------------------------------------------


def _statements(client, day: date) -> int:
    with count_statements() as statements:
        page(client, f"/staff/calendar?date={day}")
    return len(statements)


def test_the_calendar_reads_the_same_statements_whatever_the_bookings(client, spa, monkeypatch):
    svc, anna, ben, r1, r2, day, staff = spa
    frozen(monkeypatch, at(day, "10:40"))
    factories.booking(factories.user(), anna, r1, svc, at(day, "09:00"))
    factories.login(client, staff)
    few = _statements(client, day)
    for n in range(1, 7):
        status = BookingStatus.CANCELLED if n == 3 else BookingStatus.BOOKED
        factories.booking(factories.user(), anna if n % 2 else ben, r1 if n % 2 else r2, svc,
                          at(day, f"{9 + n:02d}:00"), status=status)  # fmt: skip
    assert _statements(client, day) == few <= 6


# The drag-and-drop move -----------------------------------------------------------------------


def drop(client, booking_id, hhmm: str, day: date, **more):
    data = {"booking": str(booking_id), "date": day.isoformat(), "time": hhmm, **more}
    return client.post("/staff/calendar/move", data=data)


def _moved_notices() -> list[Message]:
    factories.fresh()
    return list(db.session.scalars(db.select(Message).where(
        Message.kind == MessageKind.BOOKING_MOVED)))  # fmt: skip


def test_a_dropped_visit_moves_to_the_free_time_and_therapist(client, spa):
    svc, anna, ben, r1, r2, day, staff = spa
    visit = factories.booking(factories.user(name="Dana Doe"), anna, r1, svc, at(day, "10:00"))
    factories.login(client, staff)
    reply = drop(client, visit.id, "13:15", day, therapist=str(ben.id))
    assert reply.status_code == 200
    assert reply.get_json() == {"ok": True, "message": "The visit is moved.", "warning": None}
    factories.fresh()
    moved = db.session.get(Booking, visit.id)
    assert (moved.starts_at, moved.therapist_id, moved.room_id) == (at(day, "13:15"), ben.id, r1.id)
    assert len(_moved_notices()) == 1  # the client is told by default


def test_a_drop_on_a_room_moves_the_visit_into_that_room_and_may_skip_the_email(client, spa):
    svc, anna, ben, r1, r2, day, staff = spa
    visit = factories.booking(factories.user(), anna, r1, svc, at(day, "10:00"))
    factories.login(client, staff)
    reply = drop(client, visit.id, "11:00", day, therapist=str(anna.id), room=str(r2.id),
                 tell_client="0")  # fmt: skip
    assert reply.status_code == 200 and "not e-mailed" in reply.get_json()["warning"]
    factories.fresh()
    moved = db.session.get(Booking, visit.id)
    where = (moved.starts_at, moved.therapist_id, moved.room_id)
    assert where == (at(day, "11:00"), anna.id, r2.id)
    assert _moved_notices() == []


def test_a_drop_on_a_taken_time_is_refused_and_changes_nothing(client, spa):
    svc, anna, ben, r1, r2, day, staff = spa
    visit = factories.booking(factories.user(), anna, r1, svc, at(day, "10:00"))
    factories.booking(factories.user(), ben, r2, svc, at(day, "14:00"))
    factories.login(client, staff)
    reply = drop(client, visit.id, "14:30", day, therapist=str(ben.id))
    assert reply.status_code == 409
    assert reply.get_json() == {
        "ok": False,
        "message": "That time is not free for this visit: it stays where it was.",
    }
    factories.fresh()
    kept = db.session.get(Booking, visit.id)
    assert (kept.starts_at, kept.therapist_id, kept.sequence) == (at(day, "10:00"), anna.id, 0)
    assert _moved_notices() == []


def test_a_drop_of_a_visit_no_longer_booked_says_why(client, spa):
    svc, anna, ben, r1, r2, day, staff = spa
    done = factories.booking(factories.user(), anna, r1, svc, at(day, "10:00"),
                             status=BookingStatus.COMPLETED)  # fmt: skip
    factories.login(client, staff)
    reply = drop(client, done.id, "12:00", day)
    assert reply.status_code == 409
    assert reply.get_json()["message"] == (
        "This visit is completed and can no longer change. The visit stays where it was."
    )


@pytest.mark.parametrize(
    ("field", "bad"),
    [("time", "25:00"), ("time", ""), ("date", "2027-02-30"), ("date", "9999-12-31"),
     ("therapist", "abc"), ("room", "0")],
)  # fmt: skip
def test_a_drop_naming_no_usable_time_is_a_400_and_changes_nothing(client, spa, field, bad):
    svc, anna, ben, r1, r2, day, staff = spa
    visit = factories.booking(factories.user(), anna, r1, svc, at(day, "10:00"))
    factories.login(client, staff)
    values = {"time": "12:00", "date": day.isoformat(), "therapist": str(anna.id), field: bad}
    reply = client.post("/staff/calendar/move", data={"booking": str(visit.id), **values})
    assert reply.status_code == 400 and reply.get_json()["ok"] is False
    factories.fresh()
    assert db.session.get(Booking, visit.id).starts_at == at(day, "10:00")


def test_a_drop_in_the_hour_the_clocks_skip_is_a_400(client, spa):
    svc, anna, ben, r1, r2, day, staff = spa
    visit = factories.booking(factories.user(), anna, r1, svc, at(day, "10:00"))
    factories.login(client, staff)
    assert drop(client, visit.id, "01:30", date(2027, 3, 28)).status_code == 400


def test_a_drop_of_an_unknown_visit_is_a_404_and_only_staff_may_drop(client, spa):
    svc, anna, ben, r1, r2, day, staff = spa
    visit = factories.booking(factories.user(), anna, r1, svc, at(day, "10:00"))
    assert drop(client, visit.id, "12:00", day).status_code == 302  # to the login page
    for who in (visit.client, anna.user):
        factories.login(client, who)
        assert drop(client, visit.id, "12:00", day).status_code == 404
        client.post("/logout")
    factories.login(client, staff)
    assert drop(client, 999999, "12:00", day).status_code == 404
    assert drop(client, "abc", "12:00", day).get_json()["message"] == "There is no such visit."
    factories.fresh()
    assert db.session.get(Booking, visit.id).starts_at == at(day, "10:00")


def test_a_drop_needs_the_csrf_token_in_its_header(app, client, spa):
    svc, anna, ben, r1, r2, day, staff = spa
    visit = factories.booking(factories.user(), anna, r1, svc, at(day, "10:00"))
    factories.login(client, staff)
    app.config["WTF_CSRF_ENABLED"] = True
    shown = page(client, f"/staff/calendar?date={day}")
    token = re.search(r'data-csrf="([^"]+)"', shown).group(1)
    refused = drop(client, visit.id, "12:00", day)
    assert refused.status_code == 400
    factories.fresh()
    assert db.session.get(Booking, visit.id).starts_at == at(day, "10:00")
    data = {"booking": str(visit.id), "date": day.isoformat(), "time": "12:00"}
    moved = client.post("/staff/calendar/move", data=data, headers={"X-CSRFToken": token})
    assert moved.status_code == 200
    factories.fresh()
    assert db.session.get(Booking, visit.id).starts_at == at(day, "12:00")


def test_the_grid_tells_the_script_where_each_cell_is(client, spa):
    svc, anna, ben, r1, r2, day, staff = spa
    factories.booking(factories.user(), anna, r1, svc, at(day, "10:00"))
    factories.login(client, staff)
    shown = page(client, f"/staff/calendar?date={day}")
    assert 'data-step="15" data-start="09:00" data-rows="36"' in shown
    assert 'data-move="/staff/calendar/move"' in shown
    assert f'data-day="{day}" data-name="{ben.display_name}" data-therapist="{ben.id}"' in shown
    assert "data-movable" in shown and '<dialog id="move-dialog"' in shown
    client.post("/logout")
    factories.login(client, anna.user)
    own = page(client, f"/schedule/day?date={day}")
    assert "data-move=" not in own and "data-movable" not in own and "move-dialog" not in own


def test_now_is_utc_in_the_database_and_local_on_the_grid(client, spa, monkeypatch):
    svc, anna, ben, r1, r2, day, staff = spa
    summer = date(2027, 7, 7)  # a Wednesday in British Summer Time
    frozen(monkeypatch, datetime(2027, 7, 7, 9, 40, tzinfo=UTC))  # 10:40 in London
    assert datetime(2027, 7, 7, 9, 40, tzinfo=UTC).astimezone(LONDON).hour == 10
    factories.login(client, staff)
    shown = page(client, f"/staff/calendar?date={summer}")
    assert "Now 10:40" in shown and book_cell(anna.display_name, "10:45") in shown
    assert book_cell(anna.display_name, "10:30") not in shown
