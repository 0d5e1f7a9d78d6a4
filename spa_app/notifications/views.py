"""Staff pages: every message the spa sends, and (in development) the local mail sink."""

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

from spa_app.accounts.guards import staff_required
from spa_app.database import utcnow
from spa_app.extensions import db
from spa_app.notifications import service, sink
from spa_app.notifications.models import MessageState

bp = Blueprint("notifications", __name__, url_prefix="/staff")


@bp.get("/messages")
@staff_required
def log():
    wanted = request.args.get("state", "")
    state = MessageState(wanted) if wanted in {s.value for s in MessageState} else None
    return render_template(
        "notifications/log.html",
        messages=service.message_log(state),
        state=state,
        states=list(MessageState),
    )


@bp.post("/messages/<id:message_id>/retry")
@staff_required
def retry(message_id: int):
    if service.retry_failed(message_id, utcnow()) is None:
        flash("Only a failed message can be sent again.", "error")
    else:
        db.session.commit()
        flash("The message will be sent again within a minute.", "success")
    return redirect(url_for("notifications.log", state="failed"))


@bp.get("/mail-sink")
@staff_required
def sink_index():
    folder = _sink_folder()
    return render_template("notifications/sink.html", letters=sink.letters(folder))


@bp.get("/mail-sink/<key>")
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
