"""Showing the figures: a table on stdout and the same numbers in ``.bench/latest.json``."""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path

from bench.measure import RUNS, WARMUP, Measurement

OUTPUT = Path(__file__).resolve().parent.parent / ".bench" / "latest.json"


def figures(
    results: list[Measurement], *, database: str, counts: dict[str, int], now: datetime
) -> dict:
    """The JSON document: ``<name>_ms`` medians, ``<name>_p90_ms``, ``sql_statements_<name>``."""
    out: dict = {
        "database": database,
        "timestamp": now.isoformat(timespec="seconds"),
        # Other work on the machine skews the figures; this says how busy it was at the end.
        "load_average_1m": round(os.getloadavg()[0], 2),
    }
    for m in results:
        out[f"{m.name}_ms"] = round(m.median_ms, 3)
    for m in results:
        out[f"{m.name}_p90_ms"] = round(m.p90_ms, 3)
    for m in results:
        out[f"sql_statements_{m.name}"] = m.sql_statements
    out.update(counts)
    out["runs"] = RUNS
    out["warmup"] = WARMUP
    out["targets_sqlite_ms"] = {m.name: m.target_ms for m in results}
    return out


def write(document: dict, path: Path = OUTPUT) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2) + "\n")
    return path


def table(results: list[Measurement], *, database: str, counts: dict[str, int], extra: dict) -> str:
    """A plain-text table; the verdict column only on SQLite, which the targets are for."""
    judged = database == "sqlite"
    header = f"{'request':<38} {'median ms':>10} {'p90 ms':>9} {'target ms':>10} {'SQL':>5}"
    if judged:
        header += "  verdict"
    lines = [
        f"Spa benchmark on {database}: "
        + ", ".join(f"{value:,} {key.removeprefix('dataset_')}" for key, value in counts.items()),
        f"median and p90 of {RUNS} runs after {WARMUP} warm-up runs; SQL = statements per request;"
        " targets are for SQLite on a 2-core machine",
        f"load average (1 min) {os.getloadavg()[0]:.2f}: other work on the machine skews timings",
        "",
        header,
        "-" * len(header),
    ]
    for m in results:
        line = (
            f"{m.name:<38} {m.median_ms:>10.2f} {m.p90_ms:>9.2f} {m.target_ms:>10.1f}"
            f" {m.sql_statements:>5}"
        )
        if judged:
            line += "  ok" if m.median_ms <= m.target_ms else "  OVER"
        lines.append(line)
    if judged:
        lines.append("(SQLite's counts include the BEGIN the app sends; PostgreSQL's is implicit)")
    lines += ["", *(f"{key}: {value}" for key, value in extra.items())]
    return "\n".join(lines)
