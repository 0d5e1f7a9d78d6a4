"""E-mail pages: clients choose what they get (and unsubscribe in one click); staff see every
message the spa sends and, in development, the local mail sink."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from spa_app import paging, params, search
from spa_app.accounts.guards import role_required, staff_required
from spa_app.accounts.models import Role
from spa_app.database import unit_of_work, utcnow
from spa_app.extensions import csrf
from spa_app.notifications import preferences, queries, service, sink
from spa_app.notifications.forms import EmailSettingsForm, TherapistEmailsForm
from spa_app.notifications.models import (
    OPTIONAL_KINDS,
    THERAPIST_KIND_LABELS,
    MessageKind,
    MessageState,
)

bp = Blueprint("notifications", __name__)

#: Each kind of message as the staff log names it (the stored value stays as it is).
KIND_NAMES = {
    MessageKind.BOOKING_CONFIRMED: _l("booking confirmed"),
    MessageKind.BOOKING_MOVED: _l("booking moved"),
    MessageKind.BOOKING_CANCELLED: _l("booking cancelled"),
    MessageKind.APPOINTMENT_REMINDER: _l("appointment reminder"),
    MessageKind.PASSWORD_RESET: _l("password reset"),
    MessageKind.REBOOK_WINDOW_OPEN: _l("rebook window open"),
    MessageKind.REBOOK_WINDOW_CLOSING: _l("rebook window closing"),
    MessageKind.PLAN_READY: _l("plan ready"),
    MessageKind.PLAN_NEEDS_REVIEW: _l("plan needs review"),
    MessageKind.ROUTINE_REMINDER: _l("routine reminder"),
    MessageKind.WAITLIST_OFFER: _l("waitlist offer"),
    MessageKind.VISIT_NEEDS_NEW_TIME: _l("visit needs new time"),
    MessageKind.CARE_DIGEST: _l("home care digest"),
    MessageKind.WIN_BACK: _l("win-back"),
    MessageKind.WIN_BACK_LAST: _l("last win-back"),
    MessageKind.FEEDBACK_REQUEST: _l("feedback request"),
    MessageKind.LOW_RATING: _l("low rating"),
}
#: Each state as the staff log names it.
STATE_WORDS = {
    MessageState.PENDING: _l("pending"),
    MessageState.SENT: _l("sent"),
    MessageState.FAILED: _l("failed"),
    MessageState.DROPPED: _l("dropped"),
    MessageState.UNCONFIRMED: _l("unconfirmed"),
}
_WORDS = {
    "kind_names": KIND_NAMES,
    "state_words": STATE_WORDS,
    "states": list(MessageState),
    "kinds": list(MessageKind),
    "timeline": queries.timeline,
}


@bp.get("/staff/messages")
@staff_required
def log():
    """Every message, newest first, a page at a time, found by recipient, state and kind."""
    number, term = paging.arg_page(), search.arg_term()
    filters = queries.LogFilters(
        state=params.arg_choice("state", MessageState),
        kind=params.arg_choice("kind", MessageKind),
        term=term or "",
    )
    kept = _kept(filters)
    shown = {"filters": filters, "kept": kept, **_WORDS}
    shown["kept_but_state"] = {name: value for name, value in kept.items() if name != "state"}
    if term is None:
        page = render_template("notifications/log.html", page=None, problem=search.TERM_REFUSED,
                               **shown)  # fmt: skip
        return page, 422
    page = queries.log_page(filters, number)
    return render_template("notifications/log.html", page=page, **shown)


@bp.get("/staff/messages/<id:message_id>")
@staff_required
def message(message_id: int):
    """One message: what happened to it and when, and its e-mail as it would go out now (made
    by its kind's composer, never sent from here, nothing written)."""
    found = queries.message_with_history(message_id)
    if found is None:
        abort(404)
    return render_template(
        "notifications/message.html",
        preview=queries.preview(found, current_app.config),
        **_WORDS,
    )


def _kept(filters: queries.LogFilters) -> dict[str, str]:
    """The log's filters for its links (an unknown state or kind is left out: it showed all)."""
    values = {"state": filters.state, "kind": filters.kind, "q": filters.term}
    return {name: str(value) for name, value in values.items() if value}


@bp.post("/staff/messages/<id:message_id>/retry")
@staff_required
def retry(message_id: int):
    with unit_of_work():
        changed = service.send_again(message_id, utcnow())
    return _change_message(
        changed,
        done=_("The message will be sent again within a minute."),
        refused=_("Only a failed or unconfirmed message can be sent again."),
    )


@bp.post("/staff/messages/<id:message_id>/received")
@staff_required
def received(message_id: int):
    with unit_of_work():
        changed = service.mark_received(message_id, utcnow())
    return _change_message(
        changed,
        done=_("Marked received; it will not be sent again."),
        refused=_("Only an unconfirmed message can be marked received."),
    )


def _change_message(changed, *, done: str, refused: str):
    """Say how a staff change to a message went (None: refused, nothing changed) and go back to
    the log's filter the staff member came from."""
    if changed is None:
        flash(refused, "error")
    else:
        flash(done, "success")
    return redirect(url_for("notifications.log", **_back_to_log(request.form)))


def _back_to_log(form) -> dict[str, str]:
    """The page and filters of the log the change was made from (any odd value left out)."""
    back = {
        name: form[name]
        for name, choices in (("state", MessageState), ("kind", MessageKind))
        if form.get(name) in {choice.value for choice in choices}
    }
    if (term := form.get("q", "").strip()) and len(term) <= search.MAX_TERM:
        back["q"] = term
    if (number := params.as_whole(form.get("page"), most=paging.MAX_PAGE)) and number > 1:
        back["page"] = str(number)
    return back


@bp.get("/staff/mail-sink")
@staff_required
def sink_index():
    folder = _sink_folder()
    return render_template("notifications/sink.html", letters=sink.letters(folder))


@bp.get("/staff/mail-sink/<key>")
@staff_required
def sink_letter(key: str):
    letter = sink.letter(_sink_folder(), key)
    if letter is None:
        abort(404)
    return render_template("notifications/sink_letter.html", letter=letter)


def _sink_folder() -> str:
    folder = current_app.config.get("MAIL_SINK_DIR")
    if not folder:
        abort(404)  # production has no sink
    return folder


@bp.route("/account/emails", methods=["GET", "POST"])
@role_required(Role.CLIENT)
def settings():
    form = EmailSettingsForm()
    if form.validate_on_submit():
        wanted = {MessageKind(k) for k in form.wanted.data or ()}  # none ticked: None
        with unit_of_work():
            preferences.set_wanted(current_user.id, wanted)
            preferences.set_routine_time(current_user.id, form.routine_time.data.strftime("%H:%M"))
        flash(_("Your e-mail settings are saved."), "success")
        return redirect(url_for("notifications.settings"))
    if request.method == "GET":
        off = preferences.opted_out(current_user.id)
        form.wanted.data = [k.value for k in OPTIONAL_KINDS if k not in off]
        form.routine_time.data = preferences.routine_time(current_user.id)
    return render_template("notifications/settings.html", form=form)


@bp.route("/schedule/emails", methods=["GET", "POST"])
@role_required(Role.THERAPIST)
def therapist_settings():
    """A therapist's own e-mails: the daily digest of clients whose home care needs a look."""
    form, kinds = TherapistEmailsForm(), tuple(THERAPIST_KIND_LABELS)
    if form.validate_on_submit():
        wanted = {MessageKind(k) for k in form.wanted.data or ()}
        with unit_of_work():
            preferences.set_wanted(current_user.id, wanted, kinds)
        flash(_("Your e-mail settings are saved."), "success")
        return redirect(url_for("notifications.therapist_settings"))
    if request.method == "GET":
        off = preferences.opted_out(current_user.id)
        form.wanted.data = [k.value for k in kinds if k not in off]
    return render_template(
        "notifications/therapist_settings.html",
        form=form,
        digest_at=current_app.config["CARE_DIGEST_AT"],
    )


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # RFC 8058: mail apps POST here with no form token; the signed token is the proof
def unsubscribe(token: str):
    found = preferences.read_unsubscribe_token(current_app.config["SECRET_KEY"], token)
    if found is None:
        abort(404)
    user_id, kind = found
    if request.method == "POST":
        with unit_of_work():
            preferences.unsubscribe(user_id, kind)
    return render_template(
        "notifications/unsubscribe.html",
        label=preferences.KIND_WORDS[kind],
        done=request.method == "POST",
    )
