"""The technique library: every area and both pressure points from the seed articles, as data."""

from __future__ import annotations

import json
import re

import pytest

from spa_app.extensions import db
from spa_app.homecare.bodymap import check_spots
from spa_app.homecare.library import LIBRARY_FILE, load_library, techniques
from spa_app.homecare.models import Routine
from spa_app.homecare.vocab import Area, Kind, TimeOfDay

ENTRIES = json.loads(LIBRARY_FILE.read_text())


def routines() -> list[Routine]:
    return db.session.execute(db.select(Routine).order_by(Routine.id)).scalars().all()


def test_every_area_has_three_routines_and_both_seed_points_are_there(app):
    assert load_library() == len(ENTRIES)
    rows = routines()
    for area in Area:
        assert len([r for r in rows if r.area is area]) >= 3, area
    points = {r.area: r for r in rows if r.kind is Kind.PRESSURE_POINT}
    # The seeds name two: the top of the shoulders and the base of the spine.
    assert set(points) == {Area.SHOULDERS, Area.LOWER_BACK}
    assert "halfway between the neck and the arm" in points[Area.SHOULDERS].summary
    assert "either side of the spine" in points[Area.LOWER_BACK].summary
    for point in points.values():  # held, on each side, one to two minutes
        assert 60 <= point.hold_seconds <= 120 and point.sides == 2
        assert point.min_minutes * 60 >= point.hold_seconds * point.sides


def test_every_routine_carries_its_dose_as_data():
    for e in ENTRIES:
        assert 1 <= e["min_minutes"] <= e["minutes"] <= 30, e["name"]
        assert 1 <= e["times_per_week"] <= 7 and e["sides"] in (1, 2)
        assert (e["hold_seconds"] is not None) == (e["kind"] == "pressure_point"), e["name"]
        if e["deep_tool"]:
            assert e["times_per_week"] <= 3 and e["build_up"], e["name"]
        assert e["time_of_day"] in {t.value for t in TimeOfDay}
        assert set(e["also_areas"]) <= {a.value for a in Area}


def test_every_routine_marks_known_spots_on_the_body_map():
    for e in ENTRIES:
        assert e["spots"] and check_spots(e["spots"]) == [], e["name"]
    neck = {s for e in ENTRIES if e["area"] == "neck" for s in e["spots"]}
    assert neck <= {"neck_back", "neck_sides", "base_of_skull", "top_of_shoulders"}
    calves = [e for e in ENTRIES if "calf" in e["name"].lower()]
    assert all("calves" in e["spots"] for e in calves)  # on the back figure


def test_a_library_file_with_an_unknown_spot_is_refused(app, tmp_path):
    broken = tmp_path / "library.json"
    broken.write_text(json.dumps([{**ENTRIES[0], "spots": ["throat"]}]))
    with pytest.raises(ValueError, match="unknown body-map spots"):
        load_library(broken)


def test_the_seeds_habits_are_in_the_library(app):
    load_library()
    by_name = {r.name: r for r in routines()}
    hands = by_name["Hand and finger massage"]
    assert 5 <= hands.min_minutes <= hands.minutes <= 10 and hands.times_per_week == 7
    # Hands before bed for sleep; oil or lotion as a tool; the goals the seeds add.
    bedtime = by_name["Hand massage with lotion before bed"]
    assert bedtime.time_of_day == "before_bed" and "sleep" in bedtime.goals
    assert any("oil or lotion" in r.tools for r in by_name.values())
    goals = {g for r in by_name.values() for g in r.goals}
    assert {"headaches", "posture", "cramps"} <= goals
    # A whole neck-to-feet sequence, finishing with strokes towards the heart and rest.
    sequence = by_name["Neck-to-feet self-massage sequence"]
    assert {"neck", "lower_legs_feet"} <= set(sequence.also_areas)
    ending = " ".join(sequence.step_list[-3:]).lower()
    assert "heart" in ending and "lie" in ending and "water" in ending


def test_leg_strokes_run_towards_the_heart():
    for e in ENTRIES:
        text = " ".join(e["steps"]).lower()
        assert "towards the ankle" not in text and "toward the ankle" not in text, e["name"]
        if (
            e["area"] == "lower_legs_feet"
            and "circulation" in e["goals"]
            and "calf" in e["name"].lower()
        ):
            assert re.search(r"towards? (the )?(knee|heart)|up from the ankle", text), e["name"]


def test_the_neck_caution_keeps_off_the_front_and_under_the_jaw():
    for e in (e for e in ENTRIES if e["area"] == "neck"):
        caution = e["caution"].lower()
        assert "front" in caution and "jaw" in caution, e["name"]


def test_no_words_name_a_pressure_level_the_plan_may_contradict():
    """The plan shows each item's pressure; steps and cautions never say light, deep or firm."""
    words = re.compile(r"\b(light|medium|firm|deep) (pressure|but)\b|\bdeep but steady\b")
    for e in ENTRIES:
        for text in [*e["steps"], e["caution"], e["summary"]]:
            assert not words.search(text.lower()), (e["name"], text)


def test_pregnancy_excludes_the_seed_points_and_the_calf_and_ankle_work():
    for e in ENTRIES:
        text = " ".join([e["name"], *e["steps"]]).lower()
        if e["kind"] == "pressure_point" or "calf" in text or "ankle" in text or e["deep_tool"]:
            if e["deep_tool"] and "wall" in e["tools"]:  # standing against a wall: allowed
                continue
            assert "pregnancy" in e["excluded_by"], e["name"]


def test_loading_again_adds_nothing_and_keeps_staff_edits(app):
    load_library()
    first = routines()[0]
    first.minutes = 9
    db.session.commit()
    assert load_library() == 0
    db.session.commit()
    assert routines()[0].minutes == 9 and len(routines()) == len(ENTRIES)


def test_the_generator_reads_only_active_routines(app):
    load_library()
    hidden = routines()[0]
    hidden.active = False
    db.session.commit()
    ids = {t.id for t in techniques()}
    assert hidden.id not in ids and len(ids) == len(ENTRIES) - 1


def test_the_cli_loads_the_library(app):
    result = app.test_cli_runner().invoke(args=["spa", "load-techniques"])
    assert f"{len(ENTRIES)} routine(s) added" in result.output
