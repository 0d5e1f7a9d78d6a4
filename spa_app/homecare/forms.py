"""The staff's forms for the technique library and the condition rules."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from spa_app.fields import PLAIN_TEXT, SINGLE_LINE, MultiCheckboxField, WholeNumberField, whole
from spa_app.homecare.bodymap import SPOTS
from spa_app.homecare.models import Routine
from spa_app.homecare.safety import Rule
from spa_app.homecare.vocab import (
    AREA_LABELS,
    CONDITION_LABELS,
    CONTEXT_LABELS,
    GOAL_LABELS,
    KIND_LABELS,
    PRESSURE_LABELS,
    TIME_OF_DAY_LABELS,
    Area,
    Kind,
)


def _choices(labels: dict) -> list[SelectChoice]:
    return [SelectChoice(key.value, label) for key, label in labels.items()]


def _capital(words) -> str:
    """A body-map spot's words as a choice: "The wrists" (translated when shown)."""
    return str(words).capitalize()


class RoutineForm(FlaskForm):
    """A technique-library entry, as staff write it (steps one per line)."""

    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=120), SINGLE_LINE])
    kind = SelectField(_l("Kind"), choices=_choices(KIND_LABELS), validators=[InputRequired()])
    area = SelectField(_l("Body area"), choices=_choices(AREA_LABELS), validators=[InputRequired()])
    summary = StringField(_l("In one line"), validators=[Optional(), Length(max=300), SINGLE_LINE])
    steps = TextAreaField(
        _l("Steps, one per line"),
        validators=[InputRequired(message=_l("Please write the steps.")), Length(max=4000),
                    PLAIN_TEXT],
    )  # fmt: skip
    tools = StringField(
        _l("Tools, separated by commas (e.g. tennis ball, foam roller)"),
        validators=[Optional(), Length(max=200), SINGLE_LINE],
    )
    min_minutes = WholeNumberField(
        _l("Least minutes that still help"),
        validators=[InputRequired(), NumberRange(1, 30, message=_l("Between 1 and 30 minutes."))],
    )
    minutes = WholeNumberField(
        _l("Typical minutes"),
        validators=[InputRequired(), NumberRange(1, 30, message=_l("Between 1 and 30 minutes."))],
    )
    hold_seconds = WholeNumberField(
        _l("For a pressure point: seconds per hold"),
        validators=[Optional(), NumberRange(10, 300, message=_l("Between 10 and 300 seconds."))],
    )
    sides = SelectField(
        _l("Sides"),
        choices=[SelectChoice(1, _l("Once")), SelectChoice(2, _l("On each side"))],
        coerce=whole,
    )
    deep_tool = BooleanField(
        _l("Body weight on a ball or roller (one such routine per area a day)")
    )
    build_up = BooleanField(_l("Start gently the first week and build up"))
    time_of_day = SelectField(
        _l("Best time of day"),
        choices=[SelectChoice(t.value, x) for t, x in TIME_OF_DAY_LABELS.items()],
    )
    also_areas = MultiCheckboxField(_l("Other areas it works on"), choices=_choices(AREA_LABELS))
    spots = MultiCheckboxField(
        _l("Where it works, on the body map"),
        choices=[
            SelectChoice(name, LazyString(_capital, spot.words)) for name, spot in SPOTS.items()
        ],
    )
    times_per_week = WholeNumberField(
        _l("Times a week"),
        validators=[InputRequired(), NumberRange(1, 7, message=_l("Between 1 and 7 times."))],
    )
    pressure = SelectField(
        _l("Most pressure it calls for"),
        choices=[SelectChoice(p.value, label) for p, label in PRESSURE_LABELS.items()],
        coerce=whole,
    )
    goals = MultiCheckboxField(_l("Goals it serves"), choices=_choices(GOAL_LABELS))
    contexts = MultiCheckboxField(_l("Daily contexts it suits"), choices=_choices(CONTEXT_LABELS))
    excluded_by = MultiCheckboxField(
        _l("Leave it out for clients with"), choices=_choices(CONDITION_LABELS)
    )
    caution = StringField(
        _l("A caution, if any"), validators=[Optional(), Length(max=500), SINGLE_LINE]
    )
    active = BooleanField(_l("Offered in suggestions and the editor"), default=True)

    def validate_min_minutes(self, field):
        if field.data and self.minutes.data and field.data > self.minutes.data:
            raise ValidationError(_("The least minutes cannot be more than the typical minutes."))

    #: Fields shown and saved as the routine stores them.
    AS_STORED = ("name", "summary", "min_minutes", "minutes", "times_per_week", "hold_seconds",
                 "sides", "pressure", "deep_tool", "build_up", "time_of_day", "caution", "active",
                 "goals", "contexts", "excluded_by", "also_areas", "spots")  # fmt: skip

    def fill(self, routine: Routine) -> None:
        for name in self.AS_STORED:
            self[name].data = getattr(routine, name)
        self.kind.data, self.area.data = routine.kind.value, routine.area.value
        self.steps.data = routine.steps
        self.tools.data = ", ".join(routine.tools)

    def values(self) -> dict:
        """The routine's columns as staff wrote them, tidied (once the form is valid)."""
        steps = (line.strip() for line in self.steps.data.splitlines())
        return {
            "name": self.name.data.strip(),
            "kind": Kind(self.kind.data),
            "area": Area(self.area.data),
            "summary": (self.summary.data or "").strip(),
            "steps": "\n".join(line for line in steps if line),
            "tools": [t.strip() for t in (self.tools.data or "").split(",") if t.strip()],
            "min_minutes": self.min_minutes.data,
            "minutes": self.minutes.data,
            "times_per_week": self.times_per_week.data,
            "hold_seconds": self.hold_seconds.data,
            "sides": self.sides.data,
            "pressure": self.pressure.data,
            "deep_tool": self.deep_tool.data,
            "build_up": self.build_up.data,
            "time_of_day": self.time_of_day.data,
            "also_areas": sorted(self.also_areas.data or []),
            "spots": list(self.spots.data or []),
            "goals": sorted(self.goals.data or []),
            "contexts": sorted(self.contexts.data or []),
            "excluded_by": sorted(self.excluded_by.data or []),
            "caution": (self.caution.data or "").strip(),
            "active": self.active.data,
        }


class ConditionRuleForm(FlaskForm):
    """What ticking one checklist condition does to a plan, as staff set it."""

    names_areas = BooleanField(_l("Ask the client which areas it affects"))
    excludes_named_areas = BooleanField(
        _l("Leave out every routine for the areas the client names")
    )
    excludes_areas = MultiCheckboxField(
        _l("Always leave out these areas with it"), choices=_choices(AREA_LABELS)
    )
    pauses_all = BooleanField(_l("Pause every routine until the therapist says"))
    pressure_cap = SelectField(
        _l("The most pressure any routine may use"),
        choices=[SelectChoice(p.value, label) for p, label in PRESSURE_LABELS.items()],
        coerce=whole,
    )
    therapist_note = TextAreaField(
        _l("What the therapist should check (shown when they review)"),
        validators=[Optional(), Length(max=500), PLAIN_TEXT],
    )
    client_caution = TextAreaField(
        _l("What the client reads in their plan (no diagnosis; do not name a pressure)"),
        validators=[Optional(), Length(max=500), PLAIN_TEXT],
    )

    def validate_excludes_named_areas(self, field):
        if field.data and not self.names_areas.data:
            raise ValidationError(_("The client is not asked for areas, so none can be left out."))

    #: Fields shown and saved as the rule stores them.
    AS_STORED = ("names_areas", "excludes_named_areas", "pauses_all", "pressure_cap",
                 "therapist_note", "client_caution")  # fmt: skip

    def fill(self, rule: Rule) -> None:
        for name in self.AS_STORED:
            self[name].data = getattr(rule, name)
        self.excludes_areas.data = sorted(a.value for a in rule.excludes_areas)

    def values(self) -> dict:
        """The rule's columns as staff set them (once the form is valid)."""
        return {name: self[name].data for name in self.AS_STORED} | {
            "excludes_areas": sorted(self.excludes_areas.data or []),
            "therapist_note": (self.therapist_note.data or "").strip(),
            "client_caution": (self.client_caution.data or "").strip(),
        }
