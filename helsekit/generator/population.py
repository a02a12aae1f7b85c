"""Ages, sexes and birth dates drawn from the age–sex pyramid (population.toml)."""

from __future__ import annotations

import numpy as np


def age_distribution(spec: dict) -> np.ndarray:
    """Probability of each single year of age 0…oldest_age, from the 5-year bands."""
    bands = spec["age_bands"]
    lower = np.asarray(bands["lower"])
    share = np.asarray(bands["share_percent"], dtype=float)
    share = share / share.sum()
    p = np.zeros(bands["oldest_age"] + 1)
    for i, low in enumerate(lower):
        if i + 1 < lower.size:
            p[low : lower[i + 1]] = share[i] / (lower[i + 1] - low)
        else:  # the open top band thins out year by year
            decay = bands["ninety_plus_decay"] ** np.arange(p.size - low)
            p[low:] = share[i] * decay / decay.sum()
    return p


def male_share_by_age(spec: dict) -> np.ndarray:
    """Share of men at each single year of age."""
    lower = np.asarray(spec["age_bands"]["lower"])
    male = np.asarray(spec["sex"]["male_share"], dtype=float)
    ages = np.arange(spec["age_bands"]["oldest_age"] + 1)
    return male[np.searchsorted(lower, ages, side="right") - 1]


def draw_ages_and_sexes(spec: dict, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """``n`` ages (whole years at the reference date) and sexes ("M"/"F")."""
    p = age_distribution(spec)
    ages = rng.choice(p.size, size=n, p=p)
    male = rng.random(n) < male_share_by_age(spec)[ages]
    return ages.astype(np.int64), np.where(male, "M", "F")


def birth_dates(ages: np.ndarray, reference_date: np.datetime64, rng: np.random.Generator) -> np.ndarray:
    """Birth dates giving exactly ``ages`` on ``reference_date``, uniform within the year of age."""
    ref = np.datetime64(reference_date, "D")
    ref_year = ref.astype("datetime64[Y]").astype(np.int64) + 1970
    month_day = ref - ref.astype("datetime64[Y]")
    # The last birthday falls in ref_year - age; the person was born in the 365/366 days after the
    # day one year before that birthday.
    latest = (np.asarray(ref_year - ages - 1970).astype("datetime64[Y]").astype("datetime64[D]") + month_day)
    earliest = (np.asarray(ref_year - ages - 1 - 1970).astype("datetime64[Y]").astype("datetime64[D]") + month_day + 1)
    span = (latest - earliest).astype(np.int64) + 1
    return earliest + (rng.random(ages.size) * span).astype(np.int64)


def age_at(birth: np.ndarray, on: np.datetime64 | np.ndarray) -> np.ndarray:
    """Whole years of age on a date, or on a date per person (vectorised).

    The birthday is compared as (month, day), so leap years do not shift it.
    """
    birth = np.asarray(birth, dtype="datetime64[D]")
    on = np.asarray(on, dtype="datetime64[D]")

    def year_and_month_day(d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        months = d.astype("datetime64[M]")
        day = (d - months.astype("datetime64[D]")).astype(np.int64) + 1
        month_number = months.astype(np.int64)
        return month_number // 12, (month_number % 12 + 1) * 100 + day

    born_year, born_md = year_and_month_day(birth)
    on_year, on_md = year_and_month_day(on)
    return on_year - born_year - (born_md > on_md).astype(np.int64)
