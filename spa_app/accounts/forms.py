from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import Email, EqualTo, InputRequired, Length, Optional

from spa_app.fields import SINGLE_LINE

#: The rule for every new password, in one place.
NEW_PASSWORD = [InputRequired(), Length(min=10, max=200, message="Use 10 to 200 characters.")]
# Autocomplete hints let password managers fill a login and offer a strong new password.
LOGIN_NAME = {"autocomplete": "username"}
CURRENT = {"autocomplete": "current-password"}
NEW = {"autocomplete": "new-password"}


class LoginForm(FlaskForm):
    email = EmailField(
        "E-mail", validators=[InputRequired(), Length(max=254)], render_kw=LOGIN_NAME
    )
    password = PasswordField(
        "Password", validators=[InputRequired(), Length(max=200)], render_kw=CURRENT
    )
    remember = BooleanField("Keep me logged in on this device")
    next = HiddenField()


class RegisterForm(FlaskForm):
    name = StringField("Full name", validators=[InputRequired(), Length(max=120), SINGLE_LINE])
    email = EmailField(
        "E-mail",
        validators=[InputRequired(), Email(check_deliverability=False), Length(max=254)],
        render_kw=LOGIN_NAME,
    )
    phone = StringField("Phone (optional)", validators=[Optional(), Length(max=40), SINGLE_LINE])
    password = PasswordField("Password", validators=NEW_PASSWORD, render_kw=NEW)
    confirm = PasswordField(
        "Repeat password",
        validators=[InputRequired(), EqualTo("password", "Passwords differ.")],
        render_kw=NEW,
    )
    next = HiddenField()


class ResetRequestForm(FlaskForm):
    email = EmailField(
        "E-mail", validators=[InputRequired(), Length(max=254)], render_kw=LOGIN_NAME
    )


class NewPasswordForm(FlaskForm):
    password = PasswordField("New password", validators=NEW_PASSWORD, render_kw=NEW)
    confirm = PasswordField(
        "Repeat password",
        validators=[InputRequired(), EqualTo("password", "Passwords differ.")],
        render_kw=NEW,
    )


class ChangePasswordForm(NewPasswordForm):
    current = PasswordField(
        "Current password", validators=[InputRequired(), Length(max=200)], render_kw=CURRENT
    )
