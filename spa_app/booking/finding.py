"""Finding a time, for every page that offers free times (booking, moving, a visit's own link):
the search form from the query string, one search, the week strip and what to say of a day out
of range."""

from __future__ import annotations

from datetime import date, timedelta

from flask import request
from flask_babel import gettext as _
from flask_babel import ngettext

from spa_app import params
from spa_app.booking import browse
from spa_app.booking.forms import SlotSearchForm
from spa_app.business import business
from spa_app.clock import local_today
from spa_app.database import utcnow
from spa_app.fields import ANY, therapist_choices
from spa_app.i18n import when
from spa_app.scheduling.queries import find_slots
from spa_app.templating import use_timezone


def free_times(service_id: int, *, ignore: int | None = None,
               default_therapist: str | None = None, default_day: date | None = None,
               room_id: int | None = None):  # fmt: skip
    """The free-times form, a week's strip of days with the open day's times, and what to say
    of a day out of range, from one search (in ``room_id`` alone, when staff picked a room): the
    day asked for, or else the first day with free times; for a day out of range, the nearest
    days that can be booked instead. The whole
    page in four statements (the person, the spa's details, then find_slots' two); the free-times
    page adds one for its therapists' cards."""
    form = SlotSearchForm(request.args)
    if default_therapist and "therapist" not in request.args:
        form.therapist.data = default_therapist
    if default_day and "date" not in request.args:
        form.date.data = default_day
    now = utcnow()
    settings = business()
    today = local_today(now, settings.tz)
    last_day = today + timedelta(days=settings.horizon_days)
    asked, beyond, out_of_range = form.date.data, None, None
    if asked is not None and asked < today:
        asked, out_of_range = None, _("That day has passed.")
    elif asked is not None and asked > last_day:
        asked, beyond = None, last_day
        out_of_range = ngettext(
            "We take bookings up to %(num)d day ahead – the last day you can book is %(day)s.",
            "We take bookings up to %(num)d days ahead – the last day you can book is %(day)s.",
            settings.horizon_days,
            day=when(last_day, "%A %-d %B %Y"),
        )
    if beyond is not None:
        first, last = browse.search_range(None, today, last=beyond)
    else:
        # The search starts a day early and (no day asked) ends a day late: find_slots' days
        # are local, and no time before now is ever free.
        first, last = browse.search_range(asked, today - timedelta(days=1))
        last += timedelta(days=1) if asked is None else timedelta()
    availability = find_slots(  # UnknownService for a service no longer offered
        service_id=service_id,
        first_day=first,
        last_day=last,
        now=now,
        therapist_id=params.as_id(form.therapist.data),
        room_id=room_id,
        ignore_booking_id=ignore,
    )
    tz = availability.rules.tz
    use_timezone(tz)
    # The therapist choices come from the same query that found the slots.
    form.therapist.choices = therapist_choices(availability.therapists)
    shown = browse.browse(
        availability.slots,
        asked=asked,
        today=today,
        tz=tz,
        names=availability.therapists,
        therapist=form.therapist.data or ANY,
        last=beyond,
    )
    form.date.data = shown.day
    form.validate()
    if out_of_range:
        form.date.raw_data = [shown.day.isoformat()]  # the field shows the day shown, too
    return form, availability, shown, out_of_range
