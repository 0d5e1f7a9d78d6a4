from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, TimeField, widgets
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from spa_app.notifications.models import OPTIONAL_KINDS, THERAPIST_KIND_LABELS
from spa_app.notifications.preferences import KIND_CHOICES


class EmailSettingsForm(FlaskForm):
    wanted = SelectMultipleField(
        _l("E-mails I want"),
        choices=[SelectChoice(k.value, KIND_CHOICES[k]) for k in OPTIONAL_KINDS],
        option_widget=widgets.CheckboxInput(),
        widget=widgets.ListWidget(prefix_label=False),
        validate_choice=True,
    )
    routine_time = TimeField(
        _l("Time for the home-routine reminder"),
        validators=[InputRequired(message=_l("Please give a time such as 08:00."))],
    )


class TherapistEmailsForm(FlaskForm):
    wanted = SelectMultipleField(
        _l("E-mails I want"),
        choices=[SelectChoice(k.value, KIND_CHOICES[k]) for k in THERAPIST_KIND_LABELS],
        option_widget=widgets.CheckboxInput(),
        widget=widgets.ListWidget(prefix_label=False),
        validate_choice=True,
    )
