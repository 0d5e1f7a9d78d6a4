"""The care loop at a glance, for the therapist: the week x routine grid (``grid``), a one-line
reading of it and flags (a drop-off, low comfort, a score up). Pure functions over plain
values: the caller loads the plan, its ticks and the scores, and shows the result.

The reading and the drop-off flags read only *settled* weeks (over, and at least
``MIN_SETTLED_DAYS`` long) with something planned: the week holding today is still open (the
client may tick today's routines tonight), so it is shown in the grid but never read as a
drop-off. Every number the reading gives is one of the grid's: a week's number, or the planned,
done or percent of a run of weeks (``Grid.total``).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction
from itertools import pairwise

from flask_babel import gettext as _
from flask_babel import ngettext

from spa_app.homecare.loop.grid import (
    MIN_SETTLED_DAYS,
    Cell,
    Grid,
    Routine,
    Row,
    Span,
    Tick,
    Total,
    grid,
    last_day,
    weeks,
)
from spa_app.homecare.vocab import AREA_LABELS, Area

__all__ = [
    "MIN_SETTLED_DAYS", "Cell", "Grid", "Routine", "Row", "Span", "Tick", "Total", "grid",
    "last_day", "weeks", "Flag", "FlagKind", "reading", "flags",
]  # fmt: skip

#: A week at or above this share of its planned routines is kept to; every week so is steady.
STEADY = Fraction(8, 10)
#: The weeks before a drop must have reached this share to read as "kept to it".
KEPT = Fraction(6, 10)
#: A settled week under this share of its planned routines is a drop-off.
HALF = Fraction(1, 2)
#: "Falling" is two weeks running, each at least this far below the week before.
MIN_FALL = Fraction(1, 10)
#: Weeks within this band of each other read as steady.
STEADY_BAND = Fraction(2, 10)
#: Discomfort (0 none, 10 the worst) at or above this on a tick is low comfort ...
LOW_COMFORT = 7
#: ... within this many days up to the last counted day.
COMFORT_DAYS = 14
#: An area's score (0-10, 10 the worst) up by this much or more on the intake, or on the
#: score before, is flagged.
SCORE_RISE = 3


class FlagKind(enum.StrEnum):
    DROP_OFF = "drop_off"
    LOW_COMFORT = "low_comfort"
    SCORE_UP = "score_up"


@dataclass(frozen=True)
class Flag:
    """Something for the therapist to look at: in which week (drop-off, low comfort), on which
    day (a drop-off's last, the worst discomfort, the score), for which routine (low comfort)
    and which area (score up), with a sentence saying what."""

    kind: FlagKind
    text: str
    week: int | None = None
    day: date | None = None
    area: Area | str | None = None
    routine: int | None = None

    @property
    def key(self) -> str:
        """What makes it this flag, whatever its words: a drop-off's week, low comfort's
        routine and week, a score's area and day (``watch`` tells each once)."""
        if self.kind is FlagKind.SCORE_UP:
            return f"{self.kind.value}:{self.area}:{self.day.isoformat()}"
        if self.kind is FlagKind.LOW_COMFORT:
            return f"{self.kind.value}:{self.routine}:w{self.week}"
        return f"{self.kind.value}:w{self.week}"


def _read(g: Grid) -> list[Row]:
    return [r for r in g.rows if r.span.settled and r.total.planned]


def _weeks(first: int, last: int) -> str:
    if first == last:
        return _("week %(week)d", week=first)
    return _("weeks %(first)d-%(last)d", first=first, last=last)


def reading(g: Grid) -> str:
    """One plain line on how the client kept to the plan, from its settled weeks (or what
    there is so far, if none is settled yet)."""
    rows = _read(g)
    if not g.rows:
        return _("Not started yet.")
    if not rows:
        return _so_far(g)
    if len(rows) == 1:
        t = rows[0].total
        return _(
            "One full week so far: %(done)d of %(planned)d done in week %(week)d (%(pct)d%%).",
            done=t.done, planned=t.planned, week=rows[0].span.number, pct=t.percent,
        )  # fmt: skip
    return _silent(g, rows) or _dropped(g, rows) or _trend(g, rows)


def _so_far(g: Grid) -> str:
    t, first = g.total(), g.rows[0].span
    if first.days == 1 and not first.over and not t.done:  # today is the first day
        return _("Not started yet: the plan began today.")
    if not t.planned:
        return _("Nothing planned so far.")
    return ngettext(
        "Too early to tell: %(done)d of %(num)d planned routine done (%(pct)d%%).",
        "Too early to tell: %(done)d of %(num)d planned routines done (%(pct)d%%).",
        t.planned, done=t.done, pct=t.percent,
    )  # fmt: skip


def _silent(g: Grid, rows: list[Row]) -> str | None:
    """Nothing done in the last two settled weeks or more."""
    quiet = 0
    while quiet < len(rows) and not rows[-1 - quiet].total.done:
        quiet += 1
    if quiet < 2 and quiet < len(rows):
        return None
    gone = _weeks(rows[-quiet].span.number, rows[-1].span.number)
    if quiet == len(rows):
        return _("Nothing done in %(weeks)s.", weeks=gone)
    first, upto = rows[0].span.number, rows[-quiet - 1].span.number
    return _(
        "Nothing done in %(weeks)s, after %(pct)d%% in %(before)s.",
        weeks=gone, pct=g.total(first, upto).percent, before=_weeks(first, upto),
    )  # fmt: skip


def _splits(g: Grid, rows: list[Row]) -> list[tuple[str, Total, str, Total]]:
    """Each way to cut the weeks in two: (weeks, total) before and after."""
    out = []
    for k in range(1, len(rows)):
        a, b = rows[0].span.number, rows[k - 1].span.number
        c, d = rows[k].span.number, rows[-1].span.number
        out.append((_weeks(a, b), g.total(a, b), _weeks(c, d), g.total(c, d)))
    return out


def _dropped(g: Grid, rows: list[Row]) -> str | None:
    """Kept to it, then half or less: as two runs of weeks if every week after the cut is at
    half or less of the weeks before it, else the latest week against the best one before."""
    cuts = [
        (early.share - late.share, a, early, b, late)
        for k, (a, early, b, late) in enumerate(_splits(g, rows), start=1)
        if early.share >= KEPT and all(r.total.share <= early.share * HALF for r in rows[k:])
    ]
    if cuts:
        _gap, a, early, b, late = max(cuts, key=lambda c: c[0])
        return _(
            "Kept to it in %(before)s (%(early)d%%), then down by half or more (%(late)d%% in "
            "%(after)s).",
            before=a, early=early.percent, late=late.percent, after=b,
        )  # fmt: skip
    latest = rows[-1]
    best = max(rows[:-1], key=lambda r: (r.total.share, r.span.number))
    if latest.total.share <= best.total.share * HALF:
        return _(
            "Down by half or more: %(late)d%% in week %(week)d, from %(best)d%% in week "
            "%(best_week)d.",
            late=latest.total.percent, week=latest.span.number,
            best=best.total.percent, best_week=best.span.number,
        )  # fmt: skip
    return None


def _trend(g: Grid, rows: list[Row]) -> str:
    """Steady; else slipping or picking up (a cut with every week after it below, or above,
    every week before it, by ``STEADY_BAND`` overall); else uneven."""
    shares = [r.total.share for r in rows]
    whole = g.total(rows[0].span.number, rows[-1].span.number)
    if max(shares) - min(shares) <= STEADY_BAND:
        return _("Steady: about %(pct)d%% every week.", pct=whole.percent)
    cuts = [
        (abs(early.share - late.share), a, early, b, late)
        for k, (a, early, b, late) in enumerate(_splits(g, rows), start=1)
        if max(shares[k:]) < min(shares[:k]) or min(shares[k:]) > max(shares[:k])
    ]
    gap, a, early, b, late = max(cuts, key=lambda c: c[0], default=(0, "", None, "", None))
    if gap >= STEADY_BAND:
        text = (
            _("Slipping: %(early)d%% in %(before)s, %(late)d%% in %(after)s.")
            if late.share < early.share
            else _("Picking up: %(early)d%% in %(before)s, %(late)d%% in %(after)s.")
        )
        return text % {"early": early.percent, "before": a, "late": late.percent, "after": b}
    low, high = min(rows, key=lambda r: r.total.share), max(rows, key=lambda r: r.total.share)
    return _(
        "Uneven: from %(low)d%% to %(high)d%% a week, %(pct)d%% in all.",
        low=low.total.percent, high=high.total.percent, pct=whole.percent,
    )  # fmt: skip


Scores = Mapping[Area | str, Sequence[tuple[date, int]]]


def flags(g: Grid, scores: Scores | None = None) -> list[Flag]:
    """What to look at: drop-offs (by week), low comfort (by routine) and scores up (by
    area). ``scores`` holds each area's outcome scores (day, 0-10 with 10 the worst) in the
    order taken: the intake's first, then one per visit."""
    return [*drop_offs(g), *low_comfort(g), *scores_up(scores or {})]


def drop_offs(g: Grid) -> list[Flag]:
    """A settled week at half or less of the best settled week before it, under half of its
    planned routines, or the second of two weeks falling (each by ``MIN_FALL`` or more, to
    under ``STEADY``): one flag per week, the first reason that holds."""
    rows, out = _read(g), []
    for i, row in enumerate(rows):
        t, week = row.total, row.span.number
        best = max(rows[:i], key=lambda r: (r.total.share, r.span.number), default=None)
        if best is not None and best.total.share >= KEPT and t.share <= best.total.share * HALF:
            text = _(
                "Week %(week)d: %(pct)d%% of the planned routines, half or less of week "
                "%(best)d (%(best_pct)d%%).",
                week=week, pct=t.percent, best=best.span.number, best_pct=best.total.percent,
            )  # fmt: skip
        elif t.share < HALF:
            text = _(
                "Week %(week)d: under half the planned routines done (%(done)d of %(planned)d).",
                week=week, done=t.done, planned=t.planned,
            )  # fmt: skip
        elif i >= 2 and t.share < STEADY and _falling(rows[i - 2 : i + 1]):
            text = _(
                "Falling two weeks running: %(a)d%%, %(b)d%%, then %(c)d%% in week %(week)d.",
                a=rows[i - 2].total.percent, b=rows[i - 1].total.percent, c=t.percent, week=week,
            )  # fmt: skip
        else:
            continue
        out.append(Flag(FlagKind.DROP_OFF, text, week=week, day=row.span.last))
    return out


def _falling(rows: list[Row]) -> bool:
    shares = [r.total.share for r in rows]
    return all(before - after >= MIN_FALL for before, after in pairwise(shares))


def low_comfort(g: Grid) -> list[Flag]:
    """A routine noted at ``LOW_COMFORT`` or worse in the ``COMFORT_DAYS`` up to the last
    counted day: one flag per routine, on the latest of its worst days."""
    if g.last is None:
        return []
    since, out = g.last - timedelta(days=COMFORT_DAYS - 1), []
    for routine in g.routines:
        sore = [
            (t.discomfort, t.day)
            for t in g.ticks
            if t.routine_id == routine.id and t.day >= since and (t.discomfort or 0) >= LOW_COMFORT
        ]
        if sore:
            level, day = max(sore)
            text = _(
                "%(routine)s: discomfort %(level)d out of 10 in the last two weeks.",
                routine=routine.name, level=level,
            )  # fmt: skip
            week = (day - g.rows[0].span.first).days // 7 + 1
            out.append(Flag(FlagKind.LOW_COMFORT, text, week=week, day=day, routine=routine.id))
    return out


def scores_up(scores: Scores) -> list[Flag]:
    """An area whose latest score is up by ``SCORE_RISE`` or more on the intake's (the first),
    or on the score before it: one flag per area, on the latest score's day."""
    out = []
    for area, history in scores.items():
        if len(history) < 2:
            continue
        (_day0, intake), (_day1, before), (day, latest) = history[0], history[-2], history[-1]
        name = str(AREA_LABELS[Area(area)]) if area in set(Area) else str(area)
        if latest - intake >= SCORE_RISE:
            text = _(
                "%(area)s: %(score)d out of 10, up %(rise)d since the intake.",
                area=name, score=latest, rise=latest - intake,
            )  # fmt: skip
        elif latest - before >= SCORE_RISE:
            text = _(
                "%(area)s: %(score)d out of 10, up %(rise)d since the visit before.",
                area=name, score=latest, rise=latest - before,
            )  # fmt: skip
        else:
            continue
        out.append(Flag(FlagKind.SCORE_UP, text, day=day, area=area))
    return out


#: An area's latest score this far from the intake's reads as better (down) or worse (up).
SCORE_MOVE = 2


def score_moves(scores: Scores) -> dict[Area | str, tuple[int, int]]:
    """The areas whose latest score is ``SCORE_MOVE`` or more away from the intake's, in
    either direction: {area: (the intake's, the latest)}."""
    return {
        area: (history[0][1], history[-1][1])
        for area, history in scores.items()
        if len(history) > 1 and abs(history[-1][1] - history[0][1]) >= SCORE_MOVE
    }


def lately(g: Grid, weeks: int = 2) -> dict[int, Total]:
    """Each routine's planned and done over the last ``weeks`` settled weeks (by routine id;
    empty when no week is settled yet)."""
    rows = [r for r in g.rows if r.span.settled and r.total.planned][-weeks:]
    return {
        routine.id: Total(sum(r.cells[n].planned for r in rows), sum(r.cells[n].done for r in rows))
        for n, routine in enumerate(g.routines)
        if rows
    }
