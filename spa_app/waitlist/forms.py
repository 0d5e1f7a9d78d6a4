"""The waitlist request form: field shapes only; the rules live in the service."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, SelectField
from wtforms.validators import InputRequired

from spa_app.fields import ANY


class WaitlistForm(FlaskForm):
    therapist = SelectField("Therapist", default=ANY, validate_choice=True)
    first_day = DateField("From", validators=[InputRequired("Please give the first day.")])
    last_day = DateField("To", validators=[InputRequired("Please give the last day.")])
