"""What the waitlist tests do on the site: join, cancel a visit, and read what was saved."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from spa_app.booking.models import Booking
from spa_app.extensions import db
from spa_app.waitlist.models import WaitlistEntry, WaitlistOffer
from tests import factories
from tests.factories import signed_in


def join(browser, svc, first: date, last: date, therapist="any", booking=None):
    url = f"/waitlist/join/{svc.id}" + (f"?booking={booking.id}" if booking else "")
    data = {"therapist": str(therapist), "first_day": str(first), "last_day": str(last)}
    return browser.post(url, data=data)


def entries() -> list[WaitlistEntry]:
    factories.fresh()
    return db.session.execute(sa.select(WaitlistEntry).order_by(WaitlistEntry.id)).scalars().all()


def offers() -> list[WaitlistOffer]:
    factories.fresh()
    return db.session.execute(sa.select(WaitlistOffer).order_by(WaitlistOffer.id)).scalars().all()


def cancel(app, booking):
    """The booking's own client cancels it on the site."""
    factories.fresh()
    owner = db.session.get(Booking, booking.id).client
    reply = signed_in(app, owner).post(f"/bookings/{booking.id}/cancel", data={})
    assert reply.status_code == 302
