"""The visit cadence for staff and therapists: a client's interval, and who is due to rebook."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from spa_app.accounts.guards import staff_required
from spa_app.accounts.models import Role, User
from spa_app.business import business_tz
from spa_app.cadence import service as cadence
from spa_app.cadence.models import NextVisit
from spa_app.catalog.models import Therapist
from spa_app.database import utcnow
from spa_app.extensions import db
from spa_app.homecare.access import may_see_health
from spa_app.notifications import outbox
from spa_app.notifications.models import NUDGE_KINDS, Message, MessageKind, MessageState
from spa_app.templating import use_timezone

bp = Blueprint("cadence", __name__)


@bp.post("/clients/<id:client_id>/visit-interval")
@login_required
def set_interval(client_id: int):
    """The client's therapist (or staff) sets the weeks between visits for this client."""
    client = db.session.get(User, client_id)
    allowed = current_user.role in (Role.STAFF, Role.THERAPIST)
    if client is None or client.role is not Role.CLIENT or not allowed:
        abort(404)
    if not may_see_health(current_user, client_id):
        abort(404)
    back = request.form.get("back", "")
    if not (back.startswith("/bookings/") and back[10:].isdigit()):
        staff = current_user.role is Role.STAFF
        back = url_for("calendar.staff_day" if staff else "calendar.therapist_day")
    raw = (request.form.get("min_weeks", ""), request.form.get("max_weeks", ""))
    if not all(v.isdecimal() and len(v) < 3 for v in raw):  # "²" isdigit, int() refuses it
        flash("Please give the weeks as whole numbers.", "error")
        return redirect(back)
    low, high = int(raw[0]), int(raw[1])
    if not (1 <= low <= 12 and low <= high <= 16):
        flash("From 1 to 12 weeks, to at most 16 and not fewer than the first.", "error")
        return redirect(back)
    tz = business_tz()
    cadence.set_interval(client_id, (low, high), current_user, utcnow(), tz)
    db.session.commit()
    flash(f"Next visits for this client: every {low} to {high} weeks.", "success")
    return redirect(back)


@bp.get("/staff/rebook-due")
@staff_required
def rebook_due():
    """Clients whose window is open or past with nothing booked since, latest visit first."""
    now = utcnow()
    rows = db.session.execute(
        sa.select(NextVisit, User.name, User.email, Therapist.display_name)
        .join(User, User.id == NextVisit.client_id)
        .join(Therapist, Therapist.id == NextVisit.therapist_id)
        .where(NextVisit.opens_at <= now, ~cadence.visit_since(NextVisit.client_id,
                                                               NextVisit.last_visit_at))
        .order_by(NextVisit.opens_at)
        .limit(300)
    ).all()  # fmt: skip
    sent = _nudges_sent([r.NextVisit.booking_id for r in rows])
    use_timezone(business_tz())
    return render_template("cadence/rebook_due.html", rows=rows, sent=sent, now=now)


def _nudges_sent(booking_ids: list[int]) -> dict[int, int]:
    if not booking_ids:
        return {}
    counted = db.session.execute(
        sa.select(Message.booking_id, sa.func.count())
        .where(
            Message.booking_id.in_(booking_ids),
            Message.kind.in_(NUDGE_KINDS),
            Message.state == MessageState.SENT,
        )
        .group_by(Message.booking_id)
    )
    return dict(counted.all())


@bp.post("/staff/rebook-due/<id:client_id>/nudge")
@staff_required
def nudge_now(client_id: int):
    """Send the client a "time to book" nudge now (at most one such extra a day)."""
    window = cadence.due_window(client_id)
    if window is None:
        flash("This client has nothing due: no nudge sent.", "error")
        return redirect(url_for("cadence.rebook_due"))
    now = utcnow()
    kind = MessageKind.REBOOK_WINDOW_OPEN
    added = outbox.enqueue(
        kind,
        to=client_id,
        key=outbox.key(kind, f"booking-{window.booking_id}:desk-{now.date()}"),
        due_at=now,
        about=outbox.About(booking_id=window.booking_id, visit_starts_at=window.last_visit_at),
        created_at=now,
    )
    db.session.commit()
    flash("Nudge queued: it goes out within a minute." if added else
          "A nudge was already sent today.", "success" if added else "error")  # fmt: skip
    return redirect(url_for("cadence.rebook_due"))
