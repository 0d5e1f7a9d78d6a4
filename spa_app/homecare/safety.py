"""What is safe for one client: exclusions, pressure caps and the reasons a plan needs review.

Pure functions over plain values. The rules themselves are data: each condition's effect comes
from the library's condition rules (``conditions.json``, then staff edits), each routine's own
exclusions from its ``excluded_by`` list. The generator and the plan editor both ask these
functions, so a draft and a therapist's edit are held to the same rules.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import reduce

from flask_babel import gettext as _

from spa_app.homecare.vocab import (
    AREA_LABELS,
    CONDITION_LABELS,
    CONDITION_NAMES,
    PRESSURE_LABELS,
    Area,
    Condition,
    Context,
    Goal,
    Kind,
    Pressure,
)

#: Pain at or above which pressure is light; at or above which it is medium at most.
HIGH_PAIN, MODERATE_PAIN = 7, 4
#: Pain at or above which the therapist must review the plan.
SEVERE_PAIN = 8


@dataclass(frozen=True)
class Rule:
    """What ticking one condition does to a plan."""

    condition: Condition
    names_areas: bool = False  # the client says which areas it affects
    excludes_named_areas: bool = False
    excludes_areas: frozenset[Area] = frozenset()
    pauses_all: bool = False
    pressure_cap: Pressure = Pressure.LIGHT
    client_caution: str = ""
    therapist_note: str = ""


@dataclass(frozen=True)
class Needs:
    """What the rules read from an intake."""

    severity: Mapping[Area, int]
    goals: frozenset[Goal]
    contexts: frozenset[Context]
    pressure: Pressure
    minutes_per_day: int
    #: Each ticked condition, with the areas the client named for it (often none).
    conditions: Mapping[Condition, frozenset[Area]] = field(default_factory=dict)
    #: False until the client has answered the checklist (a condition, or "None of these")
    checklist_answered: bool = True
    medicines: str = ""  # medicines and allergies, in the client's words
    note: str = ""  # what else to be careful of, in the client's words


@dataclass(frozen=True)
class Technique:
    """What the rules read from a library routine."""

    id: int
    name: str
    kind: Kind
    area: Area
    min_minutes: int
    minutes: int
    times_per_week: int
    pressure: Pressure
    goals: frozenset[Goal] = frozenset()
    contexts: frozenset[Context] = frozenset()
    excluded_by: frozenset[Condition] = frozenset()
    also_areas: frozenset[Area] = frozenset()
    deep_tool: bool = False
    build_up: bool = False
    time_of_day: str = ""

    @property
    def areas(self) -> frozenset[Area]:
        """Every area the routine works on."""
        return self.also_areas | {self.area}


def label(area: Area) -> str:
    """The area as a sentence names it ("lower back"), in the current language."""
    return str(AREA_LABELS[area]).lower()


def and_list(words: Iterable[str]) -> str:
    """The words joined by "and" ("neck and shoulders"), in the current language."""

    def join(first: str, second: str) -> str:
        return _("%(first)s and %(second)s", first=first, second=second)

    return reduce(join, words)


def _sentence(text: str) -> str:
    """``text`` with its first letter a capital (the rest as it is)."""
    return text[:1].upper() + text[1:]


def rules_for(needs: Needs, rules: Mapping[Condition, Rule]) -> list[Rule]:
    """The rules of the client's conditions; a condition with no rule on file is as strict as
    the defaults (light pressure, review), never ignored."""
    return [rules.get(c, Rule(c)) for c in sorted(needs.conditions)]


def exclusion(technique: Technique, needs: Needs, rules: Mapping[Condition, Rule]) -> str | None:
    """Why ``technique`` is ruled out for this client, or None if it is allowed."""
    for rule in rules_for(needs, rules):
        name = CONDITION_NAMES[rule.condition]
        if rule.pauses_all:
            return _(
                "Paused for now because of %(condition)s. Your therapist will say when to start.",
                condition=name,
            )
        if rule.condition in technique.excluded_by:
            return _("Left out because of %(condition)s.", condition=name)
        hit = technique.areas & rule.excludes_areas
        if rule.excludes_named_areas:
            hit |= technique.areas & needs.conditions[rule.condition]
        if hit:
            where = and_list(label(a) for a in sorted(hit, key=list(Area).index))
            return _(
                "No work on the %(areas)s because of %(condition)s.", areas=where, condition=name
            )
    if technique.deep_tool and pressure_cap(technique, needs, rules)[0] is Pressure.LIGHT:
        return _("A ball or roller presses deeper than the light pressure this client needs.")
    return None


def pain_of(technique: Technique, needs: Needs) -> int:
    """The worst pain among the areas the routine works on."""
    return max((needs.severity.get(a, 0) for a in technique.areas), default=0)


def pressure_cap(
    technique: Technique, needs: Needs, rules: Mapping[Condition, Rule]
) -> tuple[Pressure, str]:
    """The most pressure ``technique`` may use for this client, and why when it is capped below
    what both the client and the routine would have."""
    wanted = Pressure(min(needs.pressure, technique.pressure))
    cap, why = wanted, ""
    for rule in rules_for(needs, rules):
        if rule.pressure_cap < cap:
            cap = Pressure(rule.pressure_cap)
            why = _("because of %(condition)s", condition=CONDITION_NAMES[rule.condition])
    pain = pain_of(technique, needs)
    pain_cap = (
        Pressure.LIGHT
        if pain >= HIGH_PAIN
        else Pressure.MEDIUM
        if pain >= MODERATE_PAIN
        else Pressure.FIRM
    )
    if pain_cap < cap:
        cap, why = pain_cap, _("while the pain is %(pain)s/10", pain=pain)
    if cap >= wanted:
        return cap, ""
    # "Light pressure because of ...": the pressure as one word, then the reason (the plan
    # editor's checks quote the reason from the third word on).
    pressure = str(PRESSURE_LABELS[cap]).lower()
    return cap, _sentence(_("%(pressure)s pressure %(why)s.", pressure=pressure, why=why))


def review_reasons(needs: Needs, rules: Mapping[Condition, Rule]) -> list[str]:
    """Why the therapist must review the plan before the client sees it (empty: no review)."""
    reasons = []
    if not needs.checklist_answered:
        reasons.append(
            _(
                "The client has not answered the contraindication checklist since it changed: "
                "ask them before publishing."
            )
        )
    for rule in rules_for(needs, rules):
        reason = _("The client ticked: %(condition)s", condition=CONDITION_LABELS[rule.condition])
        if named := needs.conditions[rule.condition]:
            reason += f" ({', '.join(label(a) for a in sorted(named, key=list(Area).index))})"
        elif rule.names_areas:
            unnamed = _("no area of the body map named: ask where, and leave it out")
            reason += f" ({unnamed})"
        # The therapist's note is the library's reviewed words, as staff wrote them.
        reasons.append(reason + (f". {rule.therapist_note}" if rule.therapist_note else "."))
    for area in Area:
        if (pain := needs.severity.get(area, 0)) >= SEVERE_PAIN:
            reasons.append(
                _("Severe pain in the %(area)s (%(pain)s/10).", area=label(area), pain=pain)
            )
    if needs.medicines:
        reasons.append(_("The client listed medicines or allergies: check them against the plan."))
    return reasons


def client_cautions(needs: Needs, rules: Mapping[Condition, Rule]) -> list[str]:
    """What the client reads for each ticked condition. A condition that leaves out the areas
    it names, ticked with none named, says so instead of claiming they were left out."""
    cautions = []
    for rule in rules_for(needs, rules):
        if rule.excludes_named_areas and not needs.conditions[rule.condition]:
            cautions.append(
                _(
                    "You told us about %(condition)s but not where on the body map: leave that "
                    "part of you alone, and your therapist will ask you at the visit.",
                    condition=CONDITION_NAMES[rule.condition],
                )
            )
        elif rule.client_caution:
            cautions.append(rule.client_caution)
    return cautions


def by_condition(rules: Iterable[Rule]) -> dict[Condition, Rule]:
    return {r.condition: r for r in rules}
