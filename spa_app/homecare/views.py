"""The health intake: the client fills it in; staff and the client's therapists read it."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from spa_app.accounts.guards import role_required, staff_required
from spa_app.accounts.models import Role
from spa_app.database import unit_of_work, utcnow
from spa_app.extensions import db
from spa_app.homecare import library, review, service
from spa_app.homecare.access import audit_read, may_see_health
from spa_app.homecare.forms import ConditionRuleForm, IntakeForm, RoutineForm
from spa_app.homecare.models import Routine
from spa_app.homecare.vocab import LABELS, Area, Condition

bp = Blueprint("homecare", __name__)


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
        flash("Thank you: your health intake is saved. Your therapist will see it.", "success")
        if again:
            flash(
                "Your therapist will look at your home-care plan again because of this change. "
                "Until then, your plan page shows what to pause.",
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


# The technique library, for staff ------------------------------------------------------------


@bp.get("/staff/routines/")
@staff_required
def routines():
    return render_template(
        "homecare/routines.html", routines=library.routines_in_order(), labels=LABELS
    )


@bp.route("/staff/routines/new", methods=["GET", "POST"])
@staff_required
def new_routine():
    return _routine_page(None)


@bp.route("/staff/routines/<id:routine_id>", methods=["GET", "POST"])
@staff_required
def edit_routine(routine_id: int):
    return _routine_page(db.get_or_404(Routine, routine_id))


def _routine_page(routine: Routine | None):
    form = RoutineForm(obj=None)
    if request.method == "GET" and routine is not None:
        form.fill(routine)
    if form.validate_on_submit():
        try:
            with unit_of_work():
                name = library.save_routine(routine, form.values()).name
        except library.NameInUse:  # nothing half-saved: the form shows what was typed
            form.name.errors.append("That name is already in use; please choose another.")
        else:
            flash(f"Saved the routine “{name}”.", "success")
            return redirect(url_for("homecare.routines"))
    status = 400 if request.method == "POST" else 200
    return render_template("homecare/routine_form.html", form=form, routine=routine), status


# The condition rules, for staff ---------------------------------------------------------------


@bp.get("/staff/conditions/")
@staff_required
def conditions():
    return render_template(
        "homecare/conditions.html", rules=library.rules(), labels=LABELS, conditions=list(Condition)
    )


@bp.route("/staff/conditions/<condition>", methods=["GET", "POST"])
@staff_required
def edit_condition(condition: str):
    if condition not in library.KNOWN:
        abort(404)
    form = ConditionRuleForm()
    if request.method == "GET":
        form.fill(library.rules()[Condition(condition)])
    if form.validate_on_submit():
        with unit_of_work():
            library.save_rule(Condition(condition), form.values())
        flash(f"Saved the rule for “{LABELS['conditions'][condition]}”.", "success")
        return redirect(url_for("homecare.conditions"))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "homecare/condition_form.html", form=form, label=LABELS["conditions"][condition]
    ), status
