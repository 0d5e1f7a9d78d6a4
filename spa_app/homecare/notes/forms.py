"""The session notes form (S, O per body area, A, P) and the amendment forms, one per part.
Work without JavaScript; every refusal says what to fix."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from spa_app.fields import PLAIN_TEXT, SINGLE_LINE, MultiCheckboxField, whole
from spa_app.homecare.notes.models import LONG_TEXT, SHORT_TEXT, TECHNIQUES_TEXT, Part
from spa_app.homecare.notes.service import AmendmentValues, FindingValues, NoteValues
from spa_app.homecare.vocab import AREA_LABELS, PRESSURE_LABELS, Area

AREAS = [SelectChoice(a.value, label) for a, label in AREA_LABELS.items()]
SCORES = [
    SelectChoice("", _l("Not examined")),
    *(SelectChoice(n, {0: _l("0 – none"), 10: _l("10 – the worst")}.get(n, str(n)))
      for n in range(11)),
]  # fmt: skip
PRESSURES = [SelectChoice("", _l("Not said")),
             *(SelectChoice(p.value, label) for p, label in PRESSURE_LABELS.items())]  # fmt: skip


def _blank_or_whole(value) -> int | None:
    """``coerce`` for an optional number: "" is None, else ASCII digits (ValueError if not)."""
    return None if value in (None, "") else whole(value)


def _score(form, field) -> None:
    if field.data is not None and not 0 <= field.data <= 10:
        raise ValidationError(_("Tension is a score from 0 to 10."))


def _pressure(form, field) -> None:
    if field.data is not None and field.data not in (1, 2, 3):
        raise ValidationError(_("Please choose light, medium or firm pressure."))


def _areas(form, field) -> None:
    known = {a.value for a in Area}
    if any(value not in known for value in field.data or []):
        raise ValidationError(_("Please choose body areas from the list."))


def _area(form, field) -> None:
    if field.data not in {a.value for a in Area}:
        raise ValidationError(_("Please choose a body area from the list."))


def _long(label) -> TextAreaField:
    return TextAreaField(label, validators=[Optional(), Length(max=LONG_TEXT), PLAIN_TEXT])


class _NumberSelect(SelectField):
    """A choice of numbers (or none) that, sent anything else, says what to choose rather than
    WTForms' "Invalid Choice: could not coerce"."""

    def __init__(self, label=None, validators=None, *, refusal, **kwargs):
        super().__init__(label, validators, coerce=_blank_or_whole, validate_choice=False,
                         **kwargs)  # fmt: skip
        self.refusal = refusal

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(str(self.refusal)) from None


def _tension(label) -> SelectField:
    return _NumberSelect(label, choices=SCORES, validators=[_score],
                         refusal=_l("Tension is a score from 0 to 10."))  # fmt: skip


def _short(label) -> StringField:
    return StringField(label, validators=[Optional(), Length(max=SHORT_TEXT), SINGLE_LINE])


def _avoid_reason_given(form, avoid: BooleanField, reason: StringField) -> bool:
    if avoid.data and not (reason.data or "").strip():
        reason.errors = [*reason.errors, _("Please say briefly why the area is to be avoided.")]
        return False
    return True


class _Treatment:
    """A: the techniques, the pressure and the areas worked (on the note and its amendment)."""

    techniques = TextAreaField(
        _l("Techniques used"), validators=[Optional(), Length(max=TECHNIQUES_TEXT), PLAIN_TEXT]
    )
    pressure = _NumberSelect(
        _l("Pressure used"),
        choices=PRESSURES,
        validators=[_pressure],
        refusal=_l("Please choose light, medium or firm pressure."),
    )
    treated_areas = MultiCheckboxField(_l("Areas worked"), choices=AREAS, validate_choice=False,
                                       validators=[_areas])  # fmt: skip

    def treatment(self) -> dict:
        return {
            "pressure": self.pressure.data,
            "treated_areas": tuple(Area(a) for a in self.treated_areas.data or []),
        }


class NoteForm(_Treatment, FlaskForm):
    subjective = _long(_l("What the client reports"))
    plan = _long(_l("Plan"))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for area in Area:
            avoid, reason = self[f"avoid_{area.value}"], self[f"avoid_reason_{area.value}"]
            valid = _avoid_reason_given(self, avoid, reason) and valid
        return valid

    def values(self) -> NoteValues:
        """What the therapist wrote (once the form is valid)."""
        return NoteValues(
            subjective=self.subjective.data or "",
            findings=tuple(self._finding(area) for area in Area),
            techniques=self.techniques.data or "",
            plan=self.plan.data or "",
            **self.treatment(),
        )

    def _finding(self, area: Area) -> FindingValues:
        key = area.value
        return FindingValues(
            area=area,
            tension=self[f"tension_{key}"].data,
            points=self[f"points_{key}"].data or "",
            avoid=bool(self[f"avoid_{key}"].data),
            avoid_reason=self[f"avoid_reason_{key}"].data or "",
        )

    def fill(self, note) -> None:
        """Show the saved note, to edit it."""
        self.subjective.data, self.plan.data = note.subjective, note.plan
        self.techniques.data, self.pressure.data = note.techniques, note.pressure
        self.treated_areas.data = list(note.treated_areas)
        for f in note.findings:
            key = f.area.value
            self[f"tension_{key}"].data, self[f"points_{key}"].data = f.tension, f.points
            self[f"avoid_{key}"].data, self[f"avoid_reason_{key}"].data = f.avoid, f.avoid_reason

    def area_fields(self) -> list[tuple[Area, str, list]]:
        """Each area, its label and its four fields, for the template."""
        return [
            (area, label, [self[f"{name}_{area.value}"]
                           for name in ("tension", "points", "avoid", "avoid_reason")])
            for area, label in AREA_LABELS.items()
        ]  # fmt: skip


# O, per area, as fields named tension_<area>, points_<area>, avoid_<area>, avoid_reason_<area>.
# The template names the area beside each label (its fieldset's legend, and for screen readers
# in the label itself).
for _key in (a.value for a in Area):
    setattr(NoteForm, f"tension_{_key}", _tension(_l("Tension or tenderness, 0 to 10")))
    setattr(NoteForm, f"points_{_key}", _short(_l("Points found")))
    setattr(NoteForm, f"avoid_{_key}", BooleanField(_l("Avoid this area at home for now")))
    setattr(NoteForm, f"avoid_reason_{_key}", _short(_l("Why avoid it")))


# Amendments: one small form per part, each with its own prefix so they share a page ----------


class TextAmendmentForm(FlaskForm):
    """S or P: the new text."""

    text = TextAreaField(
        _l("The corrected text"),
        validators=[InputRequired(message=_l("Please write the new text.")),
                    Length(max=LONG_TEXT), PLAIN_TEXT],
    )  # fmt: skip

    def values(self, part: Part) -> AmendmentValues:
        return AmendmentValues(part=part, text=self.text.data or "")


class FindingAmendmentForm(FlaskForm):
    """O: one area's new values."""

    area = SelectField(_l("Area"), choices=AREAS, validate_choice=False, validators=[_area])
    tension = _tension(_l("Tension or tenderness, 0 to 10"))
    points = _short(_l("Points found"))
    avoid = BooleanField(_l("Avoid this area at home for now"))
    avoid_reason = _short(_l("Why avoid it"))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        return _avoid_reason_given(self, self.avoid, self.avoid_reason) and valid

    def values(self, part: Part) -> AmendmentValues:
        finding = FindingValues(
            area=Area(self.area.data),
            tension=self.tension.data,
            points=self.points.data or "",
            avoid=bool(self.avoid.data),
            avoid_reason=self.avoid_reason.data or "",
        )
        return AmendmentValues(part=part, finding=finding)


class TreatmentAmendmentForm(_Treatment, FlaskForm):
    """A: the new techniques, pressure and areas."""

    def values(self, part: Part) -> AmendmentValues:
        return AmendmentValues(part=part, text=self.techniques.data or "", **self.treatment())


#: Each part as an amendment names it.
PART_LABELS = {
    Part.SUBJECTIVE: _l("S – What the client reports"),
    Part.OBJECTIVE: _l("O – A finding"),
    Part.TREATMENT: _l("A – What was done"),
    Part.PLAN: _l("P – Plan"),
}

#: The form for each part's amendment.
AMENDMENT_FORMS = {
    Part.SUBJECTIVE: TextAmendmentForm,
    Part.OBJECTIVE: FindingAmendmentForm,
    Part.TREATMENT: TreatmentAmendmentForm,
    Part.PLAN: TextAmendmentForm,
}


def amendment_forms(formdata=None, only: Part | None = None) -> dict[Part, FlaskForm]:
    """One form per part, each prefixed with its part's name (``only``'s from ``formdata``,
    the others empty)."""
    return {
        part: cls(prefix=part.value, formdata=formdata if part is only else None)
        for part, cls in AMENDMENT_FORMS.items()
    }
