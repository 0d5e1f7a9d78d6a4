"""Booking forms: field shapes only; the rules live in the service."""

from __future__ import annotations

from datetime import UTC, datetime

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
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


#: A therapist or room picked from a list: any, or an id.
ANY_OR_ID = Regexp(r"^(any|[1-9][0-9]{0,9})$", message=_l("Unknown choice."))


class MoveForm(FlaskForm):
    start = InstantField()
    therapist = HiddenField(default=ANY, validators=[ANY_OR_ID])
    #: Staff only: the room to move into ("any": keep the visit's own if free, else any).
    room = HiddenField(default=ANY, validators=[ANY_OR_ID])
    #: Staff only (a client is always told); ``tell_asked`` says the box was on the page, so a
    #: form without it tells the client as before.
    tell_client = BooleanField(_l("Tell the client by e-mail"), default=True)
    tell_asked = HiddenField()


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
    #: Staff only. Each box's ``*_asked`` says it was on the page, so an unticked box means no
    #: and a form without it (a client's, an older page) leaves the choice to the rules.
    tell_client = BooleanField(_l("Tell the client by e-mail"), default=True)
    tell_asked = HiddenField()
    late = BooleanField(_l("Count as a late cancellation"), default=True)
    late_asked = HiddenField()


class StaffBookingForm(FlaskForm):
    """Staff book for a phone or walk-in client: one found in the search (by id), an existing
    e-mail, or a new client's name with an e-mail or a phone (the service says which is
    missing)."""

    client_id = HiddenField(validators=[Optional(), Regexp(r"^[1-9][0-9]{0,9}$")])
    client_email = StringField(
        _l("Client e-mail"),
        validators=[Optional(), Email(check_deliverability=False), Length(max=254)],
        render_kw={"type": "email", "autocomplete": "off"},
    )
    client_name = StringField(
        _l("Client name (for a new client)"), validators=[Optional(), Length(max=120), SINGLE_LINE]
    )
    client_phone = StringField(
        _l("Client phone (for a new client)"),
        validators=[Optional(), Length(max=40), SINGLE_LINE],
        render_kw={"type": "tel", "autocomplete": "off"},
    )
    service = SelectField(_l("Service"), coerce=whole, validate_choice=True)
    therapist = SelectField(_l("Therapist"), default=ANY, validate_choice=True)
    # Not checked against the list: the booking service says why a room cannot be had.
    room = SelectField(_l("Room"), default=ANY, validators=[ANY_OR_ID], validate_choice=False)
    date = DateField(_l("Date"), validators=[InputRequired()])
    time = TimeField(_l("Start time"), validators=[InputRequired()])
    request_key = HiddenField(validators=[InputRequired(), Regexp(r"^[A-Za-z0-9_-]{16,64}$")])
