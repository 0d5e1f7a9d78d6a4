"""The health intake form: one pain score per area, then checklists. Works without JavaScript."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from spa_app.fields import PLAIN_TEXT, MultiCheckboxField, WholeNumberField, whole
from spa_app.homecare.models import Intake
from spa_app.homecare.vocab import (
    AREA_LABELS,
    CONDITION_LABELS,
    CONDITION_NAMES,
    CONTEXT_LABELS,
    ELSEWHERE,
    GOAL_LABELS,
    MINUTES_RANGE,
    NO_CONDITIONS,
    PRESSURE_LABELS,
    Area,
    Condition,
)

PAIN_CHOICES = [
    SelectChoice(n, {0: _l("0 – none"), 10: _l("10 – worst")}.get(n, str(n))) for n in range(11)
]


def _choices(labels: dict) -> list[SelectChoice]:
    return [SelectChoice(key.value, label) for key, label in labels.items()]


class IntakeForm(FlaskForm):
    goals = MultiCheckboxField(_l("What would you like from your home routine?"),
                               choices=_choices(GOAL_LABELS))  # fmt: skip
    contexts = MultiCheckboxField(_l("Your days include"), choices=_choices(CONTEXT_LABELS))
    pressure = SelectField(
        _l("Pressure you like"),
        choices=[SelectChoice(p.value, label) for p, label in PRESSURE_LABELS.items()],
        coerce=whole,
        validators=[InputRequired()],
    )
    minutes_per_day = WholeNumberField(
        _l("Minutes a day you can give it (%(min)s to %(max)s)", min=MINUTES_RANGE[0],
           max=MINUTES_RANGE[1]),
        validators=[
            InputRequired(message=_l("Please say how many minutes a day.")),
            # NumberRange puts in min and max.
            NumberRange(*MINUTES_RANGE, message=_l("Between %(min)s and %(max)s minutes, please.")),
        ],
    )  # fmt: skip
    conditions = MultiCheckboxField(
        _l("Anything we should be careful of?"),
        choices=[*_choices(CONDITION_LABELS), SelectChoice(NO_CONDITIONS, _l("None of these"))],
    )
    condition_note = TextAreaField(
        _l("Tell us more (needed if you ticked “something else”)"),
        validators=[Optional(), Length(max=500), PLAIN_TEXT],
    )
    medicines = TextAreaField(
        _l("Medicines you take, and any allergies (to oils, lotions or nuts, for example)"),
        validators=[Optional(), Length(max=500), PLAIN_TEXT],
    )
    #: The conditions that ask which areas they affect (from the condition rules); the view sets
    #: it, so the form checks an area is given for each of them.
    area_conditions: frozenset[str] = frozenset()

    def validate_conditions(self, field):
        ticked = set(field.data or [])
        if not ticked:
            raise ValidationError(_("Please tick what applies, or “None of these”."))
        if NO_CONDITIONS in ticked and len(ticked) > 1:
            raise ValidationError(_("You ticked “None of these” and something else: which is it?"))
        note = (self.condition_note.data or "").strip()
        if Condition.OTHER.value in ticked and not note:
            raise ValidationError(
                _("Please say what else we should be careful of, in the box below.")
            )
        for condition in sorted(ticked & self.area_conditions):
            if not self[f"areas_{condition}"].data:
                label = CONDITION_LABELS[Condition(condition)]
                raise ValidationError(
                    _("Please tick where: %(condition)s.", condition=label.lower())
                )

    def named_areas(self) -> dict[str, list[str]]:
        """{condition: [areas]} for the ticked conditions that name areas."""
        ticked = set(self.conditions.data or []) & self.area_conditions
        return {c: sorted(self[f"areas_{c}"].data or []) for c in sorted(ticked)}

    def answers(self) -> dict:
        """The intake's columns as the client answered (once the form is valid)."""
        ticked = set(self.conditions.data or [])
        return {
            "severity": {
                area.value: score for area in Area if (score := self[f"pain_{area.value}"].data) > 0
            },
            "goals": sorted(self.goals.data or []),
            "contexts": sorted(self.contexts.data or []),
            "pressure": self.pressure.data,
            "minutes_per_day": self.minutes_per_day.data,
            "no_conditions": NO_CONDITIONS in ticked,
            "conditions": sorted(ticked - {NO_CONDITIONS}),
            "condition_areas": self.named_areas(),
            "condition_note": (self.condition_note.data or "").strip(),
            "medicines": (self.medicines.data or "").strip(),
        }

    def fill(self, intake: Intake) -> None:
        """Show the saved intake, to change it."""
        for area in Area:
            self[f"pain_{area.value}"].data = intake.severity.get(area.value, 0)
        self.goals.data = list(intake.goals)
        self.contexts.data = list(intake.contexts)
        self.pressure.data = intake.pressure
        self.minutes_per_day.data = intake.minutes_per_day
        self.conditions.data = list(intake.conditions) or (
            [NO_CONDITIONS] if intake.no_conditions else []
        )
        for condition, areas in intake.condition_areas.items():
            self[f"areas_{condition}"].data = list(areas)
        self.condition_note.data = intake.condition_note
        self.medicines.data = intake.medicines


#: "Where?" for a condition that names areas: the client's areas, or somewhere not listed.
AREA_CHOICES = [*_choices(AREA_LABELS), SelectChoice(ELSEWHERE, _l("Somewhere else"))]


# Where each condition is, as fields named areas_<condition> (shown for those that name areas).
for _condition, _name in CONDITION_NAMES.items():
    setattr(
        IntakeForm,
        f"areas_{_condition.value}",
        MultiCheckboxField(_l("Where? (%(condition)s)", condition=_name), choices=AREA_CHOICES),
    )

# One 0-10 score per area, as fields named pain_<area>.
for _area, _label in AREA_LABELS.items():
    setattr(
        IntakeForm,
        f"pain_{_area.value}",
        SelectField(
            _label,
            choices=PAIN_CHOICES,
            coerce=whole,
            default=0,
            validators=[InputRequired(), NumberRange(0, 10)],
        ),
    )
