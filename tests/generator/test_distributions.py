"""Distributions on `default` match the spec files within 2 percentage points (issue #2)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import helsekit
from helsekit.generator import specs

TOLERANCE = 0.02


@pytest.fixture(scope="module")
def data(default_db):
    return helsekit.open(default_db)


def test_age_sex_shares_match_the_spec_within_2_points(data):
    spec = specs.load("population")
    lower = np.array(spec["age_bands"]["lower"])
    share = np.array(spec["age_bands"]["share_percent"]) / np.sum(spec["age_bands"]["share_percent"])
    male = np.array(spec["sex"]["male_share"])
    band = np.searchsorted(lower, data.citizens["age"].to_numpy(), side="right") - 1
    observed = pd.crosstab(band, data.citizens["sex"], normalize=True)
    for i in range(lower.size):
        assert observed.loc[i, "M"] == pytest.approx(share[i] * male[i], abs=TOLERANCE)
        assert observed.loc[i, "F"] == pytest.approx(share[i] * (1 - male[i]), abs=TOLERANCE)


def test_fylke_shares_match_the_spec_within_2_points(data):
    spec = specs.load("geography")["fylker"]
    target = pd.Series(spec["population_2024"], index=spec["fylke_2020_2023"]).groupby(level=0).sum()
    target = target / target.sum()
    fylke = data.kommuner.set_index("number").loc[data.citizens["kommune_number"], "fylke_number"]
    observed = fylke.value_counts(normalize=True)
    for number, share in target.items():
        assert observed[number] == pytest.approx(share, abs=TOLERANCE)


def test_household_kinds_match_the_spec_within_2_points(data):
    spec = specs.load("households")["household_types"]
    target = pd.Series(spec["count_2023"], index=spec["kind"])
    target = target / target.sum()
    observed = data.households["kind"].value_counts(normalize=True)
    for kind, share in target.items():
        assert observed.get(kind, 0) == pytest.approx(share, abs=TOLERANCE), kind


def test_persons_per_household_and_one_person_share_match_ssb(data):
    spec = specs.load("households")["household_types"]
    assert len(data.citizens) / len(data.households) == pytest.approx(spec["persons_per_household_2023"], abs=0.05)
    assert (data.households["kind"] == "one_person").mean() == pytest.approx(spec["one_person_share_2023"], abs=TOLERANCE)


def test_share_of_children_living_with_both_parents_matches_ssb(data):
    spec = specs.load("households")["children"]
    c = data.citizens.set_index("id")
    r = data.parent_relations[data.parent_relations["relation"].isin(["mother", "father"])]
    at_home = r[c.loc[r["parent_id"], "household_id"].to_numpy() == c.loc[r["child_id"], "household_id"].to_numpy()]
    parents_at_home = at_home.groupby("child_id").size()
    children = c.index[c["age"] < 18]
    both = (parents_at_home.reindex(children).fillna(0) == 2).mean()
    assert both == pytest.approx(spec["both_parents"], abs=TOLERANCE)


def test_gp_scheme_matches_the_spec(data):
    gp = specs.load("health_services")["gp_scheme"]
    on_a_list_now = data.gp_list_memberships["valid_to"].isna().sum()
    assert on_a_list_now / len(data.citizens) == pytest.approx(gp["share_of_population_on_a_list"], abs=0.002)
    assert data.gp_lists["list_length"].mean() == pytest.approx(gp["mean_persons_per_list"], rel=0.05)
    women = (data.practitioners["sex"] == "F").mean()
    assert women == pytest.approx(gp["share_of_gps_women"], abs=0.2)  # only ~50 GPs at this profile


def test_d_nummer_share_matches_the_spec(data):
    share = specs.load("population")["d_nummer"]["share_of_citizens"]
    assert (data.citizens["person_number_kind"] == "DNR").mean() == pytest.approx(share, abs=0.002)
