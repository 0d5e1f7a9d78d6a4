"""The health intake: the client fills it in; staff and the client's therapists read it (each
read audited). Its pages are on the homecare blueprint (``spa_app.homecare.views``)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from spa_app.accounts.guards import role_required
from spa_app.accounts.models import Role
from spa_app.database import unit_of_work, utcnow
from spa_app.homecare import library
from spa_app.homecare.access import audit_read, may_see_health
from spa_app.homecare.intake import service
from spa_app.homecare.intake.forms import IntakeForm
from spa_app.homecare.plans import review
from spa_app.homecare.views import bp
from spa_app.homecare.vocab import LABELS, Area


@bp.route("/account/intake", methods=["GET", "POST"])
@role_required(Role.CLIENT)
def intake():
    form = IntakeForm()
    form.area_conditions = area_conditions = library.area_conditions()
    existing = service.intake_for(current_user.id)
    if form.validate_on_submit():
        now = utcnow()
        with unit_of_work():
            before = service.save_intake(current_user.id, form.answers(), now)
            # The intake knows nothing of plans: the plan's review reacts to the change here.
            again = review.recheck(current_user.id, before, now)
        flash(_("Thank you: your health intake is saved. Your therapist will see it."), "success")
        if again:
            flash(
                _(
                    "Your therapist will look at your home-care plan again because of this "
                    "change. Until then, your plan page shows what to pause."
                ),
                "info",
            )
        return redirect(url_for("homecare.intake"))
    if request.method == "GET" and existing is not None:
        form.fill(existing)
    status = 400 if request.method == "POST" else 200
    return render_template(
        "homecare/intake_form.html",
        form=form,
        existing=existing,
        areas=list(Area),
        area_conditions=area_conditions,
    ), status


@bp.get("/clients/<id:client_id>/intake")
@login_required
def client_intake(client_id: int):
    """A client's intake as their therapist or staff read it (each read is audited)."""
    client = service.client_account(client_id)
    if client is None or not may_see_health(current_user, client_id):
        abort(404)
    audit_read(current_user, client_id, "intake")
    record = service.intake_for(client_id)
    return render_template("homecare/intake_view.html", client=client, intake=record, labels=LABELS)
