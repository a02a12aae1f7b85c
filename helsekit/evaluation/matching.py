"""Comparison sites for a pilot: sites of the same kind without the pilot, matched on kommune type and size.

The rule is evaluation.toml [matching] and [kommune_types]: the geography has no sentralitet, so a kommune's type
is a size band of its population in Norway (the generator's geography, the same in every profile); a site's size is its listed citizens (GP office) or the living
citizens of its kommune (other sites). Each pilot site takes its nearest unused sites, same type first.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helsekit.generator import geography, specs


def kommune_types(kommuner: pd.DataFrame) -> pd.Series:
    """Each kommune's type (storby, by, småby, distrikt) by its ``population`` in Norway, indexed by ``number``."""
    rule = specs.load("evaluation")["kommune_types"]
    population = kommuner.set_index("number")["population"].astype(float)
    # Bands are listed largest first: a kommune's band is the number of lower bounds it does not reach.
    lower = np.asarray(rule["lower_population"], dtype=float)
    band = (population.to_numpy()[:, None] < lower[None, :]).sum(axis=1)
    return pd.Series(np.asarray(rule["names"])[band], index=population.index, name="kommune_type")


def site_profiles(data, kind: str) -> pd.DataFrame:
    """The treatment sites of ``kind`` with ``size`` and ``kommune_type`` (``data``: a HelseData)."""
    sites = data.sites[data.sites["kind"] == kind][["id", "name", "kommune_number"]].copy()
    if kind == "gp_office":
        size = data.gp_lists.groupby("gp_office_id")["list_length"].sum()
        sites["size"] = sites["id"].map(size).fillna(0).astype("int64").to_numpy()
    else:
        sites["size"] = sites["kommune_number"].map(data.citizens.groupby("kommune_number").size()).fillna(0).astype("int64").to_numpy()
    sites["kommune_type"] = sites["kommune_number"].map(kommune_types(geography.load().kommuner)).fillna("distrikt").to_numpy()
    return sites.reset_index(drop=True)


def match(sites: pd.DataFrame, pilot_ids, per_site: int | None = None) -> pd.DataFrame:
    """For each pilot site (by id), its ``per_site`` comparison sites: same kommune type first, then the nearest size
    on a log scale, each used once. Columns ``pilot_site``, ``comparison_site``, ``same_type``, ``size_ratio``."""
    per_site = per_site or specs.load("evaluation")["matching"]["comparisons_per_site"]
    pilot_ids = sorted(set(int(i) for i in pilot_ids))
    pool = sites[~sites["id"].isin(pilot_ids)].set_index("id")
    used: set[int] = set()
    rows = []
    for pilot in pilot_ids:
        if pilot not in set(sites["id"]):
            continue
        me = sites.set_index("id").loc[pilot]
        free = pool[~pool.index.isin(used)]
        distance = (np.log1p(free["size"]) - np.log1p(me["size"])).abs() + np.where(free["kommune_type"] == me["kommune_type"], 0, 100)
        for site in distance.sort_values(kind="stable").index[:per_site]:
            used.add(int(site))
            rows.append((pilot, int(site), bool(free.loc[site, "kommune_type"] == me["kommune_type"]),
                         float((free.loc[site, "size"] + 1) / (me["size"] + 1))))
    return pd.DataFrame(rows, columns=["pilot_site", "comparison_site", "same_type", "size_ratio"])
