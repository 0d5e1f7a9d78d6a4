"""Timing and SQL-counting helpers: run a request many times, keep the median and the p90."""

from __future__ import annotations

import gc
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from time import perf_counter_ns

from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.test import TestResponse

RUNS = 50
WARMUP = 5


class StatementCounter:
    """Counts every statement the engine sends to the database (``before_cursor_execute``)."""

    def __init__(self, engine: Engine):
        self.count = 0
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, conn, cursor, statement, parameters, context, executemany) -> None:
        self.count += 1

    def reset(self) -> None:
        self.count = 0


@dataclass
class Measurement:
    """One measured request: wall-clock samples and statement counts, one per run."""

    name: str
    target_ms: float
    samples_ns: list[int] = field(default_factory=list)
    statements: list[int] = field(default_factory=list)

    @property
    def median_ms(self) -> float:
        return statistics.median(self.samples_ns) / 1e6

    @property
    def p90_ms(self) -> float:
        return statistics.quantiles(self.samples_ns, n=10, method="inclusive")[-1] / 1e6

    @property
    def sql_statements(self) -> int:
        """Statements of one request (the largest seen, should runs ever differ)."""
        return max(self.statements)


class UnexpectedResponse(RuntimeError):
    """A measured request answered with the wrong status: its timing would mean nothing."""


def measure(
    name: str,
    target_ms: float,
    request: Callable[[int], TestResponse],
    counter: StatementCounter,
    *,
    expect: int = 200,
    runs: int = RUNS,
    warmup: int = WARMUP,
) -> Measurement:
    """Call ``request(i)`` ``warmup`` times unmeasured, then ``runs`` times timed and counted.

    ``i`` numbers every call from 0 (warm-up included) so a request can vary its input, such as
    a distinct free slot per booking. Every response must have status ``expect``.
    """
    result = Measurement(name, target_ms)
    gc.collect()  # leave the previous phase's garbage out of these timings
    for i in range(warmup):
        _check(name, request(i), expect)
    for i in range(warmup, warmup + runs):
        counter.reset()
        started = perf_counter_ns()
        response = request(i)
        elapsed = perf_counter_ns() - started
        result.statements.append(counter.count)
        _check(name, response, expect)
        result.samples_ns.append(elapsed)
    return result


def _check(name: str, response: TestResponse, expect: int) -> None:
    if response.status_code != expect:
        body = response.get_data(as_text=True)[:500]
        raise UnexpectedResponse(
            f"{name}: expected HTTP {expect}, got {response.status_code}: {body}"
        )
