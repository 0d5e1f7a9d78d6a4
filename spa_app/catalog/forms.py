"""Staff forms for services, rooms and therapists: field shapes only; rules live in the service."""

from __future__ import annotations

import re

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    AnyOf,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    StopValidation,
    ValidationError,
)

from spa_app.catalog import images
from spa_app.fields import PLAIN_TEXT, SINGLE_LINE, MultiCheckboxField, WholeNumberField, whole

#: Largest price we accept: far above any massage, well inside a 32-bit integer of cents.
MAX_PRICE_CENTS = 1_000_000_00
#: A length in minutes out of its range (the numbers are the field's own).
MINUTES = _l("Use %(min)s to %(max)s minutes.")
_DECIMAL = re.compile(r"^([0-9]+)(?:\.([0-9]+))?$")  # ASCII digits only


def parse_price(text: str) -> int:
    """Integer cents from money text like "65", "65.5" or "£65.00"; raises ValueError(message)."""
    text = text.strip().removeprefix("£").strip()
    if not text:
        raise ValueError(_("Enter a price, for example 65.00."))
    if text.startswith("-"):
        raise ValueError(_("The price cannot be negative."))
    match = _DECIMAL.match(text)
    if match is None:
        raise ValueError(_("Enter the price as a number, for example 65 or 65.00."))
    whole, fraction = match[1], match[2] or ""
    if len(fraction) > 2:
        raise ValueError(_("Use at most two decimal places, for example 65.50."))
    cents = int(whole) * 100 + int(fraction.ljust(2, "0"))
    if cents > MAX_PRICE_CENTS:
        raise ValueError(_("That price is too high."))
    return cents


class MoneyField(StringField):
    """A price typed as money and held as integer cents (``data``)."""

    def process_formdata(self, valuelist):
        self.data = None
        if valuelist:
            self.data = parse_price(valuelist[0])

    def pre_validate(self, form):
        if self.data is None and not self.process_errors:
            raise StopValidation(_("Enter a price, for example 65.00."))

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else f"{self.data // 100}.{self.data % 100:02d}"


class PictureField(FileField):
    """An optional picture upload; ``data`` is the checked catalog.images.Picture, or None.

    The file is judged by its content (catalog.images.check), never by its name or the type
    the browser gives; a refusal is this field's error, with the reason.
    """

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        upload, self.data = self.data, None
        if upload:
            try:
                self.data = images.check(
                    upload.stream, max_bytes=images.max_image_bytes(current_app.config)
                )
            except images.BadImage as refused:
                raise ValueError(str(refused)) from refused


def _picture(label) -> PictureField:
    return PictureField(label, render_kw={"accept": "image/jpeg,image/png,image/webp"})


def picture_change(upload: PictureField, remove: BooleanField) -> images.PictureChange:
    """What saving the form does to the stored picture: store the new one, remove, or keep."""
    if upload.data is not None:
        return upload.data
    return images.Change.REMOVE if remove.data else images.Change.KEEP


def _not_both(upload_name: str):
    def check(form, field):
        if field.data and form[upload_name].data is not None:
            raise ValidationError(_("Choose a new picture or remove the current one, not both."))

    return check


def _name(label, max_length: int) -> StringField:
    return StringField(label, validators=[InputRequired(), Length(max=max_length), SINGLE_LINE])


class ServiceForm(FlaskForm):
    name = _name(_l("Name"), 120)
    description = TextAreaField(
        _l("Description"), validators=[Optional(), Length(max=2000), PLAIN_TEXT]
    )
    duration_min = WholeNumberField(
        _l("Duration (minutes)"),
        validators=[InputRequired(), NumberRange(5, 480, MINUTES)],
    )
    price = MoneyField(_l("Price"), render_kw={"inputmode": "decimal"})
    buffer_min = WholeNumberField(
        _l("Clean-up buffer (minutes)"),
        default=0,
        validators=[InputRequired(), NumberRange(0, 120, MINUTES)],
    )
    active = BooleanField(_l("Open for booking"), default=True)
    therapists = MultiCheckboxField(_l("Therapists who offer it"), coerce=whole)
    rooms = MultiCheckboxField(_l("Rooms it may use"), coerce=whole)
    category = StringField(
        _l("Category"),
        validators=[Optional(), Length(max=80), SINGLE_LINE],
        render_kw={"list": "categories", "autocomplete": "off"},
    )
    # Optional: a form posted without it keeps the service's place (a new one gets 0).
    position = WholeNumberField(
        _l("Position in its category"),
        default=0,
        validators=[
            Optional(),
            NumberRange(0, 999, _l("Use a whole number from %(min)s to %(max)s.")),
        ],
        render_kw={"inputmode": "numeric"},
    )
    image = _picture(_l("Choose an image"))
    remove_image = BooleanField(_l("Remove the current image"), validators=[_not_both("image")])


class RoomForm(FlaskForm):
    name = _name(_l("Name"), 80)


class ActiveForm(FlaskForm):
    """A one-button form that switches something on ("1") or off ("0")."""

    active = HiddenField(validators=[InputRequired(), AnyOf(["0", "1"])])


class NewTherapistForm(FlaskForm):
    display_name = _name(_l("Name shown to clients"), 120)
    email = EmailField(
        _l("Login e-mail"),
        validators=[InputRequired(), Email(check_deliverability=False), Length(max=254)],
    )
    password = PasswordField(
        _l("Initial password"),
        validators=[
            InputRequired(),
            Length(min=10, max=200, message=_l("Use %(min)s to %(max)s characters.")),
        ],
    )


class TherapistForm(FlaskForm):
    display_name = _name(_l("Name shown to clients"), 120)
    bio = TextAreaField(_l("About"), validators=[Optional(), Length(max=2000), PLAIN_TEXT])
    active = BooleanField(_l("Takes bookings"))
    services = MultiCheckboxField(_l("Services offered"), coerce=whole)
    photo = _picture(_l("Choose a photo"))
    remove_photo = BooleanField(_l("Remove the current photo"), validators=[_not_both("photo")])
