"""The generator's scenario hook: a planted effect moves the expected count by the planted share, and nothing else."""

from __future__ import annotations

import numpy as np
import pytest

from helsekit.errors import InvalidInput
from helsekit.generator.scenarios import Scenario, flip


def test_a_planted_cut_turns_off_that_share_of_the_flagged_eligible_rows_only():
    rng = np.random.default_rng(1)
    flag = np.r_[np.ones(20_000, bool), np.zeros(20_000, bool)]
    eligible = np.tile([True, False], 20_000)
    out = flip(flag, eligible, -0.25, rng)
    assert (out[~eligible] == flag[~eligible]).all()
    assert np.count_nonzero(out & eligible) / np.count_nonzero(flag & eligible) == pytest.approx(0.75, abs=0.02)


def test_a_planted_rise_turns_on_enough_unflagged_rows_to_raise_the_count_by_that_share():
    rng = np.random.default_rng(2)
    flag = np.r_[np.ones(10_000, bool), np.zeros(30_000, bool)]
    eligible = np.ones(flag.size, bool)
    out = flip(flag, eligible, 0.2, rng)
    assert np.count_nonzero(out) / 10_000 == pytest.approx(1.2, abs=0.02)
    assert out[:10_000].all()  # rows already flagged stay flagged


def test_a_scenario_applies_at_its_sites_from_its_start_day():
    s = Scenario("no_show_rate", (5, 6), np.datetime64("2024-03-01"), -0.1)
    days = np.array(["2024-02-29", "2024-03-01", "2024-03-01"], dtype="datetime64[D]")
    assert s.affected(np.array([5, 5, 7]), days).tolist() == [False, True, False]
    assert s.applies("gp_contacts") and not s.applies("prescriptions")


@pytest.mark.parametrize("metric, effect, field", [("lykke", 0.1, "metric"), ("no_show_rate", -1.5, "effect")])
def test_a_scenario_that_cannot_be_planted_is_refused_naming_the_field(metric, effect, field):
    with pytest.raises(InvalidInput) as error:
        Scenario(metric, (1,), np.datetime64("2024-01-01"), effect)
    assert error.value.field == field


def test_a_planted_cut_in_renewals_without_a_visit_moves_that_share_back_to_consultations_at_its_offices_only():
    from helsekit.evaluation import scenario
    from helsekit.generator import specs
    from helsekit.generator.histories import prescriptions
    from helsekit.generator.streams import Streams

    settings = scenario.world()
    block, relations = scenario.citizens(settings, Streams(3))
    spec, copay = specs.load("prescriptions"), specs.load("copayments")
    planted = Scenario("renewal_without_visit_share", tuple(range(1000, 1012)), np.datetime64("2023-07-01"), -0.5)

    def portal_renewals(with_scenario):
        rx, _, _ = prescriptions.generate(block, relations, settings["first_year"], settings["last_year"], spec, copay,
                                          np.random.default_rng(9), with_scenario)
        rx = rx.to_pandas()
        after = rx["prescribed_on"] >= np.datetime64("2023-07-01")
        return (rx["renewal"] == "portal")[after].sum(), (rx["renewal"] == "portal")[~after].sum(), (rx["renewal"] != "first").sum()

    plain, planted_counts = portal_renewals(None), portal_renewals(planted)
    assert planted_counts[1] == plain[1] and planted_counts[2] == plain[2]  # before the start, and the renewals themselves, unchanged
    assert planted_counts[0] / plain[0] == pytest.approx(0.5, abs=0.1)
