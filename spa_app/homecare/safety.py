"""What is safe for one client: exclusions, pressure caps and the reasons a plan needs review.

Pure functions over plain values. The rules themselves are data: each condition's effect comes
from the library's condition rules (``conditions.json``, then staff edits), each routine's own
exclusions from its ``excluded_by`` list. The generator and the plan editor both ask these
functions, so a draft and a therapist's edit are held to the same rules.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

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
    medicines: bool = False  # the client listed medicines or allergies


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
    return AREA_LABELS[area].lower()


def rules_for(needs: Needs, rules: Mapping[Condition, Rule]) -> list[Rule]:
    """The rules of the client's conditions; a condition with no rule on file is as strict as
    the defaults (light pressure, review), never ignored."""
    return [rules.get(c, Rule(c)) for c in sorted(needs.conditions)]


def exclusion(technique: Technique, needs: Needs, rules: Mapping[Condition, Rule]) -> str | None:
    """Why ``technique`` is ruled out for this client, or None if it is allowed."""
    for rule in rules_for(needs, rules):
        name = CONDITION_NAMES[rule.condition]
        if rule.pauses_all:
            return f"Paused for now because of {name}. Your therapist will say when to start."
        if rule.condition in technique.excluded_by:
            return f"Left out because of {name}."
        hit = technique.areas & rule.excludes_areas
        if rule.excludes_named_areas:
            hit |= technique.areas & needs.conditions[rule.condition]
        if hit:
            where = " and ".join(label(a) for a in sorted(hit, key=list(Area).index))
            return f"No work on the {where} because of {name}."
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
            why = f"because of {CONDITION_NAMES[rule.condition]}"
    pain = pain_of(technique, needs)
    pain_cap = (
        Pressure.LIGHT
        if pain >= HIGH_PAIN
        else Pressure.MEDIUM
        if pain >= MODERATE_PAIN
        else Pressure.FIRM
    )
    if pain_cap < cap:
        cap, why = pain_cap, f"while the pain is {pain}/10"
    return cap, (f"{PRESSURE_LABELS[cap]} pressure {why}." if cap < wanted else "")


def review_reasons(needs: Needs, rules: Mapping[Condition, Rule]) -> list[str]:
    """Why the therapist must review the plan before the client sees it (empty: no review)."""
    reasons = []
    for rule in rules_for(needs, rules):
        reason = f"The client ticked: {CONDITION_LABELS[rule.condition]}"
        if named := needs.conditions[rule.condition]:
            reason += f" ({', '.join(label(a) for a in sorted(named, key=list(Area).index))})"
        reasons.append(reason + (f". {rule.therapist_note}" if rule.therapist_note else "."))
    for area in Area:
        if (pain := needs.severity.get(area, 0)) >= SEVERE_PAIN:
            reasons.append(f"Severe pain in the {label(area)} ({pain}/10).")
    if needs.medicines:
        reasons.append("The client listed medicines or allergies: check them against the plan.")
    return reasons


def client_cautions(needs: Needs, rules: Mapping[Condition, Rule]) -> list[str]:
    return [r.client_caution for r in rules_for(needs, rules) if r.client_caution]


def by_condition(rules: Iterable[Rule]) -> dict[Condition, Rule]:
    return {r.condition: r for r in rules}
