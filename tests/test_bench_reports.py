"""The reports benchmark runs end to end on a small spa, on SQLite and on PostgreSQL, and its
statement counts are the reports' own (so `make bench` cannot break or drift unnoticed)."""

from __future__ import annotations

from bench import mail, reports
from bench.database import temporary_postgresql, temporary_sqlite
from spa_app.database import utcnow
from tests.conftest import PG_ADMIN_URL

#: Each report's statements (SQLite's count adds the BEGIN the app sends).
STATEMENTS = {"visits": 1, "utilisation": 2, "rebooking": 1, "retention": 1, "nudges": 1,
              "ratings": 2, "revenue": 3, "home_care": 1, "home_care_weeks": 1}  # fmt: skip


def test_each_report_timed_on_both_backends(monkeypatch, pg_url):
    monkeypatch.setattr(mail, "CLIENTS", 300)
    monkeypatch.setattr(reports, "RUNS", 1)
    now = utcnow()
    found = {
        "sqlite": reports._on(temporary_sqlite(), now),
        "postgresql": reports._on(temporary_postgresql(PG_ADMIN_URL), now),
    }
    for backend, begin in (("sqlite", 1), ("postgresql", 0)):
        figures = found[backend]
        assert {k: figures[k]["sql_statements"] for k in STATEMENTS} == {
            k: n + begin for k, n in STATEMENTS.items()
        }, backend
        # The page runs every report, and reads the log-in and the choices besides.
        page = figures["page"]
        assert page["median_ms"] > 0 and page["sql_statements"] > sum(STATEMENTS.values())
        assert figures["dataset"]["plans"] > 0 and figures["dataset"]["ticks"] > 0
    table = reports.table(found)
    assert "home_care_weeks" in table and "PostgreSQL ms" in table
