"""Staff forms for services, rooms and therapists: field shapes only; rules live in the service."""

from __future__ import annotations

import re

from flask_wtf import FlaskForm
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
)

from spa_app.fields import PLAIN_TEXT, SINGLE_LINE, MultiCheckboxField, WholeNumberField, whole

#: Largest price we accept: far above any massage, well inside a 32-bit integer of cents.
MAX_PRICE_CENTS = 1_000_000_00
_DECIMAL = re.compile(r"^([0-9]+)(?:\.([0-9]+))?$")  # ASCII digits only


def parse_price(text: str) -> int:
    """Integer cents from money text like "65", "65.5" or "£65.00"; raises ValueError(message)."""
    text = text.strip().removeprefix("£").strip()
    if not text:
        raise ValueError("Enter a price, for example 65.00.")
    if text.startswith("-"):
        raise ValueError("The price cannot be negative.")
    match = _DECIMAL.match(text)
    if match is None:
        raise ValueError("Enter the price as a number, for example 65 or 65.00.")
    whole, fraction = match[1], match[2] or ""
    if len(fraction) > 2:
        raise ValueError("Use at most two decimal places, for example 65.50.")
    cents = int(whole) * 100 + int(fraction.ljust(2, "0"))
    if cents > MAX_PRICE_CENTS:
        raise ValueError("That price is too high.")
    return cents


class MoneyField(StringField):
    """A price typed as money and held as integer cents (``data``)."""

    def process_formdata(self, valuelist):
        self.data = None
        if valuelist:
            self.data = parse_price(valuelist[0])

    def pre_validate(self, form):
        if self.data is None and not self.process_errors:
            raise StopValidation("Enter a price, for example 65.00.")

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else f"{self.data // 100}.{self.data % 100:02d}"


def _name(label: str, max_length: int) -> StringField:
    return StringField(label, validators=[InputRequired(), Length(max=max_length), SINGLE_LINE])


class ServiceForm(FlaskForm):
    name = _name("Name", 120)
    description = TextAreaField(
        "Description", validators=[Optional(), Length(max=2000), PLAIN_TEXT]
    )
    duration_min = WholeNumberField(
        "Duration (minutes)",
        validators=[InputRequired(), NumberRange(5, 480, "Use 5 to 480 minutes.")],
    )
    price = MoneyField("Price", render_kw={"inputmode": "decimal"})
    buffer_min = WholeNumberField(
        "Clean-up buffer (minutes)",
        default=0,
        validators=[InputRequired(), NumberRange(0, 120, "Use 0 to 120 minutes.")],
    )
    active = BooleanField("Open for booking", default=True)
    therapists = MultiCheckboxField("Therapists who offer it", coerce=whole)


class RoomForm(FlaskForm):
    name = _name("Name", 80)


class ActiveForm(FlaskForm):
    """A one-button form that switches something on ("1") or off ("0")."""

    active = HiddenField(validators=[InputRequired(), AnyOf(["0", "1"])])


class NewTherapistForm(FlaskForm):
    display_name = _name("Name shown to clients", 120)
    email = EmailField(
        "Login e-mail",
        validators=[InputRequired(), Email(check_deliverability=False), Length(max=254)],
    )
    password = PasswordField(
        "Initial password",
        validators=[InputRequired(), Length(min=10, max=200, message="Use 10 to 200 characters.")],
    )


class TherapistForm(FlaskForm):
    display_name = _name("Name shown to clients", 120)
    bio = TextAreaField("About", validators=[Optional(), Length(max=2000), PLAIN_TEXT])
    active = BooleanField("Takes bookings")
    services = MultiCheckboxField("Services offered", coerce=whole)
