"""Charts of a quality indicator (§8) for the report notebook: a funnel plot and a ranked chart.

Both take a table as :func:`helsekit.analytics.indicators.compute` returns it. Only units with a value are
drawn; a suppressed unit (too few cases) or one without cases ("ingen data") is never a point: it is listed
under the chart with its reason. Every figure is stamped "Syntetiske data" and nothing calls ``plt.show()``.

The funnel's control limits are the binomial's: at ``n`` cases, the share a unit with the national rate
would fall below with probability ``p``, interpolated between whole counts as in Spiegelhalter (2005),
"Funnel plots for comparing institutional performance", Statistics in Medicine 24, appendix A.1.1. The
95 % and 99.8 % limits are that paper's (about two and three standard deviations).
"""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from helsekit.analytics.indicators import Indicator
from helsekit.analytics.plots import _axes, synthetic_label
from helsekit.analytics.visit_plots import norwegian_number
from helsekit.analytics.visit_reports import percent
from helsekit.errors import InvalidInput

#: The two funnels: coverage → (line style, bokmål label).
LIMITS = {0.95: ("--", "95 %-grense"), 0.998: (":", "99,8 %-grense")}
#: Where a unit lies against the funnel, in bokmål.
INSIDE, OUTSIDE_95, OUTSIDE_998 = "innenfor", "utenfor 95 %", "utenfor 99,8 %"
GOAL_COLOURS = {"høy": "#2e7d32", "moderat": "#e0a000", "lav": "#c62828"}
_POSITION_STYLE = {INSIDE: ("#1f6f9f", "o"), OUTSIDE_95: ("#e07000", "D"), OUTSIDE_998: ("#c62828", "X")}
_MAX_LISTED_LINES = 8


def binomial_limit(national: float, cases, probability: float) -> np.ndarray:
    """The ``probability`` quantile of the share of ``cases`` (an int or array) drawn with rate ``national``.

    With r the smallest count where P(X ≤ r) ≥ p for X ~ Binomial(n, national), the limit is
    (r − α) / n with α = (P(X ≤ r) − p) / (P(X ≤ r) − P(X ≤ r − 1)) (Spiegelhalter 2005, A.1.1), so the
    funnel is smooth rather than a staircase; clipped to [0, 1]."""
    cases = np.asarray(cases, dtype=np.int64)
    if not 0 <= national <= 1:
        raise InvalidInput(f"national {national!r} is not a share between 0 and 1",
                           f"Landsverdien {national!r} er ikke en andel mellom 0 og 1.", "national")
    if (cases < 1).any():
        raise InvalidInput("cases must be at least 1", "Antall tilfeller må være minst 1.", "cases")
    if national in (0, 1):
        return np.full(cases.shape, float(national))
    log_factorial = np.concatenate(([0.0], np.cumsum(np.log(np.arange(1, int(cases.max()) + 1)))))
    limits = {}
    for n in np.unique(cases):
        k = np.arange(n + 1)
        log_pmf = log_factorial[n] - log_factorial[k] - log_factorial[n - k] + k * np.log(national) + (n - k) * np.log1p(-national)
        cdf = np.cumsum(np.exp(log_pmf))
        r = min(int(np.searchsorted(cdf, probability)), int(n))
        below = cdf[r - 1] if r > 0 else 0.0
        alpha = (cdf[r] - probability) / (cdf[r] - below)
        limits[n] = min(max((r - alpha) / n, 0.0), 1.0)
    return np.array([limits[n] for n in cases.ravel()]).reshape(cases.shape)


def funnel_limits(national: float, cases, coverage: float) -> tuple[np.ndarray, np.ndarray]:
    """The lower and upper control limits holding ``coverage`` (0.95, 0.998) of a unit with the national rate."""
    tail = (1 - coverage) / 2
    return binomial_limit(national, cases, tail), binomial_limit(national, cases, 1 - tail)


def shown(table: pd.DataFrame) -> pd.DataFrame:
    """The units that may be drawn: not suppressed, with cases and a value."""
    return table[~table["suppressed"].astype(bool) & (table["denominator"] > 0) & table["value"].notna()]


def hidden_units(table: pd.DataFrame) -> pd.DataFrame:
    """The units that are listed, not drawn: ``Enhet`` and ``Hvorfor ikke vist`` (the table's reason)."""
    hidden = table.drop(shown(table).index)
    return pd.DataFrame({"Enhet": hidden["unit_name"].astype(str).to_numpy(),
                         "Hvorfor ikke vist": hidden["reason"].fillna("ingen verdi").astype(str).to_numpy()})


def funnel_positions(table: pd.DataFrame, national: float) -> pd.Series:
    """Each drawn unit's place against the funnel (:data:`INSIDE`, :data:`OUTSIDE_95`, :data:`OUTSIDE_998`),
    indexed like :func:`shown`; a value on a limit is inside."""
    units = shown(table)
    if units.empty:
        return pd.Series([], dtype=object)
    cases, value = units["denominator"].to_numpy(), units["value"].to_numpy(dtype=float)
    position = np.full(len(units), INSIDE, dtype=object)
    for coverage, label in ((0.95, OUTSIDE_95), (0.998, OUTSIDE_998)):
        low, high = funnel_limits(national, cases, coverage)
        position[(value < low) | (value > high)] = label
    return pd.Series(position, index=units.index)


def format_value(indicator: Indicator, value: float | None) -> str:
    """A value as the report writes it: a share as ``5,8 %``, a median as ``47 dager``; empty when missing."""
    if value is None or pd.isna(value):
        return ""
    return percent(value) if indicator.kind == "share" else f"{value:g} {indicator.unit}".replace(".", ",")


def _share_axis(ax: Axes, axis: str = "y") -> None:
    formatter = FuncFormatter(lambda v, _pos: f"{round(v * 100, 2):g}\u00a0%".replace(".", ","))
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(formatter)


def _list_hidden(fig: Figure, table: pd.DataFrame) -> None:
    """The units left out of the chart, by reason, as text under it (long lists cut, the table has them all)."""
    hidden = hidden_units(table)
    if hidden.empty:
        return
    lines = []
    for reason, names in hidden.groupby("Hvorfor ikke vist", sort=True)["Enhet"]:
        lines += textwrap.wrap(f"Ikke vist ({reason}): {', '.join(names)}", 120)
    if len(lines) > _MAX_LISTED_LINES:
        lines = [*lines[:_MAX_LISTED_LINES - 1], f"… og flere ({len(hidden)} enheter i alt; se tabellen)"]
    fig.text(0.01, 0.0, "\n".join(lines), ha="left", va="top", fontsize=7.5, color="#444444", gid="helsekit-hidden-units")


def _title(indicator: Indicator, period_label: str) -> str:
    return "\n".join(textwrap.wrap(f"{indicator.name}, {period_label}", 80))


def _empty(ax: Axes) -> None:
    ax.text(0.5, 0.5, "Ingen enheter har nok tilfeller til å vises", ha="center", va="center", transform=ax.transAxes)


def funnel_plot(table: pd.DataFrame, national: float | None, indicator: Indicator, period_label: str,
                ax: Axes | None = None) -> Figure:
    """Each unit's share against its number of cases, with the national value and the 95 % and 99.8 %
    funnels around it; units outside a funnel are marked and named. A share indicator only."""
    if indicator.kind != "share":
        raise InvalidInput(f"indicator_id {indicator.id!r} is a {indicator.kind}, and a funnel plot needs a share",
                           f"Indikatoren «{indicator.id}» er ikke en andel; traktdiagram gjelder bare andeler.", "indicator_id")
    fig, ax = _axes(ax, (9, 5.5))
    units = shown(table)
    ax.set_title(_title(indicator, period_label), fontsize=10)
    ax.set_xlabel("Antall tilfeller (nevner)")
    ax.set_ylabel("Andel")
    _share_axis(ax)
    if units.empty or national is None or pd.isna(national):
        if units.empty:
            _empty(ax)
        else:
            ax.text(0.5, 0.5, "Landsverdien mangler", ha="center", va="center", transform=ax.transAxes)
        _list_hidden(fig, table)
        return synthetic_label(fig)
    biggest = int(units["denominator"].max())
    grid = np.unique(np.geomspace(max(min(int(units["denominator"].min()), 10), 1), biggest * 1.1, 200).round().astype(int))
    for coverage, (style, label) in LIMITS.items():
        low, high = funnel_limits(national, grid, coverage)
        ax.plot(grid, low, style, color="#555555", linewidth=1, label=label)
        ax.plot(grid, high, style, color="#555555", linewidth=1)
    ax.axhline(national, color="black", linewidth=1, label=f"Landsverdi {percent(national)}")
    positions = funnel_positions(table, national)
    for position, (colour, marker) in _POSITION_STYLE.items():
        chosen = units[positions == position]
        if len(chosen):
            ax.scatter(chosen["denominator"], chosen["value"], color=colour, marker=marker, s=36, zorder=3,
                       label=f"{position.capitalize()} ({len(chosen)})", gid=f"units-{position}")
        if position != INSIDE:
            for _, unit in chosen.iterrows():
                ax.annotate(str(unit["unit_name"]), (unit["denominator"], unit["value"]), xytext=(4, 3),
                            textcoords="offset points", fontsize=7)
    if biggest / max(int(units["denominator"].min()), 1) > 20:
        ax.set_xscale("log")
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: norwegian_number(x)))
    ax.set_ylim(max(0.0, min(units["value"].min(), national) - 0.05), min(1.0, max(units["value"].max(), national) + 0.05))
    ax.legend(loc="best", fontsize=8)
    _list_hidden(fig, table)
    return synthetic_label(fig)


def ranked_chart(table: pd.DataFrame, national: float | None, indicator: Indicator, period_label: str,
                 ax: Axes | None = None) -> Figure:
    """The units ranked best first (by the indicator's direction), each with its 95 % interval (shares) and
    coloured by goal level (høy / moderat / lav, §8.5); the national value as a line."""
    units = shown(table)
    units = units.sort_values("value", ascending=indicator.direction == "lower", kind="stable")
    fig, ax = _axes(ax, (9, max(3.0, 1.2 + 0.28 * len(units))))
    ax.set_title(_title(indicator, period_label), fontsize=10)
    if units.empty:
        _empty(ax)
        ax.set_yticks([])
        _list_hidden(fig, table)
        return synthetic_label(fig)
    rank = np.arange(len(units))[::-1]  # the best on top
    is_share = indicator.kind == "share"
    for level, colour in GOAL_COLOURS.items():
        at = (units["goal_level"] == level).to_numpy()
        if not at.any():
            continue
        values = units["value"].to_numpy(dtype=float)[at]
        error = None
        if is_share:
            low, high = units["low"].to_numpy(dtype=float)[at], units["high"].to_numpy(dtype=float)[at]
            error = np.clip(np.vstack([values - low, high - values]), 0, None)  # a bound 1e-17 past 0 % is 0 %
        ax.errorbar(values, rank[at], xerr=error, fmt="o", color=colour, ecolor=colour, capsize=2,
                    label=f"{level.capitalize()} måloppnåelse", gid=f"goal-{level}")
    ax.set_yticks(rank, units["unit_name"].astype(str))
    ax.tick_params(axis="y", labelsize=8)
    if national is not None and not pd.isna(national):
        ax.axvline(national, color="black", linewidth=1, linestyle="--", label=f"Landsverdi {format_value(indicator, national)}")
    if is_share:
        _share_axis(ax, "x")
        ax.set_xlabel("Andel med 95 % konfidensintervall (Wilson)")
    else:
        ax.set_xlabel(f"Median ({indicator.unit})")
    ax.legend(loc="best", fontsize=8)
    _list_hidden(fig, table)
    return synthetic_label(fig)


__all__ = ["GOAL_COLOURS", "INSIDE", "LIMITS", "OUTSIDE_95", "OUTSIDE_998", "binomial_limit", "format_value", "funnel_limits",
           "funnel_plot", "funnel_positions", "hidden_units", "ranked_chart", "shown"]
