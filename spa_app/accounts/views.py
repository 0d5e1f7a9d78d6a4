"""Registration, login and logout, password reset and change."""

import hmac

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import COOKIE_NAME, current_user, login_required, login_user, logout_user

from spa_app import i18n, params
from spa_app.accounts import picked, service
from spa_app.accounts.forms import (
    BROWSER,
    ChangePasswordForm,
    LanguageForm,
    LoginForm,
    NewPasswordForm,
    RegisterForm,
    ResetRequestForm,
)
from spa_app.accounts.guards import safe_next
from spa_app.accounts.limits import PER_ACCOUNT, PER_ADDRESS, PER_SIGNED_IN_ACCOUNT, limited
from spa_app.accounts.models import Role, User
from spa_app.database import unit_of_work, utcnow
from spa_app.extensions import db, login_manager

bp = Blueprint("accounts", __name__)

login_manager.login_view = "accounts.login"
login_manager.login_message = _l("Please log in to continue.")
# The message is flashed (kept in the session) as plain text in the page's language.
login_manager.localize_callback = str


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """The user a session or remember-me cookie names, while its password stamp is current.

    ``session_id`` is ``User.get_id()``: after a password change the stamp differs, so every
    session made before it ends (a bare id, as sessions held before stamps, ends too).
    """
    number, _dot, stamp = session_id.partition(".")
    if (user_id := params.as_id(number)) is None or not stamp:
        return None
    user = db.session.get(User, user_id)
    if user is None or not hmac.compare_digest(user.session_stamp().encode(), stamp.encode()):
        return None
    return user


def _landing(user: User) -> str:
    if user.role is Role.STAFF:
        return url_for("booking_staff.day")
    if user.role is Role.THERAPIST:
        return url_for("booking.therapist_schedule")
    return url_for("booking.mine")


@bp.route("/login", methods=["GET", "POST"])
@limited(PER_ACCOUNT, PER_ADDRESS, failures_only=True)
def login():
    form = LoginForm(next=request.args.get("next"))
    if form.validate_on_submit():
        with unit_of_work():  # a hash made the old way is replaced as the user logs in
            user = service.authenticate(form.email.data, form.password.data)
        if user is None:
            form.password.errors.append(_("That e-mail and password do not match an account."))
        else:
            login_user(user, remember=form.remember.data)
            with force_locale(i18n.select_locale()):  # the account's language, if it has one
                flash(_("Welcome, %(name)s.", name=user.name), "success")
            return redirect(_next_for(user, form.next.data) or _landing(user))
    return render_template("accounts/login.html", form=form, **_on_the_way(form.next.data))


@bp.route("/register", methods=["GET", "POST"])
@limited(PER_ADDRESS)
def register():
    form = RegisterForm(next=request.args.get("next"))
    if form.validate_on_submit():
        try:
            with unit_of_work():
                user = service.create_user(
                    email=form.email.data,
                    name=form.name.data,
                    phone=form.phone.data,
                    password=form.password.data,
                    role=Role.CLIENT,
                    locale=_signed_up_in(),
                )
        except service.EmailTaken:
            form.email.errors.append(_("An account with this e-mail exists; please log in."))
        else:
            login_user(user)
            flash(_("Your account is ready."), "success")
            return redirect(safe_next(form.next.data) or url_for("booking.mine"))
    return render_template("accounts/register.html", form=form, **_on_the_way(form.next.data))


def _signed_up_in() -> str | None:
    """The language the person signed up in, kept when it is not the spa's own, so their
    e-mails come in it (None: the spa's, or later their browser's)."""
    spoken = i18n.language()
    return spoken if spoken != i18n.spa_language() else None


def _next_for(user: User, target: str | None) -> str | None:
    """Where a log-in leads: ``next`` if on this site, but not a client's booking page for
    anyone else (staff and therapists would find nothing there; they book on the staff side)."""
    if user.role is not Role.CLIENT and picked.choice_in(target) is not None:
        return None
    return safe_next(target)


def _on_the_way(target: str | None) -> dict:
    """What the log-in and sign-up pages show of where the client is going: the time they
    picked (when ``next`` is the confirm page) and the ``next`` that the link to the other page
    keeps (only one on this site)."""
    return {"pick": picked.pick_in(target, utcnow()), "next": safe_next(target)}


@bp.route("/reset-password", methods=["GET", "POST"])
@limited(PER_ACCOUNT, PER_ADDRESS)
def reset_request():
    form = ResetRequestForm()
    if form.validate_on_submit():
        with unit_of_work():
            service.request_password_reset(form.email.data, utcnow())
        flash(
            _("If an account uses that address, a link to set a new password is on its way."),
            "info",
        )
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_request.html", form=form)


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    user = service.user_for_reset(current_app.config["SECRET_KEY"], token)
    if user is None:
        flash(_("That link has expired or was already used; please ask for a new one."), "error")
        return redirect(url_for("accounts.reset_request"))
    form = NewPasswordForm()
    if form.validate_on_submit():
        with unit_of_work():
            user.set_password(form.password.data)
        flash(_("Your password is set; please log in."), "success")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_password.html", form=form)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
@limited(PER_SIGNED_IN_ACCOUNT, PER_ADDRESS, failures_only=True)
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                service.change_password(current_user, form.current.data, form.password.data)
        except service.WrongPassword:
            form.current.errors.append(_("That is not your current password."))
        else:
            _renew_this_session()
            flash(_("Your password is changed; you are logged out everywhere else."), "success")
            return redirect(_landing(current_user))
    return render_template("accounts/change_password.html", form=form)


@bp.route("/account/language", methods=["GET", "POST"])
@login_required
def language():
    """The account's language: English, Español or whatever the browser says."""
    form = LanguageForm()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                service.set_language(current_user, form.locale())
        except service.UnknownLanguage:
            form.language.errors.append(_("Please choose a language from the list."))
        else:
            with force_locale(i18n.select_locale()):  # said in the language just chosen
                flash(_("Your language is saved."), "success")
            return redirect(url_for("accounts.language"))
    elif request.method == "GET":
        form.language.data = current_user.locale or BROWSER
    page = render_template("accounts/language.html", form=form, languages=i18n.LANGUAGES)
    return page, 422 if form.errors else 200


def _renew_this_session() -> None:
    """Give this session (and its remember-me cookie, if it had one) the new password stamp.

    Every other session and remember-me cookie still carries the old one, so they have ended.
    """
    cookie = current_app.config.get("REMEMBER_COOKIE_NAME", COOKIE_NAME)
    login_user(current_user._get_current_object(), remember=cookie in request.cookies)


@bp.post("/logout")
@login_required
def logout():
    goodbye = _("You are logged out.")  # in the account's language, before it is forgotten
    logout_user()
    flash(goodbye, "info")
    return redirect(url_for("catalog.index"))
