"""Comparison sites: kommune type by population scaled to Norway, same type first, then nearest size, each used once."""

from __future__ import annotations

import pandas as pd

from helsekit.evaluation import matching


def test_kommune_type_is_the_size_band_of_the_population_scaled_to_norway():
    # Shares of 5,550,203 (evaluation.toml): 2 % ≈ 111,000 → storby; 1 % ≈ 55,500 → by; 0.2 % ≈ 11,100 → småby; rest distrikt.
    total = 100_000
    kommuner = pd.DataFrame({"number": ["a", "b", "c", "d"],
                             "population_target": [2_000, 1_000, 200, total - 3_200]})
    # d holds 96.8 % of this made-up country: a storby; the point is the bands, so look at a, b, c.
    types = matching.kommune_types(kommuner)
    assert types["a"] == "storby" and types["b"] == "by" and types["c"] == "småby"
    tiny = pd.DataFrame({"number": ["x", "y"], "population_target": [1, 2_000]})
    assert matching.kommune_types(tiny)["x"] == "distrikt"  # 1/2001 of Norway ≈ 2,800


def test_each_pilot_site_gets_the_nearest_sites_of_its_own_kommune_type_first_and_none_twice():
    sites = pd.DataFrame({
        "id": [1, 2, 10, 11, 12, 13, 14],
        "size": [1000, 1100, 990, 5000, 1050, 1200, 1000],
        "kommune_type": ["by", "by", "distrikt", "by", "by", "by", "by"],
    })
    pairs = matching.match(sites, [1, 2], per_site=2)
    assert pairs[pairs["pilot_site"] == 1]["comparison_site"].tolist() == [14, 12]  # 990 is closer but a distrikt
    assert pairs[pairs["pilot_site"] == 2]["comparison_site"].tolist() == [13, 11]  # 12 and 14 are taken
    assert pairs["same_type"].all()
