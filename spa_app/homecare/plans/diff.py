"""What changed between two versions of a client's plan: routines added, removed, and those
kept with a different dose (minutes, days, pressure). Items are matched by their routine."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import gettext as _

from spa_app.homecare.models import PlanItem
from spa_app.homecare.plans.forms import WEEKDAYS
from spa_app.homecare.vocab import PRESSURE_LABELS, Pressure


@dataclass(frozen=True)
class Changed:
    name: str
    what: tuple[str, ...]  # e.g. "5 → 8 minutes"


@dataclass(frozen=True)
class Changes:
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    changed: tuple[Changed, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)


def days_text(days: str) -> str:
    """ "Mo We Fr" for "024": each weekday's first two letters, Monday first."""
    return " ".join(str(WEEKDAYS[int(d)])[:2] for d in sorted(days))


def changes(before: Iterable[PlanItem], after: Iterable[PlanItem]) -> Changes:
    """From ``before``'s items to ``after``'s, each list in its plan's order. A routine in
    both (the first of each, if one appears twice) is compared by minutes, days and pressure."""
    old = _by_routine(before)
    new = _by_routine(after)
    changed = []
    for routine_id, item in new.items():
        if routine_id in old and (what := _dose_changes(old[routine_id], item)):
            changed.append(Changed(item.name, what))
    return Changes(
        added=tuple(i.name for r, i in new.items() if r not in old),
        removed=tuple(i.name for r, i in old.items() if r not in new),
        changed=tuple(changed),
    )


def _by_routine(items: Iterable[PlanItem]) -> dict[int, PlanItem]:
    found: dict[int, PlanItem] = {}
    for item in items:
        found.setdefault(item.routine_id, item)
    return found


def _dose_changes(old: PlanItem, new: PlanItem) -> tuple[str, ...]:
    what = []
    if old.minutes != new.minutes:
        what.append(_("%(old)d → %(new)d minutes", old=old.minutes, new=new.minutes))
    if sorted(old.days) != sorted(new.days):
        what.append(_("days %(old)s → %(new)s", old=days_text(old.days), new=days_text(new.days)))
    if old.pressure != new.pressure:
        what.append(
            _("pressure %(old)s → %(new)s", old=PRESSURE_LABELS[Pressure(old.pressure)],
              new=PRESSURE_LABELS[Pressure(new.pressure)])
        )  # fmt: skip
    return tuple(what)
