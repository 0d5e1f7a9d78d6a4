"""Forms for the plan editor (one form, a button per action, no JavaScript) and for ticking off."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    Form,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields import FieldList, FormField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from spa_app import params
from spa_app.fields import PLAIN_TEXT, IdOf, MultiCheckboxField, WholeNumberField, whole
from spa_app.homecare.models import Plan, Routine
from spa_app.homecare.plans.service import EditorAction, EditorChange, ItemEdit
from spa_app.homecare.vocab import AREA_LABELS, PRESSURE_LABELS
from spa_app.routing import MAX_ID

WEEKDAYS = (
    _l("Monday"), _l("Tuesday"), _l("Wednesday"), _l("Thursday"), _l("Friday"), _l("Saturday"),
    _l("Sunday"),
)  # fmt: skip
PRESSURE_CHOICES = [SelectChoice(p.value, label) for p, label in PRESSURE_LABELS.items()]


def library_id(value) -> int:
    """The routine chosen to add (0: none yet), ASCII digits only, as spa_app.params reads
    ids (``int`` would take "١" for 1)."""
    if isinstance(value, int):
        return value
    number = params.as_whole(value, most=MAX_ID)
    if number is None:
        raise ValueError("not an id")
    return number


class ItemForm(Form):
    item_id = HiddenField(validators=[InputRequired(), IdOf(_l("Unknown routine."))])
    minutes = WholeNumberField(
        _l("Minutes"),
        validators=[
            InputRequired(message=_l("Please give the minutes.")),
            NumberRange(1, 30, message=_l("Between 1 and 30 minutes.")),
        ],
    )
    days = MultiCheckboxField(
        _l("Days"), choices=[SelectChoice(str(n), name) for n, name in enumerate(WEEKDAYS)]
    )
    pressure = SelectField(_l("Pressure"), choices=PRESSURE_CHOICES, coerce=whole)
    note = TextAreaField(
        _l("Note for the client"), validators=[Optional(), Length(max=300), PLAIN_TEXT]
    )

    def validate_days(self, field):
        if not field.data:
            raise ValidationError(_l("Pick at least one day."))


class PlanEditForm(FlaskForm):
    items = FieldList(FormField(ItemForm), max_entries=40)
    routine = SelectField(
        _l("Add a routine from the library"), coerce=library_id, validators=[Optional()]
    )
    reviewed = BooleanField(_l("I have reviewed this plan against the client's contraindications"))
    confirm = BooleanField(
        _l("I have read these warnings and want to go ahead; the plan keeps this confirmation")
    )
    #: The button pressed (its value: "save", "add", "publish", "remove-12", ...).
    action = StringField(default="save")

    def offer(self, routines: list[Routine]) -> None:
        """The library's routines to choose from when adding one."""
        self.routine.choices = [SelectChoice(0, _l("Choose a routine"))] + [
            SelectChoice(r.id, f"{AREA_LABELS[r.area]}: {r.name}") for r in routines
        ]

    def fill(self, plan: Plan) -> None:
        """Show the draft's items as they are."""
        for item in plan.items:
            self.items.append_entry(
                {"item_id": str(item.id), "minutes": item.minutes, "days": list(item.days),
                 "pressure": item.pressure, "note": item.note}
            )  # fmt: skip

    def pressed(self) -> EditorAction:
        return EditorAction.parse(self.action.data)

    def change(self) -> EditorChange:
        """What was submitted, for plans.apply (once the form is valid)."""
        return EditorChange(
            items=tuple(
                ItemEdit(
                    item_id=params.as_id(entry.item_id.data),
                    minutes=entry.minutes.data,
                    days="".join(sorted(set(entry.days.data))),
                    pressure=entry.pressure.data,
                    note=entry.note.data or "",
                )
                for entry in self.items.entries
            ),
            action=self.pressed(),
            routine_id=self.routine.data or None,
            confirmed=self.confirm.data,
            reviewed=self.reviewed.data,
        )


#: How a routine felt, the same way round as the intake's pain: 0 none, 10 the worst.
DISCOMFORT_WORDS = {
    0: _l("no discomfort"), 2: _l("a little"), 5: _l("some"), 8: _l("a lot"), 10: _l("the worst")
}  # fmt: skip


def _felt(n: int) -> str:
    """A discomfort choice's label, "8 – a lot", in the current language."""
    return f"{n}" + (f" – {DISCOMFORT_WORDS[n]}" if n in DISCOMFORT_WORDS else "")


DISCOMFORT_CHOICES = [SelectChoice("", _l("No note"))] + [
    SelectChoice(str(n), LazyString(_felt, n)) for n in range(11)
]


class TickForm(FlaskForm):
    item_id = HiddenField(validators=[InputRequired(), IdOf(_l("Unknown routine."))])
    discomfort = SelectField(
        _l("How did it feel? (optional; 0 no discomfort, 10 the worst)"),
        choices=DISCOMFORT_CHOICES,
        validators=[Optional()],
    )

    def item(self) -> int:
        """The plan item's id (once the form is valid)."""
        return params.as_id(self.item_id.data)

    def discomfort_value(self) -> int | None:
        return params.as_whole(self.discomfort.data, most=10)
