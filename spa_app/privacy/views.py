"""A client's data pages (download it all, delete the account) and the staff audit log."""

from __future__ import annotations

import json

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from spa_app import paging
from spa_app.accounts.guards import role_required, staff_required
from spa_app.accounts.limits import PER_ADDRESS, PER_SIGNED_IN_ACCOUNT, limited
from spa_app.accounts.models import Role
from spa_app.database import unit_of_work, utcnow
from spa_app.privacy import audit_log, erasure, export
from spa_app.privacy.forms import ROLE_WORDS, AuditFilterForm, DeleteAccountForm

bp = Blueprint("privacy", __name__)


@bp.get("/account/data")
@role_required(Role.CLIENT)
def mine():
    return render_template("privacy/mine.html", export_format=export.FORMAT)


@bp.get("/account/data/download")
@role_required(Role.CLIENT)
def download():
    """The whole export as a file; never cached, as it holds health data."""
    now = utcnow()
    document = export.export_for(current_user, now)
    response = current_app.response_class(
        json.dumps(document, indent=2, ensure_ascii=False), mimetype="application/json"
    )
    filename = f"spa-my-data-{now:%Y-%m-%d}.json"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/account/delete", methods=["GET", "POST"])
@role_required(Role.CLIENT)
@limited(PER_SIGNED_IN_ACCOUNT, PER_ADDRESS)  # it asks for the password: no guessing it here
def delete():
    now = utcnow()
    form = DeleteAccountForm()
    if form.validate_on_submit():
        # In the language of the account being deleted (it is forgotten with the rest).
        goodbye = _("Your account is deleted and you are logged out. Thank you for visiting us.")
        try:
            with unit_of_work():
                erasure.erase_account(current_user, form.password.data, now)
        except erasure.WrongPassword as exc:
            form.password.errors.append(str(exc))
        except erasure.ErasureRefused:
            pass  # nothing is erased: the page below says which visit is in the way
        else:
            logout_user()
            flash(goodbye, "success")
            return redirect(url_for("catalog.index"))
    visits = erasure.visits_ahead(current_user.id, now)
    blocked = erasure.blocking_visit(current_user, visits, now)
    page = render_template("privacy/delete.html", form=form, visits=visits, blocked=blocked)
    return page, (422 if form.errors or (blocked and request.method == "POST") else 200)


@bp.get("/staff/audit")
@staff_required
def audit():
    """Every read or change of health data by staff or therapists, newest first, filtered."""
    form = AuditFilterForm(formdata=request.args)
    form.offer_actors(audit_log.actors())
    number = paging.arg_page()
    if not form.validate():
        return render_template("privacy/audit.html", form=form, page=None, kept={}), 422
    filters = audit_log.Filters(form.client_email.data or "", form.actor_id(), form.actor_role())
    kept = {k: v for k in ("client_email", "role", "actor") if (v := request.args.get(k))}
    page = audit_log.page_of(filters, number)
    return render_template(
        "privacy/audit.html", form=form, page=page, kept=kept, role_words=ROLE_WORDS
    )
