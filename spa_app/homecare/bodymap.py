"""Where a plan's routines work, on a front and a back figure of a person.

Each figure is 200 x 400 units with the body's midline at x = 100. On the front figure the person
faces the viewer, so their right is on the viewer's left; on the back figure they face away, so
their right is on the viewer's right. The outlines are polygons here (not only drawings in a
template) so that tests can check every marker sits on the body, on the side it names, off the
throat and beside, never on, the spine.

A routine names the spots it works on (``SPOTS``); an item without any takes its area's default.
Every spot is on both sides of the body, and is a short line along its region (down the limb,
beside the spine): markers of several items on one spot spread along that line, inside the body.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from spa_app.homecare.vocab import AREA_LABELS, Area, Kind

if TYPE_CHECKING:
    from spa_app.homecare.models import Plan

Point = tuple[float, float]
WIDTH, HEIGHT, MIDLINE = 200, 400, 100
VIEWS = ("front", "back")
SIDES = ("right", "left")  # the person's own
RADIUS = 7  # a marker's radius
GAP = 2 * RADIUS + 2  # centre to centre, when the spot's line is long enough

# The viewer's right half of each outline, from the top of the head down the outside of the arm,
# round the hand (thumb out: palms face forward), up to the armpit, down the side and the leg,
# round the foot and up the inside of the leg. The left half is its mirror.
_HEAD_TO_ANKLE = (
    (100, 12), (108.5, 14.2), (115.3, 20.6), (119.3, 29.8), (119.7, 40.2), (117.3, 48),
    (112.9, 54.4), (112.6, 60), (113.4, 65), (115.4, 69.4), (119.5, 73), (127, 76), (137, 78.6),
    (144, 80.6), (150, 83.5), (155, 88.5), (158, 95.5), (159.3, 104), (160.3, 120), (162, 140),
    (164, 160), (166, 178), (168, 196), (169, 211), (172, 217.5), (176, 224), (179.5, 232),
    (181.5, 240), (180.5, 246.5), (177, 248), (174.5, 243.5), (172.5, 237), (172.5, 246),
    (172.5, 256), (170.5, 266), (166, 272.5), (160, 274.5), (155, 271.5), (152.5, 262),
    (151.5, 250), (151.5, 236), (152.5, 222), (153, 211), (151, 196), (149, 178), (147, 160),
    (145, 140), (142, 122), (138.5, 110),
    (136, 118), (134, 135), (132, 150), (130.5, 165), (131, 178), (134, 192), (137, 205),
    (139, 218), (139.5, 230), (137.5, 250), (135.5, 270), (133.5, 290), (131.5, 302),
    (132.5, 314), (133.5, 326), (131.5, 340), (128, 354), (125.5, 364),
)  # fmt: skip
_ANKLE_TO_CROTCH = (
    (104.5, 364), (104, 350), (103.5, 332), (104.5, 316), (105, 304), (104, 290), (103, 270),
    (102, 250), (101, 236), (100, 232),
)  # fmt: skip
#: From the front the foot is its top, toes towards the viewer and turned a little out.
_FOOT_FROM_FRONT = (
    (126.5, 370), (130, 378), (133, 386), (133, 392), (128, 395.5), (116, 396.5), (108, 395.5),
    (104.5, 390), (104.5, 380), (104.8, 370),
)  # fmt: skip
#: From behind the foot is drawn as its sole (as if the person lay face down), heel to toes.
_SOLE = (
    (127, 370), (129.5, 378), (130.5, 386), (129.5, 393), (125, 398.5), (118, 399.5),
    (111.5, 397.5), (107.5, 392), (106.5, 384), (106, 376), (105, 370),
)  # fmt: skip


def _mirror(points: Iterable[Point]) -> tuple[Point, ...]:
    return tuple((WIDTH - x, y) for x, y in points)


def _outline(foot: Sequence[Point]) -> tuple[Point, ...]:
    right = (*_HEAD_TO_ANKLE, *foot, *_ANKLE_TO_CROTCH)
    inner = [p for p in right if p[0] != MIDLINE]
    return (*right, *_mirror(reversed(inner)))


def path(points: Sequence[Point]) -> str:
    """An SVG path for a polygon."""
    head, *rest = points
    return f"M {head[0]:g} {head[1]:g} " + " ".join(f"L {x:g} {y:g}" for x, y in rest) + " Z"


#: Each figure's outline: one closed polygon in the figure's own units.
OUTLINES = {"front": _outline(_FOOT_FROM_FRONT), "back": _outline(_SOLE)}
#: The front of the neck, jaw to collarbones: no marker may cover any of it.
THROAT = (94, 54, 106, 80)  # x0, y0, x1, y1 on the front figure
#: The spine on the back figure, from the base of the skull to the tailbone.
SPINE = (56, 232)  # y0, y1 at x = MIDLINE
#: Lines drawn inside each figure to tell front from back (collarbones, navel, knees; the spine,
#: shoulder blades and buttocks; the toes of the soles). Drawing only: no test reads them.
DETAILS = {
    "front": (
        "M 89 82 Q 76 79 64 82", "M 111 82 Q 124 79 136 82", "M 99 176 a 1.5 1.5 0 1 0 2 0",
        "M 79 298 q 7 -5 14 0", "M 107 298 q 7 -5 14 0",
    ),
    "back": (
        "M 100 76 L 100 218", "M 85 100 L 66 103 Q 70 124 84 140 Z",
        "M 115 100 L 134 103 Q 130 124 116 140 Z", "M 100 218 L 100 236",
        "M 64 238 q 18 8 34 2", "M 136 238 q -18 8 -34 2",
        "M 77 396 q 6 2 12 0", "M 111 396 q 6 2 12 0",
    ),
}  # fmt: skip


@dataclass(frozen=True)
class Spot:
    view: str
    words: str  # where it is, as the text list says it (translated where it is shown)
    #: A line along the region on the viewer's left half (the other side is its mirror); one
    #: marker sits at its middle, several spread along it.
    start: Point
    end: Point


SPOTS = {
    "base_of_skull": Spot(
        "back",
        _l("under the ridge at the back of the head, either side of the middle"),
        (90.5, 47),
        (86, 45),
    ),
    "neck_back": Spot("back", _l("the back of the neck, beside the spine"), (91, 58), (91, 70)),
    "neck_sides": Spot(
        "back",
        _l("the back part of the sides of the neck, down towards the shoulders"),
        (85, 75.5),
        (79.5, 80),
    ),
    "top_of_shoulders": Spot(
        "back", _l("the top of the shoulders, halfway to the arm"), (82, 86), (62, 91)
    ),
    "front_of_shoulders": Spot(
        "front", _l("the front of the shoulders, below the collarbone"), (74, 91), (62, 97)
    ),
    "back_of_shoulders": Spot(
        "back", _l("the thick muscle over the outer shoulder blade"), (67, 100), (67, 112)
    ),
    "upper_back_shoulder_blades": Spot(
        "back", _l("over and between the shoulder blades"), (76, 114), (76, 140)
    ),
    "beside_upper_spine": Spot(
        "back", _l("beside the upper spine, never on it"), (90.5, 98), (90.5, 150)
    ),
    "beside_lower_spine": Spot(
        "back", _l("beside the lower spine, never on it"), (90.5, 158), (90.5, 194)
    ),
    "base_of_spine_points": Spot(
        "back", _l("the hollows either side of the base of the spine"), (89, 207), (89, 215)
    ),
    "forearms": Spot("front", _l("the forearms, wrist to elbow"), (44.5, 168), (41, 194)),
    "wrists": Spot("front", _l("the wrists"), (39, 202), (39, 214)),
    "palms": Spot("front", _l("the palms and fingers"), (39, 240), (39, 262)),
    "backs_of_hands": Spot("back", _l("the backs of the hands and fingers"), (39, 240), (39, 262)),
    "above_knees": Spot("front", _l("just above the kneecaps"), (81.5, 284), (81.5, 290)),
    "shins": Spot("front", _l("the front and inner side of the lower legs"), (86, 316), (87, 350)),
    "calves": Spot(
        "back", _l("the calves, from the ankle to below the knee"), (81.5, 312), (83.5, 350)
    ),
    "ankles": Spot(
        "back", _l("round the ankles and the tendons behind them"), (85, 360), (85, 366)
    ),
    "tops_of_feet": Spot("front", _l("the tops of the feet and the toes"), (81, 378), (79, 390)),
    "arches": Spot("back", _l("the soles and arches of the feet"), (84, 380), (83.5, 391)),
}
#: Where an item works when it names no spots of its own.
AREA_DEFAULT_SPOTS = {
    Area.NECK: ["neck_back"],
    Area.SHOULDERS: ["top_of_shoulders"],
    Area.UPPER_BACK: ["beside_upper_spine"],
    Area.LOWER_BACK: ["beside_lower_spine"],
    Area.HANDS_WRISTS: ["palms"],
    Area.LOWER_LEGS_FEET: ["calves", "arches"],
}
#: A pressure point without spots of its own: the area's named point, where it has one.
POINT_DEFAULT_SPOTS = {
    Area.SHOULDERS: ["top_of_shoulders"],
    Area.LOWER_BACK: ["base_of_spine_points"],
}


def check_spots(names: Iterable[object]) -> list[str]:
    """The names that are not spots on the body map, in the order given (empty: all known)."""
    return [str(name) for name in names if name not in SPOTS]


def spots_of(item) -> list[str]:
    """The spots an item works on: its own known ones, else its area's (and kind's) default."""
    own = [name for name in getattr(item, "spots", None) or () if name in SPOTS]
    area = Area(item.area)
    if own:
        return own
    if Kind(item.kind) is Kind.PRESSURE_POINT and area in POINT_DEFAULT_SPOTS:
        return POINT_DEFAULT_SPOTS[area]
    return AREA_DEFAULT_SPOTS[area]


def side_of(view: str, x: float) -> str:
    """Whose side a point on a figure is: the person's right is the viewer's left from the
    front and the viewer's right from behind."""
    viewer_left = x < MIDLINE
    return "right" if viewer_left == (view == "front") else "left"


def spread(spot: Spot, side: str, count: int) -> list[Point]:
    """Where ``count`` markers of one spot sit on one side: centred on the spot's line, ``GAP``
    apart, or closer if the line is short, never beyond its ends (so always on the body)."""
    (x0, y0), (x1, y1) = spot.start, spot.end
    if side_of(spot.view, x0) != side:
        x0, x1 = WIDTH - x0, WIDTH - x1
    step = min(GAP / math.dist((x0, y0), (x1, y1)), 1 / (count - 1)) if count > 1 else 0
    fractions = (0.5 + (n - (count - 1) / 2) * step for n in range(count))
    return [(round(x0 + f * (x1 - x0), 1), round(y0 + f * (y1 - y0), 1)) for f in fractions]


@dataclass(frozen=True)
class Mark:
    view: str  # front or back
    x: float
    y: float
    kind: Kind
    label: str  # the item: "2. Shoulder knead"
    number: int  # the item's number in the plan, shown in the marker
    spot: str
    side: str  # the person's own: right or left

    @property
    def anchor(self) -> str:
        """The id of the item's card on the plan page, where its steps are."""
        return f"item-{self.number}"

    @property
    def name(self) -> str:
        """The marker's accessible name: which routine, where, and that it links to the steps."""
        words = SPOTS[self.spot].words
        if self.side == "right":
            return _(
                "%(item)s: %(where)s, right side. Go to its steps", item=self.label, where=words
            )
        return _("%(item)s: %(where)s, left side. Go to its steps", item=self.label, where=words)


CLOSEUP_MIN, CLOSEUP_PAD, CLOSEUP_SPLIT = 76, 26, 100
#: A close-up's caption, by its figure and the one side it shows (None: both sides).
CAPTIONS = {
    ("front", "right"): _l("Right side, from the front"),
    ("front", "left"): _l("Left side, from the front"),
    ("front", None): _l("From the front"),
    ("back", "right"): _l("Right side, from behind"),
    ("back", "left"): _l("Left side, from behind"),
    ("back", None): _l("From behind"),
}


@dataclass(frozen=True)
class Closeup:
    """Some of one item's markers on one figure, cropped to their region."""

    view: str
    box: tuple[float, float, float, float]  # x, y, width, height in the figure's units
    marks: tuple[Mark, ...]

    @property
    def viewbox(self) -> str:
        return " ".join(f"{v:g}" for v in self.box)

    @property
    def caption(self) -> str:
        sides = {m.side for m in self.marks}
        return str(CAPTIONS[self.view, sides.pop() if len(sides) == 1 else None])

    @property
    def side_labels(self) -> list[tuple[str, float, str]]:
        """Where a crop shows both sides, their names at its top corners: (word, x, anchor)."""
        if len({m.side for m in self.marks}) == 1:
            return []
        x, _y, w, _h = self.box
        right, left = _("Right"), _("Left")
        first, second = (right, left) if self.view == "front" else (left, right)
        return [(first, x + 3, "start"), (second, x + w - 3, "end")]


def _crop(marks: Sequence[Mark]) -> tuple[float, float, float, float]:
    xs, ys = [m.x for m in marks], [m.y for m in marks]
    boxes = []
    for lo, hi, limit in ((min(xs), max(xs), WIDTH), (min(ys), max(ys), HEIGHT)):
        size = max(hi - lo + 2 * CLOSEUP_PAD, CLOSEUP_MIN)
        start = min(max((lo + hi - size) / 2, 0), limit - size)
        boxes.append((start, size))
    (x, w), (y, h) = boxes
    return (x, y, w, h)


def closeups(marks: Sequence[Mark]) -> list[Closeup]:
    """A crop per figure the marks are on, or one per side where the sides lie far apart (the
    hands, the arms), left to right as the figure shows them."""
    crops = []
    for view in VIEWS:
        on = [m for m in marks if m.view == view]
        if on and max(m.x for m in on) - min(m.x for m in on) > CLOSEUP_SPLIT:
            groups = sorted(([m for m in on if m.side == side] for side in SIDES),
                            key=lambda group: group[0].x)  # fmt: skip
        else:
            groups = [on] if on else []
        crops += [Closeup(view, _crop(group), tuple(group)) for group in groups]
    return crops


@dataclass(frozen=True)
class Place:
    """One item in the map's text: its number, name, where it works, and its close-ups."""

    number: int
    label: str
    kind: Kind
    area: Area
    where: list[str]  # each spot in words, with its figure
    closeups: list[Closeup]

    @property
    def anchor(self) -> str:
        return f"item-{self.number}"

    @property
    def summary(self) -> str:
        """The item's line in the map's description: "2. Shoulder knead (shoulders): ..."."""
        words = {"item": self.label, "area": str(AREA_LABELS[self.area]).lower(),
                 "where": "; ".join(self.where)}  # fmt: skip
        if self.kind is not Kind.PRESSURE_POINT:
            return _("%(item)s (%(area)s): %(where)s. Both sides.", **words)
        views = tuple(dict.fromkeys(c.view for c in self.closeups))
        if views == ("front",):
            return _("%(item)s (%(area)s), a pressure point on the front: %(where)s. Both sides.",
                     **words)  # fmt: skip
        if views == ("back",):
            return _("%(item)s (%(area)s), a pressure point on the back: %(where)s. Both sides.",
                     **words)  # fmt: skip
        return _("%(item)s (%(area)s), a pressure point on the front and back: %(where)s. Both "
                 "sides.", **words)  # fmt: skip


@dataclass(frozen=True)
class BodyMap:
    """The markers, each item's place, and how to draw the figures (SVG paths, where each sits
    on the whole map: the back figure beside the front one)."""

    marks: list[Mark]
    places: list[Place]

    def __iter__(self) -> Iterator[Mark]:
        return iter(self.marks)

    viewbox = "12 0 348 420"
    offsets = {"front": 0, "back": 172}
    details = DETAILS
    outlines = {view: path(OUTLINES[view]) for view in VIEWS}


def _in_words(spot: Spot) -> str:
    """A spot in the map's text, with its figure: "the wrists (front figure)"."""
    if spot.view == "front":
        return _("%(where)s (front figure)", where=spot.words)
    return _("%(where)s (back figure)", where=spot.words)


def figure(plan: Plan) -> BodyMap:
    """A marker on each side of every spot each item works on, numbered as the items are; items
    sharing a spot spread along it. Also each item's place in words and its close-ups."""
    named = [(n, item, spots_of(item)) for n, item in enumerate(plan.items, start=1)]
    crowd = Counter(spot for _number, _item, spots in named for spot in spots)
    seen: Counter[str] = Counter()
    marks, places = [], []
    for number, item, spots in named:
        label, kind, own = f"{number}. {item.name}", Kind(item.kind), []
        for name in spots:
            spot, nth = SPOTS[name], seen[name]
            seen[name] += 1
            for side in SIDES:
                x, y = spread(spot, side, crowd[name])[nth]
                own.append(Mark(spot.view, x, y, kind, label, number, name, side))
        marks += own
        where = [_in_words(SPOTS[name]) for name in spots]
        places.append(Place(number, label, kind, Area(item.area), where, closeups(own)))
    return BodyMap(marks, places)
