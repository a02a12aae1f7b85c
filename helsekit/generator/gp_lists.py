"""The fastlege scheme: lists, their ceilings and GPs, offices, and who is listed where (§9).

Numbers from health_services.toml [gp_scheme] and [gp_offices]. A household is listed together,
in its own kommune when a list there has room, otherwise in the nearest kommune with room; no list
ever holds more than its ceiling.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from helsekit.domain.organisations import OrganisationKind as Kind
from helsekit.generator import people
from helsekit.generator.geography import largest_remainder
from helsekit.generator.sites import Organisations


@dataclass
class GpScheme:
    """Lists (index = list id − 1), the GP of each staffed list, and each listed person's list."""

    list_kommune: np.ndarray
    list_office: np.ndarray
    list_ceiling: np.ndarray
    list_practitioner: np.ndarray  # practitioner index, −1 for a list without a permanent GP
    gp_office: np.ndarray  # per practitioner: office id
    gp_sex: np.ndarray
    gp_age: np.ndarray
    gp_specialist: np.ndarray
    gp_salaried: np.ndarray
    member_person: np.ndarray
    member_list: np.ndarray


def fill(sizes: np.ndarray, room: np.ndarray) -> np.ndarray:
    """Place groups of ``sizes`` (in order) on slots with ``room``; −1 where a group did not fit.

    Groups go to consecutive slots; a slot never receives more than its room.
    """
    if not sizes.size or not room.size:
        return np.full(sizes.size, -1, dtype=np.int64)
    ends = np.cumsum(room)
    starts = np.cumsum(sizes) - sizes
    slot = np.searchsorted(ends, starts, side="right")
    slot[slot >= room.size] = -1
    placed = slot >= 0
    # Within each slot, drop the groups that would take it over its room.
    sizes_placed = np.where(placed, sizes, 0)
    running = np.cumsum(sizes_placed)
    first_of_slot = np.r_[True, slot[1:] != slot[:-1]]
    base = np.maximum.accumulate(np.where(first_of_slot, running - sizes_placed, 0))
    over = placed & (running - base > room[np.maximum(slot, 0)])
    slot[over] = -1
    return slot


def _distances(lat: np.ndarray, lon: np.ndarray, k: int) -> np.ndarray:
    """Approximate km from kommune ``k`` to every kommune."""
    dy = (lat - lat[k]) * 111.0
    dx = (lon - lon[k]) * 111.0 * np.cos(np.radians(lat[k]))
    return np.hypot(dx, dy)


def assign_lists(hh_kommune, hh_size, list_kommune, list_ceiling, lat, lon, rng) -> tuple[np.ndarray, np.ndarray]:
    """The list of each household (−1: not listed) and each list's count."""
    n_kommuner = lat.size
    order = np.lexsort((rng.random(hh_kommune.size), hh_kommune))
    hh_list = np.full(hh_kommune.size, -1, dtype=np.int64)
    count = np.zeros(list_ceiling.size, dtype=np.int64)
    lists_of = [np.flatnonzero(list_kommune == k) for k in range(n_kommuner)]
    households_of = np.split(order, np.searchsorted(hh_kommune[order], np.arange(1, n_kommuner)))
    waiting = []
    for k in range(n_kommuner):
        hh = households_of[k]
        slots = lists_of[k]
        slot = fill(hh_size[hh], list_ceiling[slots] - count[slots])
        hh_list[hh[slot >= 0]] = slots[slot[slot >= 0]]
        np.add.at(count, slots[slot[slot >= 0]], hh_size[hh[slot >= 0]])
        if (slot < 0).any():
            waiting.append((k, hh[slot < 0]))
    has_room = np.bincount(list_kommune, weights=list_ceiling - count, minlength=n_kommuner) > 0
    for k, hh in waiting:
        for near in np.argsort(_distances(lat, lon, k), kind="stable"):
            if not hh.size:
                break
            if not has_room[near]:
                continue
            slots = lists_of[near]
            slot = fill(hh_size[hh], list_ceiling[slots] - count[slots])
            done = slot >= 0
            hh_list[hh[done]] = slots[slot[done]]
            np.add.at(count, slots[slot[done]], hh_size[hh[done]])
            has_room[near] = (list_ceiling[slots] - count[slots]).max() > 0
            hh = hh[~done]
        if hh.size:
            raise RuntimeError("GP lists have too little room for the listed population; check health_services.toml")
    return hh_list, count


def build(orgs: Organisations, kommuner, hh_kommune, hh_size, hh_alone, spec: dict, list_scale: float, rng) -> tuple[GpScheme, np.ndarray]:
    """Lists, offices (added to ``orgs``) and GPs; returns the scheme and each household's list."""
    gp = spec["gp_scheme"]
    n_citizens = int(hh_size.sum())
    # Those not on any list (≈0.3 %, reference-statistics §7) are people living alone.
    unlisted_n = min(int(round(n_citizens * (1 - gp["share_of_population_on_a_list"]))), int(hh_alone.sum()))
    unlisted = np.zeros(hh_size.size, dtype=bool)
    unlisted[rng.choice(np.flatnonzero(hh_alone), size=unlisted_n, replace=False)] = True
    listed_per_kommune = np.bincount(hh_kommune[~unlisted], weights=hh_size[~unlisted], minlength=len(kommuner))
    n_lists = max(1, int(round(listed_per_kommune.sum() / (gp["mean_persons_per_list"] * list_scale))))
    list_kommune = np.repeat(np.arange(len(kommuner)), largest_remainder(listed_per_kommune, n_lists))
    low, high = gp["list_ceiling_range"]
    ceiling = np.clip(rng.normal(gp["mean_list_ceiling"], gp["list_ceiling_sd"], n_lists), low, high) * list_scale
    # Room for everyone, with a household's worth of slack per list so families are never split.
    needed = listed_per_kommune.sum() + n_lists * hh_size.max()
    if ceiling.sum() < needed:
        ceiling = ceiling * needed / ceiling.sum()
    ceiling = np.maximum(np.ceil(ceiling), hh_size.max()).astype(np.int64)
    lat, lon = kommuner["latitude"].to_numpy(), kommuner["longitude"].to_numpy()
    listed = np.flatnonzero(~unlisted)
    hh_list = np.full(hh_size.size, -1, dtype=np.int64)
    hh_list[listed], _ = assign_lists(hh_kommune[listed], hh_size[listed], list_kommune, ceiling, lat, lon, rng)

    # Offices: a kommune's lists grouped into legekontor of 1–8 lists.
    offices = spec["gp_offices"]
    p = np.asarray(offices["share"]) / np.sum(offices["share"])
    list_office = np.zeros(n_lists, dtype=np.int64)
    numbers = kommuner["number"].to_numpy()
    for k in np.unique(list_kommune):
        lists = np.flatnonzero(list_kommune == k)
        sizes = np.asarray(offices["gps_per_office"])[rng.choice(p.size, size=lists.size, p=p)]
        n_offices = int(np.searchsorted(np.cumsum(sizes), lists.size)) + 1
        office_of_list = np.repeat(np.arange(n_offices), sizes[:n_offices])[: lists.size]
        names = [f"{place} legesenter" for place in people.place_names(n_offices, rng)]
        ids = orgs.add(Kind.GP_OFFICE, names, [numbers[k]] * n_offices)
        list_office[lists] = ids[office_of_list]

    vacant = rng.random(n_lists) < gp["share_of_lists_without_permanent_gp"]
    vacant[rng.integers(n_lists)] = False  # at least one staffed list
    staffed = np.flatnonzero(~vacant)
    list_practitioner = np.full(n_lists, -1, dtype=np.int64)
    list_practitioner[staffed] = np.arange(staffed.size)
    age_low, age_high = gp["gp_age_range"]
    scheme = GpScheme(
        list_kommune=list_kommune,
        list_office=list_office,
        list_ceiling=ceiling,
        list_practitioner=list_practitioner,
        gp_office=list_office[staffed],
        gp_sex=np.where(rng.random(staffed.size) < gp["share_of_gps_women"], "F", "M"),
        gp_age=rng.integers(age_low, age_high + 1, staffed.size),
        gp_specialist=rng.random(staffed.size) < gp["share_of_gps_specialists"],
        gp_salaried=rng.random(staffed.size) < gp["share_of_gps_salaried"],
        member_person=np.zeros(0, dtype=np.int64),
        member_list=np.zeros(0, dtype=np.int64),
    )
    return scheme, hh_list
