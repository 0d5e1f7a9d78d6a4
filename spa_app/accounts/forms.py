from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, Email, EqualTo, InputRequired, Length, Optional

from spa_app.fields import SINGLE_LINE
from spa_app.i18n import LANGUAGES

#: The rule for every new password, in one place.
NEW_PASSWORD = [InputRequired(), Length(min=10, max=200, message=_l("Use 10 to 200 characters."))]
# Autocomplete hints let password managers fill a login and offer a strong new password.
LOGIN_NAME = {"autocomplete": "username"}
CURRENT = {"autocomplete": "current-password"}
NEW = {"autocomplete": "new-password"}
DIFFER = _l("Passwords differ.")


class LoginForm(FlaskForm):
    email = EmailField(
        _l("E-mail"), validators=[InputRequired(), Length(max=254)], render_kw=LOGIN_NAME
    )
    password = PasswordField(
        _l("Password"), validators=[InputRequired(), Length(max=200)], render_kw=CURRENT
    )
    remember = BooleanField(_l("Keep me logged in on this device"))
    next = HiddenField()


class RegisterForm(FlaskForm):
    name = StringField(_l("Full name"), validators=[InputRequired(), Length(max=120), SINGLE_LINE])
    email = EmailField(
        _l("E-mail"),
        validators=[InputRequired(), Email(check_deliverability=False), Length(max=254)],
        render_kw=LOGIN_NAME,
    )
    phone = StringField(
        _l("Phone (optional)"), validators=[Optional(), Length(max=40), SINGLE_LINE]
    )
    password = PasswordField(_l("Password"), validators=NEW_PASSWORD, render_kw=NEW)
    confirm = PasswordField(
        _l("Repeat password"),
        validators=[InputRequired(), EqualTo("password", DIFFER)],
        render_kw=NEW,
    )
    next = HiddenField()


class ResetRequestForm(FlaskForm):
    email = EmailField(
        _l("E-mail"), validators=[InputRequired(), Length(max=254)], render_kw=LOGIN_NAME
    )


class NewPasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=NEW_PASSWORD, render_kw=NEW)
    confirm = PasswordField(
        _l("Repeat password"),
        validators=[InputRequired(), EqualTo("password", DIFFER)],
        render_kw=NEW,
    )


class ChangePasswordForm(NewPasswordForm):
    current = PasswordField(
        _l("Current password"), validators=[InputRequired(), Length(max=200)], render_kw=CURRENT
    )


#: The language setting's value for "as my browser says" (stored as None).
BROWSER = "browser"


class LanguageForm(FlaskForm):
    """The account's language: one of the site's languages, or the browser's (BROWSER)."""

    language = RadioField(
        _l("Language"),
        choices=[SelectChoice(BROWSER, _l("As my browser says"))]
        + [SelectChoice(code, name) for code, name in LANGUAGES.items()],
        # A value off the list gets the message below, not WTForms' own.
        validate_choice=False,
        validators=[
            AnyOf([BROWSER, *LANGUAGES], message=_l("Please choose a language from the list."))
        ],
    )

    def locale(self) -> str | None:
        """The language to store: a code from LANGUAGES, or None for the browser's."""
        return None if self.language.data == BROWSER else self.language.data
