"""The health intake: the client fills it in; staff and the client's therapists read it."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from spa_app.accounts.guards import role_required
from spa_app.accounts.models import Role, User
from spa_app.database import utcnow
from spa_app.extensions import db
from spa_app.homecare import service
from spa_app.homecare.access import audit_read, may_see_health
from spa_app.homecare.forms import IntakeForm
from spa_app.homecare.vocab import (
    AREA_LABELS,
    CONDITION_LABELS,
    CONTEXT_LABELS,
    GOAL_LABELS,
    PRESSURE_LABELS,
    Area,
)

bp = Blueprint("homecare", __name__)

LABELS = {
    "areas": AREA_LABELS,
    "conditions": CONDITION_LABELS,
    "contexts": CONTEXT_LABELS,
    "goals": GOAL_LABELS,
    "pressure": PRESSURE_LABELS,
}


@bp.route("/account/intake", methods=["GET", "POST"])
@role_required(Role.CLIENT)
def intake():
    form = IntakeForm()
    existing = service.intake_for(current_user.id)
    if form.validate_on_submit():
        service.save_intake(current_user.id, form, utcnow())
        db.session.commit()
        flash("Thank you: your health intake is saved. Your therapist will see it.", "success")
        return redirect(url_for("homecare.intake"))
    if request.method == "GET" and existing is not None:
        service.fill_form(form, existing)
    status = 400 if request.method == "POST" else 200
    return render_template(
        "homecare/intake_form.html", form=form, existing=existing, areas=list(Area)
    ), status


@bp.get("/clients/<id:client_id>/intake")
@login_required
def client_intake(client_id: int):
    """A client's intake as their therapist or staff read it (each read is audited)."""
    client = db.session.get(User, client_id)
    if (
        client is None
        or client.role is not Role.CLIENT
        or not may_see_health(current_user, client_id)
    ):
        abort(404)
    audit_read(current_user, client_id, "intake")
    client = db.session.get(User, client_id)
    record = service.intake_for(client_id)
    return render_template("homecare/intake_view.html", client=client, intake=record, labels=LABELS)
