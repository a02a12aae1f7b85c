"""Difference-in-differences with a site-level Welch t interval, checked against values worked out by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from helsekit.evaluation import did


@pytest.mark.parametrize("df, table_value", [(1, 12.706), (4, 2.776), (10, 2.228), (30, 2.042)])
def test_t_quantile_matches_the_printed_t_table_at_97_5_percent(df, table_value):
    assert did.t_quantile(0.975, df) == pytest.approx(table_value, abs=0.001)


def test_relative_effect_is_the_ratio_of_after_before_ratios_and_the_interval_is_welchs():
    # Pilot sites halve (log 0.5 each, with a spread); comparison sites stay (log 1).
    pilot = [math.log(0.4), math.log(0.5), math.log(0.6)]
    comparison = [math.log(0.9), math.log(1.0), math.log(1.1)]
    e = did.estimate(pilot, comparison, "relative")
    diff = sum(pilot) / 3 - sum(comparison) / 3
    var = lambda xs: sum((x - sum(xs) / 3) ** 2 for x in xs) / 2  # noqa: E731
    se = math.sqrt(var(pilot) / 3 + var(comparison) / 3)
    df = se**4 / ((var(pilot) / 3) ** 2 / 2 + (var(comparison) / 3) ** 2 / 2)
    half = did.t_quantile(0.975, df) * se
    assert e.effect == pytest.approx(math.exp(diff) - 1)
    assert (e.low, e.high) == pytest.approx((math.exp(diff - half) - 1, math.exp(diff + half) - 1))
    assert e.detectable and e.pilot_sites == 3 and e.comparison_sites == 3


def test_an_interval_that_spans_zero_is_not_a_detectable_effect():
    e = did.estimate([1.0, -1.0, 0.5], [0.2, -0.4, 0.1], "absolute")
    assert e.low < 0 < e.high and not e.detectable


def test_site_changes_are_log_ratios_for_relative_metrics_and_differences_for_absolute_ones():
    assert did.site_changes([10], [100], [5], [100], "relative")[0] == pytest.approx(math.log(0.5))
    assert did.site_changes([300], [10], [250], [10], "absolute")[0] == pytest.approx(-5.0)
    # no events after: half an event is counted so the log stays finite
    assert did.site_changes([10], [100], [0], [100], "relative")[0] == pytest.approx(math.log(0.05))


def test_before_after_sums_each_side_of_the_start_and_leaves_out_a_started_month():
    months = pd.date_range("2024-01-01", periods=4, freq="MS")
    panel = pd.DataFrame({"site_id": 7, "month": months, "numerator": [1, 2, 3, 4], "denominator": [10, 10, 10, 10]})
    on_first = did.before_after(panel, [7], "2024-03-01").iloc[0]
    assert (on_first["before_num"], on_first["after_num"], on_first["months_before"], on_first["months_after"]) == (3, 7, 2, 2)
    mid_month = did.before_after(panel, [7], "2024-02-15").iloc[0]
    assert (mid_month["before_num"], mid_month["after_num"], mid_month["months_after"]) == (1, 7, 2)  # February is left out
