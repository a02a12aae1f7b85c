"""Fictional organisations in real kommuner: RHF → HF → hospitals, municipal services, pharmacies."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from helsekit.domain.organisations import OrganisationKind as Kind
from helsekit.generator import people
from helsekit.generator.geography import largest_remainder

MUNICIPAL_NAMES = {Kind.LEGEVAKT: "legevakt", Kind.HELSESTASJON: "helsestasjon", Kind.HJEMMETJENESTE: "hjemmetjeneste"}


@dataclass
class Organisations:
    """Rows of the organisation table under construction; ids are positions + 1."""

    kind: list[str] = field(default_factory=list)
    name: list[str] = field(default_factory=list)
    kommune: list[str] = field(default_factory=list)
    parent: list[int | None] = field(default_factory=list)

    def add(self, kind: str, names, kommuner, parent=None) -> np.ndarray:
        """Add rows; returns their ids."""
        names, kommuner = list(names), list(kommuner)
        start = len(self.kind) + 1
        parents = list(parent) if isinstance(parent, (list, np.ndarray)) else [parent] * len(names)
        self.kind += [kind] * len(names)
        self.name += names
        self.kommune += kommuner
        self.parent += [None if p is None else int(p) for p in parents]
        return np.arange(start, start + len(names))

    def __len__(self) -> int:
        return len(self.kind)


def _health_trust_catchments(kommuner: pd.DataFrame, fylke_region: dict[str, str], regions: list[str], trusts: list[int]) -> np.ndarray:
    """Index of the HF (0…19) serving each kommune: bands of a region cut into equal populations.

    A kommune is never split, so a band that a big kommune swallows is made up by halving the
    most populous band that has more than one kommune.
    """
    hf = np.zeros(len(kommuner), dtype=np.int64)
    first = 0
    region_of = kommuner["fylke_number"].map(fylke_region).to_numpy()
    population = kommuner["population"].to_numpy()
    for region, n_trusts in zip(regions, trusts):
        rows = np.flatnonzero(region_of == region)
        rows = rows[np.lexsort((kommuner["latitude"].to_numpy()[rows], kommuner["fylke_number"].to_numpy()[rows]))]
        middle = np.cumsum(population[rows]) - population[rows] / 2
        band_of = np.minimum(middle / middle[-1] * n_trusts, n_trusts - 1).astype(np.int64)
        bands = [rows[band_of == i] for i in range(n_trusts) if (band_of == i).any()]
        while len(bands) < n_trusts:
            splittable = [i for i, b in enumerate(bands) if b.size > 1]
            i = max(splittable, key=lambda j: population[bands[j]].sum())
            cut = int(np.searchsorted(np.cumsum(population[bands[i]]), population[bands[i]].sum() / 2)) + 1
            cut = min(max(cut, 1), bands[i].size - 1)
            bands[i : i + 1] = [bands[i][:cut], bands[i][cut:]]
        for offset, band in enumerate(bands):
            hf[band] = first + offset
        first += n_trusts
    return hf


def build_regional(orgs: Organisations, kommuner: pd.DataFrame, fylker: pd.DataFrame, spec: dict, rng: np.random.Generator) -> np.ndarray:
    """RHF, HF and hospitals for the whole country. Returns the hospital id serving each kommune."""
    regions = spec["regions"]
    fylke_region = dict(zip(fylker["number"], fylker["region"]))
    catchment = _health_trust_catchments(kommuner, fylke_region, regions["region"], regions["health_trusts"])
    hospitals = spec["hospitals"]
    population = kommuner["population"].to_numpy()
    hf_ids = np.zeros(catchment.max() + 1, dtype=np.int64)
    serving = np.zeros(len(kommuner), dtype=np.int64)
    trust = 0
    for region, n_trusts in zip(regions["region"], regions["health_trusts"]):
        seat = kommuner[kommuner["fylke_number"].map(fylke_region) == region].sort_values("population").iloc[-1]
        rhf_id = orgs.add(Kind.RHF, [f"Helseregion {region} RHF"], [seat["number"]])[0]
        for _ in range(n_trusts):
            rows = np.flatnonzero(catchment == trust)
            rows = rows[np.argsort(-population[rows], kind="stable")]
            place = people.place_names(1, rng)[0]
            hf_ids[trust] = orgs.add(Kind.HF, [f"Helse {place} HF"], [kommuner["number"].iloc[rows[0]]], rhf_id)[0]
            n_hosp = min(1 + int(population[rows].sum() // hospitals["persons_per_extra_hospital"]), hospitals["max_per_health_trust"], rows.size)
            names = [f"{p} sykehus" for p in people.place_names(n_hosp, rng)]
            hospital_ids = orgs.add(Kind.HOSPITAL, names, kommuner["number"].iloc[rows[:n_hosp]], hf_ids[trust])
            # Each kommune of the catchment goes to the trust's hospital in that kommune, else its main one.
            serving[rows] = hospital_ids[0]
            serving[rows[:n_hosp]] = hospital_ids
            trust += 1
    return serving


def build_local(orgs: Organisations, kommuner: pd.DataFrame, citizens_per_kommune: np.ndarray, spec: dict, rng: np.random.Generator) -> None:
    """Municipal services in every kommune with citizens, and pharmacies spread by population."""
    inhabited = np.flatnonzero(citizens_per_kommune > 0)
    numbers = kommuner["number"].to_numpy()
    for kind in spec["municipal_services"]["kinds"]:
        places = people.place_names(inhabited.size, rng)
        orgs.add(kind, [f"{p} {MUNICIPAL_NAMES[kind]}" for p in places], numbers[inhabited])
    n_pharmacies = max(1, round(citizens_per_kommune.sum() / spec["pharmacies"]["inhabitants_per_pharmacy"]))
    per_kommune = largest_remainder(citizens_per_kommune, n_pharmacies)
    where = np.repeat(np.arange(len(kommuner)), per_kommune)
    orgs.add(Kind.PHARMACY, [f"{p} apotek" for p in people.place_names(where.size, rng)], numbers[where])
