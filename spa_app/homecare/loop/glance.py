"""The care loop as a page shows it: a bar chart of the share of planned routines done each
week, a line chart of each area's score from the intake through the check-ins, and the rows of
the tables that carry the same numbers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from flask_babel import gettext as _
from markupsafe import Markup

from spa_app import charts
from spa_app.homecare.loop.grid import Grid, Row
from spa_app.homecare.vocab import AREA_LABELS, Area
from spa_app.i18n import when

#: An area's scores: (local day, 0-10 with 10 the worst), the intake's first.
History = Mapping[str, Sequence[tuple[date, int]]]


def week_label(row: Row) -> str:
    return _("Week %(number)d", number=row.span.number)


def weekly_chart(grid: Grid, chart_id: str) -> Markup:
    """Bars of each week's share done (a week with nothing planned: no bar; the week still
    under way says so in its label)."""
    bars = [(week_label(r) + ("" if r.span.over else " *"), r.total.percent) for r in grid.rows]
    return charts.bar_chart(
        bars,
        y_label=_("Planned routines done (%)"),
        title=_("Home routines done, week by week"),
        description=_(
            "The share of the planned routines done in each week of the plan; "
            "a week marked * is still under way."
        ),  # fmt: skip
        y_max=100,
        value_format=lambda v: f"{v:.0f}%",
        chart_id=chart_id,
    )


def weekly_rows(grid: Grid) -> list[tuple]:
    """One row per week: its label, planned, done, the share done ("71%") and the worst
    discomfort noted (None where there is none)."""
    rows = []
    for r in grid.rows:
        worst = max((c.max_discomfort for c in r.cells if c.max_discomfort is not None),
                    default=None)  # fmt: skip
        label = week_label(r) if r.span.over else _("%(week)s (so far)", week=week_label(r))
        share = None if r.total.percent is None else f"{r.total.percent}%"
        rows.append((label, r.total.planned, r.total.done, share, worst))
    return rows


def has_check_ins(history: History) -> bool:
    """Whether any area has a score after the intake's (else there is no line to draw)."""
    return any(len(scores) > 1 for scores in history.values())


def _areas(history: History) -> list[str]:
    return sorted(history, key=lambda a: list(Area).index(Area(a)))


def _days(history: History) -> list[date]:
    return sorted({day for scores in history.values() for day, _score in scores})


def score_chart(history: History, chart_id: str) -> Markup:
    """A line per area, its intake score first, then each check-in (by day)."""
    series = [
        charts.Series(str(AREA_LABELS[Area(area)]), [(d.toordinal(), s) for d, s in history[area]])
        for area in _areas(history)
    ]
    return charts.line_chart(
        series,
        x_labels=[(d.toordinal(), when(d, "%-d %b")) for d in _days(history)],
        y_label=_("Tension (0 none, 10 the worst)"),
        title=_("Each area, from the intake through the check-ins"),
        description=_(
            "Each area's score at the intake, then at each check-in: lower is better."
        ),  # fmt: skip
        chart_id=chart_id,
    )


def score_table(history: History) -> tuple[list[str], list[tuple]]:
    """The same numbers: a column per area; a row for the intake, then one per check-in day
    (None where an area was not scored that day)."""
    areas = _areas(history)
    columns = [_("When"), *(str(AREA_LABELS[Area(a)]) for a in areas)]
    intake = min(history[a][0][0] for a in areas)
    rows = [
        (_("Intake, %(day)s", day=when(intake, "%-d %b %Y")), *(history[a][0][1] for a in areas))
    ]
    later = {area: dict(history[area][1:]) for area in areas}
    days = sorted({day for scores in later.values() for day in scores})
    rows += [(when(d, "%-d %b %Y"), *(later[a].get(d) for a in areas)) for d in days]
    return columns, rows
