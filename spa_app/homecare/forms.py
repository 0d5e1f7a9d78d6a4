"""The health intake form: one pain score per area, then checklists. Works without JavaScript."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from spa_app.accounts.forms import SINGLE_LINE
from spa_app.booking.forms import PLAIN_TEXT
from spa_app.catalog.forms import MultiCheckboxField
from spa_app.homecare.vocab import (
    AREA_LABELS,
    CONDITION_LABELS,
    CONTEXT_LABELS,
    GOAL_LABELS,
    KIND_LABELS,
    MINUTES_RANGE,
    PRESSURE_LABELS,
    Condition,
)

PAIN_CHOICES = [
    SelectChoice(n, {0: "0 – none", 10: "10 – worst"}.get(n, str(n))) for n in range(11)
]


def _choices(labels: dict) -> list[SelectChoice]:
    return [SelectChoice(key.value, label) for key, label in labels.items()]


class IntakeForm(FlaskForm):
    goals = MultiCheckboxField("What would you like from your home routine?",
                               choices=_choices(GOAL_LABELS))  # fmt: skip
    contexts = MultiCheckboxField("Your days include", choices=_choices(CONTEXT_LABELS))
    pressure = SelectField(
        "Pressure you like",
        choices=[SelectChoice(p.value, label) for p, label in PRESSURE_LABELS.items()],
        coerce=int,
        validators=[InputRequired()],
    )
    minutes_per_day = IntegerField(
        f"Minutes a day you can give it ({MINUTES_RANGE[0]} to {MINUTES_RANGE[1]})",
        validators=[
            InputRequired(message="Please say how many minutes a day."),
            NumberRange(*MINUTES_RANGE, message=f"Between {MINUTES_RANGE[0]} and "
                                                f"{MINUTES_RANGE[1]} minutes, please."),
        ],
    )  # fmt: skip
    conditions = MultiCheckboxField(
        "Anything we should be careful of?", choices=_choices(CONDITION_LABELS)
    )
    skin_areas = MultiCheckboxField("Areas with a skin condition", choices=_choices(AREA_LABELS))
    condition_note = TextAreaField(
        "Tell us more (needed if you ticked “something else”)",
        validators=[Optional(), Length(max=500), PLAIN_TEXT],
    )

    def validate_conditions(self, field):
        note = (self.condition_note.data or "").strip()
        if Condition.OTHER.value in (field.data or []) and not note:
            raise ValidationError("Please say what else we should be careful of, in the box below.")

    def validate_skin_areas(self, field):
        ticked = Condition.SKIN_CONDITION.value in (self.conditions.data or [])
        if ticked and not field.data:
            raise ValidationError("Please tick the areas with the skin condition.")


# One 0-10 score per area, as fields named pain_<area>.
for _area, _label in AREA_LABELS.items():
    setattr(
        IntakeForm,
        f"pain_{_area.value}",
        SelectField(
            _label,
            choices=PAIN_CHOICES,
            coerce=int,
            default=0,
            validators=[InputRequired(), NumberRange(0, 10)],
        ),
    )


class RoutineForm(FlaskForm):
    """A technique-library entry, as staff write it (steps one per line)."""

    name = StringField("Name", validators=[InputRequired(), Length(max=120), SINGLE_LINE])
    kind = SelectField("Kind", choices=_choices(KIND_LABELS), validators=[InputRequired()])
    area = SelectField("Body area", choices=_choices(AREA_LABELS), validators=[InputRequired()])
    summary = StringField("In one line", validators=[Optional(), Length(max=300), SINGLE_LINE])
    steps = TextAreaField(
        "Steps, one per line",
        validators=[InputRequired(message="Please write the steps."), Length(max=4000),
                    PLAIN_TEXT],
    )  # fmt: skip
    tools = StringField(
        "Tools, separated by commas (e.g. tennis ball, foam roller)",
        validators=[Optional(), Length(max=200), SINGLE_LINE],
    )
    minutes = IntegerField(
        "Typical minutes",
        validators=[InputRequired(), NumberRange(1, 30, message="Between 1 and 30 minutes.")],
    )
    times_per_week = IntegerField(
        "Times a week",
        validators=[InputRequired(), NumberRange(1, 7, message="Between 1 and 7 times.")],
    )
    pressure = SelectField(
        "Most pressure it calls for",
        choices=[SelectChoice(p.value, label) for p, label in PRESSURE_LABELS.items()],
        coerce=int,
    )
    goals = MultiCheckboxField("Goals it serves", choices=_choices(GOAL_LABELS))
    contexts = MultiCheckboxField("Daily contexts it suits", choices=_choices(CONTEXT_LABELS))
    excluded_by = MultiCheckboxField(
        "Leave it out for clients with", choices=_choices(CONDITION_LABELS)
    )
    caution = StringField(
        "A caution, if any", validators=[Optional(), Length(max=500), SINGLE_LINE]
    )
    active = BooleanField("Offered in suggestions and the editor", default=True)
