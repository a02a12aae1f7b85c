"""Done-when of issue #10: with an effect planted in a tiny-scale world, the evaluation recovers it.

Each repetition is one seed of the tiny world (evaluation.toml [tiny_world]): only the GP contacts are generated,
through gp_contacts.generate with the scenario hook, so 50 repetitions take a few seconds.
"""

from __future__ import annotations

import pytest

from helsekit.evaluation import scenario, verdict

SEEDS = range(50)
PHONE = "phone_bookings_per_listed"


@pytest.fixture(scope="module")
def planted_cut():
    return [scenario.recovered(seed, PHONE, -0.30) for seed in SEEDS]


@pytest.fixture(scope="module")
def planted_zero():
    return [scenario.recovered(seed, PHONE, 0.0) for seed in SEEDS]


def test_interval_covers_a_planted_30_percent_cut_in_phone_bookings_in_at_least_90_percent_of_50_worlds(planted_cut):
    covered = sum(e.low <= -0.30 <= e.high for e in planted_cut)
    assert covered >= 45, f"covered in {covered} of 50"


def test_a_planted_30_percent_cut_is_detected_as_a_decrease(planted_cut):
    assert sum(e.high < 0 for e in planted_cut) >= 45


def test_a_planted_zero_effect_is_reported_as_no_detectable_effect_in_at_least_90_percent_of_50_worlds(planted_zero):
    texts = [verdict.verdict("decrease", "Timebestillinger på telefon per listeinnbygger", e) for e in planted_zero]
    undetected = [t for t in texts if t.startswith("Ingen påvisbar effekt")]
    assert len(undetected) >= 45, f"{len(undetected)} of 50"
    assert all("kan ikke si om piloten virker" in t for t in undetected)


def test_planted_effect_changes_only_the_pilot_offices_from_the_start():
    plain = scenario.panel(7, scenario.scenario(PHONE, 0.0))
    planted_scenario = scenario.scenario(PHONE, -0.5)
    planted = scenario.panel(7, planted_scenario)
    merged = plain.merge(planted, on=["site_id", "month"], suffixes=("_plain", "_planted"))
    touched = merged["site_id"].isin(planted_scenario.site_ids) & (merged["month"] >= "2023-07-01")
    assert (merged.loc[~touched, "numerator_plain"] == merged.loc[~touched, "numerator_planted"]).all()
    ratio = merged.loc[touched, "numerator_planted"].sum() / merged.loc[touched, "numerator_plain"].sum()
    assert ratio == pytest.approx(0.5, abs=0.05)  # half the phone bookings moved to the portal
