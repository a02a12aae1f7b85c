"""Roll-out projection: what the measured effect would mean nationally and per health region, in absolute numbers.

The baseline is a year of the metric's denominator and numerator at every site of the kind (all of Norway, or one
RHF), scaled from the synthetic world to Norway by population (evaluation.toml [projection]); the effect's interval
is carried through to the change, so the projection is as uncertain as the estimate.
"""

from __future__ import annotations

import pandas as pd

from helsekit.evaluation.did import Estimate
from helsekit.generator import specs

COLUMNS = ["område", "grunnlag_per_år", "endring_per_år", "lav", "høy"]


def change(baseline_numerator: float, baseline_denominator: float, estimate: Estimate) -> tuple[float, float, float]:
    """The yearly change in the metric's numerator (phone calls, no-shows, waiting days …) for a baseline year,
    with the low and high ends of the interval: relative effect × numerator, or absolute effect × denominator."""
    base = baseline_numerator if estimate.scale == "relative" else baseline_denominator
    return estimate.effect * base, estimate.low * base, estimate.high * base


def project(panel: pd.DataFrame, regions: pd.Series, estimate: Estimate, citizens: int, last_month: pd.Timestamp) -> pd.DataFrame:
    """Norway and each region: the metric's yearly numerator at today's level and the change a roll-out would bring.

    ``panel``: the site-month panel at every site of the kind; ``regions``: each site's RHF, by site id;
    ``citizens``: the synthetic world's population (scaled up to Norway); ``last_month``: the last month counted."""
    rule = specs.load("evaluation")
    scale = rule["projection"]["norway_population"] / max(citizens, 1)
    first = last_month - pd.DateOffset(months=rule["projection"]["months"] - 1)
    year = panel[(panel["month"] >= first) & (panel["month"] <= last_month)].copy()
    year["område"] = year["site_id"].map(regions).fillna("ukjent region")
    groups = [("Hele landet", year)] + [(name, rows) for name, rows in year.groupby("område", sort=True)]
    rows = []
    for name, rows_of in groups:
        numerator, denominator = rows_of["numerator"].sum() * scale, rows_of["denominator"].sum() * scale
        mid, low, high = change(numerator, denominator, estimate)
        rows.append((name, numerator, mid, min(low, high), max(low, high)))
    return pd.DataFrame(rows, columns=COLUMNS)
