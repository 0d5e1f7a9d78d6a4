"""``flask spa suggest-plan``: an intake as JSON in, the draft as JSON out, over a table of
intakes that covers each fault the review found; bad input is one line and exit status 2."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from spa_app.extensions import db
from spa_app.homecare.library import load_library
from spa_app.homecare.models import Routine

BASE = {
    "areas": {"neck": 6, "lower_back": 3},
    "goals": ["pain_relief"],
    "contexts": ["desk_work"],
    "pressure": "medium",
    "minutes_per_day": 15,
    "conditions": {},
}
EVERY_AREA = ["neck", "shoulders", "upper_back", "lower_back", "hands_wrists", "lower_legs_feet"]
ITEM_KEYS = {"routine", "area", "kind", "minutes", "days", "pressure", "why"}


def suggest(app, intake: dict, *args: str) -> dict:
    result = app.test_cli_runner().invoke(
        args=["spa", "suggest-plan", "-", *args], input=json.dumps(intake)
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def routines(draft) -> set[str]:
    return {i["routine"] for i in draft["items"]}


def reasons(draft) -> dict:
    return {(x["area"], x["routine"]): x["reason"] for x in draft["left_out"]}


@pytest.fixture
def library(app):
    load_library()
    db.session.commit()


CASES = {
    # The issue's own example: pregnancy and an injured lower back.
    "pregnancy and an injured lower back": (
        {**BASE, "conditions": {"pregnancy": [], "recent_injury": ["lower_back"]}},
        lambda d: (
            {i["area"] for i in d["items"]} == {"neck"}
            and d["needs_review"]
            and reasons(d)[("lower_back", None)].startswith("Nothing suitable")
            and all(i["pressure"] == "light" for i in d["items"])
        ),
    ),
    "pregnancy: no shoulder point, no calf or ankle work": (
        {
            **BASE,
            "areas": dict.fromkeys(
                [
                    "neck",
                    "shoulders",
                    "upper_back",
                    "lower_back",
                    "hands_wrists",
                    "lower_legs_feet",
                ],
                6,
            ),
            "minutes_per_day": 60,
            "conditions": {"pregnancy": []},
        },  # fmt: skip
        lambda d: (
            "Top-of-the-shoulders pressure point" not in routines(d)
            and reasons(d)[("shoulders", "Top-of-the-shoulders pressure point")]
            == "Left out because of pregnancy."
            and not any("calf" in r.lower() or "ankle" in r.lower() for r in routines(d))
        ),
    ),
    "an injury leaves its area out": (
        {**BASE, "conditions": {"recent_injury": ["neck"]}},
        lambda d: (
            "neck" not in {i["area"] for i in d["items"]}
            and any(k[0] == "neck" and "recent injury" in v for k, v in reasons(d).items())
        ),
    ),
    "severe pain alone asks for review": (
        {**BASE, "areas": {"neck": 9}},
        lambda d: d["needs_review"] and d["review_reasons"] == ["Severe pain in the neck (9/10)."],
    ),
    "hand massage keeps its five minutes": (
        {**BASE, "areas": {"hands_wrists": 5}, "minutes_per_day": 8},
        lambda d: all(i["minutes"] >= 5 for i in d["items"]) and len(d["items"]) == 1,
    ),
    "a small plan for every area at 10 and an hour a day": (
        {
            **BASE,
            "areas": dict.fromkeys(
                [
                    "neck",
                    "shoulders",
                    "upper_back",
                    "lower_back",
                    "hands_wrists",
                    "lower_legs_feet",
                ],
                10,
            ),
            "minutes_per_day": 60,
        },  # fmt: skip
        lambda d: (
            len(d["items"]) == 5
            and reasons(d)[("lower_legs_feet", None)].startswith("The plan is kept to 5 items")
        ),
    ),
    "a 1/10 area waits while a 2/10 area does not fit": (
        {**BASE, "areas": {"hands_wrists": 2, "neck": 1}, "minutes_per_day": 7},
        lambda d: (
            d["items"] == []
            and reasons(d)[("neck", None)].startswith("No time left")
            and d["empty_reason"].startswith("Nothing could be suggested")
        ),
    ),
    "a fever: an empty draft that says why": (
        {**BASE, "conditions": {"fever_infection": []}},
        lambda d: d["items"] == [] and "fever" in d["empty_reason"] and d["needs_review"],
    ),
    "the warm-up and rest count": (
        {**BASE, "areas": {"neck": 5}, "minutes_per_day": 6},
        lambda d: (
            all(i["minutes"] + 3 <= 6 for i in d["items"])
            and d["session"] == {"warm_up_minutes": 1, "rest_minutes": 2}
        ),
    ),
    "no tension": (
        {**BASE, "areas": {}},
        lambda d: d["items"] == [] and "No area was scored" in d["empty_reason"],
    ),
}


@pytest.mark.parametrize("name", CASES)
def test_the_draft_for_each_intake(app, library, name):
    intake, holds = CASES[name]
    draft = suggest(app, intake)
    assert holds(draft), json.dumps(draft, indent=1)
    for item in draft["items"]:
        assert set(item) >= ITEM_KEYS and item["kind"] in ("routine", "pressure_point")
        assert item["pressure"] in ("light", "medium", "firm") and item["why"]
        assert all(0 <= d <= 6 for d in item["days"])
    # The shipped files give the same draft as the database loaded from them.
    assert suggest(app, intake, "--from-files") == draft


def test_a_library_change_shows_in_the_next_draft(app, library):
    before = suggest(app, BASE)
    first = db.session.execute(
        db.select(Routine).where(Routine.name == before["items"][0]["routine"])
    ).scalar_one()
    first.active = False
    db.session.commit()
    assert first.name not in routines(suggest(app, BASE))


@pytest.mark.parametrize(
    "text,message",
    [
        ("{not json", "not valid JSON"),
        ("[]", "expected a JSON object"),
        (json.dumps({**BASE, "areas": {"knee": 3}}), "unknown value 'knee'"),
        (json.dumps({**BASE, "areas": {"neck": 11}}), "from 0 to 10, got 11"),
        (json.dumps({**BASE, "areas": {"neck": True}}), "got True"),
        (json.dumps({**BASE, "goals": ["world_peace"]}), "unknown value 'world_peace'"),
        (json.dumps({**BASE, "pressure": "crushing"}), "expected light, medium or firm"),
        (json.dumps({**BASE, "pressure": ["firm"]}), "expected light, medium or firm"),
        (json.dumps({**BASE, "medicines": 3}), '"medicines": expected text'),
        (json.dumps({**BASE, "minutes_per_day": 4}), "from 5 to 60"),
        (json.dumps({**BASE, "conditions": {"flu": []}}), "unknown value 'flu'"),
        (json.dumps({**BASE, "conditions": {"recent_injury": "neck"}}), "expected a list"),
        (json.dumps({**BASE, "colour": "blue"}), "unknown key 'colour'"),
    ],
)
def test_bad_input_is_one_clear_line_and_exit_status_2(app, text, message):
    result = app.test_cli_runner().invoke(args=["spa", "suggest-plan", "-"], input=text)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and message in result.stderr


def test_it_runs_from_outside_with_a_file(tmp_path):
    """As staff run it: a real process, a file argument, the shipped library files."""
    intake = tmp_path / "intake.json"
    intake.write_text(json.dumps(BASE))
    env = {**os.environ, "SPA_SECRET_KEY": "cli-test",
           "SPA_SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'none.db'}"}  # fmt: skip
    flask = [sys.executable, "-m", "flask", "--app", "spa_app", "spa", "suggest-plan"]
    done = subprocess.run(
        [*flask, str(intake), "--from-files"], capture_output=True, text=True, env=env, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["items"][0]["area"] == "neck"
    bad = subprocess.run(
        [*flask, "-"], input="{", capture_output=True, text=True, env=env, timeout=60
    )
    assert bad.returncode == 2 and bad.stderr.startswith("Error: not valid JSON")
