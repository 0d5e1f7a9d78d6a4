"""Every journey end to end in Chromium, phone-sized with JavaScript off: a new client from sign-up
to a second booking (the e-mail read in the local mail sink), a therapist publishing a home-care
plan, the client following it, and staff working the calendar. Each page passes axe (nothing
serious or critical) and leaves a screenshot in .artifacts/<test>/."""

from __future__ import annotations

import mailbox
import re
from datetime import UTC, datetime, time, timedelta
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

import pytest

from spa_app.accounts.models import Role, User
from spa_app.booking.models import Booking, BookingStatus
from spa_app.database import utcnow
from spa_app.extensions import db
from spa_app.homecare.library import load_library
from spa_app.homecare.models import Completion, Intake, Plan, PlanStatus
from spa_app.homecare.plans.links import day_done_token
from spa_app.notifications import preferences
from spa_app.notifications.models import Message, MessageKind
from tests import factories
from tests.browser.conftest import menu
from tests.factories import at
from tests.notifications.conftest import deliver_all, mail_settings

pytestmark = pytest.mark.browser


def log_out(journey, page) -> None:
    menu(page, re.compile("^Log out"), "button").click()
    assert page.get_by_text("You are logged out.").is_visible()
    journey.step("logged-out")


def log_in(journey, page, base: str, user, password: str = factories.PASSWORD) -> None:
    page.goto(base + "/login")
    journey.step("log-in")
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    assert page.get_by_text(f"Welcome, {user.name}.").is_visible()
    journey.step("logged-in")


def earlier_today() -> datetime:
    """The start of the current hour, or the hour before, on the spa's clock: a visit that is
    today (so on today's calendar) and may be marked already."""
    now = datetime.now(UTC).astimezone(factories.LONDON)
    return now.replace(hour=max(now.hour - 1, 0), minute=0, second=0, microsecond=0)


def letters(app) -> list[EmailMessage]:
    """Every letter in the mail sink's Maildir."""
    box = mailbox.Maildir(app.config["MAIL_SINK_DIR"], factory=None)
    parse = BytesParser(policy=policy.default).parsebytes
    return [parse(box.get_bytes(key)) for key in box.iterkeys()]


def test_a_new_client_signs_up_books_reads_the_email_cancels_and_books_again(
    live_server, phone, journey, app, mail_sink
):
    svc, (anna, _), _ = factories.spa(therapists=2, rooms=2)
    staff = factories.user(Role.STAFF, name="Desk Dee")
    monday = factories.next_weekday(0)

    phone.goto(live_server + "/")
    journey.step("services")
    menu(phone, "Sign up").click()
    journey.step("sign-up")
    phone.get_by_label("Full name").fill("Nina New")
    phone.get_by_label("E-mail").fill("nina@example.com")
    phone.get_by_label("Password", exact=True).fill("short")
    phone.get_by_label("Repeat password").fill("short")
    phone.get_by_role("button", name="Create account").click()
    assert phone.get_by_text("Please correct the fields marked below.").is_visible()
    journey.step("sign-up-errors")
    phone.get_by_label("Password", exact=True).fill("long-enough-pw")
    phone.get_by_label("Repeat password").fill("long-enough-pw")
    phone.get_by_role("button", name="Create account").click()
    assert phone.get_by_text("Your account is ready.").is_visible()
    journey.step("my-bookings-empty")

    # The health intake, before booking.
    menu(phone, "Health intake").click()
    journey.step("intake")
    tension = phone.get_by_role("group", name=re.compile("^Where do you feel tension"))
    tension.get_by_label("Neck").select_option("7")
    phone.get_by_label("Less stress").check()
    phone.get_by_label("Desk work").check()
    box = phone.get_by_label("Desk work").bounding_box()
    label = phone.locator("label", has_text="Desk work").bounding_box()
    assert abs(box["y"] + box["height"] / 2 - label["y"] - label["height"] / 2) < 4
    assert box["x"] < label["x"]  # each box sits beside its own label
    phone.get_by_label("Pressure you like").select_option(label="Medium")
    phone.get_by_label("Minutes a day").fill("15")
    phone.get_by_label("None of these").check()
    phone.get_by_role("button", name="Save my intake").click()
    assert phone.get_by_text("your health intake is saved").is_visible()
    journey.step("intake-saved")

    # Book Anna on Monday at 09:00.
    menu(phone, "Services").click()
    journey.step("services-signed-in")
    phone.get_by_role("link", name=f"Book {svc.name}").click()
    journey.step("book")
    phone.get_by_label("Therapist").select_option(label=anna.display_name)
    phone.get_by_label("Date").fill(monday.isoformat())
    phone.get_by_role("button", name="Show free times").click()
    journey.step("free-times")
    phone.get_by_role("link", name="09:00").click()
    assert anna.display_name in phone.content()
    journey.step("confirm")
    phone.get_by_role("button", name="Confirm booking").click()
    assert phone.get_by_text("Your visit is booked.").is_visible()
    journey.step("booked")

    # The confirmation goes out through a real SMTP server into the mail sink; staff read it.
    deliver_all(utcnow(), mail_settings(app, mail_sink.port))
    log_out(journey, phone)
    log_in(journey, phone, live_server, staff)
    menu(phone, "Manage").click()
    journey.step("manage")
    phone.get_by_role("link", name="Local mail sink").click()
    journey.step("mail-sink")
    subject = f"Booked: {svc.name} on {monday:%a %d %b}, 09:00"
    phone.get_by_role("link", name=subject).click()
    assert phone.get_by_role("heading", name=subject).is_visible()
    letter = phone.locator("pre").inner_text()
    assert "Hello Nina New" in letter and f"With {anna.display_name}" in letter
    assert f"{monday:%A %d %B %Y}, 09:00 to 10:00" in letter
    assert re.search(r"/bookings/\d+", letter)
    journey.step("mail-sink-letter")

    # The client cancels, then books 11:00 the same day instead.
    log_out(journey, phone)
    factories.fresh()
    nina = db.session.scalars(db.select(User).filter_by(email="nina@example.com")).one()
    log_in(journey, phone, live_server, nina, "long-enough-pw")  # lands on My bookings
    phone.get_by_role("link", name=re.compile("View, move or cancel")).click()
    journey.step("visit")
    phone.get_by_role("link", name="Cancel this visit").click()
    journey.step("cancel-step")
    phone.get_by_label("Reason (optional)").fill("A meeting came up")
    phone.get_by_role("button", name="Cancel visit").click()
    assert phone.get_by_text("The visit is cancelled.").is_visible()
    journey.step("cancelled")
    menu(phone, "My bookings").click()
    assert phone.get_by_role("heading", name="Past and cancelled").is_visible()
    journey.step("my-bookings-after-cancelling")
    phone.get_by_role("link", name="Book a massage").click()
    phone.get_by_role("link", name=f"Book {svc.name}").click()
    phone.get_by_label("Therapist").select_option(label=anna.display_name)
    phone.get_by_label("Date").fill(monday.isoformat())
    phone.get_by_role("button", name="Show free times").click()
    assert phone.get_by_role("link", name="09:00").is_visible()  # freed by the cancellation
    journey.step("free-times-again")
    phone.get_by_role("link", name="11:00").click()
    journey.step("confirm-again")
    phone.get_by_role("button", name="Confirm booking").click()
    assert phone.get_by_text("Your visit is booked.").is_visible()
    journey.step("booked-again")

    factories.fresh()
    assert db.session.get(Intake, nina.id).minutes_per_day == 15
    visits = db.session.scalars(
        db.select(Booking).where(Booking.client_id == nina.id).order_by(Booking.id)
    ).all()
    assert [(b.status, b.starts_at) for b in visits] == [
        (BookingStatus.CANCELLED, at(monday, "09:00")),
        (BookingStatus.BOOKED, at(monday, "11:00")),
    ]
    assert visits[0].cancel_reason == "client: A meeting came up"
    deliver_all(utcnow(), mail_settings(app, mail_sink.port))
    on = f"{svc.name} on {monday:%a %d %b}"
    assert sorted(str(m["Subject"]) for m in letters(app)) == [
        f"Booked: {on}, 09:00",
        f"Booked: {on}, 11:00",
        f"Cancelled: {on}, 09:00",
    ]


def test_a_therapist_reads_the_intake_then_edits_and_publishes_a_suggested_plan(
    live_server, phone, journey, app
):
    load_library()
    db.session.commit()
    svc, (anna,), (room,) = factories.spa()
    clara = factories.user(name="Clara Client")
    factories.intake(
        clara.id,
        severity={"neck": 6, "lower_back": 4},
        goals=["stress"],
        contexts=["desk_work"],
        minutes_per_day=20,
        conditions=["varicose_veins"],
    )
    visit = factories.booking(clara, anna, room, svc, earlier_today())

    log_in(journey, phone, live_server, anna.user)  # lands on My schedule
    phone.get_by_role("link", name="My week").click()
    journey.step("my-week")
    phone.get_by_role("link", name="Next week").click()
    assert phone.get_by_role("link", name=re.compile("Clara Client")).count() == 0
    journey.step("my-next-week")  # nothing booked: the wide grid must still scroll by keyboard
    menu(phone, "My day").click()
    journey.step("my-day")
    phone.get_by_role("link", name=re.compile("Clara Client")).click()
    assert phone.get_by_text("Contraindication ticked: read it before the visit").is_visible()
    journey.step("visit")
    phone.get_by_role("link", name="Read the intake").click()
    assert phone.get_by_text("Varicose veins").is_visible()
    journey.step("client-intake")
    phone.go_back()

    phone.get_by_role("button", name="Suggest a plan").click()
    assert phone.get_by_role("alert").get_by_text("Review needed before publishing").is_visible()
    journey.step("plan-suggested")
    items = phone.locator("section.plan-item")
    suggested = items.count()
    assert suggested >= 2
    first = items.first
    first.get_by_label("Minutes").fill("8")
    for day in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"):
        first.get_by_label(day).check()
    first.get_by_label("Note for the client").fill("Slowly, after work.")
    last_name = items.last.get_by_role("heading").inner_text().split(". ", 1)[1]
    items.last.get_by_role("button", name=f"Remove {last_name}").click()
    assert phone.get_by_text("Saved.").is_visible()
    assert items.count() == suggested - 1
    journey.step("plan-routine-removed")
    names = [h.split(". ", 1)[1] for h in items.get_by_role("heading").all_inner_texts()]
    library = phone.get_by_label("Add a routine from the library")
    offered = library.locator("option").all_inner_texts()[1:]
    extra = next(o for o in offered if o.split(": ", 1)[1] not in names + [last_name])
    library.select_option(label=extra)
    phone.get_by_role("button", name="Add this routine").click()
    # Eight minutes every day plus the new routine is more than her 20 minutes on some days:
    # nothing is saved until the therapist confirms.
    warning = phone.locator("#warnings")
    assert warning.get_by_text("more than the 20 the client has").first.is_visible()
    assert items.count() == suggested - 1
    journey.step("plan-warning")
    warning.get_by_label("I have read these warnings and want to go ahead").check()
    warning.get_by_role("button", name="Go ahead with the change").click()
    assert items.count() == suggested
    journey.step("plan-edited")

    phone.get_by_role("button", name="Publish to the client").click()
    assert phone.get_by_text("please confirm you reviewed the plan for it").is_visible()
    journey.step("plan-needs-review")
    phone.get_by_label("I have reviewed this plan against the client's contraindications").check()
    phone.get_by_role("button", name="Publish to the client").click()
    assert phone.get_by_text("The plan is published").is_visible()
    assert phone.get_by_role("heading", name="Home-care plan of Clara Client").is_visible()
    journey.step("plan-published")

    factories.fresh()
    (plan,) = db.session.scalars(db.select(Plan).where(Plan.booking_id == visit.id)).all()
    assert plan.status is PlanStatus.PUBLISHED and plan.reviewed
    assert [i.name for i in plan.items] == names + [extra.split(": ", 1)[1]]
    top = plan.items[0]
    assert (top.minutes, top.days, top.note) == (8, "0123456", "Slowly, after work.")
    (ready,) = db.session.scalars(
        db.select(Message).where(Message.kind == MessageKind.PLAN_READY)
    ).all()
    assert (ready.user_id, ready.plan_id) == (clara.id, plan.id)


def test_a_client_opens_the_plan_from_the_email_and_ticks_routines_off(
    live_server, phone, journey, app, mail_sink
):
    load_library()
    db.session.commit()
    svc, (anna,), (room,) = factories.spa()
    me = factories.user(name="Fay Follower")
    factories.intake(me.id, severity={"neck": 6, "lower_back": 5}, minutes_per_day=20)
    visit = factories.booking(me, anna, room, svc, earlier_today())
    draft = factories.plan(visit, days="0123456", reviewed=False)  # every routine daily
    first, *others = draft.items
    assert others, "the suggestion should hold more than one routine"

    # "Your plan is ready" arrives; its link asks the client to log in, then shows the plan.
    deliver_all(utcnow(), mail_settings(app, mail_sink.port))
    (letter,) = letters(app)
    assert letter["To"] == f"{me.name} <{me.email}>"
    link = re.search(r"http://\S+(/plans/\d+)", letter.get_body(("plain",)).get_content())[1]
    phone.goto(live_server + link)
    assert "/login" in phone.url
    journey.step("log-in-for-plan")
    phone.get_by_label("E-mail").fill(me.email)
    phone.get_by_label("Password").fill(factories.PASSWORD)
    phone.get_by_role("button", name="Log in").click()
    assert phone.get_by_role("heading", name="Your home-care plan").is_visible()
    assert phone.locator("svg.body-map").is_visible()
    journey.step("plan")

    today = phone.locator("section", has=phone.get_by_role("heading", name=re.compile("^Today")))
    today.get_by_label("How did it feel?").first.select_option("7")
    today.get_by_role("button", name=f"Mark {first.name} done for today").click()
    assert phone.get_by_text("Well done: marked as done for today.").is_visible()
    progress = phone.locator("section", has=phone.get_by_role("heading", name="This week"))
    assert re.match(r"1 of \d+ planned so far this week done", progress.locator("p").inner_text())
    journey.step("ticked-one")

    # The routine reminder's link asks which were done; all are ticked to start with.
    day = datetime.now(UTC).astimezone(factories.LONDON).date()
    token = day_done_token(app.config["SECRET_KEY"], draft.id, me.id, day)
    phone.goto(f"{live_server}/plans/{draft.id}/day-done/{token}")
    journey.step("day-done-link")
    phone.get_by_role("button", name=f"Mark the ticked ones done for {day:%A}").click()
    assert phone.get_by_text("Marked as done:").is_visible()
    journey.step("day-done")
    phone.get_by_role("link", name="See your whole plan").click()
    assert phone.get_by_text("Done today").count() == len(draft.items)
    journey.step("plan-all-done")

    # The daily reminder at an earlier hour, and the link that puts visits in a phone calendar.
    menu(phone, "E-mail settings").click()
    assert phone.title() == "E-mail settings · Spa"
    journey.step("email-settings")
    phone.get_by_label("Time for the home-routine reminder").fill("07:30")
    phone.get_by_role("button", name="Save").click()
    assert phone.get_by_text("Your e-mail settings are saved.").is_visible()
    journey.step("email-settings-saved")
    phone.get_by_role("link", name="get your private calendar link").click()
    journey.step("calendar-link")

    factories.fresh()
    ticks = db.session.scalars(db.select(Completion).order_by(Completion.plan_item_id)).all()
    assert {(t.plan_item_id, t.day) for t in ticks} == {(i.id, day) for i in draft.items}
    assert next(t.discomfort for t in ticks if t.plan_item_id == first.id) == 7
    assert preferences.routine_time(me.id) == time(7, 30)


def test_staff_work_the_calendar_and_mark_a_visit_arrived_then_completed(
    live_server, phone, journey, app
):
    svc, (anna, ben), (r1, r2) = factories.spa(therapists=2, rooms=2)
    start = earlier_today()
    visit = factories.booking(factories.user(name="Arriving Ari"), anna, r1, svc, start)
    factories.booking(factories.user(name="Other Otto"), ben, r2, svc, start)
    day = start.date()

    log_in(journey, phone, live_server, factories.user(Role.STAFF))  # lands on the day's list
    menu(phone, "Calendar").click()
    assert phone.get_by_role("heading", name=f"{day:%A %d %B %Y}").is_visible()
    journey.step("day-by-therapist")
    phone.get_by_role("link", name="rooms", exact=True).click()
    assert phone.get_by_role("heading", name=r2.name).is_visible()
    journey.step("day-by-room")
    phone.get_by_role("link", name="Next day").click()
    assert phone.get_by_role("heading", name=f"{day + timedelta(days=1):%A %d %B %Y}").is_visible()
    journey.step("next-day")
    phone.get_by_role("link", name="Today").click()
    journey.step("today-by-room")
    phone.get_by_role("link", name="therapists", exact=True).click()
    journey.step("today-by-therapist")
    phone.get_by_role("link", name=f"Week of {anna.display_name}").click()
    assert phone.get_by_role(
        "heading", name=re.compile(f"^{anna.display_name}: week of")
    ).is_visible()
    journey.step("week")

    phone.get_by_role("link", name=re.compile("Arriving Ari")).click()
    journey.step("visit")
    phone.get_by_role("button", name="Mark arrived").click()
    assert phone.get_by_text("Marked arrived.").is_visible()
    journey.step("arrived")
    phone.get_by_role("button", name="Mark completed").click()
    assert phone.get_by_text("Marked completed.").is_visible()
    # Nothing more to mark; only an undo, the same day, for a completion marked by mistake.
    assert phone.get_by_role("button", name=re.compile("^Mark ")).count() == 0
    assert phone.get_by_role("button", name=re.compile("^Undo ")).is_visible()
    journey.step("completed")
    menu(phone, "Calendar").click()
    block = phone.get_by_role("link", name=re.compile("Arriving Ari"))
    assert "completed" in block.inner_text()
    journey.step("day-after")

    factories.fresh()
    assert db.session.get(Booking, visit.id).status is BookingStatus.COMPLETED
