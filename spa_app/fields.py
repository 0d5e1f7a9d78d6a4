"""Form fields and validators that several features' forms share.

A feature's ``forms`` module holds its own forms; what more than one feature needs lives here,
so no feature borrows from another's forms.
"""

from __future__ import annotations

import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import Field, IntegerField, SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from spa_app import params

#: Names and phones are one line each: no CR/LF or other control characters, nor the Unicode
#: line and paragraph separators (which e-mail headers would fold on).
SINGLE_LINE = Regexp(
    r"^[^\x00-\x1f\x7f-\x9f\u2028\u2029]*$",
    message=_l("Use a single line without control characters."),
)

#: Text over several lines, but no other control characters (NUL breaks PostgreSQL).
PLAIN_TEXT = Regexp(r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$", message=_l("Please use plain text."))

#: The therapist choice that lets the system pick whoever is free.
ANY = "any"


class MultiCheckboxField(SelectMultipleField):
    """Several choices as checkboxes (easier than a multi-select on a phone or without JS)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def therapist_choices(names: dict[int, str]) -> list[SelectChoice]:
    """ "Any therapist" first, then each therapist by name."""
    by_name = sorted(names.items(), key=lambda item: item[1])
    return [SelectChoice(ANY, _("Any therapist"))] + [
        SelectChoice(str(tid), name) for tid, name in by_name
    ]


def therapist_id(field: Field) -> int | None:
    """The chosen therapist's id, or None for "any therapist" (or a value that is no id)."""
    return None if field.data in (None, "", ANY) else params.as_id(field.data)


class IdOf:
    """Validator: the field holds a database id (ASCII digits, in range)."""

    def __init__(self, message: str | None = None) -> None:
        self.message = message or _l("Unknown choice.")

    def __call__(self, form, field) -> None:
        if params.as_id(field.data) is None:
            raise ValidationError(self.message)


_INTEGER = re.compile(r"[+-]?[0-9]{1,12}")


def whole(value) -> int:
    """``coerce`` for choices of numbers: ASCII digits only (``int`` reads "١" as 1). A
    ValueError is WTForms' "could not coerce"."""
    if isinstance(value, int):
        return value
    if not _INTEGER.fullmatch(str(value)):
        raise ValueError("not a whole number")
    return int(value)


class WholeNumberField(IntegerField):
    """A number typed in a form, in ASCII digits (``IntegerField`` takes "７" as 7)."""

    def process_formdata(self, valuelist):
        if valuelist and not _INTEGER.fullmatch(valuelist[0].strip()):
            self.data = None
            raise ValueError(self.gettext("Not a valid integer value."))
        super().process_formdata(valuelist)
