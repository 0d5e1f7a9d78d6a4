"""``make bench``'s home-care figures: computed over the shipped library, within the rules."""

from __future__ import annotations

from bench import plans
from spa_app.homecare.plans.generator import Dose


def test_the_figures_hold_the_plan_size_and_library_coverage():
    figures = plans.run()["home_care"]
    assert figures["intakes"] == plans.INTAKES
    assert 3 <= figures["items_median"] <= figures["items_max"] <= Dose().max_items
    assert min(figures["routines_per_area"].values()) >= 3
    assert 0 < figures["cover_every_area_4_plus"] <= figures["cover_every_allowed_area_4_plus"]
    assert "items per plan: median" in plans.table({"home_care": figures})
