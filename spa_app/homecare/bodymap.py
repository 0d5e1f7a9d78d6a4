"""Where a plan's areas and pressure points sit on the body map (front and back figures).

Coordinates are in the SVG's own units (each figure 200 x 400); the template draws the figures
and a marker per place, with text labels so the map also reads without seeing it.
"""

from __future__ import annotations

from dataclasses import dataclass

from spa_app.homecare.models import Plan
from spa_app.homecare.vocab import AREA_LABELS, Area, Kind

#: Each area's markers: (view, x, y); both sides of the body where there are two.
AREA_SPOTS = {
    Area.NECK: [("front", 100, 70), ("back", 100, 70)],
    Area.SHOULDERS: [("front", 66, 92), ("front", 134, 92)],
    Area.UPPER_BACK: [("back", 100, 120)],
    Area.LOWER_BACK: [("back", 100, 190)],
    Area.HANDS_WRISTS: [("front", 36, 228), ("front", 164, 228)],
    Area.LOWER_LEGS_FEET: [("front", 84, 330), ("front", 116, 330)],
}
#: Pressure points by area: the top of the shoulders and the base of the spine (either side).
POINT_SPOTS = {
    Area.SHOULDERS: [("back", 76, 86), ("back", 124, 86)],
    Area.LOWER_BACK: [("back", 90, 206), ("back", 110, 206)],
}


SPREAD = 22  # how far apart markers on one place sit


@dataclass(frozen=True)
class Mark:
    view: str  # front or back
    x: int
    y: int
    kind: Kind
    label: str
    number: int  # the item's number in the plan, shown in the marker


def figure(plan: Plan) -> list[Mark]:
    """One mark per place each plan item works on, numbered as the items are. Items on the same
    place sit side by side (each next one a marker's width further out) rather than on top."""
    marks = []
    taken: dict[tuple[str, int, int], int] = {}
    for number, item in enumerate(plan.items, start=1):
        area, kind = Area(item.area), Kind(item.kind)
        spots = POINT_SPOTS.get(area, []) if kind is Kind.PRESSURE_POINT else []
        label = f"{number}. {item.name} ({AREA_LABELS[area].lower()})"
        for view, x, y in spots or AREA_SPOTS[area]:
            nth = taken.get((view, x, y), 0)
            taken[(view, x, y)] = nth + 1
            side = -1 if x < 100 else 1  # spread outwards, away from the middle
            marks.append(Mark(view, x + side * SPREAD * nth, y, kind, label, number))
    return marks
