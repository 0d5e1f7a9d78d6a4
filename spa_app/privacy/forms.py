from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from spa_app.accounts.models import Role, User
from spa_app.fields import SINGLE_LINE

#: A role as the audit log's page names it (the stored value stays English).
ROLE_WORDS = {
    Role.CLIENT: _l("client"),
    Role.STAFF: _l("staff"),
    Role.THERAPIST: _l("therapist"),
}


class DeleteAccountForm(FlaskForm):
    password = PasswordField(
        _l("Your password"),
        validators=[InputRequired(message=_l("Please enter your password.")), Length(max=200)],
    )


ANYONE = SelectChoice("", _l("Anyone"))


class AuditFilterForm(FlaskForm):
    """The audit log's filters, read from the query string (a GET form: no CSRF token)."""

    class Meta:
        csrf = False

    client_email = StringField(
        _l("Client e-mail (or part of it)"), [Optional(), Length(max=254), SINGLE_LINE]
    )
    role = SelectField(
        _l("Role"),
        choices=[
            ANYONE,
            SelectChoice(Role.STAFF.value, _l("Staff")),
            SelectChoice(Role.THERAPIST.value, _l("Therapists")),
        ],
        default="",
    )
    actor = SelectField(_l("Person"), default="")

    def offer_actors(self, people: list[User]) -> None:
        self.actor.choices = [ANYONE] + [
            SelectChoice(str(p.id), _("%(name)s (%(role)s)", name=p.name, role=ROLE_WORDS[p.role]))
            for p in people
        ]

    def actor_id(self) -> int | None:
        return int(self.actor.data) if self.actor.data else None

    def actor_role(self) -> Role | None:
        return Role(self.role.data) if self.role.data else None
