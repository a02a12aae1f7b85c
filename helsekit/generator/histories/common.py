"""Shared pieces of the history generators: the person-year grid and coded string columns."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from helsekit.generator.population import age_at


@dataclass(frozen=True)
class PersonYears:
    """Every (person, calendar year) of a block in the window, with the part of the year the person was alive."""

    person: np.ndarray  # index into the block
    year: np.ndarray
    year_start: np.ndarray  # datetime64[D]
    year_end: np.ndarray  # 1 January the year after
    exposed_from: np.ndarray  # the later of 1 January and the birth date
    exposure: np.ndarray  # share of the year alive, 0…1
    age_mid_year: np.ndarray  # age on 2 July


def person_years(birth: np.ndarray, first_year: int, last_year: int) -> PersonYears:
    """The person-year grid of a block whose members were born on ``birth``."""
    years = np.arange(first_year, last_year + 1)
    person = np.repeat(np.arange(birth.size), years.size)
    year = np.tile(years, birth.size)
    year_start = (year - 1970).astype("datetime64[Y]").astype("datetime64[D]")
    year_end = (year - 1969).astype("datetime64[Y]").astype("datetime64[D]")
    exposed_from = np.maximum(year_start, birth[person])
    exposure = np.clip((year_end - exposed_from).astype(np.int64) / (year_end - year_start).astype(np.int64), 0, 1)
    return PersonYears(person, year, year_start, year_end, exposed_from, exposure, np.maximum(age_at(birth[person], year_start + 182), 0))


def age_group(lower: list[int], ages: np.ndarray) -> np.ndarray:
    """Index of the age group (by lower bounds) of each age."""
    return np.searchsorted(np.asarray(lower), np.maximum(ages, 0), side="right") - 1


def words(vocabulary: list[str], codes: np.ndarray) -> pa.Array:
    """Arrow strings for integer codes into a small vocabulary (built as a dictionary, stored as text)."""
    return pa.DictionaryArray.from_arrays(pa.array(np.asarray(codes, dtype=np.int32)), pa.array(vocabulary)).cast(pa.string())


@dataclass(frozen=True)
class ListRelations:
    """A block's fastlege list relations, sorted by person (block index), then start."""

    person: np.ndarray
    valid_from: np.ndarray  # datetime64[D]
    gp_list_id: np.ndarray
    gp_office_id: np.ndarray
    practitioner_id: np.ndarray  # −1: a list without a permanent GP


def list_in_force(relations: ListRelations, person: np.ndarray, day: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The list, office and fastlege of each (person, day): the latest relation begun by that day.

    Before a person's first relation in the window, the first one is used. −1 where the person has none.
    """
    if not relations.person.size:
        empty = np.full(person.size, -1, dtype=np.int64)
        return empty, empty, empty
    days = np.asarray(day, dtype="datetime64[D]").astype(np.int64)
    key = relations.person * (1 << 24) + (relations.valid_from.astype(np.int64) + (1 << 23))
    found = np.searchsorted(key, person * (1 << 24) + days + (1 << 23), side="right") - 1
    first = np.searchsorted(relations.person, person)
    found = np.maximum(found, first)
    has = (first < relations.person.size) & (relations.person[np.minimum(first, relations.person.size - 1)] == person)
    found = np.minimum(found, relations.person.size - 1)
    pick = lambda values: np.where(has, values[found], -1)  # noqa: E731
    return pick(relations.gp_list_id), pick(relations.gp_office_id), pick(relations.practitioner_id)
