"""The staff calendar: a day per therapist or room, in slot rows, with markers and links."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from spa_app.accounts.models import Role
from spa_app.booking.models import BookingStatus
from spa_app.calendar.service import day_view
from spa_app.extensions import db
from spa_app.homecare.models import AuditEntry
from spa_app.scheduling.models import Closure, TimeOff
from tests import factories
from tests.factories import LONDON, at
from tests.sqlcount import count_statements


@pytest.fixture
def spa(app):
    svc, (anna, ben), (r1, r2) = factories.spa(therapists=2, rooms=2, minutes=60)
    return svc, anna, ben, r1, r2, factories.next_weekday(2)  # a Wednesday


def test_bookings_sit_in_their_therapists_column_at_their_rows(client, spa):
    svc, anna, ben, r1, r2, day = spa
    regular, newcomer = factories.user(name="Regular Rae"), factories.user(name="New Nia")
    factories.booking(regular, anna, r1, svc, at(day, "09:00") - timedelta(days=35),
                      status=BookingStatus.COMPLETED)  # fmt: skip
    factories.booking(regular, anna, r1, svc, at(day, "10:15"))
    factories.booking(newcomer, ben, r2, svc, at(day, "14:00"))
    factories.intake(regular.id, conditions=["varicose_veins"])
    view = day_view(day)
    assert view.step == 15 and view.time_of(0).strftime("%H:%M") == "09:00"
    cols = {c.name: c for c in view.columns}
    (rae,) = cols[anna.display_name].blocks
    assert (rae.row, rae.span, rae.client) == (5, 4, "Regular Rae")
    assert (rae.new_client, rae.flagged, rae.no_intake) == (False, True, False)
    (nia,) = cols[ben.display_name].blocks
    assert (nia.new_client, nia.flagged, nia.no_intake) == (True, False, True)
    assert 5 not in cols[anna.display_name].free_rows() and 9 in cols[anna.display_name].free_rows()


def test_rooms_columns_time_off_and_closures(client, spa):
    svc, anna, ben, r1, r2, day = spa
    factories.booking(factories.user(), anna, r2, svc, at(day, "11:00"))
    db.session.add(TimeOff(therapist_id=ben.id, starts_at=at(day, "13:00"),
                           ends_at=at(day, "15:00"), reason="Dentist"))  # fmt: skip
    db.session.commit()
    by_room = {c.name: c for c in day_view(day, "room").columns}
    assert by_room[r2.name].blocks and not by_room[r1.name].blocks
    ben_col = next(c for c in day_view(day).columns if c.id == ben.id)
    assert ben_col.blocked == [(16, 8, "Dentist")]
    assert 16 not in ben_col.free_rows()
    db.session.add(Closure(day=day, reason="Staff training"))
    db.session.commit()
    assert day_view(day).closure == "Staff training"


def test_the_day_view_reads_the_day_in_at_most_six_statements(client, spa):
    svc, anna, ben, r1, r2, day = spa
    for n in range(6):
        factories.booking(factories.user(), anna if n % 2 else ben, r1 if n % 2 else r2, svc,
                          at(day, f"{9 + n:02d}:00"))  # fmt: skip
    factories.login(client, factories.user(Role.STAFF))
    with count_statements() as statements:
        reply = client.get(f"/staff/calendar?date={day}")
    assert reply.status_code == 200
    reads = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(reads) <= 6, reads  # the user, the spa (header, footer), then the day in four
    assert len(statements) == len(reads)  # nothing flagged: no audit write


def test_the_page_links_free_cells_to_booking_and_blocks_to_the_booking(client, spa):
    svc, anna, ben, r1, r2, day = spa
    b = factories.booking(factories.user(name="Dana Doe"), anna, r1, svc, at(day, "10:00"))
    factories.login(client, factories.user(Role.STAFF))
    page = client.get(f"/staff/calendar?date={day}").get_data(as_text=True)
    assert f'href="/bookings/{b.id}"' in page and "Dana Doe" in page
    assert f"/staff/bookings/new?therapist={ben.id}&amp;date={day}&amp;time=10:00" in page
    assert f'aria-label="Book {ben.display_name} at 10:00"' in page
    assert f'aria-label="Book {anna.display_name} at 10:00"' not in page  # taken
    form = client.get(f"/staff/bookings/new?therapist={ben.id}&date={day}&time=10:00")
    assert f'value="{day}"' in form.get_data(as_text=True)
    assert 'value="10:00"' in form.get_data(as_text=True)


def test_flag_markers_are_audited(client, spa):
    svc, anna, ben, r1, r2, day = spa
    flagged = factories.user()
    factories.booking(flagged, anna, r1, svc, at(day, "10:00"))
    factories.intake(flagged.id, conditions=["pregnancy"])
    staff = factories.user(Role.STAFF)
    factories.login(client, staff)
    page = client.get(f"/staff/calendar?date={day}").get_data(as_text=True)
    assert 'class="skip">Contraindication ticked' in page
    factories.fresh()
    rows = db.session.execute(db.select(AuditEntry)).scalars().all()
    assert [(r.actor_id, r.client_id) for r in rows] == [(staff.id, flagged.id)]


def test_a_therapist_sees_only_their_own_column(client, spa):
    svc, anna, ben, r1, r2, day = spa
    factories.booking(factories.user(name="Annas Client"), anna, r1, svc, at(day, "10:00"))
    factories.booking(factories.user(name="Bens Client"), ben, r2, svc, at(day, "12:00"))
    factories.login(client, anna.user)
    page = client.get(f"/schedule/day?date={day}").get_data(as_text=True)
    assert "Annas Client" in page and "Bens Client" not in page
    assert "/staff/bookings/new" not in page  # therapists do not book from here


@pytest.mark.parametrize("bad", ["2027-02-30", "yesterday", "9" * 40, "9999-12-31", "0001-01-01"])
def test_a_bad_date_shows_today(client, spa, bad):
    factories.login(client, factories.user(Role.STAFF))
    today = datetime.now(UTC).astimezone(LONDON).date()
    page = client.get(f"/staff/calendar?date={bad}&by=bogus")
    assert page.status_code == 200 and today.strftime("%A %d %B %Y") in page.get_data(as_text=True)
    week = client.get(f"/staff/calendar/week?therapist={spa[1].id}&date={bad}")
    assert week.status_code == 200
    client.post("/logout")
    factories.login(client, spa[1].user)
    assert client.get(f"/schedule/week?date={bad}").status_code == 200


def test_daylight_saving_day_rows_follow_the_wall_clock(client, spa):
    svc, anna, ben, r1, r2, _ = spa
    spring = date(2027, 3, 28)  # a Sunday: give Anna hours that day
    factories.booking(factories.user(), anna, r1, svc, at(spring, "10:00"))
    view = day_view(spring)
    block = next(b for c in view.columns for b in c.blocks)
    assert block.starts.strftime("%H:%M") == "10:00"
    assert view.time_of(block.row).strftime("%H:%M") == "10:00"


def test_a_therapists_week_has_a_column_per_day(client, spa):
    svc, anna, ben, r1, r2, day = spa
    monday = day - timedelta(days=day.weekday())
    factories.booking(factories.user(name="Monday Mo"), anna, r1, svc, at(monday, "09:00"))
    factories.booking(factories.user(name="Friday Fay"), anna, r1, svc,
                      at(monday + timedelta(days=4), "16:30"))  # fmt: skip
    factories.booking(factories.user(name="Bens Client"), ben, r2, svc, at(monday, "11:00"))
    factories.login(client, factories.user(Role.STAFF))
    page = client.get(f"/staff/calendar/week?therapist={anna.id}&date={day}").get_data(as_text=True)
    assert "Monday Mo" in page and "Friday Fay" in page and "Bens Client" not in page
    assert page.count('class="cal-head"') == 7
    assert f"therapist={anna.id}&amp;date={monday + timedelta(days=5)}" in page  # Saturday cells
    assert client.get("/staff/calendar/week?therapist=999999").status_code == 404
    assert client.get("/staff/calendar/week?therapist=abc").status_code == 404
    client.post("/logout")
    factories.login(client, anna.user)
    own = client.get(f"/schedule/week?date={day}").get_data(as_text=True)
    assert "Friday Fay" in own and "Bens Client" not in own
