"""The plan generator over 1,000 random intakes (a fixed seed): plan sizes, coverage of the
areas that hurt most, and the library's routines per area. Pure: no database."""

from __future__ import annotations

import random
import statistics
import time

from spa_app.homecare.library import from_files
from spa_app.homecare.plans.generator import Dose, suggest
from spa_app.homecare.safety import Needs, exclusion
from spa_app.homecare.vocab import MINUTES_RANGE, Area, Condition, Context, Goal, Pressure

INTAKES = 1_000
SEED = 11


def random_intake(rng: random.Random, rules) -> Needs:
    """Areas each scored with even odds; about a third of clients tick one or two conditions."""
    severity = {a: rng.randint(1, 10) for a in Area if rng.random() < 0.5}
    conditions = {}
    if rng.random() < 0.33:
        for condition in rng.sample(list(Condition), rng.choice((1, 2))):
            rule = rules.get(condition)
            named = rule is not None and rule.names_areas
            conditions[condition] = frozenset(rng.sample(list(Area), 1)) if named else frozenset()
    return Needs(
        severity=severity,
        goals=frozenset(rng.sample(list(Goal), rng.randint(0, 3))),
        contexts=frozenset(rng.sample(list(Context), rng.randint(0, 2))),
        pressure=rng.choice(list(Pressure)),
        minutes_per_day=rng.randint(*MINUTES_RANGE),
        conditions=conditions,
        medicines=rng.random() < 0.1,
    )


def run() -> dict:
    library, rules = from_files()
    rng, dose = random.Random(SEED), Dose()
    sizes, covered, covered_allowed, seconds = [], 0, 0, 0.0
    for _ in range(INTAKES):
        needs = random_intake(rng, rules)
        started = time.perf_counter()
        draft = suggest(needs, library, rules, dose)
        seconds += time.perf_counter() - started
        sizes.append(len(draft.items))
        served = {i.area for i in draft.items}
        worst = {a for a, pain in needs.severity.items() if pain >= 4}
        covered += worst <= served
        # The areas a condition leaves with nothing suitable cannot be covered, by design.
        allowed = {
            a for a in worst if any(t.area == a and not exclusion(t, needs, rules) for t in library)
        }
        covered_allowed += allowed <= served
    per_area = {a.value: sum(1 for t in library if t.area is a) for a in Area}
    return {
        "home_care": {
            "intakes": INTAKES,
            "items_median": statistics.median(sizes),
            "items_max": max(sizes),
            "items_min": min(sizes),
            "empty_drafts": sizes.count(0),
            "cover_every_area_4_plus": round(covered / INTAKES, 3),
            "cover_every_allowed_area_4_plus": round(covered_allowed / INTAKES, 3),
            "ms_per_draft": round(1000 * seconds / INTAKES, 3),
            "routines_per_area": per_area,
        }
    }


def table(figures: dict) -> str:
    f = figures["home_care"]
    per_area = ", ".join(f"{area} {n}" for area, n in f["routines_per_area"].items())
    return "\n".join(
        [
            f"\nhome-care plans over {f['intakes']:,} random intakes (seed {SEED}):",
            f"  items per plan: median {f['items_median']}, max {f['items_max']}, "
            f"min {f['items_min']} ({f['empty_drafts']} empty, each with its reason)",
            f"  plans covering every area scored 4+: {f['cover_every_area_4_plus']:.1%}; "
            f"every such area not ruled out by a condition: "
            f"{f['cover_every_allowed_area_4_plus']:.1%}",
            f"  generator: {f['ms_per_draft']} ms per draft",
            f"  library routines per area: {per_area}",
        ]
    )
