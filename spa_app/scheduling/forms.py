"""Staff forms for the schedule: field shapes only; the rules live in scheduling.service."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField, TimeField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, StopValidation

from spa_app.fields import PLAIN_TEXT, SINGLE_LINE, WholeNumberField, whole
from spa_app.scheduling.service import (
    SETTING_RANGES,
    SLOT_STEPS,
    BadHours,
    format_windows,
    parse_windows,
)

#: A setting out of its range, by its unit (the numbers are the setting's own).
RANGE_MESSAGES = {
    "min": _l("Use %(min)s to %(max)s min."),
    "days": _l("Use %(min)s to %(max)s days."),
    "hours": _l("Use %(min)s to %(max)s hours."),
}


def _range(name: str, unit: str) -> NumberRange:
    low, high = SETTING_RANGES[name]
    return NumberRange(low, high, RANGE_MESSAGES[unit])


def _reason() -> StringField:
    return StringField(
        _l("Reason (optional)"), validators=[Optional(), Length(max=200), SINGLE_LINE]
    )


class SettingsForm(FlaskForm):
    timezone = StringField(
        _l("Time zone"), validators=[InputRequired(), Length(max=64), SINGLE_LINE]
    )
    slot_step_min = SelectField(
        _l("Slot step"),
        coerce=whole,
        choices=[SelectChoice(n, _l("%(num)d minutes", num=n)) for n in SLOT_STEPS],
    )
    min_notice_min = WholeNumberField(
        _l("Minimum notice (minutes)"),
        validators=[InputRequired(), _range("min_notice_min", "min")],
    )
    horizon_days = WholeNumberField(
        _l("Bookable up to (days ahead)"),
        validators=[InputRequired(), _range("horizon_days", "days")],
    )
    cancel_window_hours = WholeNumberField(
        _l("Cancellation window (hours)"),
        validators=[InputRequired(), _range("cancel_window_hours", "hours")],
    )


class WindowsField(StringField):
    """One weekday's working windows typed as "09:00-13:00, 14:00-18:00"; ``data`` is a list."""

    def process_data(self, value):
        self.data = value or []
        self.problems: list[str] = []

    def process_formdata(self, valuelist):
        self.data, self.problems = [], []
        try:
            self.data = parse_windows(valuelist[0] if valuelist else "")
        except BadHours as exc:
            self.data, self.problems = None, exc.problems

    def _value(self):
        return self.raw_data[0] if self.raw_data else format_windows(self.data or [])

    def pre_validate(self, form):
        self.errors.extend(self.problems)
        if self.problems:
            raise StopValidation()


class WorkingHoursForm(FlaskForm):
    """One text input per weekday; the field order is Monday (0) to Sunday (6)."""

    monday = WindowsField(_l("Monday"))
    tuesday = WindowsField(_l("Tuesday"))
    wednesday = WindowsField(_l("Wednesday"))
    thursday = WindowsField(_l("Thursday"))
    friday = WindowsField(_l("Friday"))
    saturday = WindowsField(_l("Saturday"))
    sunday = WindowsField(_l("Sunday"))

    DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class TimeOffForm(FlaskForm):
    start_date = DateField(_l("From (date)"), validators=[InputRequired()])
    start_time = TimeField(_l("From (time)"), validators=[InputRequired()])
    end_date = DateField(_l("Until (date)"), validators=[InputRequired()])
    end_time = TimeField(_l("Until (time)"), validators=[InputRequired()])
    reason = _reason()


class ClosureForm(FlaskForm):
    day = DateField(_l("Day"), validators=[InputRequired()])
    reason = _reason()


class ButtonForm(FlaskForm):
    """A form that is only a button (delete): CSRF protection and nothing else."""


#: The stored note is a message's reason, a column of 500.
NOTE_MAX = 480


class TellForm(FlaskForm):
    """Tell clients their visit needs a new time: which visit ("all" or an id, on the button
    pressed) and an optional note the e-mail quotes as written."""

    note = TextAreaField(
        _l("A note for the clients (optional)"),
        validators=[Optional(), Length(max=NOTE_MAX), PLAIN_TEXT],
    )
