"""Citizens who died during the history window: who, when, at what age (population.toml [deaths]).

Folkeregisteret keeps the deceased, and Min helse histories end at death, so the generator adds
them to the living population of the reference date: 7.9 deaths per 1,000 a year
(reference-statistics §12), ages at death from today's pyramid times a Gompertz hazard.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from helsekit.generator.population import age_distribution, male_share_by_age

YEAR = 365.2425


@dataclass(frozen=True)
class Deceased:
    """The deceased, in order of death."""

    birth: np.ndarray  # datetime64[D]
    sex: np.ndarray  # "M" / "F"
    death: np.ndarray  # datetime64[D]


def draw(citizens: int, first_year: int, last_year: int, spec: dict, rng: np.random.Generator) -> Deceased:
    """Those who died in ``first_year``…``last_year``, for a profile of ``citizens`` living citizens."""
    deaths = spec["deaths"]
    per_year = int(round(citizens * deaths["per_1000_per_year"] / 1000))
    years = last_year - first_year + 1
    n = per_year * years
    ages = np.arange(spec["age_bands"]["oldest_age"] + 1)
    living = age_distribution(spec)
    male = male_share_by_age(spec)
    hazard = np.exp(deaths["gompertz_slope"] * ages)
    weight = np.concatenate([living * male * hazard * deaths["male_hazard_ratio"], living * (1 - male) * hazard])
    weight[ages.size :: ages.size] = 0  # no weight beyond the table: infants are set apart below
    weight[0] = weight[ages.size] = 0
    weight = weight / weight.sum() * (1 - deaths["infant_share"])
    infant_male = male[0]
    weight[0], weight[ages.size] = deaths["infant_share"] * infant_male, deaths["infant_share"] * (1 - infant_male)
    pick = rng.choice(weight.size, size=n, p=weight / weight.sum())
    age, is_male = pick % ages.size, pick < ages.size

    year = first_year + np.repeat(np.arange(years), per_year)
    year_start = (year - 1970).astype("datetime64[Y]").astype("datetime64[D]")
    year_days = ((year - 1969).astype("datetime64[Y]").astype("datetime64[D]") - year_start).astype(np.int64)
    death = year_start + (rng.random(n) * year_days).astype(np.int64)
    lived = np.rint((age + rng.random(n)) * YEAR).astype(np.int64)
    birth = death - np.maximum(lived, 1)
    return Deceased(birth, np.where(is_male, "M", "F"), death)
