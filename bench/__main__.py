"""Seed throwaway databases, measure the hot requests and the e-mail pipeline, print a table,
write .bench/latest.json."""

from __future__ import annotations

import sys

from bench import growth, mail, plans, report, reports
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

    print("measuring the e-mail sweep and send rate (seeding 100,000 clients takes a while)...")
    mail_figures = mail.run(started)
    results += [mail_figures.sweep, mail_figures.rerun]
    counts = dataset.counts() | mail_figures.counts
    print(report.table(results, database=database, counts=counts, extra=mail_figures.extra))
    plan_figures = plans.run()
    print(plans.table(plan_figures))
    print("\nmeasuring free times as the therapists and the history grow...")
    growth_cases = growth.run()
    print(growth.table(growth_cases))
    print("\nmeasuring each report on the 100,000-client spa, on SQLite and on PostgreSQL...")
    report_figures = reports.run(started)
    print(reports.table(report_figures))
    document = report.figures(results, database=database, counts=counts, now=started)
    extra = mail_figures.extra | plan_figures | {"free_times_growth": growth_cases}
    extra["reports"] = report_figures
    path = report.write(document | extra)
    print(f"\nwrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
