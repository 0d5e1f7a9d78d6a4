from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, TimeField, widgets
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from spa_app.notifications.models import OPTIONAL_KINDS, THERAPIST_KIND_LABELS
from spa_app.notifications.preferences import KIND_CHOICES


def wanted_field(label, kinds=OPTIONAL_KINDS) -> SelectMultipleField:
    """A box for each of ``kinds`` (the client's optional e-mails unless told), ticked for
    those wanted."""
    return SelectMultipleField(
        label,
        choices=[SelectChoice(k.value, KIND_CHOICES[k]) for k in kinds],
        option_widget=widgets.CheckboxInput(),
        widget=widgets.ListWidget(prefix_label=False),
        validate_choice=True,
    )


class EmailSettingsForm(FlaskForm):
    wanted = wanted_field(_l("E-mails I want"))
    routine_time = TimeField(
        _l("Time for the home-routine reminder"),
        validators=[InputRequired(message=_l("Please give a time such as 08:00."))],
    )


class TherapistEmailsForm(FlaskForm):
    wanted = wanted_field(_l("E-mails I want"), tuple(THERAPIST_KIND_LABELS))
