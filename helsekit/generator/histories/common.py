"""Shared pieces of the history generators: the block of citizens, the context each source adds
its tables to, the person-year grid and coded string columns."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from helsekit.generator.population import age_at
from helsekit.generator.scenarios import Scenario
from helsekit.generator.streams import Streams

NAT = np.datetime64("NaT", "D")


@dataclass(frozen=True)
class Block:
    """The citizens of one block, as arrays (ids ascending)."""

    citizen_id: np.ndarray
    birth: np.ndarray  # datetime64[D]
    sex: np.ndarray  # "M" / "F"
    pharmacy_id: np.ndarray  # the pharmacy the citizen uses
    hospital_id: np.ndarray  # the local hospital of the citizen's health trust (−1: none)
    death: np.ndarray  # datetime64[D]; NaT for those alive on the reference date
    travel_km: np.ndarray  # one-way distance from home to the local hospital, km
    health_region: np.ndarray  # the RHF of the local hospital ("Helse Sør-Øst", …)
    kj_reserved: np.ndarray  # reserved against having a kjernejournal (§4.7, choice 3)
    kj_blocks_personnel: np.ndarray  # health personnel may not open the kjernejournal (§4.7, choice 2)

    @property
    def size(self) -> int:
        return int(self.citizen_id.size)

    def until(self, reference: np.datetime64) -> np.ndarray:
        """Per citizen, the day their history stops (exclusive): the reference date, or the day of death before it."""
        return np.where(np.isnat(self.death), reference, np.minimum(self.death, reference))

    def alive_on(self, person: np.ndarray, day: np.ndarray) -> np.ndarray:
        """True where ``person`` (block index) was born by and still alive on ``day``."""
        day = np.asarray(day).astype("datetime64[D]")
        death = self.death[person]
        return (day >= self.birth[person]) & (np.isnat(death) | (day < death))


@dataclass(frozen=True)
class Payments:
    """Egenandeler owed, one per paid service (before the ceiling is applied)."""

    citizen_id: np.ndarray
    date: np.ndarray
    nominal: np.ndarray
    source: str
    source_id: np.ndarray  # the contact, dispensing, appointment or trip it pays for


STAFF_ROLES = ["lege", "sykepleier", "forløpskoordinator"]


@dataclass(frozen=True)
class Staff:
    """Hospital personnel, sorted by hospital (organisation id), then role (index into STAFF_ROLES)."""

    hospital_id: np.ndarray
    role: np.ndarray
    practitioner_id: np.ndarray

    def pick(self, hospital_id: np.ndarray, role: str, rng: np.random.Generator) -> np.ndarray:
        """A random practitioner of ``role`` at each hospital; −1 where the hospital has none."""
        key = self.hospital_id * 8 + self.role
        wanted = np.asarray(hospital_id) * 8 + STAFF_ROLES.index(role)
        first = np.searchsorted(key, wanted)
        count = np.searchsorted(key, wanted, side="right") - first
        chosen = first + (rng.random(first.size) * count).astype(np.int64)
        return np.where(count > 0, self.practitioner_id[np.minimum(chosen, max(key.size - 1, 0))] if key.size else -1, -1)


NO_STAFF = Staff(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))


@dataclass(frozen=True)
class PersonYears:
    """Every (person, calendar year) of a block in the window, with the part of the year the person was alive."""

    person: np.ndarray  # index into the block
    year: np.ndarray
    year_start: np.ndarray  # datetime64[D]
    year_end: np.ndarray  # 1 January the year after
    exposed_from: np.ndarray  # the later of 1 January and the birth date
    exposed_to: np.ndarray  # the earlier of the next 1 January and the day of death (exclusive)
    exposure: np.ndarray  # share of the year alive, 0…1
    age_mid_year: np.ndarray  # age on 2 July


def person_years(birth: np.ndarray, first_year: int, last_year: int, death: np.ndarray | None = None) -> PersonYears:
    """The person-year grid of a block whose members were born on ``birth`` (and died on ``death``, NaT: alive)."""
    years = np.arange(first_year, last_year + 1)
    person = np.repeat(np.arange(birth.size), years.size)
    year = np.tile(years, birth.size)
    year_start = (year - 1970).astype("datetime64[Y]").astype("datetime64[D]")
    year_end = (year - 1969).astype("datetime64[Y]").astype("datetime64[D]")
    exposed_from = np.maximum(year_start, birth[person])
    exposed_to = year_end
    if death is not None:
        died = death[person]
        exposed_to = np.where(np.isnat(died), year_end, np.minimum(year_end, died))
    exposure = np.clip((exposed_to - exposed_from).astype(np.int64) / (year_end - year_start).astype(np.int64), 0, 1)
    exposed_to = np.maximum(exposed_to, exposed_from)
    return PersonYears(person, year, year_start, year_end, exposed_from, exposed_to, exposure,
                       np.maximum(age_at(birth[person], year_start + 182), 0))


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


@dataclass
class Context:
    """One block's work in progress: each history source reads what it needs and adds its tables
    (``tables``) and the egenandeler they owe (``payments``)."""

    number: int  # the block's number: its random streams are named after it
    block: Block
    relations: ListRelations
    staff: Staff
    first_year: int
    last_year: int
    streams: Streams
    tables: dict[str, pa.Table] = field(default_factory=dict)
    payments: list[Payments] = field(default_factory=list)
    scenario: Scenario | None = None  # a pilot's planted effect (issue #10); None: the ordinary world

    @property
    def window_start(self) -> np.datetime64:
        return np.datetime64(f"{self.first_year}-01-01", "D")

    @property
    def reference(self) -> np.datetime64:
        """The reference date: the day after the window."""
        return np.datetime64(f"{self.last_year + 1}-01-01", "D")

    def rng(self, source: str) -> np.random.Generator:
        """The block's own random stream for one source."""
        return self.streams.rng(f"{source}/{self.number}")
