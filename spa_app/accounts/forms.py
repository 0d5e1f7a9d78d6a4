from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import Email, EqualTo, InputRequired, Length, Optional, Regexp

#: Names and phones are one line each: no CR/LF or other control characters.
SINGLE_LINE = Regexp(
    r"^[^\x00-\x1f\x7f]*$", message="Use a single line without control characters."
)


class LoginForm(FlaskForm):
    email = EmailField("E-mail", validators=[InputRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[InputRequired(), Length(max=200)])
    next = HiddenField()


class RegisterForm(FlaskForm):
    name = StringField("Full name", validators=[InputRequired(), Length(max=120), SINGLE_LINE])
    email = EmailField(
        "E-mail", validators=[InputRequired(), Email(check_deliverability=False), Length(max=254)]
    )
    phone = StringField("Phone (optional)", validators=[Optional(), Length(max=40), SINGLE_LINE])
    password = PasswordField(
        "Password",
        validators=[InputRequired(), Length(min=10, max=200, message="Use 10 to 200 characters.")],
    )
    confirm = PasswordField(
        "Repeat password", validators=[InputRequired(), EqualTo("password", "Passwords differ.")]
    )
    next = HiddenField()


class ResetRequestForm(FlaskForm):
    email = EmailField("E-mail", validators=[InputRequired(), Length(max=254)])


class NewPasswordForm(FlaskForm):
    password = PasswordField(
        "New password",
        validators=[InputRequired(), Length(min=10, max=200, message="Use 10 to 200 characters.")],
    )
    confirm = PasswordField(
        "Repeat password", validators=[InputRequired(), EqualTo("password", "Passwords differ.")]
    )
