"""Booking forms: field shapes only; the rules live in the service."""

from __future__ import annotations

from datetime import UTC, datetime

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import Email, InputRequired, Length, Optional, Regexp, ValidationError

from spa_app.fields import ANY, PLAIN_TEXT, SINGLE_LINE, whole


class InstantField(HiddenField):
    """A UTC instant carried in a hidden input as ISO 8601 (``2026-03-29T09:00:00+00:00``)."""

    def process_formdata(self, valuelist):
        self.data = None
        if valuelist and valuelist[0]:
            try:
                value = datetime.fromisoformat(valuelist[0])
                value = value.astimezone(UTC) if value.tzinfo is not None else None
            except (ValueError, OverflowError):  # OverflowError: shifted past year 1 or 9999
                return
            # Years 1 and 9999 are refused too: the spa's local time of them may not exist.
            if value is not None and 1 < value.year < 9999:
                self.data = value

    def _value(self):
        return self.data.isoformat() if self.data else ""

    def pre_validate(self, form):
        if self.data is None:
            raise ValidationError(_l("Please pick one of the times shown."))


class SlotSearchForm(FlaskForm):
    """GET form: which therapist and day to show free times for."""

    class Meta:
        csrf = False

    therapist = SelectField(_l("Therapist"), default=ANY, validate_choice=True)
    date = DateField(_l("Date"), validators=[Optional()])


class ConfirmForm(FlaskForm):
    start = InstantField()
    therapist = HiddenField(default=ANY, validators=[Regexp(r"^(any|[1-9][0-9]{0,9})$")])
    request_key = HiddenField(validators=[InputRequired(), Regexp(r"^[A-Za-z0-9_-]{16,64}$")])


class MoveForm(FlaskForm):
    start = InstantField()
    therapist = HiddenField(default=ANY, validators=[Regexp(r"^(any|[1-9][0-9]{0,9})$")])


REASON_MAX = 480


class CancelForm(FlaskForm):
    # 480: the stored reason is prefixed with who gave it, in a column of 500.
    reason = TextAreaField(
        _l("Reason (optional)"), validators=[Optional(), Length(max=REASON_MAX), PLAIN_TEXT]
    )
    # Staff only: what the client's e-mail says. A staff reason above stays with the spa (see
    # service.cancellation_for); the client reads only a reason they gave themselves.
    note_to_client = TextAreaField(
        _l("Note to the client (optional)"),
        validators=[Optional(), Length(max=REASON_MAX), PLAIN_TEXT],
    )


class StaffBookingForm(FlaskForm):
    """Staff book for a phone or walk-in client: an existing e-mail, or a new client's details."""

    client_email = StringField(
        _l("Client e-mail"),
        validators=[InputRequired(), Email(check_deliverability=False), Length(max=254)],
    )
    client_name = StringField(
        _l("Client name (for a new client)"), validators=[Optional(), Length(max=120), SINGLE_LINE]
    )
    client_phone = StringField(
        _l("Client phone (for a new client)"), validators=[Optional(), Length(max=40), SINGLE_LINE]
    )
    service = SelectField(_l("Service"), coerce=whole, validate_choice=True)
    therapist = SelectField(_l("Therapist"), default=ANY, validate_choice=True)
    date = DateField(_l("Date"), validators=[InputRequired()])
    time = TimeField(_l("Start time"), validators=[InputRequired()])
    request_key = HiddenField(validators=[InputRequired(), Regexp(r"^[A-Za-z0-9_-]{16,64}$")])
