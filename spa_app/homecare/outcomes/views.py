"""The check-in page a client opens from a reminder: no log-in, the signed link is the proof."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request

from spa_app.database import unit_of_work, utcnow
from spa_app.extensions import csrf
from spa_app.homecare.outcomes import service
from spa_app.homecare.outcomes.forms import (
    GOAL_FIELD,
    GOAL_QUESTIONS,
    SCALE,
    AnswerError,
    field_name,
    read_answers,
)
from spa_app.homecare.outcomes.links import parse_period, read_checkin_token
from spa_app.homecare.vocab import AREA_LABELS

bp = Blueprint("outcomes", __name__)


@bp.route("/check-in/<token>", methods=["GET", "POST"])
@csrf.exempt  # the signed token from the client's e-mail is the proof; no login needed
def check_in(token: str):
    """GET: the client's areas, each a 0-10 row (the last answers chosen if they came back);
    POST: save them, and say thank you. A bad or expired link: 404, and how to log in."""
    now = utcnow()
    found = read_checkin_token(current_app.config["SECRET_KEY"], token, now)
    target = service.target_of(*found) if found else None
    if target is None:
        return render_template("homecare/outcomes/expired.html"), 404
    sheet = service.sheet_of(target.client.id)
    checkin = service.checkin_for(target.client.id, target.period)
    chosen = _chosen(checkin)
    problem, done = "", False
    if request.method == "POST":
        chosen = request.form
        try:
            answers = read_answers(request.form, sheet)
            with unit_of_work():
                service.save(target, sheet, answers, now)
            done = True
        except (AnswerError, service.CheckInError) as exc:
            problem = str(exc)
    return render_template(
        "homecare/outcomes/checkin.html",
        target=target,
        week=parse_period(target.period)[1] if target.booking is None else None,
        sheet=sheet,
        chosen=chosen,
        problem=problem,
        done=done,
        scale=SCALE,
        area_labels=AREA_LABELS,
        goal_question=GOAL_QUESTIONS.get(sheet.goal),
        field_name=field_name,
        goal_field=GOAL_FIELD,
    ), (400 if problem else 200)


def _chosen(checkin) -> dict[str, str]:
    """The last answers as the form would send them, to show them chosen."""
    if checkin is None:
        return {}
    chosen = {field_name(s.area): str(s.score) for s in checkin.scores}
    if checkin.goal_score is not None:
        chosen[GOAL_FIELD] = str(checkin.goal_score)
    return chosen
