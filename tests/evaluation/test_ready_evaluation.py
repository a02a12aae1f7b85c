"""A pilot with enough sites and time, on the default database: comparison sites, an estimate, a verdict and a roll-out.

No effect is planted in the default world, so the estimate should say there is no detectable effect.
"""

from __future__ import annotations

import datetime as dt

import pytest

import helsekit
from helsekit.evaluation import evaluate
from helsekit.pilots import Benefit, Pilot

pytestmark = pytest.mark.slow  # the default database


@pytest.fixture(scope="module")
def result(default_db):
    data = helsekit.open(default_db)
    offices = tuple(int(i) for i in data.sites.loc[data.sites["kind"] == "gp_office", "id"].sort_values().head(4))
    pilot = Pilot("prove", "Prøvetjeneste", "team", "", "pilot", "x.ipynb", site_ids=offices, site_kind=None,
                  started=dt.date(2020, 1, 1), benefits=(Benefit("phone_bookings_per_listed", "decrease", "Færre ringer"),))
    return evaluate.evaluate(data, pilot), offices


def test_each_pilot_office_gets_two_comparison_offices_none_of_them_a_pilot_office_or_used_twice(result):
    evaluation, offices = result
    assert evaluation.ready and evaluation.site_kind == "gp_office"
    assert evaluation.matches.groupby("pilot_site").size().to_dict() == {o: 2 for o in offices}
    chosen = evaluation.matches["comparison_site"]
    assert chosen.is_unique and not chosen.isin(offices).any()


def test_without_a_planted_effect_the_verdict_is_no_detectable_effect_and_the_interval_holds_the_estimate(result):
    (phone,) = result[0].results
    assert phone.estimate.low <= phone.estimate.effect <= phone.estimate.high
    assert phone.verdict.startswith("Ingen påvisbar effekt")
    assert set(phone.monthly["group"]) == {"pilot", "comparison"}


def test_the_rollout_carries_the_interval_through_and_the_regions_add_up_to_norway(result):
    (phone,) = result[0].results
    table = phone.projection.set_index("område")
    norway, regions = table.loc["Hele landet"], table.drop(index="Hele landet")
    assert regions["grunnlag_per_år"].sum() == pytest.approx(norway["grunnlag_per_år"])
    e = phone.estimate
    assert (norway["lav"], norway["endring_per_år"], norway["høy"]) == pytest.approx(
        (e.low * norway["grunnlag_per_år"], e.effect * norway["grunnlag_per_år"], e.high * norway["grunnlag_per_år"]))


def test_the_report_chart_says_syntetiske_data_and_the_rollout_is_written_in_whole_norwegian_numbers(result):
    import re

    from helsekit.evaluation import plots, tables

    (phone,) = result[0].results
    fig = plots.metric(phone, dt.date(2020, 1, 1))
    assert any(text.get_text() == "Syntetiske data" for text in fig.texts)
    rollout = tables.rollout(phone)
    assert all(re.fullmatch(r"−?\d{1,3}( \d{3})*", value) for value in rollout["endring per år"])
