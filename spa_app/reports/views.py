"""The Reports page for staff: how visits turned out, who came back and when, what the notes to
book again did, revenue and home care, over a range of local days, by therapist and by
service; each figure also as a CSV download."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from babel.numbers import format_decimal
from flask import Blueprint, Response, abort, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from spa_app import charts, params
from spa_app.accounts.guards import staff_required
from spa_app.business import business_tz
from spa_app.catalog.models import Service, Therapist
from spa_app.clock import local_today, within_reach
from spa_app.database import utcnow
from spa_app.extensions import db
from spa_app.i18n import language, when
from spa_app.notifications.models import MessageKind
from spa_app.reports import adherence, queries, utilisation
from spa_app.reports.queries import MAX_DAYS, Scope
from spa_app.templating import money, use_timezone

bp = Blueprint("reports", __name__)


def _scope() -> tuple[Scope | None, str, dict]:
    """The range and filters asked for (the last six months by default), or None with why
    not; and the values as the form shows them."""
    tz, now = business_tz(), utcnow()
    today = local_today(now, tz)
    default_first = today.replace(day=1)
    for _month in range(5):  # this month and the five before
        default_first = (default_first - timedelta(days=1)).replace(day=1)
    raw = {k: request.args.get(k, "") for k in ("from", "to", "therapist", "service")}
    first = params.as_day(raw["from"]) if raw["from"] else default_first
    last = params.as_day(raw["to"]) if raw["to"] else today
    shown = {
        "from": first or raw["from"],
        "to": last or raw["to"],
        "therapist": params.as_id(raw["therapist"]),
        "service": params.as_id(raw["service"]),
    }
    if first is None or last is None or not (within_reach(first, now) and within_reach(last, now)):
        return None, _("Please give the dates as 2026-03-29 (within five years of today)."), shown
    if last < first:
        return None, _("The range ends before it starts: please swap the dates."), shown
    if (last - first).days >= MAX_DAYS:
        return None, _("Please ask for five years at most."), shown
    scope = Scope(first, last, tz, shown["therapist"], shown["service"])
    return scope, "", shown


def _choices():
    therapists = db.session.execute(
        db.select(Therapist.id, Therapist.display_name).order_by(Therapist.display_name)
    ).all()
    services = db.session.execute(db.select(Service.id, Service.name).order_by(Service.name)).all()
    return therapists, services


@bp.get("/staff/reports")
@staff_required
def index():
    scope, problem, shown = _scope()
    therapists, services = _choices()
    use_timezone(business_tz())
    figures = {}
    if scope is not None:
        figures = {
            "outcomes": queries.outcomes(scope),
            "takings": queries.takings(scope),
            "home_care": queries.home_care(scope),
            "rebooking": queries.rebooking(scope, utcnow()),
            "nudges": queries.nudges(scope),
            "cohorts": queries.retention(scope),
            "ratings": queries.ratings(scope),
            "use": utilisation.utilisation(scope),
            "weeks": adherence.by_week(scope, utcnow()),
        }
    page = render_template("reports/index.html", scope=scope, problem=problem, shown=shown,
                           therapists=therapists, services=services, **figures)  # fmt: skip
    return page, (422 if problem else 200)


#: Each download: its file name's stem, and (header, rows) from a scope.
def _outcomes_rows(scope: Scope):
    o = queries.outcomes(scope)
    header = [_("measure"), _("visits"), _("of"), _("percent")]
    rows = [
        [_("completed"), o.completed, "", ""],
        [_("arrived, not yet completed"), o.arrived, "", ""],
        [_("booked, still to come"), o.booked, "", ""],
        [_("no-show"), o.no_show, o.held, _pct(o.no_show_rate)],
        [_("cancelled"), o.cancelled, o.all, ""],
        [_("cancelled late"), o.late_cancelled, o.all, _pct(o.late_cancel_rate)],
    ]
    return header, rows


def _revenue_month_rows(scope: Scope):
    t = queries.takings(scope)
    rows = [[m.strftime("%Y-%m"), n, _amount(cents)] for m, n, cents in t.by_month]
    return [_("month"), _("completed visits"), _("revenue")], rows


def _revenue_service_rows(scope: Scope):
    t = queries.takings(scope)
    return [_("service"), _("completed visits"), _("revenue")], [
        [name, n, _amount(c)] for name, n, c in t.by_service
    ]


def _revenue_therapist_rows(scope: Scope):
    t = queries.takings(scope)
    return [_("therapist"), _("completed visits"), _("revenue")], [
        [name, n, _amount(c)] for name, n, c in t.by_therapist
    ]


def _home_care_rows(scope: Scope):
    h = queries.home_care(scope)
    rows = [[name, r.part, r.whole, _pct(r)] for name, r in h.by_therapist]
    rows.append([_("all"), h.with_plan.part, h.with_plan.whole, _pct(h.with_plan)])
    return [
        _("therapist"),
        _("completed visits with a published plan"),
        _("completed visits"),
        _("percent"),
    ], rows


#: How the rebooking CSV names each follow-up, in the reader's language like its header.
FOLLOW_UP_WORDS = {
    "before": _l("booked again before the window"),
    "inside": _l("inside the window"),
    "late": _l("after the window"),
    "never": _l("not back, the window closed"),
    "waiting": _l("not back yet, the window still open"),
}


def _rebooking_rows(scope: Scope):
    r = queries.rebooking(scope, utcnow())
    rows = [
        [str(FOLLOW_UP_WORDS[k]), r.counts[k], "" if k == "waiting" else _pct(r.rate(k))]
        for k in queries.FOLLOW_UPS
    ]
    medians = [
        (_("median weeks to the next visit"), r.median_weeks),
        (_("median interval asked, in weeks"), r.median_interval_weeks),
    ]
    rows += [[words, "" if weeks is None else weeks, ""] for words, weeks in medians]
    header = [_("completed visits followed"), _("visits"), _("percent of those known")]
    return header, rows


#: Each note that asks a client to book again, as the page and the CSV name it.
NOTE_WORDS = {
    MessageKind.REBOOK_WINDOW_OPEN: _l("When the next visit is due"),
    MessageKind.REBOOK_WINDOW_CLOSING: _l("When that time runs out"),
    MessageKind.WIN_BACK: _l("Some weeks after, with nothing booked"),
    MessageKind.WIN_BACK_LAST: _l("The last note, later still"),
}


def _nudges_rows(scope: Scope):
    found = queries.nudges(scope).by_kind
    rows = [[str(NOTE_WORDS[k]), r.whole, r.part, _pct(r)] for k, r in found.items()]
    return [_("note"), _("sent"), _("followed by a booking within 7 days"), _("percent")], rows


def _retention_rows(scope: Scope):
    months = [m for m, _lo, _hi in scope.months()]
    header = [_("first visits in"), _("clients"), *(m.strftime("%Y-%m") for m in months[1:])]
    rows = []
    for c in queries.retention(scope):
        before = months.index(c.month)  # the months before the cohort's: nothing to count
        rows.append([c.month.strftime("%Y-%m"), c.clients, *([""] * before), *c.returned])
    return header, rows


def _utilisation_rows(scope: Scope):
    found = utilisation.utilisation(scope)
    rows = [
        [kind, _cell(use.name), use.open_minutes, use.booked_minutes, _pct(use.rate)]
        for kind, uses in ((_("therapist"), found.therapists), (_("room"), found.rooms))
        for use in uses
    ]
    return [_("of"), _("name"), _("open minutes"), _("booked minutes"), _("percent")], rows


def _home_care_weeks_rows(scope: Scope):
    rows = [
        [w.number, w.plans, w.ticked.part, w.ticked.whole, _pct(w.ticked)]
        for w in adherence.by_week(scope, utcnow())
    ]
    return [_("week since publishing"), _("plans"), _("routines ticked"),
            _("routines scheduled"), _("percent")], rows  # fmt: skip


DOWNLOADS = {
    "visits": _outcomes_rows,
    "retention": _retention_rows,
    "nudges": _nudges_rows,
    "rebooking": _rebooking_rows,
    "revenue-by-month": _revenue_month_rows,
    "revenue-by-service": _revenue_service_rows,
    "revenue-by-therapist": _revenue_therapist_rows,
    "home-care": _home_care_rows,
    "home-care-weeks": _home_care_weeks_rows,
    "utilisation": _utilisation_rows,
}


def _cell(value):
    """A name a spreadsheet would run as a formula (=, +, -, @ first) is written as text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def _pct(rate: queries.Rate) -> str:
    return "" if rate.percent is None else str(rate.percent)


def _amount(cents: int) -> str:
    """Cents as a plain decimal amount ("1234.50"): what a spreadsheet reads as a number."""
    return f"{cents // 100}.{cents % 100:02d}"


@bp.get("/staff/reports/<name>.csv")
@staff_required
def download(name: str):
    build = DOWNLOADS.get(name)
    if build is None:
        abort(404)
    scope, problem, _shown = _scope()
    if scope is None:
        return Response(problem + "\n", status=422, mimetype="text/plain")
    header, rows = build(scope)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows([[_cell(value) for value in row] for row in rows])
    filename = f"{name}-{scope.first.isoformat()}-to-{scope.last.isoformat()}.csv"
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def month_label(month: date) -> str:
    return when(month, "%b %Y")


def revenue_chart(takings: queries.Takings):
    return charts.bar_chart(
        [(month_label(m), cents / 100) for m, _n, cents in takings.by_month],
        y_label=_("Revenue"),
        title=_("Revenue from completed visits, month by month"),
        description=_("The booked prices of the visits completed in each month of the range."),
        value_format=lambda v: money(round(v * 100)),
        chart_id="revenue",
    )


def revenue_rows(takings: queries.Takings) -> list[tuple]:
    """The chart's numbers: each month, its completed visits and its revenue."""
    return [(month_label(m), n, money(cents)) for m, n, cents in takings.by_month]


def hours(minutes: int) -> str:
    """Minutes as hours to one decimal, the reader's way ("31.5", "31,5")."""
    return format_decimal(round(minutes / 60, 1), "#,##0.0", locale=language())


def tenths(value: float) -> str:
    """A figure to one decimal at most, the reader's way ("3.9" or "3,9"; "5", not "5.0")."""
    return format_decimal(value, "#,##0.#", locale=language())


def _percent_chart(bars, *, title: str, description: str, chart_id: str, y_label: str = ""):
    """Bars of whole percents: on a 0-100 scale, unless one passes 100 (open hours booked
    beyond themselves, by visits outside them)."""
    return charts.bar_chart(
        bars,
        y_label=y_label or _("Share"),
        title=title,
        description=description,
        y_max=None if any((v or 0) > 100 for _label, v in bars) else 100,
        value_format=lambda v: f"{v:.0f}%",
        chart_id=chart_id,
    )


def utilisation_chart(uses: list[utilisation.Use], title: str, chart_id: str):
    return _percent_chart(
        [(use.name, use.rate.percent) for use in uses],
        y_label=_("Booked"),
        title=title,
        description=_("The share of each one's open hours that visits filled, in percent."),
        chart_id=chart_id,
    )


def utilisation_rows(uses: list[utilisation.Use]) -> list[tuple]:
    return [
        (use.name, hours(use.open_minutes), hours(use.booked_minutes), _share(use.rate))
        for use in uses
    ]


def weeks_chart(weeks: list[adherence.Week]):
    return _percent_chart(
        [(_("Week %(num)d", num=w.number), w.ticked.percent) for w in weeks],
        y_label=_("Ticked"),
        title=_("Routines ticked, by week since the plan was published"),
        description=_(
            "Of the routines the plans scheduled in each week, the share the clients "
            "ticked, in percent."
        ),
        chart_id="home-care-weeks",
    )


def weeks_rows(weeks: list[adherence.Week]) -> list[tuple]:
    return [
        (_("Week %(num)d", num=w.number), w.plans, w.ticked.part, w.ticked.whole,
         _share(w.ticked))
        for w in weeks
    ]  # fmt: skip


def _share(rate: queries.Rate) -> str | None:
    return None if rate.percent is None else f"{rate.percent}%"


#: How the page names each follow-up of a completed visit.
FOLLOWED_BY = {
    "inside": _l("A visit inside the window"),
    "before": _l("A visit before the window opened"),
    "late": _l("A visit after the window closed"),
    "never": _l("Nothing: the window has closed"),
    "waiting": _l("Nothing yet: the window is still open"),
}


#: The bars' short names (the table beside the chart gives the whole words).
FOLLOWED_BY_SHORT = {
    "inside": _l("Inside"),
    "before": _l("Before"),
    "late": _l("After"),
    "never": _l("None"),
}


def rebooking_chart(rebooking: queries.Rebooking):
    return _percent_chart(
        [(str(words), rebooking.rate(k).percent) for k, words in FOLLOWED_BY_SHORT.items()],
        title=_("What followed the completed visits whose window has closed"),
        description=_(
            "Of the completed visits whose outcome is known, the share followed by a "
            "visit inside the client's window, before it, after it, or by none."
        ),
        chart_id="rebooking",
    )


def rebooking_rows(rebooking: queries.Rebooking) -> list[tuple]:
    """Each follow-up: its visits, and its share of those whose outcome is known."""
    return [
        (words, rebooking.counts[k], None if k == "waiting" else _share(rebooking.rate(k)))
        for k, words in FOLLOWED_BY.items()
    ]


#: The notes' short names, for the chart's bars.
NOTE_SHORT = {
    MessageKind.REBOOK_WINDOW_OPEN: _l("Due"),
    MessageKind.REBOOK_WINDOW_CLOSING: _l("Closing"),
    MessageKind.WIN_BACK: _l("Win-back"),
    MessageKind.WIN_BACK_LAST: _l("Last note"),
}


def nudges_chart(nudges: queries.Nudges):
    return _percent_chart(
        [(str(NOTE_SHORT[k]), r.percent) for k, r in nudges.by_kind.items()],
        title=_("The notes to book again followed by a booking within seven days"),
        description=_(
            "Of each note sent in the range, the share after which the client booked "
            "within seven days."
        ),
        chart_id="nudges",
    )


def nudges_rows(nudges: queries.Nudges) -> list[tuple]:
    return [(NOTE_WORDS[k], r.whole, r.part, _share(r)) for k, r in nudges.by_kind.items()]


for _helper in (utilisation_chart, utilisation_rows, weeks_chart, weeks_rows, rebooking_chart,
                rebooking_rows, nudges_chart, nudges_rows):  # fmt: skip
    bp.add_app_template_global(_helper)
bp.add_app_template_global(tenths, "tenths")
bp.add_app_template_global(revenue_chart, "revenue_chart")
bp.add_app_template_global(revenue_rows, "revenue_rows")
bp.add_app_template_global(month_label, "month_label")
