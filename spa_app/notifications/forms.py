from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, TimeField, widgets
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from spa_app.notifications.models import KIND_LABELS


class EmailSettingsForm(FlaskForm):
    wanted = SelectMultipleField(
        "E-mails I want",
        choices=[SelectChoice(k.value, label.capitalize()) for k, label in KIND_LABELS.items()],
        option_widget=widgets.CheckboxInput(),
        widget=widgets.ListWidget(prefix_label=False),
        validate_choice=True,
    )
    routine_time = TimeField(
        "Time for the home-routine reminder",
        validators=[InputRequired(message="Please give a time such as 08:00.")],
    )
