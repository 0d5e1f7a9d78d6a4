"""How the product writes a share as a percent: rounded half up, in whole numbers, so the
same share reads the same on every page (weeks of a plan, a report's rates)."""

from __future__ import annotations


def percent(part: int, whole: int) -> int | None:
    """``part`` of ``whole`` in whole percent, half up (1 of 8 is 13); None of nothing."""
    return (200 * part + whole) // (2 * whole) if whole else None
