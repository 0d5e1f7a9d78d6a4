"""Plan pages: the therapist's editor, and the client's plan to follow (also read by staff and
the client's therapists, audited). Everyone else gets 404."""

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
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from spa_app.accounts.guards import role_required
from spa_app.accounts.models import Role
from spa_app.booking.service import visible_booking
from spa_app.business import business, business_tz
from spa_app.clock import local_today
from spa_app.database import unit_of_work, utcnow
from spa_app.extensions import csrf, db
from spa_app.homecare import bodymap, following, plans, review
from spa_app.homecare.access import audit, audit_read, may_see_health
from spa_app.homecare.generator import Dose
from spa_app.homecare.links import read_day_done_token
from spa_app.homecare.models import Plan, PlanStatus, Routine
from spa_app.homecare.plan_forms import DISCOMFORT_CHOICES, WEEKDAYS, PlanEditForm, TickForm
from spa_app.homecare.service import current_plan, intake_for
from spa_app.homecare.vocab import AREA_LABELS, LABELS, PRESSURE_LABELS
from spa_app.templating import use_timezone

bp = Blueprint("plans", __name__)


def _own_booking_or_404(booking_id: int):
    booking = visible_booking(current_user, booking_id)
    if booking is None or not plans.may_write(current_user, booking):
        abort(404)
    return booking


@bp.post("/bookings/<id:booking_id>/plan")
@role_required(Role.THERAPIST)
def start(booking_id: int):
    """Open the booking's draft: suggested by the generator, or a revision of the last one."""
    booking = _own_booking_or_404(booking_id)
    suggested = request.form.get("start") != "revise"
    try:
        with unit_of_work():
            draft = plans.start_draft(
                booking, current_user, utcnow(), suggested=suggested, dose=_dose()
            )
            audit(current_user, booking.client_id, "draft", f"plan {draft.id}")
            draft_id = draft.id
    except plans.PlanError as exc:
        flash(str(exc), "error")
        return redirect(url_for("booking.detail", booking_id=booking.id))
    return redirect(url_for("plans.edit", plan_id=draft_id))


@bp.route("/plans/<id:plan_id>/edit", methods=["GET", "POST"])
@role_required(Role.THERAPIST)
def edit(plan_id: int):
    plan = db.session.get(Plan, plan_id)
    if plan is None or not plans.may_write(current_user, plan.booking):
        abort(404)
    if plan.status is not PlanStatus.DRAFT:
        return redirect(url_for("plans.show", plan_id=plan.id))
    if request.method == "GET":  # the editor shows the plan and the intake's flag: audited
        audit_read(current_user, plan.client_id, f"plan {plan_id}")
    else:
        # Lock the row (PostgreSQL) and look again: a publish that got in first wins, and its
        # items are never touched after.
        plan = db.session.get(Plan, plan_id, with_for_update=True, populate_existing=True)
        if plan.status is not PlanStatus.DRAFT:
            return redirect(url_for("plans.show", plan_id=plan.id))
    form = PlanEditForm()
    library = db.session.execute(
        db.select(Routine).where(Routine.active).order_by(Routine.area, Routine.name)
    ).scalars()
    form.routine.choices = [SelectChoice(0, "Choose a routine")] + [
        SelectChoice(r.id, f"{AREA_LABELS[r.area]}: {r.name}") for r in library
    ]
    status, warnings, action = 200, [], request.form.get("action", "save")
    if request.method == "POST":
        if form.validate():
            done = _apply(plan, form, action)
            if not isinstance(done, list):
                return done or redirect(url_for("plans.edit", plan_id=plan.id))
            warnings = done  # nothing saved: the page asks the therapist to confirm
        status = 409 if warnings else 400
        with unit_of_work():
            audit(current_user, plan.client_id, "read", f"plan {plan_id}")  # shown again below
    else:
        for item in plan.items:
            form.items.append_entry(
                {"item_id": str(item.id), "minutes": item.minutes, "days": list(item.days),
                 "pressure": item.pressure, "note": item.note}
            )  # fmt: skip
    intake = intake_for(plan.client_id)
    return render_template(
        "homecare/plan_edit.html",
        plan=plan,
        form=form,
        entries=list(zip(form.items.entries, plan.items, strict=False)),
        intake=intake,
        review=review.review_for(plan),
        totals=plans.day_totals(plan, _dose()),
        dose=_dose(),
        warnings=warnings,
        pending=action,
        labels=LABELS,
        weekdays=WEEKDAYS,
    ), status


def _dose() -> Dose:
    return Dose(max_items=current_app.config["PLAN_MAX_ITEMS"])


def _apply(plan: Plan, form: PlanEditForm, action: str):
    """Save every item's values, then do ``action``: a redirect when publishing succeeded,
    the warnings to confirm when the change breaks a rule (nothing saved), else None."""
    try:
        with unit_of_work():
            published = _change(plan, form, action)
    except plans.PlanWarning as warning:
        return warning.warnings
    except plans.PlanError as exc:
        flash(str(exc), "error")
        return None
    if published:
        flash("The plan is published: the client can follow it now.", "success")
        return redirect(url_for("plans.show", plan_id=plan.id))
    flash("Saved.", "success")
    return None


def _change(plan: Plan, form: PlanEditForm, action: str) -> bool:
    """Every item's values, then ``action``; True if the plan was published."""
    plans.edit(
        plan,
        [
            plans.ItemEdit(
                item_id=int(entry.item_id.data),
                minutes=entry.minutes.data,
                days="".join(sorted(set(entry.days.data))),
                pressure=entry.pressure.data,
                note=entry.note.data or "",
            )
            for entry in form.items.entries
        ],
    )
    kind, _, raw_id = action.partition("-")
    item_id = int(raw_id) if raw_id.isdecimal() and len(raw_id) < 10 else None
    if kind == "remove" and item_id:
        plans.remove(plan, item_id)
    elif kind in ("up", "down") and item_id:
        plans.move(plan, item_id, -1 if kind == "up" else 1)
    elif kind == "add":
        plans.add_routine(plan, form.routine.data or 0, dose=_dose())
    plans.guard(plan, confirmed=form.confirm.data, now=utcnow(), dose=_dose())
    if kind == "publish":
        plans.publish(plan, reviewed=form.reviewed.data, now=utcnow(), dose=_dose())
        audit(current_user, plan.client_id, "publish", f"plan {plan.id}")
        return True
    return False


@bp.get("/plan")
@role_required(Role.CLIENT)
def mine():
    plan = current_plan(current_user.id)
    if plan is None:
        return render_template("homecare/no_plan.html")
    return redirect(url_for("plans.show", plan_id=plan.id))


@bp.get("/plans/<id:plan_id>")
@login_required
def show(plan_id: int):
    plan = db.session.get(Plan, plan_id)
    if plan is None or not may_see_health(current_user, plan.client_id):
        abort(404)
    if plan.status is PlanStatus.DRAFT and not plans.may_write(current_user, plan.booking):
        abort(404)  # a draft is the therapist's until published
    audit_read(current_user, plan.client_id, f"plan {plan_id}")
    settings = business()
    tz = settings.tz
    use_timezone(tz)
    today = local_today(utcnow(), tz)
    progress = following.progress(plan, today, tz) if plan.status is PlanStatus.PUBLISHED else None
    week_start = today.toordinal() - today.weekday()
    done = following.completions(plan, today.fromordinal(week_start), today)
    is_current = (current := current_plan(plan.client_id)) is not None and (current.id == plan.id)
    next_monday = week_start + 7
    return render_template(
        "homecare/plan.html",
        plan=plan,
        today=today,
        progress=progress,
        done=done,
        weekdays=WEEKDAYS,
        week=[today.fromordinal(week_start + n) for n in range(7)],
        todays=[item for item in plan.items if today.weekday() in item.weekdays],
        is_client=current_user.id == plan.client_id,
        is_current=is_current,
        advice=review.pause_advice(plan) if plan.review_needed_at and is_current else {},
        discomfort_choices=DISCOMFORT_CHOICES,
        sheet=[[today.fromordinal(next_monday + 7 * w + d) for d in range(7)] for w in range(4)],
        spa=settings,
        spa_contact=current_app.config["BUSINESS_CONTACT"],
        tick_form=TickForm(),
        figure=bodymap.figure(plan),
        pressures=PRESSURE_LABELS,
        areas=AREA_LABELS,
    )


@bp.post("/plans/<id:plan_id>/done")
@role_required(Role.CLIENT)
def tick(plan_id: int):
    plan, form, today = _my_published_plan_or_404(plan_id)
    if not form.validate():
        flash("Please pick a routine and, if you like, how it felt from 0 to 10.", "error")
        return redirect(url_for("plans.show", plan_id=plan.id))
    try:
        with unit_of_work():
            added = following.tick(plan, form.item_id.data, today, form.discomfort_value())
    except plans.PlanError as exc:
        flash(str(exc), "error")
    else:
        flash(
            "Well done: marked as done for today." if added else "Already marked today.", "success"
        )
    return redirect(url_for("plans.show", plan_id=plan.id))


@bp.post("/plans/<id:plan_id>/undo")
@role_required(Role.CLIENT)
def untick(plan_id: int):
    """Take back today's tick of one routine (a tap by mistake); earlier days stay as they are."""
    plan, form, today = _my_published_plan_or_404(plan_id)
    if not form.validate():
        return redirect(url_for("plans.show", plan_id=plan.id))
    with unit_of_work():
        undone = following.untick(plan, form.item_id.data, today)
    if undone:
        flash("Taken back: not marked as done today.", "success")
    return redirect(url_for("plans.show", plan_id=plan.id))


def _my_published_plan_or_404(plan_id: int):
    """The signed-in client's own published plan, the tick form and the spa's local today."""
    plan = db.session.get(Plan, plan_id)
    if plan is None or plan.client_id != current_user.id or plan.status is not PlanStatus.PUBLISHED:
        abort(404)
    return plan, TickForm(), local_today(utcnow(), business_tz())


@bp.route("/plans/<id:plan_id>/day-done/<token>", methods=["GET", "POST"])
@csrf.exempt  # the signed token from the client's e-mail is the proof; no login needed
def day_done(plan_id: int, token: str):
    """From a routine reminder: GET lists the day's routines, each with its own box (all
    ticked to start with); POST marks the ticked ones done, so skipped ones are not counted."""
    found = read_day_done_token(current_app.config["SECRET_KEY"], token)
    plan = db.session.get(Plan, plan_id) if found and found[0] == plan_id else None
    if plan is None or plan.client_id != found[1] or plan.status is not PlanStatus.PUBLISHED:
        abort(404)
    day = found[2]
    routines = [item for item in plan.items if day.weekday() in item.weekdays]
    marked, problem = [], ""
    if request.method == "POST":
        chosen = set(request.form.getlist("done"))
        marked = [item for item in routines if str(item.id) in chosen]
        try:
            with unit_of_work():
                for item in marked:
                    following.tick(plan, item.id, day, discomfort=None)
        except plans.PlanError as exc:  # a newer plan has replaced this one since the e-mail
            marked, problem = [], str(exc)
    return render_template(
        "homecare/day_done.html",
        plan=plan,
        day=day,
        routines=routines,
        done=request.method == "POST" and not problem,
        marked=marked,
        problem=problem,
    ), (409 if problem else 200)
