"""What the therapist found at the client's last visit, as the generator reads it: plain values,
and how each finding moves an area in the suggested plan.

An area found tense or tender (``RAISE_AT`` or more, above what the intake said) comes earlier,
as if the intake had said that score; an area found easy (``LOWER_AT`` or less, below the intake)
comes after the others; an area marked "avoid" is left out, with the therapist's reason, and so
is every routine that also works it. A finding moves only the order and the choice of areas:
pressure caps, exclusions and review come from the intake and the condition rules alone, so no
finding ever makes a plan less careful than the intake alone would.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _

from spa_app.homecare.safety import Technique, and_list, label
from spa_app.homecare.vocab import Area
from spa_app.i18n import when

#: A score found at or above this, and above the intake's, raises the area; at or below
#: LOWER_AT, and below the intake's, lowers it.
RAISE_AT, LOWER_AT = 6, 2


@dataclass(frozen=True)
class Finding:
    """One area as the therapist found it on ``day`` (the visit's day at the spa)."""

    area: Area
    tension: int | None  # 0-10; None: not scored
    day: date
    avoid: bool = False
    reason: str = ""  # why to leave it alone, in the therapist's words


def by_area(findings: Iterable[Finding]) -> dict[Area, Finding]:
    """One finding per area (the last one given wins)."""
    return {f.area: f for f in findings}


def avoided(findings: Mapping[Area, Finding]) -> dict[Area, Finding]:
    """The areas to leave alone, in the body's order (whatever order the findings came in)."""
    return {a: findings[a] for a in Area if a in findings and findings[a].avoid}


def change(area: Area, severity: Mapping[Area, int], findings: Mapping[Area, Finding]) -> str:
    """ "raised", "lowered" or "" for how the finding moves ``area`` against the intake."""
    found = findings.get(area)
    if found is None or found.avoid or found.tension is None:
        return ""
    said = severity.get(area, 0)
    if found.tension >= RAISE_AT and found.tension > said:
        return "raised"
    if found.tension <= LOWER_AT and found.tension < said:
        return "lowered"
    return ""


def ranks(severity: Mapping[Area, int], findings: Mapping[Area, Finding]) -> dict[Area, int]:
    """The areas to serve, each with the score it is ranked by: the intake's areas and those
    found tense or tender, less the areas to avoid. A raised area ranks at the score found; a
    lowered one at the score found too (it stays in, after the others)."""
    out = {a: s for a, s in severity.items() if s > 0}
    for area in Area:
        if change(area, severity, findings):
            out[area] = findings[area].tension
    return {a: s for a, s in out.items() if a not in avoided(findings)}


def order(ranked: Mapping[Area, int], severity: Mapping[Area, int]) -> list[Area]:
    """The areas, highest rank first; a tie goes to the intake's score, then the body's order."""
    return sorted(
        ranked, key=lambda a: (-ranked[a], -severity.get(a, 0), list(Area).index(a))
    )  # fmt: skip


def _day(found: Finding) -> str:
    return when(found.day, "%-d %b")


def note(area: Area, severity: Mapping[Area, int], findings: Mapping[Area, Finding]) -> str:
    """The sentence an item adds when a finding moved its area ("" when none did)."""
    moved = change(area, severity, findings)
    if not moved:
        return ""
    found = findings[area]
    values = {"area": label(area), "score": found.tension, "day": _day(found)}
    if moved == "raised":
        return _("Raised: your therapist found the %(area)s tense or tender (%(score)s/10) on "
                 "%(day)s.", **values)  # fmt: skip
    return _("Lowered: your therapist found the %(area)s easy (%(score)s/10) on %(day)s.", **values)


def area_left_out(found: Finding) -> str:
    """Why an area to avoid is not in the plan."""
    return _(
        "Left out: your therapist asked to leave the %(area)s alone for now (visit of "
        "%(day)s): %(reason)s",
        area=label(found.area),
        day=_day(found),
        reason=found.reason,
    )


def technique_left_out(technique: Technique, avoid: Mapping[Area, Finding]) -> str | None:
    """Why a routine that also works an area to avoid is not in the plan, or None."""
    hit = sorted(technique.areas & set(avoid), key=list(Area).index)
    if not hit:
        return None
    first = avoid[hit[0]]
    return _(
        "Left out: it also works the %(areas)s, which your therapist asked to leave alone for "
        "now (visit of %(day)s): %(reason)s",
        areas=and_list(label(a) for a in hit),
        day=_day(first),
        reason=" ".join(dict.fromkeys(avoid[a].reason for a in hit)),
    )
