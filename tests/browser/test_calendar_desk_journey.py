"""The front desk works the calendar in Chromium: on a desktop with JavaScript, a visit dragged
to a free time moves there (asked first whether to e-mail the client), one dragged onto a taken
time is refused and goes back; a visit's details show on hover and on keyboard focus; today's
grid scrolls to the now line. On a phone and a desktop without JavaScript the same calendar
works with links."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time

import pytest

from spa_app.accounts.models import Role
from spa_app.booking.models import Booking
from spa_app.extensions import db
from spa_app.notifications.models import Message, MessageKind
from tests import factories
from tests.browser.conftest import DESKTOP, log_in, recorded
from tests.factories import LONDON, at

pytestmark = pytest.mark.browser


@pytest.fixture
def desktop_with_scripts(request, chromium):
    with recorded(chromium, request, DESKTOP, scripts=True) as steps:
        yield steps


@pytest.fixture
def desk(app):
    svc, (anna, ben), (r1, r2) = factories.spa(therapists=2, rooms=2)
    day = factories.next_weekday(2)
    dana = factories.booking(factories.user(name="Dana Doe"), anna, r1, svc, at(day, "10:00"))
    taken = factories.booking(factories.user(name="Tom Taken"), ben, r2, svc, at(day, "14:00"))
    return svc, anna, ben, day, dana, taken, factories.user(Role.STAFF)


def row_height(page) -> float:
    return page.evaluate(
        "document.querySelector('.cal-times .cal-time').getBoundingClientRect().height"
    )


def drag(page, booking_id: int, therapist_id: int, hhmm: str) -> None:
    """Drag the visit's card by its top onto ``therapist_id``'s column at ``hhmm`` (09:00 is
    the grid's first row, 15 minutes a row), with the mouse, as a person does; the card is
    scrolled to the middle first, so that nothing scrolls while the button is down."""
    hours, minutes = map(int, hhmm.split(":"))
    row = ((hours - 9) * 60 + minutes) // 15
    card = page.locator(f'.cal-item[data-booking="{booking_id}"] > .cal-booking')
    card.evaluate("el => el.scrollIntoView({block: 'center'})")
    column = page.locator(f'.cal-body[data-therapist="{therapist_id}"]').bounding_box()
    source, height = card.bounding_box(), row_height(page)
    target_y = column["y"] + row * height + height / 2
    assert 0 < target_y < DESKTOP["height"], "the drop would need a scroll"
    page.mouse.move(source["x"] + 12, source["y"] + 4)
    page.mouse.down()
    page.mouse.move(column["x"] + 20, target_y, steps=8)
    page.mouse.up()


def placed(page, booking_id: int, therapist_id: int):
    """The visit's card in ``therapist_id``'s column."""
    column = page.locator(f'.cal-body[data-therapist="{therapist_id}"]')
    return column.locator(f'.cal-item[data-booking="{booking_id}"]')


def where(booking_id: int) -> tuple[str, int]:
    factories.fresh()
    b = db.session.get(Booking, booking_id)
    return b.starts_at.astimezone(LONDON).strftime("%H:%M"), b.therapist_id


def test_drag_a_visit_to_a_free_time_then_onto_a_taken_one(live_server, desktop_with_scripts, desk):
    svc, anna, ben, day, dana, taken, staff = desk
    steps = desktop_with_scripts
    page = steps.page
    log_in(page, live_server, staff)
    page.goto(f"{live_server}/staff/calendar?date={day}")
    assert page.get_by_text("To move a visit, drag it").is_visible()  # said once it can be
    steps.step("calendar")

    # Dana to Ben at 12:00: asked first, the e-mail box ticked.
    drag(page, dana.id, ben.id, "12:00")
    dialog = page.get_by_role("dialog", name="Move this visit?")
    assert dialog.is_visible()
    assert dialog.get_by_text(f"Dana Doe to 12:00, {ben.display_name}.").is_visible()
    assert dialog.get_by_label("Tell the client by e-mail").is_checked()
    steps.step("asked-before-moving")
    dialog.get_by_role("button", name="Move it").click()
    said = page.get_by_role("status").filter(has_text="The visit is moved.")
    said.wait_for()
    moved = placed(page, dana.id, ben.id)
    assert moved.get_by_text("12:00–13:00", exact=True).is_visible()  # the grid read again
    assert where(dana.id) == ("12:00", ben.id)
    steps.step("moved")

    # Then onto Tom's time, without e-mailing: refused, said, and back where it was.
    drag(page, dana.id, ben.id, "14:15")
    dialog.get_by_label("Tell the client by e-mail").uncheck()
    dialog.get_by_role("button", name="Move it").click()
    alert = page.get_by_role("alert").filter(has_text="That time is not free for this visit")
    alert.wait_for()
    card = placed(page, dana.id, ben.id)
    assert card.count() == 1 and "gr-13" in card.get_attribute("class")  # back at 12:00
    assert where(dana.id) == ("12:00", ben.id)
    steps.step("refused-and-back")

    # Dropped, then kept where it was: nothing sent, nothing changed.
    drag(page, dana.id, anna.id, "15:00")
    dialog.get_by_role("button", name="Keep it where it was").click()
    assert not dialog.is_visible() and where(dana.id) == ("12:00", ben.id)
    factories.fresh()
    moved_notices = db.session.scalars(
        db.select(Message).where(Message.kind == MessageKind.BOOKING_MOVED)
    ).all()
    assert [m.booking_id for m in moved_notices] == [dana.id]  # the one move, told


def test_a_visits_details_show_on_hover_and_on_focus(live_server, desktop_with_scripts, desk):
    svc, anna, ben, day, dana, taken, staff = desk
    steps = desktop_with_scripts
    page = steps.page
    log_in(page, live_server, staff)
    page.goto(f"{live_server}/staff/calendar?date={day}")
    card = page.locator(f'.cal-item[data-booking="{taken.id}"] > .cal-booking')
    tip = page.locator(f"#tip-{taken.id}")
    assert not tip.is_visible()
    card.hover()
    assert tip.is_visible() and f"With {ben.display_name}" in tip.inner_text()
    steps.step("details-on-hover")
    page.mouse.move(5, 5)
    assert not tip.is_visible()
    card.focus()
    assert tip.is_visible()
    # A screen reader hears them with the link: its description is the tooltip's text.
    described = card.evaluate(
        "el => document.getElementById(el.getAttribute('aria-describedby')).textContent"
    )
    assert "Status: booked" in described and "14:00–15:00" in described
    steps.step("details-on-focus")
    page.keyboard.press("Escape")
    assert not tip.is_visible()


def test_today_scrolls_to_the_now_line(live_server, desktop_with_scripts, app):
    all_day = {d: [(time(0), time(23, 59))] for d in range(7)}
    anna = factories.therapist(hours=all_day)
    factories.service(therapists=[anna])
    steps = desktop_with_scripts
    page = steps.page
    log_in(page, live_server, factories.user(Role.STAFF))
    page.goto(f"{live_server}/staff/calendar")
    now_line = page.locator("#now")
    assert now_line.is_visible() and now_line.get_by_text(re.compile(r"^Now \d\d:\d\d$"))
    box = now_line.bounding_box()
    assert 0 <= box["y"] <= DESKTOP["height"], box  # scrolled to, in sight
    local = datetime.now(UTC).astimezone(LONDON)
    assert local.strftime("%H") in now_line.inner_text() or local.minute >= 59
    steps.step("now-line")


def test_without_scripts_the_calendar_works_with_links(live_server, walk, desk):
    svc, anna, ben, day, dana, taken, staff = desk
    page = walk.page
    log_in(page, live_server, staff)
    page.goto(f"{live_server}/staff/calendar?date={day}")
    assert not page.get_by_text("To move a visit, drag it").is_visible()
    walk.step("calendar")
    page.get_by_role("link", name="Colour by service").click()
    assert page.get_by_text("Colours: by service.").is_visible()
    walk.step("by-service")
    page.get_by_text("The 2 visits as a list").click()
    page.get_by_role("link", name="Move Dana Doe at 10:00").click()
    page.get_by_role("link", name=re.compile(r"Move to .* at 11:00")).first.click()
    page.get_by_role("button", name="Confirm move").click()
    assert page.get_by_text("The visit is moved.").is_visible()
    assert where(dana.id)[0] == "11:00"
    walk.step("moved-by-links")
