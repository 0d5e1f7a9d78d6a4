"""The health intake: the client fills it in; staff and the client's therapists read it."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError

from spa_app.accounts.guards import role_required, staff_required
from spa_app.accounts.models import Role, User
from spa_app.database import unit_of_work, utcnow
from spa_app.extensions import db
from spa_app.homecare import library, review, service
from spa_app.homecare.access import audit_read, may_see_health
from spa_app.homecare.forms import ConditionRuleForm, IntakeForm, RoutineForm
from spa_app.homecare.models import ConditionRule, Routine
from spa_app.homecare.vocab import LABELS, Area, Condition, Kind

bp = Blueprint("homecare", __name__)


@bp.route("/account/intake", methods=["GET", "POST"])
@role_required(Role.CLIENT)
def intake():
    form = IntakeForm()
    form.area_conditions = area_conditions = library.area_conditions()
    existing = service.intake_for(current_user.id)
    if form.validate_on_submit():
        now, before = utcnow(), service.needs_from(existing) if existing else None
        with unit_of_work():
            service.save_intake(current_user.id, form, now)
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
        service.fill_form(form, existing)
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


# The technique library, for staff ------------------------------------------------------------


@bp.get("/staff/routines/")
@staff_required
def routines():
    rows = db.session.execute(db.select(Routine).order_by(Routine.area, Routine.name)).scalars()
    return render_template("homecare/routines.html", routines=list(rows), labels=LABELS)


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
        _fill_routine_form(form, routine)
    if form.validate_on_submit():
        target = routine or Routine()
        try:
            with unit_of_work():
                _read_routine_form(form, target)
                db.session.add(target)
                db.session.flush()
                name = target.name
        except IntegrityError:  # nothing half-saved: the form shows what was typed
            form.name.errors.append("That name is already in use; please choose another.")
        else:
            flash(f"Saved the routine “{name}”.", "success")
            return redirect(url_for("homecare.routines"))
    status = 400 if request.method == "POST" else 200
    return render_template("homecare/routine_form.html", form=form, routine=routine), status


#: Routine fields the form shows as they are stored.
ROUTINE_FIELDS = ("name", "summary", "min_minutes", "minutes", "times_per_week", "hold_seconds",
                  "sides", "pressure", "deep_tool", "build_up", "time_of_day", "caution", "active",
                  "goals", "contexts", "excluded_by", "also_areas", "spots")  # fmt: skip


def _fill_routine_form(form: RoutineForm, routine: Routine) -> None:
    for name in ROUTINE_FIELDS:
        getattr(form, name).data = getattr(routine, name)
    form.kind.data, form.area.data = routine.kind.value, routine.area.value
    form.steps.data = routine.steps
    form.tools.data = ", ".join(routine.tools)


def _read_routine_form(form: RoutineForm, routine: Routine) -> None:
    routine.name = form.name.data.strip()
    routine.kind, routine.area = Kind(form.kind.data), Area(form.area.data)
    routine.summary = (form.summary.data or "").strip()
    routine.steps = "\n".join(line.strip() for line in form.steps.data.splitlines() if line.strip())
    routine.tools = [t.strip() for t in (form.tools.data or "").split(",") if t.strip()]
    routine.min_minutes, routine.minutes = form.min_minutes.data, form.minutes.data
    routine.times_per_week = form.times_per_week.data
    routine.hold_seconds, routine.sides = form.hold_seconds.data, form.sides.data
    routine.pressure = form.pressure.data
    routine.deep_tool, routine.build_up = form.deep_tool.data, form.build_up.data
    routine.time_of_day = form.time_of_day.data
    routine.also_areas = sorted(form.also_areas.data or [])
    routine.spots = list(form.spots.data or [])
    routine.goals = sorted(form.goals.data or [])
    routine.contexts = sorted(form.contexts.data or [])
    routine.excluded_by = sorted(form.excluded_by.data or [])
    routine.caution = (form.caution.data or "").strip()
    routine.active = form.active.data


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
    rule = library.rules()[Condition(condition)]
    form = ConditionRuleForm()
    if request.method == "GET":
        for name in RULE_FORM_FIELDS:
            form[name].data = getattr(rule, name)
        form.excludes_areas.data = sorted(a.value for a in rule.excludes_areas)
    if form.validate_on_submit():
        with unit_of_work():
            row = db.session.get(ConditionRule, condition) or ConditionRule(condition=condition)
            for name in RULE_FORM_FIELDS:
                setattr(row, name, form[name].data)
            row.excludes_areas = sorted(form.excludes_areas.data or [])
            row.therapist_note = (form.therapist_note.data or "").strip()
            row.client_caution = (form.client_caution.data or "").strip()
            db.session.add(row)
        flash(f"Saved the rule for “{LABELS['conditions'][condition]}”.", "success")
        return redirect(url_for("homecare.conditions"))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "homecare/condition_form.html", form=form, label=LABELS["conditions"][condition]
    ), status


RULE_FORM_FIELDS = ("names_areas", "excludes_named_areas", "pauses_all", "pressure_cap",
                    "therapist_note", "client_caution")  # fmt: skip
