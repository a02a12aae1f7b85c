"""Difference-in-differences on one number per site, with a site-level (cluster-robust) Welch t interval.

Each site's change from before to after the start is one number: the log of after/before for a relative
metric, after − before for an absolute one. The estimate is the pilot sites' mean change minus the comparison
sites' mean change; its interval is Welch's t interval for two groups of sites (evaluation.toml [interval]:
why by site and not by event). A relative estimate is reported as exp(estimate) − 1.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Estimate:
    """A difference-in-differences effect with its interval, on the metric's own scale (relative: −0.2 = 20 % fewer)."""

    effect: float
    low: float
    high: float
    level: float
    scale: str  # "relative" or "absolute"
    pilot_sites: int
    comparison_sites: int

    @property
    def detectable(self) -> bool:
        """True when the interval excludes no effect (0)."""
        return self.low > 0 or self.high < 0


def _t_pdf(x: np.ndarray, df: float) -> np.ndarray:
    log_c = math.lgamma((df + 1) / 2) - math.lgamma(df / 2) - 0.5 * math.log(df * math.pi)
    return np.exp(log_c - (df + 1) / 2 * np.log1p(x * x / df))


def t_quantile(p: float, df: float) -> float:
    """The ``p`` quantile (0.5 < p < 1) of Student's t with ``df`` degrees of freedom, by integrating the density
    (no SciPy in the environment); accurate to about 1e-5 for df ≥ 1."""
    x = np.linspace(0.0, 2000.0, 400_001) if df < 3 else np.linspace(0.0, 60.0, 60_001)
    density = _t_pdf(x, df)
    cdf = 0.5 + np.concatenate([[0.0], np.cumsum((density[1:] + density[:-1]) / 2 * np.diff(x))])
    return float(np.interp(p, cdf, x))


def site_changes(before_num, before_den, after_num, after_den, scale: str) -> np.ndarray:
    """Each site's change: log(after rate / before rate) for ``relative`` (0.5 added to a zero numerator), or
    after rate − before rate for ``absolute``."""
    before_num, after_num = np.asarray(before_num, float), np.asarray(after_num, float)
    before = before_num / np.asarray(before_den, float)
    after = after_num / np.asarray(after_den, float)
    if scale == "absolute":
        return after - before
    before = np.where(before_num > 0, before, 0.5 / np.asarray(before_den, float))
    after = np.where(after_num > 0, after, 0.5 / np.asarray(after_den, float))
    return np.log(after / before)


def estimate(pilot_changes, comparison_changes, scale: str, level: float = 0.95) -> Estimate:
    """The difference-in-differences of per-site changes with a Welch t interval at ``level`` (each group needs 2 sites)."""
    a, b = np.asarray(pilot_changes, float), np.asarray(comparison_changes, float)
    diff = a.mean() - b.mean()
    va, vb = a.var(ddof=1) / a.size, b.var(ddof=1) / b.size
    se = math.sqrt(va + vb)
    df = (va + vb) ** 2 / (va**2 / (a.size - 1) + vb**2 / (b.size - 1)) if se > 0 else float(a.size + b.size - 2)
    half = t_quantile(0.5 + level / 2, df) * se
    low, high = diff - half, diff + half
    if scale == "relative":
        diff, low, high = math.expm1(diff), math.expm1(low), math.expm1(high)
    return Estimate(diff, low, high, level, scale, int(a.size), int(b.size))


def before_after(panel, site_ids, start, first=None, last=None):
    """Per site of ``site_ids``: the summed numerator and denominator before the start month and from it on
    (a start after the 1st leaves its month out), within ``first``…``last`` months when given. Columns
    ``site_id``, ``before_num``, ``before_den``, ``after_num``, ``after_den``, ``months_before``, ``months_after``."""
    start = pd.Timestamp(start)
    start_month = start.to_period("M").to_timestamp()
    rows = panel[panel["site_id"].isin(list(site_ids))]
    if first is not None:
        rows = rows[rows["month"] >= pd.Timestamp(first).to_period("M").to_timestamp()]
    if last is not None:
        rows = rows[rows["month"] <= pd.Timestamp(last).to_period("M").to_timestamp()]
    after_from = start_month if start.day == 1 else start_month + pd.DateOffset(months=1)
    side = np.where(rows["month"] < start_month, "before", np.where(rows["month"] >= after_from, "after", "skip"))
    rows = rows.assign(side=side)
    rows = rows[rows["side"] != "skip"]
    sums = rows.pivot_table(index="site_id", columns="side", values=["numerator", "denominator"], aggfunc="sum", fill_value=0)
    months = rows.groupby("side")["month"].nunique()
    out = pd.DataFrame({"site_id": sorted(set(int(s) for s in site_ids))})
    for name, column in (("before_num", ("numerator", "before")), ("before_den", ("denominator", "before")),
                         ("after_num", ("numerator", "after")), ("after_den", ("denominator", "after"))):
        out[name] = out["site_id"].map(sums[column] if column in sums.columns else pd.Series(dtype=float)).fillna(0).to_numpy(float)
    out["months_before"], out["months_after"] = int(months.get("before", 0)), int(months.get("after", 0))
    return out
