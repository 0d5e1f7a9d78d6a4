"""A suggested draft as JSON: what ``flask spa suggest-plan`` prints (the README documents it).

The draft's items, what was left out and why, and whether the therapist must review it.
"""

from __future__ import annotations

from collections.abc import Mapping

from spa_app.homecare.plans.generator import Dose, Draft
from spa_app.homecare.safety import Technique


def draft_json(draft: Draft, library: Mapping[int, Technique], dose: Dose) -> dict:
    """The draft as the README documents it (Monday = 0; pressure by name)."""
    return {
        "items": [
            {
                "routine": library[i.technique_id].name,
                "area": i.area.value,
                "kind": library[i.technique_id].kind.value,
                "minutes": i.minutes,
                "days": list(i.days),
                "pressure": i.pressure.name.lower(),
                "why": i.why.replace("\n", " "),
                "build_up": i.build_up,
            }
            for i in draft.items
        ],
        "left_out": [
            {
                "area": x.area.value,
                "routine": library[x.technique_id].name if x.technique_id else None,
                "reason": x.reason,
            }
            for x in draft.left_out
        ],
        "needs_review": draft.needs_review,
        "review_reasons": list(draft.review_reasons),
        "empty_reason": draft.empty_reason,
        "cautions": list(draft.cautions),
        "session": {"warm_up_minutes": dose.warm_up, "rest_minutes": dose.rest},
    }
