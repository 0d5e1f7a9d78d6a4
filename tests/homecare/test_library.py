"""The technique library: every area and both pressure points from the seed articles, as data."""

from __future__ import annotations

import json

from spa_app.extensions import db
from spa_app.homecare.library import LIBRARY_FILE, load_library, techniques
from spa_app.homecare.models import Routine
from spa_app.homecare.vocab import Area, Kind

ENTRIES = json.loads(LIBRARY_FILE.read_text())


def routines() -> list[Routine]:
    return db.session.execute(db.select(Routine).order_by(Routine.id)).scalars().all()


def test_every_area_has_a_routine_and_both_pressure_points_are_there(app):
    assert load_library() == len(ENTRIES)
    rows = routines()
    assert {r.area for r in rows if r.kind is Kind.ROUTINE} == set(Area)
    points = {r.area: r for r in rows if r.kind is Kind.PRESSURE_POINT}
    # The seeds name two: the top of the shoulders and the base of the spine.
    assert set(points) == {Area.SHOULDERS, Area.LOWER_BACK}
    assert "halfway between the neck and the arm" in points[Area.SHOULDERS].steps
    assert "either side of the spine" in points[Area.LOWER_BACK].summary


def test_the_seeds_habits_are_in_the_steps(app):
    load_library()
    by_name = {r.name: r for r in routines()}
    hands = by_name["Hand and finger massage"]
    assert 5 <= hands.minutes <= 10 and hands.times_per_week == 7  # five to ten minutes a day
    assert "warm" in hands.step_list[0].lower()  # warm up first
    for point in (r for r in by_name.values() if r.kind is Kind.PRESSURE_POINT):
        text = point.steps.lower()
        assert "one to two minutes" in text and "thumb" in text and "index finger" in text
        assert "breath" in text
    rollers = [r for r in by_name.values() if {"foam roller", "tennis ball"} & set(r.tools)]
    assert rollers and all(r.excluded_by for r in rollers if r.pressure >= 2 and "back" in r.area)


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
