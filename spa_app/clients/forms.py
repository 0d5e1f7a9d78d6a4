"""The client record's forms: field shapes only; the rules live in clients.service."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    EmailField,
    SelectField,
    StringField,
    TelField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import AnyOf, Email, InputRequired, Length, Optional, Regexp

from spa_app.clients.models import NOTE_MAX, TAG_MAX
from spa_app.fields import ANY, PLAIN_TEXT, SINGLE_LINE, IdOf
from spa_app.notifications.forms import wanted_field
from spa_app.waitlist.forms import PART_CHOICES

PHONE = Regexp(r"^\+?[0-9][0-9 ().-]{2,39}$", message=_l("Use digits, spaces and + ( ) - . only."))


class ContactForm(FlaskForm):
    name = StringField(
        _l("Name"),
        validators=[
            InputRequired(_l("Please give the client's name.")),
            Length(max=120),
            SINGLE_LINE,
        ],
    )
    email = EmailField(
        _l("E-mail"),
        validators=[
            Optional(),
            Length(max=254),
            Email(check_deliverability=False, message=_l("That is not an e-mail address.")),
        ],
    )
    phone = TelField(_l("Phone"), validators=[Optional(), Length(max=40), PHONE])


class TagForm(FlaskForm):
    tag = StringField(
        _l("New tag"),
        validators=[
            InputRequired(_l("Please type a tag.")),
            Length(max=TAG_MAX, message=_l("A tag is at most %(max)d characters.")),
            SINGLE_LINE,
        ],
    )


class NoteForm(FlaskForm):
    body = TextAreaField(
        _l("Desk note"),
        validators=[
            InputRequired(_l("Please write the note.")),
            Length(max=NOTE_MAX, message=_l("A note is at most %(max)d characters.")),
            PLAIN_TEXT,
        ],
    )


class WaitlistForm(FlaskForm):
    """Staff put the client on the waitlist for a service (the choices come from the view)."""

    service = SelectField(_l("Service"), validators=[IdOf(_l("Please choose a service."))])
    therapist = SelectField(_l("Therapist"), default=ANY, validate_choice=True)
    first_day = DateField(_l("From"), validators=[InputRequired(_l("Please give the first day."))])
    last_day = DateField(_l("To"), validators=[InputRequired(_l("Please give the last day."))])
    part = SelectField(
        _l("Time of day"),
        choices=PART_CHOICES,
        default=ANY,
        validate_choice=False,
        validators=[
            AnyOf(
                [choice.value for choice in PART_CHOICES],
                _l("Please choose a time of day from the list."),
            )
        ],
    )


class EmailChoicesForm(FlaskForm):
    wanted = wanted_field(_l("E-mails they want"))
    routine_time = TimeField(
        _l("Time for the home-routine reminder"),
        validators=[InputRequired(message=_l("Please give a time such as 08:00."))],
    )


class EraseForm(FlaskForm):
    name = StringField(
        _l("Type the client's name to confirm"),
        validators=[InputRequired(_l("Type the client's name to confirm.")), Length(max=200)],
    )
