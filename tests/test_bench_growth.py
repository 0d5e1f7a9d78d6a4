"""The growth benchmark's verdict line says what its figures show."""

from __future__ import annotations

from bench.growth import verdict


def case(therapists, past, everyone, one):
    return {"therapists": therapists, "past_visits": past,
            "all_therapists_one_day_ms": everyone, "one_therapist_28_days_ms": one}  # fmt: skip


def test_flat_history_and_linear_therapists_read_so():
    cases = [case(20, 5_000, 1.0, 4.0), case(500, 5_000, 20.0, 4.5), case(20, 500_000, 1.1, 4.2)]
    assert verdict(cases) == (
        "history x100: time x1.10 (flat); therapists x25: all of them x20.0 (about linear), "
        "one of them x1.1 (flat)"
    )


def test_a_history_that_slows_and_a_one_therapist_time_that_grows_are_named():
    cases = [case(20, 5_000, 1.0, 4.0), case(500, 5_000, 60.0, 200.0), case(20, 500_000, 3.0, 4.0)]
    line = verdict(cases)
    assert "(NOT flat)" in line and "(worse than linear)" in line and "(grows with the spa)" in line
