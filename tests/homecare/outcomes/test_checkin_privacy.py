"""Check-ins are health data: in the client's download (a fixed number of statements) and
erased with their account, Bea's staying; on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import sqlalchemy as sa

from spa_app.accounts.models import User
from spa_app.database import unit_of_work, utcnow
from spa_app.extensions import db
from spa_app.homecare.outcomes.models import CheckIn, CheckInScore
from spa_app.privacy import erasure, export
from spa_app.privacy.export import export_for
from tests import factories
from tests.homecare.outcomes.conftest import build_cast, visit_link, week_link
from tests.privacy.cast import export_statements

SCHEMA = json.loads((Path(export.__file__).parent / "export.schema.json").read_text())


def _check_in(app, client, cast) -> None:
    """Cora rates her week and, before her visit, her neck; Bea rates her wrists."""
    week = week_link(app, cast.cora.id)
    assert (
        client.post(week, data={"area-neck": "5", "area-lower_back": "2", "goal": "7"}).status_code
        == 200
    )
    visit = visit_link(app, cast.cora.id, cast.visit.id)
    assert client.post(visit, data={"area-neck": "4"}).status_code == 200
    assert (
        client.post(week_link(app, cast.bea.id), data={"area-hands_wrists": "6"}).status_code == 200
    )


def _rows_of(client_id: int) -> dict[str, int]:
    factories.fresh()
    mine = sa.select(CheckIn.id).where(CheckIn.client_id == client_id)
    return {
        "checkins": db.session.execute(
            sa.select(sa.func.count()).where(CheckIn.client_id == client_id)
        ).scalar_one(),
        "scores": db.session.execute(
            sa.select(sa.func.count()).where(CheckInScore.checkin_id.in_(mine))
        ).scalar_one(),
    }


def test_the_download_holds_every_checkin_with_its_scores(app, client, cast):
    _check_in(app, client, cast)
    factories.login(client, cast.cora)
    reply = client.get("/account/data/download")
    data = json.loads(reply.get_data(as_text=True))
    jsonschema.validate(data, SCHEMA)
    week, visit = data["checkins"]
    assert week["period"].startswith("week:") and week["booking_id"] is None
    assert (week["scores"], week["goal"], week["goal_score"]) == (
        {"neck": 5, "lower_back": 2}, "stress", 7,
    )  # fmt: skip
    assert (visit["period"], visit["booking_id"], visit["scores"]) == (
        f"visit:{cast.visit.id}", cast.visit.id, {"neck": 4},
    )  # fmt: skip
    assert week["first_saved_at"].endswith("Z") and week["first_saved_at_local"][-6] in "+-"
    assert "hands_wrists" not in reply.get_data(as_text=True)  # Bea's are hers


def test_the_checkins_cost_one_statement_whatever_their_number(app, client, cast):
    export_statements(cast.cora.id)  # the spa's time zone, read once
    without = export_statements(cast.cora.id)
    _check_in(app, client, cast)
    with_some = export_statements(cast.cora.id)
    assert with_some == without and with_some <= 16
    for monday in ("2026-11-02", "2026-11-09", "2026-11-16"):
        link = week_link(app, cast.cora.id, period=f"week:{monday}")
        assert client.post(link, data={"area-neck": "3", "area-lower_back": "1"}).status_code == 200
    assert export_statements(cast.cora.id) == with_some
    assert len(export_for(db.session.get(User, cast.cora.id), utcnow())["checkins"]) == 5


def test_deleting_the_account_erases_her_checkins_and_keeps_beas(app, client, cast):
    _check_in(app, client, cast)
    assert _rows_of(cast.cora.id) == {"checkins": 2, "scores": 3}
    factories.login(client, cast.cora)
    assert client.post("/account/delete", data={"password": factories.PASSWORD}).status_code == 302
    assert _rows_of(cast.cora.id) == {"checkins": 0, "scores": 0}
    assert _rows_of(cast.bea.id) == {"checkins": 1, "scores": 1}
    # Her old link now leads nowhere.
    assert client.get(week_link(app, cast.cora.id)).status_code == 404


def test_staff_erasing_for_her_erases_the_checkins_too(app, client, cast):
    _check_in(app, client, cast)
    factories.fresh()
    with unit_of_work():
        cora = db.session.get(User, cast.cora.id)
        erasure.erase_for_client(cora, actor=db.session.get(User, cast.staff.id), now=utcnow())
    assert _rows_of(cast.cora.id) == {"checkins": 0, "scores": 0}
    assert _rows_of(cast.bea.id)["checkins"] == 1


@pytest.mark.postgres
def test_deleting_erases_the_checkins_on_postgresql(pg_app, pg_client):
    cast = build_cast()
    _check_in(pg_app, pg_client, cast)
    factories.login(pg_client, cast.cora)
    reply = pg_client.post("/account/delete", data={"password": factories.PASSWORD})
    assert reply.status_code == 302
    assert _rows_of(cast.cora.id) == {"checkins": 0, "scores": 0}
    assert _rows_of(cast.bea.id) == {"checkins": 1, "scores": 1}
