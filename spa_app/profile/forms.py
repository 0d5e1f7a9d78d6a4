"""The staff form for the spa's details: field shapes only; the rules live in profile.service."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import URL, InputRequired, Length, NumberRange, Optional, Regexp

from spa_app.fields import PLAIN_TEXT, SINGLE_LINE, WholeNumberField
from spa_app.profile.service import CURRENCIES, GRACE_RANGE

PHONE = Regexp(r"^\+?[0-9 ()./-]{5,40}$", message="Use digits, spaces and + ( ) - only.")


class DetailsForm(FlaskForm):
    business_name = StringField(
        "Business name", validators=[InputRequired(), Length(max=120), SINGLE_LINE]
    )
    address = TextAreaField("Address", validators=[Optional(), Length(max=300), PLAIN_TEXT])
    phone = StringField("Phone", validators=[Optional(), Length(max=40), PHONE])
    map_url = StringField(
        "Map link",
        validators=[
            Optional(),
            Length(max=500),
            URL(require_tld=True, message="Use a web address starting with https://."),
        ],
    )
    opening_hours = TextAreaField(
        "Opening hours", validators=[Optional(), Length(max=1000), PLAIN_TEXT]
    )
    cancellation_policy = TextAreaField(
        "Cancellation policy", validators=[Optional(), Length(max=2000), PLAIN_TEXT]
    )
    grace_min = WholeNumberField(
        "Grace period after booking (minutes)",
        validators=[
            InputRequired(),
            NumberRange(*GRACE_RANGE, message="Use {} to {} minutes.".format(*GRACE_RANGE)),
        ],
    )
    currency = SelectField("Currency", choices=[SelectChoice(c, c) for c in CURRENCIES])
