"""The waitlist request form: field shapes only; the rules live in the service."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, InputRequired

from spa_app.fields import ANY
from spa_app.waitlist.service import PARTS_OF_DAY


def _part_label(label: str, starts: int, ends: int) -> str:
    if starts == 0:
        return f"{label} (before {ends}:00)"
    if ends == 24:
        return f"{label} (from {starts}:00)"
    return f"{label} ({starts}:00 to {ends}:00)"


#: "Any time", then each part of the day with its hours ("Morning (before 12:00)").
PART_CHOICES = [SelectChoice(ANY, "Any time")] + [
    SelectChoice(key, _part_label(*shape)) for key, shape in PARTS_OF_DAY.items()
]


class WaitlistForm(FlaskForm):
    therapist = SelectField("Therapist", default=ANY, validate_choice=True)
    first_day = DateField("From", validators=[InputRequired("Please give the first day.")])
    last_day = DateField("To", validators=[InputRequired("Please give the last day.")])
    part = SelectField(
        "Time of day",
        choices=PART_CHOICES,
        default=ANY,
        validate_choice=False,  # AnyOf says it in plainer words than "Not a valid choice"
        validators=[
            AnyOf(
                [choice.value for choice in PART_CHOICES],
                "Please choose a time of day from the list.",
            )
        ],
    )
