"""The check-in page's answers: one 0-10 row of radio buttons per area, named ``area-<area>``,
and the optional goal's row, named ``goal``. Read by hand rather than by a WTForms class: the
rows are the client's own areas, and a field the page never showed (an unknown area) must be
refused, not ignored."""

from __future__ import annotations

import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from spa_app.homecare.intake.forms import PAIN_CHOICES
from spa_app.homecare.outcomes.service import Answers, Sheet
from spa_app.homecare.vocab import AREA_LABELS, Goal

AREA_PREFIX = "area-"
GOAL_FIELD = "goal"
#: A score as the page sends it: ASCII digits only ("٣" is not 3 here).
_SCORE = re.compile(r"10|[0-9]")
#: The 0-10 choices with the intake's words at both ends ("0 – none" ... "10 – worst").
SCALE = [(choice.value, choice.label) for choice in PAIN_CHOICES]
#: The one question on a goal, scored like the areas: 0 none, 10 the worst.
GOAL_QUESTIONS = {
    Goal.SLEEP: _l("Trouble sleeping this week"),
    Goal.STRESS: _l("Stress this week"),
    Goal.MOBILITY: _l("Stiffness when you move, this week"),
    Goal.HEADACHES: _l("Tension headaches this week"),
    Goal.CRAMPS: _l("Cramps this week"),
    Goal.POSTURE: _l("Aches from your posture this week"),
    Goal.CIRCULATION: _l("Cold or heavy hands, legs or feet this week"),
}


class AnswerError(ValueError):
    """The form is not one the page sent; the message says what to do, in one line."""


def field_name(area) -> str:
    return f"{AREA_PREFIX}{area.value}"


def read_answers(form: MultiDict, sheet: Sheet) -> Answers:
    """The answers in ``form``; a row left blank is not scored. Raises AnswerError for a field
    the page did not show, a value that is not 0 to 10, or nothing scored at all."""
    known = {field_name(a.area): a.area for a in sheet.areas}
    if any(key.startswith(AREA_PREFIX) and key not in known for key in form):
        raise AnswerError(_("One of the answers is for an area that is not in your intake. "
                            "Please use the page from your e-mail."))  # fmt: skip
    if sheet.goal is None and form.get(GOAL_FIELD, ""):
        raise AnswerError(_("There is no question about your goals to answer."))
    scores = {}
    for name, area in known.items():
        score = _score(form, name, AREA_LABELS[area])
        if score is not None:
            scores[area] = score
    goal_score = None
    if sheet.goal is not None:
        goal_score = _score(form, GOAL_FIELD, GOAL_QUESTIONS[sheet.goal])
    if not scores:
        raise AnswerError(_("Please rate at least one of your areas, from 0 to 10."))
    return Answers(scores, goal_score)


def _score(form: MultiDict, name: str, label) -> int | None:
    values = [v for v in form.getlist(name) if v != ""]
    if not values:
        return None
    if len(values) > 1 or not _SCORE.fullmatch(values[0]):
        raise AnswerError(_("%(area)s: please choose one number from 0 to 10.", area=label))
    return int(values[0])
