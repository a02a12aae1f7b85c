"""The quality report's charts: binomial funnel limits checked against hand computations, and suppressed or
empty units listed under the charts, never drawn."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PathCollection
from matplotlib.colors import to_hex

from helsekit.analytics import indicators, quality_plots
from helsekit.errors import InvalidInput

FRISTBRUDD = indicators.catalogue()["fristbrudd_somatikk"]  # a share; lower is better
VENTETID = indicators.catalogue()["ventetid_start_helsehjelp"]  # a median


def test_the_95_percent_funnel_at_ten_cases_of_a_fair_coin_is_the_interpolated_binomial_quantile():
    # Binomial(10, 0.5): P(X <= 1) = 11/1024, P(X <= 2) = 56/1024, P(X <= 7) = 968/1024, P(X <= 8) = 1013/1024.
    # Lower (p = 0.025 = 25.6/1024): r = 2, alpha = (56 - 25.6) / 45; upper (p = 0.975 = 998.4/1024): r = 8,
    # alpha = (1013 - 998.4) / 45; the limit is (r - alpha) / n.
    low, high = quality_plots.funnel_limits(0.5, 10, 0.95)
    assert float(low) == pytest.approx((2 - 30.4 / 45) / 10, abs=1e-12)
    assert float(high) == pytest.approx((8 - 14.6 / 45) / 10, abs=1e-12)


def test_the_998_funnel_at_four_cases_of_a_ten_percent_rate_is_clipped_at_zero_below():
    # Binomial(4, 0.1): P(X <= 2) = 0.6561 + 0.2916 + 0.0486 = 0.9963, P(X <= 3) = 0.9999. Upper (p = 0.999):
    # r = 3, alpha = (0.9999 - 0.999) / (0.9999 - 0.9963) = 0.25, limit (3 - 0.25) / 4 = 0.6875. Lower
    # (p = 0.001): r = 0 already holds 0.6561, so (0 - alpha) / 4 is negative and the limit is 0.
    low, high = quality_plots.funnel_limits(0.1, np.array([4]), 0.998)
    assert high[0] == pytest.approx(0.6875, abs=1e-12)
    assert low[0] == 0.0


def test_the_funnel_limits_follow_the_binomial_cdf_computed_from_binomial_coefficients():
    national, probability = 0.23, 0.975
    for cases in (1, 7, 25, 60):
        cdf = np.cumsum([math.comb(cases, k) * national**k * (1 - national) ** (cases - k) for k in range(cases + 1)])
        r = next(k for k in range(cases + 1) if cdf[k] >= probability)
        below = cdf[r - 1] if r else 0.0
        expected = (r - (cdf[r] - probability) / (cdf[r] - below)) / cases
        assert quality_plots.binomial_limit(national, cases, probability) == pytest.approx(min(max(expected, 0), 1), abs=1e-9)


def test_large_units_have_limits_near_the_normal_approximation():
    # At 10,000 cases the binomial is close to normal: p ± 1.96 √(p(1-p)/n), less the half case the
    # interpolation shifts by (0.5 / n).
    low, high = quality_plots.funnel_limits(0.2, 10_000, 0.95)
    half = 1.959964 * math.sqrt(0.2 * 0.8 / 10_000)
    assert float(low) == pytest.approx(0.2 - half - 0.5 / 10_000, abs=5e-5)
    assert float(high) == pytest.approx(0.2 + half - 0.5 / 10_000, abs=5e-5)


def test_a_national_value_outside_zero_to_one_is_refused_naming_the_field():
    with pytest.raises(InvalidInput) as error:
        quality_plots.binomial_limit(1.5, 10, 0.5)
    assert error.value.field == "national"


def _table() -> pd.DataFrame:
    """Four units as compute() returns them, plus one suppressed row that (wrongly) still carries a value."""
    rows = [
        ("1", "Sikker sykehus", 10, 10, 1.0, "lav", False, None),  # 10 of 10 against 50 %: far outside
        ("2", "Midt sykehus", 5, 10, 0.5, "moderat", False, None),
        ("3", "Liten sykehus", None, 7, None, None, True, "færre enn 10 tilfeller"),
        ("4", "Tom sykehus", None, 0, None, None, False, "ingen data"),
        ("5", "Feilmerket sykehus", 3, 8, 0.375, "moderat", True, "færre enn 10 tilfeller"),
        ("6", "Lav sykehus", 1, 10, 0.1, "høy", False, None),  # 1/10: outside 95 %, inside 99.8 %
    ]
    table = pd.DataFrame(rows, columns=["unit_id", "unit_name", "numerator", "denominator", "value", "goal_level",
                                        "suppressed", "reason"])
    table["numerator"] = table["numerator"].astype("Int64")
    table["value"] = table["value"].astype(float)
    table["low"], table["high"] = table["value"] - 0.1, table["value"].clip(upper=0.9) + 0.1
    return table


def _texts(fig) -> str:
    return "\n".join(text.get_text() for text in fig.texts)


def test_funnel_positions_compare_each_unit_with_the_limits_at_its_own_size():
    # At 10 cases and 50 %: the 95 % limits are 0.1324 and 0.7676 (above). For 99.8 %, p = 0.001 = 1.024/1024
    # gives r = 1 and (1 - (11 - 1.024) / 10) / 10 = 0.00024; p = 0.999 = 1022.976/1024 gives r = 9 (P(X <= 9)
    # = 1023/1024, P(X <= 8) = 1013/1024) and (9 - (1023 - 1022.976) / 10) / 10 = 0.89976.
    positions = quality_plots.funnel_positions(_table(), 0.5)
    by_name = dict(zip(_table().loc[positions.index, "unit_name"], positions))
    assert by_name == {"Sikker sykehus": quality_plots.OUTSIDE_998, "Midt sykehus": quality_plots.INSIDE,
                       "Lav sykehus": quality_plots.OUTSIDE_95}


def test_suppressed_and_empty_units_are_never_points_in_the_funnel_but_listed_with_their_reason():
    fig = quality_plots.funnel_plot(_table(), 0.5, FRISTBRUDD, "2024")
    points = np.vstack([c.get_offsets() for c in fig.axes[0].collections if isinstance(c, PathCollection)])
    assert sorted(map(tuple, points.tolist())) == [(10.0, 0.1), (10.0, 0.5), (10.0, 1.0)]
    listed = _texts(fig)
    assert "Ikke vist (færre enn 10 tilfeller): Liten sykehus, Feilmerket sykehus" in listed
    assert "Ikke vist (ingen data): Tom sykehus" in listed
    assert "Syntetiske data" in listed


def test_the_ranked_chart_puts_the_best_on_top_coloured_by_goal_level_and_lists_the_hidden_units():
    fig = quality_plots.ranked_chart(_table(), 0.5, FRISTBRUDD, "2024")
    ax = fig.axes[0]
    labels = [tick.get_text() for tick in sorted(ax.get_yticklabels(), key=lambda tick: -tick.get_position()[1])]
    assert labels == ["Lav sykehus", "Midt sykehus", "Sikker sykehus"]  # lower is better: 10 %, 50 %, 100 %
    colours = {line.get_gid(): to_hex(line.get_color()) for line in ax.lines if line.get_gid()}
    assert colours == {"goal-høy": quality_plots.GOAL_COLOURS["høy"], "goal-moderat": quality_plots.GOAL_COLOURS["moderat"],
                       "goal-lav": quality_plots.GOAL_COLOURS["lav"]}
    assert "Feilmerket sykehus" in _texts(fig) and "Tom sykehus" in _texts(fig)
    assert "Syntetiske data" in _texts(fig)


def test_a_funnel_plot_of_a_median_is_refused_naming_the_indicator():
    with pytest.raises(InvalidInput) as error:
        quality_plots.funnel_plot(_table(), 40.0, VENTETID, "2024")
    assert error.value.field == "indicator_id"


def test_charts_with_no_unit_to_draw_say_so_and_still_list_every_unit():
    table = _table()
    table["suppressed"] = True
    for draw in (quality_plots.funnel_plot, quality_plots.ranked_chart):
        fig = draw(table, 0.5, FRISTBRUDD, "2024")
        assert "Ingen enheter har nok tilfeller til å vises" in [t.get_text() for t in fig.axes[0].texts]
        assert all(name in _texts(fig) for name in table["unit_name"])
