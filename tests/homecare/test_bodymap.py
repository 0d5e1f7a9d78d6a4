"""The body map's geometry: every marker on the body, on the side it names, off the throat and
beside (never on) the spine, however many routines share a spot; and the plan page's links from
each marker to its routine."""

from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from spa_app.extensions import db
from spa_app.homecare import bodymap
from spa_app.homecare.bodymap import (
    AREA_DEFAULT_SPOTS,
    MIDLINE,
    OUTLINES,
    POINT_DEFAULT_SPOTS,
    RADIUS,
    SIDES,
    SPINE,
    SPOTS,
    THROAT,
    check_spots,
    figure,
    spread,
)
from spa_app.homecare.library import load_library
from spa_app.homecare.models import Routine
from spa_app.homecare.vocab import Area
from tests import factories

#: A marker's centre lies at least this far inside the outline: most of the marker is on the body.
EDGE = 3
#: Back markers between the skull and the tailbone keep this far from the spine's midline, so
#: not even their rim touches it.
SPINE_CLEARANCE = RADIUS + 2
CROWDS = (1, 2, 3, 5, 8)


def inside(point, polygon) -> bool:
    """Even-odd ray casting."""
    x, y = point
    crossings = 0
    for (x1, y1), (x2, y2) in zip(polygon, polygon[1:] + polygon[:1], strict=True):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            crossings += 1
    return crossings % 2 == 1


def to_edge(point, polygon) -> float:
    """The distance from ``point`` to the nearest edge of ``polygon``."""
    px, py = point
    best = float("inf")
    for (x1, y1), (x2, y2) in zip(polygon, polygon[1:] + polygon[:1], strict=True):
        dx, dy = x2 - x1, y2 - y1
        t = max(0.0, min(1.0, ((px - x1) * dx + (py - y1) * dy) / (dx * dx + dy * dy)))
        best = min(best, ((px - x1 - t * dx) ** 2 + (py - y1 - t * dy) ** 2) ** 0.5)
    return best


def every_marker():
    """(spot name, side, crowd, point) for every spot, side and crowd size in CROWDS."""
    for name, spot in SPOTS.items():
        for side, crowd in itertools.product(SIDES, CROWDS):
            for point in spread(spot, side, crowd):
                yield name, side, crowd, point


def item(area: str, kind: str = "routine", spots=None, name: str = "Routine"):
    fields = {"name": name, "area": area, "kind": kind}
    return SimpleNamespace(**fields, **({} if spots is None else {"spots": spots}))


def test_the_outlines_are_simple_polygons_of_a_200_by_400_figure():
    for points in OUTLINES.values():
        edges = list(zip(points, points[1:] + points[:1], strict=True))
        assert all(0 <= x <= 200 and 0 <= y <= 400 for x, y in points)
        for (i, a), (j, b) in itertools.combinations(enumerate(edges), 2):
            if j - i > 1 and not (i == 0 and j == len(edges) - 1):  # neighbours share a point
                assert not crossing(a, b), (a, b)
        mirrored = {(200 - x, y) for x, y in points}
        assert mirrored == set(points)  # left and right halves alike


def crossing(a, b) -> bool:
    def turn(p, q, r):
        return (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])

    (p1, p2), (p3, p4) = a, b
    return turn(p1, p2, p3) * turn(p1, p2, p4) < 0 and turn(p3, p4, p1) * turn(p3, p4, p2) < 0


def test_every_marker_lies_inside_its_figure():
    for name, side, crowd, point in every_marker():
        outline = OUTLINES[SPOTS[name].view]
        assert inside(point, outline), (name, side, crowd, point)
        assert to_edge(point, outline) >= EDGE, (name, side, crowd, point)


def test_every_marker_is_on_the_side_it_names():
    """The person's left is the viewer's right on the front figure, the viewer's left behind."""
    for name, side, _, (x, _) in every_marker():
        on_viewers_right = x > MIDLINE
        assert on_viewers_right == ((side == "left") == (SPOTS[name].view == "front")), name
        assert bodymap.side_of(SPOTS[name].view, x) == side


def test_no_marker_covers_the_throat():
    x0, y0, x1, y1 = THROAT
    for name, side, crowd, (x, y) in every_marker():
        if SPOTS[name].view == "front":
            nearest = (min(max(x, x0), x1), min(max(y, y0), y1))
            gap = ((x - nearest[0]) ** 2 + (y - nearest[1]) ** 2) ** 0.5
            assert gap >= RADIUS, (name, side, crowd, (x, y))


def test_no_marker_sits_on_the_spine():
    top, bottom = SPINE
    for name, side, crowd, (x, y) in every_marker():
        if SPOTS[name].view == "back" and top - RADIUS <= y <= bottom + RADIUS:
            assert abs(x - MIDLINE) >= SPINE_CLEARANCE, (name, side, crowd, (x, y))


def test_every_spot_is_a_line_on_one_figure_in_words():
    for spot in SPOTS.values():
        assert spot.view in ("front", "back") and spot.words and spot.start != spot.end


def test_calves_are_on_the_back_and_palms_face_forward():
    assert SPOTS["calves"].view == "back" and SPOTS["backs_of_hands"].view == "back"
    assert SPOTS["palms"].view == "front" and SPOTS["arches"].view == "back"
    assert SPOTS["neck_back"].view == "back"


def test_lone_markers_of_different_spots_do_not_overlap():
    alone = {
        (name, side): spread(spot, side, 1)[0] for name, spot in SPOTS.items() for side in SIDES
    }
    for (a, side_a), (b, side_b) in itertools.combinations(alone, 2):
        if SPOTS[a].view == SPOTS[b].view and side_a == side_b:
            (xa, ya), (xb, yb) = alone[a, side_a], alone[b, side_b]
            assert ((xa - xb) ** 2 + (ya - yb) ** 2) ** 0.5 >= 2 * RADIUS, (a, b)


@pytest.mark.parametrize("name", sorted(SPOTS))
def test_many_items_on_one_spot_spread_along_it_inside_the_body(name):
    plan = SimpleNamespace(items=[item("neck", spots=[name], name=f"R{n}") for n in range(8)])
    marks = list(figure(plan))
    assert len(marks) == 16  # each item, both sides
    outline = OUTLINES[SPOTS[name].view]
    for side in SIDES:
        points = [(m.x, m.y) for m in marks if m.side == side]
        assert len(set(points)) == 8  # spread, not stacked
        assert all(inside(p, outline) and to_edge(p, outline) >= EDGE for p in points)
    assert [m.number for m in marks] == [n for n in range(1, 9) for _ in SIDES]


def test_two_items_on_one_spot_sit_a_marker_apart_where_there_is_room():
    plan = SimpleNamespace(items=[item("lower_back", name="A"), item("lower_back", name="B")])
    a, b = [(m.x, m.y) for m in figure(plan) if m.side == "left"]
    assert ((a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2) ** 0.5 >= 2 * RADIUS


def test_every_area_has_default_spots_that_exist():
    assert set(AREA_DEFAULT_SPOTS) == set(Area)
    for spots in [*AREA_DEFAULT_SPOTS.values(), *POINT_DEFAULT_SPOTS.values()]:
        assert spots and check_spots(spots) == []


def test_unknown_spot_names_are_refused():
    assert check_spots(["calves", "throat", "spine", "palms"]) == ["throat", "spine"]
    assert check_spots([]) == [] and check_spots(list(SPOTS)) == []


def test_an_item_uses_its_own_spots_else_its_area_and_kinds_default():
    assert bodymap.spots_of(item("neck", spots=["neck_sides", "base_of_skull"])) == [
        "neck_sides",
        "base_of_skull",
    ]
    assert bodymap.spots_of(item("neck")) == ["neck_back"]  # no spots attribute at all
    assert bodymap.spots_of(item("neck", spots=[])) == ["neck_back"]
    assert bodymap.spots_of(item("neck", spots=["throat"])) == ["neck_back"]  # unknown: default
    point = item("lower_back", kind="pressure_point")
    assert bodymap.spots_of(point) == ["base_of_spine_points"]


def test_each_item_gets_its_words_and_a_close_up_of_just_its_markers():
    plan = SimpleNamespace(
        items=[
            item("neck", spots=["neck_back", "palms"], name="Both views"),
            item("hands_wrists", spots=["palms"], name="Hands"),
            item("lower_legs_feet", spots=["calves"], name="Calves"),
        ]
    )
    found = figure(plan)
    both, hands, calves = found.places
    assert [c.view for c in both.closeups] == ["front", "front", "back"]  # hands far apart
    assert hands.where == ["the palms and fingers (front figure)"]
    assert [c.caption for c in hands.closeups] == [
        "Right side, from the front",
        "Left side, from the front",
    ]
    (crop,) = calves.closeups
    assert crop.caption == "From behind" and {m.side for m in crop.marks} == {"left", "right"}
    x, y, w, h = crop.box
    assert all(x < m.x < x + w and y < m.y < y + h for m in crop.marks)
    assert x >= 0 and y >= 0 and x + w <= 200 and y + h <= 400
    assert {m.number for c in hands.closeups for m in c.marks} == {2}
    assert [word for word, _, _ in crop.side_labels] == ["Left", "Right"]  # seen from behind


# The plan page ------------------------------------------------------------------------------


@pytest.fixture
def published(app):
    """A client's published plan with a routine of each area, and the client."""
    load_library()
    db.session.commit()
    svc, (anna,), (room,) = factories.spa()
    me = factories.user()
    visit = factories.booking(me, anna, room, svc, datetime.now(UTC) - timedelta(hours=2))
    routines = db.session.execute(db.select(Routine).order_by(Routine.id)).scalars().all()
    chosen = {r.area: r for r in reversed(routines)}  # one per area
    return me, factories.plan(visit, routines=chosen.values())


def test_each_marker_links_to_its_routines_card_with_a_name(client, published):
    me, plan = published
    factories.login(client, me)
    page = client.get(f"/plans/{plan.id}").get_data(as_text=True)
    links = re.findall(r'<a href="#(item-\d+)" aria-label="([^"]+)" class="mark-link">', page)
    assert len(links) == sum(2 * len(bodymap.spots_of(i)) for i in plan.items)  # both sides
    cards = set(re.findall(r'<article class="routine" id="(item-\d+)">', page))
    assert {anchor for anchor, _ in links} == cards == {f"item-{n}" for n in range(1, 7)}
    assert all(
        re.fullmatch(r"\d+\. .+: .+, (left|right) side\. Go to its steps", n) for _, n in links
    )
    assert page.count('<svg class="closeup"') >= len(plan.items)
    listed = page[page.index('class="map-list"') :]
    assert all(f'<a href="#item-{n}">' in listed for n in range(1, 7))
    assert "Left and Right are your own" in page
