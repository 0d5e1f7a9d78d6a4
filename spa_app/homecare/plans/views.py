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
from flask_babel import gettext as _
from flask_login import current_user, login_required

from spa_app import params
from spa_app.accounts.guards import role_required
from spa_app.accounts.models import Role
from spa_app.booking.service import visible_booking
from spa_app.business import business, business_tz
from spa_app.clock import local_today
from spa_app.database import unit_of_work, utcnow
from spa_app.extensions import csrf
from spa_app.homecare import bodymap, library
from spa_app.homecare.access import audit, audit_read
from spa_app.homecare.intake.service import intake_for
from spa_app.homecare.loop import glance
from spa_app.homecare.models import PlanStatus
from spa_app.homecare.plans import diff, queries, review, service
from spa_app.homecare.plans.forms import DISCOMFORT_CHOICES, WEEKDAYS, PlanEditForm, TickForm
from spa_app.homecare.plans.generator import Dose
from spa_app.homecare.plans.links import read_day_done_token
from spa_app.homecare.vocab import AREA_LABELS, LABELS, PRESSURE_LABELS
from spa_app.templating import use_timezone

bp = Blueprint("plans", __name__)
# How a client kept to a plan, week by week, on the visit page and the client record.
bp.add_app_template_global(glance.weekly_chart, "weekly_chart")
bp.add_app_template_global(glance.weekly_rows, "weekly_rows")
bp.add_app_template_global(glance.has_check_ins, "has_check_ins")
bp.add_app_template_global(glance.score_chart, "score_chart")
bp.add_app_template_global(glance.score_table, "score_table")


def _dose() -> Dose:
    return Dose(max_items=current_app.config["PLAN_MAX_ITEMS"])


@bp.post("/bookings/<id:booking_id>/plan")
@role_required(Role.THERAPIST)
def start(booking_id: int):
    """Open the booking's draft: suggested by the generator, a revision of the last version,
    or the client's last plan carried forward."""
    booking = visible_booking(current_user, booking_id)
    if booking is None or not queries.may_write(current_user, booking):
        abort(404)
    start = request.form.get("start")
    suggested = start not in ("revise", "carry")
    try:
        with unit_of_work():
            draft = service.start_draft(booking, current_user, utcnow(), suggested=suggested,
                                        carried=start == "carry", dose=_dose())  # fmt: skip
            audit(current_user, booking.client_id, "draft", f"plan {draft.id}")
            draft_id = draft.id
    except service.PlanError as exc:
        flash(str(exc), "error")
        return redirect(url_for("booking.detail", booking_id=booking_id))
    return redirect(url_for("plans.edit", plan_id=draft_id))


@bp.route("/plans/<id:plan_id>/edit", methods=["GET", "POST"])
@role_required(Role.THERAPIST)
def edit(plan_id: int):
    plan = queries.plan_to_write(current_user, plan_id)
    if plan is None:
        abort(404)
    if plan.status is PlanStatus.DRAFT and request.method == "POST":
        plan = queries.locked(plan)
    if plan.status is not PlanStatus.DRAFT:
        return redirect(url_for("plans.show", plan_id=plan_id))
    form = PlanEditForm()
    form.offer(library.active_routines())
    status, warnings = 200, []
    kept = _kept_before(plan)
    read = f"plan {plan_id}" + (f", adherence plan {kept.plan.id}, check-ins" if kept else "")
    if request.method == "GET":  # the editor shows the plan and the intake's flag: audited
        audit_read(current_user, plan.client_id, read)
        form.fill(plan)
    else:
        if form.validate():
            try:
                with unit_of_work():
                    published = service.apply(
                        plan, form.change(), by=current_user, now=utcnow(), dose=_dose()
                    )
            except service.PlanWarning as warning:
                warnings = warning.warnings  # nothing saved: the page asks to confirm
            except service.PlanError as exc:
                flash(str(exc), "error")
                return redirect(url_for("plans.edit", plan_id=plan_id))
            else:
                if published:
                    flash(_("The plan is published: the client can follow it now."), "success")
                    return redirect(url_for("plans.show", plan_id=plan_id))
                flash(_("Saved."), "success")
                return redirect(url_for("plans.edit", plan_id=plan_id))
        status = 409 if warnings else 400
        with unit_of_work():
            audit(current_user, plan.client_id, "read", read)  # shown again below
    return render_template(
        "homecare/plan_edit.html",
        plan=plan,
        form=form,
        entries=list(zip(form.items.entries, plan.items, strict=False)),
        intake=intake_for(plan.client_id),
        review=review.review_for(plan),
        totals=queries.day_totals(plan, _dose()),
        dose=_dose(),
        warnings=warnings,
        pending=str(form.pressed()),
        labels=LABELS,
        weekdays=WEEKDAYS,
        kept=kept,
        compared=_compared(plan, kept.plan if kept else None),
    ), status


def _compared(draft, before):
    """The plan this draft changes (the visit's last published version, else ``before``, the
    plan the client followed before the visit) and what changed since, or None."""
    published = [p for p in queries.plans_of(draft.booking_id) if p.status is PlanStatus.PUBLISHED]
    base = published[-1] if published else before
    return (base, diff.changes(base.items, draft.items)) if base is not None else None


def _kept_before(draft) -> queries.Adherence | None:
    """How the client kept to the plan they followed before this draft's visit, if any."""
    before = queries.plan_before(draft.booking)
    if before is None:
        return None
    tz = business_tz()
    return queries.adherence(before, draft.booking, local_today(utcnow(), tz), tz)


@bp.get("/plan")
@role_required(Role.CLIENT)
def mine():
    plan = queries.current_plan(current_user.id)
    if plan is None:
        return render_template("homecare/no_plan.html")
    return redirect(url_for("plans.show", plan_id=plan.id))


@bp.get("/plans/<id:plan_id>")
@login_required
def show(plan_id: int):
    plan = queries.visible_plan(current_user, plan_id)
    if plan is None:
        abort(404)
    # A published plan's page also shows its weeks and the check-ins' scores (journey).
    published = plan.status is PlanStatus.PUBLISHED
    audit_read(
        current_user, plan.client_id, f"plan {plan_id}" + (", check-ins" if published else "")
    )
    settings = business()
    use_timezone(settings.tz)
    today = local_today(utcnow(), settings.tz)
    week = queries.week_of(plan, today, settings.tz)
    return render_template(
        "homecare/plan.html",
        plan=plan,
        journey=queries.journey(plan, today, settings.tz) if published else None,
        today=today,
        progress=week.progress,
        done=week.done,
        weekdays=WEEKDAYS,
        week=week.days,
        todays=week.todays,
        is_client=current_user.id == plan.client_id,
        is_current=week.is_current,
        advice=review.pause_advice(plan) if plan.review_needed_at and week.is_current else {},
        discomfort_choices=DISCOMFORT_CHOICES,
        sheet=week.sheet,
        spa=settings,
        tick_form=TickForm(),
        figure=bodymap.figure(plan),
        pressures=PRESSURE_LABELS,
        areas=AREA_LABELS,
    )


@bp.post("/plans/<id:plan_id>/done")
@role_required(Role.CLIENT)
def tick(plan_id: int):
    plan, form = _my_published_plan_or_404(plan_id), TickForm()
    if not form.validate():
        flash(_("Please pick a routine and, if you like, how it felt from 0 to 10."), "error")
        return redirect(url_for("plans.show", plan_id=plan_id))
    today = local_today(utcnow(), business_tz())
    try:
        with unit_of_work():
            added = service.tick(plan, form.item(), today, form.discomfort_value())
    except service.PlanError as exc:
        flash(str(exc), "error")
    else:
        flash(
            _("Well done: marked as done for today.") if added else _("Already marked today."),
            "success",
        )
    return redirect(url_for("plans.show", plan_id=plan_id))


@bp.post("/plans/<id:plan_id>/undo")
@role_required(Role.CLIENT)
def untick(plan_id: int):
    """Take back today's tick of one routine (a tap by mistake); earlier days stay as they are."""
    plan, form = _my_published_plan_or_404(plan_id), TickForm()
    if form.validate():
        today = local_today(utcnow(), business_tz())
        with unit_of_work():
            undone = service.untick(plan, form.item(), today)
        if undone:
            flash(_("Taken back: not marked as done today."), "success")
    return redirect(url_for("plans.show", plan_id=plan_id))


def _my_published_plan_or_404(plan_id: int):
    plan = queries.published_plan(current_user.id, plan_id)
    if plan is None:
        abort(404)
    return plan


@bp.route("/plans/<id:plan_id>/day-done/<token>", methods=["GET", "POST"])
@csrf.exempt  # the signed token from the client's e-mail is the proof; no login needed
def day_done(plan_id: int, token: str):
    """From a routine reminder: GET lists the day's routines, each with its own box (all
    ticked to start with); POST marks the ticked ones done, so skipped ones are not counted."""
    found = read_day_done_token(current_app.config["SECRET_KEY"], token)
    plan_for, client_id, day = found or (None, None, None)
    plan = queries.published_plan(client_id, plan_id) if plan_for == plan_id else None
    if plan is None:
        abort(404)
    routines, marked, problem = plan.items_on(day), [], ""
    if request.method == "POST":
        chosen = {params.as_id(v) for v in request.form.getlist("done")}
        try:
            with unit_of_work():
                marked = service.tick_day(plan, day, chosen)
        except service.PlanError as exc:  # a newer plan has replaced this one since the e-mail
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
