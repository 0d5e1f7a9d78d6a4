"""The homecare blueprint, and on it the staff's pages for the technique library and the
condition rules, which the intake and the plans both read. The intake's pages are added to
this blueprint by ``spa_app.homecare.intake.views``; the plans have their own (``plans``)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from spa_app.accounts.guards import staff_required
from spa_app.database import unit_of_work
from spa_app.extensions import db
from spa_app.homecare import library
from spa_app.homecare.forms import ConditionRuleForm, RoutineForm
from spa_app.homecare.models import Routine
from spa_app.homecare.vocab import LABELS, Condition

bp = Blueprint("homecare", __name__)


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
            form.name.errors.append(_("That name is already in use; please choose another."))
        else:
            flash(_("Saved the routine “%(name)s”.", name=name), "success")
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
        label = LABELS["conditions"][condition]
        flash(_("Saved the rule for “%(condition)s”.", condition=label), "success")
        return redirect(url_for("homecare.conditions"))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "homecare/condition_form.html", form=form, label=LABELS["conditions"][condition]
    ), status
