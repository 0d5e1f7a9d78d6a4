"""The feedback page a client opens from the e-mail the day after a visit: no log-in, one visit
only (the signed link), a rating and an optional comment; a second answer edits the first."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request

from spa_app import params
from spa_app.booking.models import Booking, BookingStatus
from spa_app.business import business, business_tz
from spa_app.database import unit_of_work, utcnow
from spa_app.extensions import csrf, db
from spa_app.feedback import service
from spa_app.feedback.links import read_feedback_token
from spa_app.feedback.models import HIGH
from spa_app.templating import use_timezone

bp = Blueprint("feedback", __name__)


@bp.route("/feedback/<token>", methods=["GET", "POST"])
@csrf.exempt  # the signed token from the client's e-mail is the proof; no login needed
def give(token: str):
    now = utcnow()
    found = read_feedback_token(current_app.config["SECRET_KEY"], token, now)
    visit = db.session.get(Booking, found[0]) if found else None
    if visit is None or visit.client_id != found[1] or visit.status is not BookingStatus.COMPLETED:
        return render_template("feedback/expired.html"), 404
    use_timezone(business_tz())
    kept, problem = service.feedback_for(visit.id), ""
    rating = kept.rating if kept else None
    comment = kept.comment if kept else ""
    if request.method == "POST":
        rating = params.as_whole(request.form.get("rating"), most=5)
        comment = request.form.get("comment", "")
        try:
            with unit_of_work():
                kept = service.give(visit, rating, comment, now)
        except service.FeedbackError as exc:
            problem = str(exc)
    done = request.method == "POST" and not problem
    return render_template(
        "feedback/give.html",
        visit=visit,
        rating=rating,
        comment=comment,
        problem=problem,
        done=done,
        review_url=business().review_url if done and kept.rating >= HIGH else "",
    ), (400 if problem else 200)
