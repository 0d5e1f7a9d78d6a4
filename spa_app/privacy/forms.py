from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from spa_app.accounts.models import Role, User
from spa_app.fields import SINGLE_LINE


class DeleteAccountForm(FlaskForm):
    password = PasswordField(
        "Your password",
        validators=[InputRequired(message="Please enter your password."), Length(max=200)],
    )


ANYONE = SelectChoice("", "Anyone")


class AuditFilterForm(FlaskForm):
    """The audit log's filters, read from the query string (a GET form: no CSRF token)."""

    class Meta:
        csrf = False

    client_email = StringField(
        "Client e-mail (or part of it)", [Optional(), Length(max=254), SINGLE_LINE]
    )
    role = SelectField(
        "Role",
        choices=[
            ANYONE,
            SelectChoice(Role.STAFF.value, "Staff"),
            SelectChoice(Role.THERAPIST.value, "Therapists"),
        ],
        default="",
    )
    actor = SelectField("Person", default="")

    def offer_actors(self, people: list[User]) -> None:
        self.actor.choices = [ANYONE] + [
            SelectChoice(str(p.id), f"{p.name} ({p.role.value})") for p in people
        ]

    def actor_id(self) -> int | None:
        return int(self.actor.data) if self.actor.data else None

    def actor_role(self) -> Role | None:
        return Role(self.role.data) if self.role.data else None
