"""The spec files carry the published figures (reference-statistics §1–§8), and every number a source.

The expected figures are typed here from reference-statistics.md, independently of the spec files.
"""

from __future__ import annotations

import numpy as np
import pytest

from helsekit.generator import specs


def test_norway_profile_is_the_population_on_1_january_2025():
    assert specs.profile("norway")["citizens"] == 5_594_340  # reference-statistics §1
    assert specs.profile("norway")["reference_date"] == "2025-01-01"


def test_fylke_populations_sum_to_ssbs_total_for_2024():
    fylker = specs.load("geography")["fylker"]
    assert len(fylker["number"]) == 15
    assert sum(fylker["population_2024"]) == 5_550_203  # reference-statistics §3
    assert dict(zip(fylker["name"], fylker["population_2024"]))["Oslo"] == 717_710


def test_age_bands_give_the_sourced_share_of_0_to_15_year_olds():
    bands = specs.load("population")["age_bands"]
    share = np.array(bands["share_percent"]) / np.sum(bands["share_percent"])
    under_16 = share[0] + share[1] + share[2] + share[3] / 5
    assert under_16 == pytest.approx(0.176, abs=0.002)  # reference-statistics §2a


def test_household_counts_are_ssbs_for_2023():
    types = specs.load("households")["household_types"]
    counts = dict(zip(types["kind"], types["count_2023"]))
    assert sum(counts.values()) == 2_581_721  # reference-statistics §5
    assert counts["one_person"] / sum(counts.values()) == pytest.approx(0.406, abs=0.0005)
    assert counts["couple_with_children"] == 302_437 + 185_632


def test_children_shares_are_ssbs_for_2023():
    children = specs.load("households")["children"]
    assert children["both_parents"] == pytest.approx(848_309 / 1_096_857, abs=0.001)
    assert children["single_parent"] == pytest.approx(174_134 / 1_096_857, abs=0.001)
    assert children["parent_and_step_parent"] == pytest.approx(74_411 / 1_096_857, abs=0.001)


def test_gp_scheme_figures_are_flos_for_q4_2023():
    gp = specs.load("health_services")["gp_scheme"]
    assert gp["mean_persons_per_list"] == 986  # reference-statistics §7
    assert gp["share_of_lists_without_permanent_gp"] == 0.057
    assert gp["mean_list_ceiling"] == 1013
    assert gp["share_of_gps_women"] == 0.486


def _sections(node, path=(), explained=False):
    """(path, table, explained) for every table; a nested table is explained by its parent's source or remarks."""
    if isinstance(node, dict):
        explained = explained or "source" in node or "remarks" in node
        yield path, node, explained
        for key, value in node.items():
            yield from _sections(value, path + (key,), explained)


@pytest.mark.parametrize("name", specs.SPEC_NAMES)
def test_every_spec_section_with_numbers_names_its_source_or_says_it_is_a_modelling_choice(name):
    for path, table, explained in _sections(specs.load(name)):
        numbers = [k for k, v in table.items() if isinstance(v, (int, float, list)) and not isinstance(v, bool)]
        if numbers:
            assert explained, f"{name}.toml [{'.'.join(path)}] has numbers but no source or remarks"
