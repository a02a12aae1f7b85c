"""Comparison sites: kommune type by population scaled to Norway, same type first, then nearest size, each used once."""

from __future__ import annotations

import pandas as pd

from helsekit.evaluation import matching


def test_kommune_type_is_the_size_band_of_the_kommunes_population_in_norway():
    kommuner = pd.DataFrame({"number": list("abcdefg"), "population": [717_710, 100_000, 99_999, 20_000, 5_000, 4_999, 0]})
    assert matching.kommune_types(kommuner).tolist() == ["storby", "storby", "by", "by", "småby", "distrikt", "distrikt"]


def test_oslo_and_bergen_are_storbyer_and_a_site_gets_its_kommunes_type(tiny_db):
    import helsekit

    sites = matching.site_profiles(helsekit.open(tiny_db), "hospital").set_index("kommune_number")
    assert sites.loc["0301", "kommune_type"] == "storby" and sites.loc["4601", "kommune_type"] == "storby"  # geography.toml


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
