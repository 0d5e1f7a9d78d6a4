"""The waitlist request form: field shapes only; the rules live in the service."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, InputRequired

from spa_app.fields import ANY
from spa_app.waitlist.service import PARTS_OF_DAY

#: Each part of the day's name on the form, by its key.
PART_NAMES = {"morning": _l("Morning"), "afternoon": _l("Afternoon"), "evening": _l("Evening")}


def _part_label(key: str, starts: int, ends: int):
    name = PART_NAMES[key]
    if starts == 0:
        return _l("%(part)s (before %(hour)s:00)", part=name, hour=ends)
    if ends == 24:
        return _l("%(part)s (from %(hour)s:00)", part=name, hour=starts)
    return _l("%(part)s (%(starts)s:00 to %(ends)s:00)", part=name, starts=starts, ends=ends)


#: "Any time", then each part of the day with its hours ("Morning (before 12:00)").
PART_CHOICES = [SelectChoice(ANY, _l("Any time"))] + [
    SelectChoice(key, _part_label(key, starts, ends))
    for key, (_label, starts, ends) in PARTS_OF_DAY.items()
]


class WaitlistForm(FlaskForm):
    therapist = SelectField(_l("Therapist"), default=ANY, validate_choice=True)
    first_day = DateField(_l("From"), validators=[InputRequired(_l("Please give the first day."))])
    last_day = DateField(_l("To"), validators=[InputRequired(_l("Please give the last day."))])
    part = SelectField(
        _l("Time of day"),
        choices=PART_CHOICES,
        default=ANY,
        validate_choice=False,  # AnyOf says it in plainer words than "Not a valid choice"
        validators=[
            AnyOf(
                [choice.value for choice in PART_CHOICES],
                _l("Please choose a time of day from the list."),
            )
        ],
    )
