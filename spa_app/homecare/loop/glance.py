"""The week-by-week grid as a page shows it: a bar chart of the share of planned routines done
each week, and the rows of the table that carries the same numbers."""

from __future__ import annotations

from flask_babel import gettext as _
from markupsafe import Markup

from spa_app import charts
from spa_app.homecare.loop.grid import Grid, Row


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
