"""Seed a throwaway database, measure the hot requests, print a table, write .bench/latest.json."""

from __future__ import annotations

import sys

from bench import report
from bench.database import build_app, migrate, temporary_database
from bench.dataset import seed
from bench.measure import StatementCounter
from bench.scenarios import run_all
from spa_app.database import utcnow
from spa_app.extensions import db


def main() -> int:
    started = utcnow()
    with temporary_database() as url:
        app = build_app(url)
        migrate(app)
        with app.app_context():
            dataset = seed(started)
            engine = db.engine
            database = engine.dialect.name
        # Requests run outside any app context, so each gets its own context and session.
        try:
            results = run_all(app, dataset, StatementCounter(engine))
        finally:
            engine.dispose()

    counts = dataset.counts()
    print(report.table(results, database=database, counts=counts))
    path = report.write(report.figures(results, database=database, counts=counts, now=started))
    print(f"\nwrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
