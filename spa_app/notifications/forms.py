from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, widgets
from wtforms.fields.choices import SelectChoice

from spa_app.notifications.models import KIND_LABELS


class EmailSettingsForm(FlaskForm):
    wanted = SelectMultipleField(
        "E-mails I want",
        choices=[SelectChoice(k.value, label.capitalize()) for k, label in KIND_LABELS.items()],
        option_widget=widgets.CheckboxInput(),
        widget=widgets.ListWidget(prefix_label=False),
        validate_choice=True,
    )
