"""The staff form for the spa's details: field shapes only; the rules live in profile.service."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import URL, InputRequired, Length, NumberRange, Optional, Regexp

from spa_app.fields import PLAIN_TEXT, SINGLE_LINE, WholeNumberField
from spa_app.profile.service import CURRENCIES, GRACE_RANGE

PHONE = Regexp(r"^\+?[0-9 ()./-]{5,40}$", message=_l("Use digits, spaces and + ( ) - only."))


def _web_link(label) -> StringField:
    """An optional web address of the spa's elsewhere (a map, a review page)."""
    return StringField(
        label,
        validators=[
            Optional(),
            Length(max=500),
            URL(require_tld=True, message=_l("Use a web address starting with https://.")),
        ],
    )


class DetailsForm(FlaskForm):
    business_name = StringField(
        _l("Business name"), validators=[InputRequired(), Length(max=120), SINGLE_LINE]
    )
    address = TextAreaField(_l("Address"), validators=[Optional(), Length(max=300), PLAIN_TEXT])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40), PHONE])
    map_url = _web_link(_l("Map link"))
    review_url = _web_link(_l("Public review page"))
    opening_hours = TextAreaField(
        _l("Opening hours"), validators=[Optional(), Length(max=1000), PLAIN_TEXT]
    )
    cancellation_policy = TextAreaField(
        _l("Cancellation policy"), validators=[Optional(), Length(max=2000), PLAIN_TEXT]
    )
    grace_min = WholeNumberField(
        _l("Grace period after booking (minutes)"),
        validators=[
            InputRequired(),
            NumberRange(*GRACE_RANGE, message=_l("Use %(min)s to %(max)s minutes.")),
        ],
    )
    currency = SelectField(_l("Currency"), choices=[SelectChoice(c, c) for c in CURRENCIES])
