"""Fastlege changes over the history window: earlier list relations of each household (§9).

Numbers from health_services.toml [gp_changes]. A household changes list together; a change takes
effect on the 1st of a month (§9.2); relations last an exponential time (mean from FLO's list-relation
figure) but never under six months, so nobody changes more than twice in a calendar year (§9.1).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

YEAR = 365.2425


@dataclass(frozen=True)
class Memberships:
    """List relations, sorted by person, then start: list index, first and last day (NaT: still on it)."""

    person: np.ndarray
    gp_list: np.ndarray
    valid_from: np.ndarray  # datetime64[D]
    valid_to: np.ndarray  # datetime64[D], NaT for the current relation
    requested_on: np.ndarray  # datetime64[D], NaT for a first relation (before the window or from birth)
    via_waiting_list: np.ndarray  # bool


def _first_of_month(days: np.ndarray) -> np.ndarray:
    return days.astype("datetime64[M]").astype("datetime64[D]")


def history(
    person: np.ndarray, household: np.ndarray, current_list: np.ndarray, list_kommune: np.ndarray, birth: np.ndarray,
    reference: np.datetime64, window_start: np.datetime64, spec: dict, rng: np.random.Generator,
) -> Memberships:
    """Every list relation back to the window start for the listed ``person``s (current one included).

    ``person`` must be ascending with each household's members next to each other (citizen-id order).
    """
    mean_days = spec["gp_scheme"]["mean_list_relation_years"] * YEAR
    shortest = spec["gp_changes"]["shortest_relation_months"]
    new_home = np.r_[True, household[1:] != household[:-1]] if household.size else np.zeros(0, dtype=bool)
    first = np.flatnonzero(new_home)
    home_of = np.cumsum(new_home) - 1  # household index of each listed person
    home_list = current_list[first]

    # Relations of each household, newest first: (household, list, start).
    start = _first_of_month(reference - 1 - np.rint(rng.exponential(mean_days, first.size)).astype(np.int64))
    relations = [(np.arange(first.size), home_list, start)]
    index, later_start, later_list = np.arange(first.size), start, home_list
    lists_by_kommune = np.argsort(list_kommune, kind="stable")
    kommune_first = np.searchsorted(list_kommune[lists_by_kommune], list_kommune)
    kommune_count = np.searchsorted(list_kommune[lists_by_kommune], list_kommune, side="right") - kommune_first
    while index.size:
        keep = later_start > window_start
        index, later_start, later_list = index[keep], later_start[keep], later_list[keep]
        if not index.size:
            break
        length = np.maximum(rng.exponential(mean_days, index.size), shortest * 30.5)
        earlier_start = _first_of_month(later_start - np.rint(length).astype(np.int64))
        # The earlier list: another list in the same kommune where there is one, else any other list.
        count = kommune_count[later_list]
        pick = lists_by_kommune[kommune_first[later_list] + (rng.random(index.size) * count).astype(np.int64)]
        anywhere = rng.integers(0, list_kommune.size, index.size)
        earlier_list = np.where((count > 1) & (pick != later_list), pick, anywhere)
        changed = earlier_list != later_list
        index, earlier_start, earlier_list = index[changed], earlier_start[changed], earlier_list[changed]
        relations.append((index, earlier_list, earlier_start))
        later_start, later_list = earlier_start, earlier_list

    h, gp_list, valid_from = (np.concatenate(parts) for parts in zip(*relations))
    days = valid_from.astype(np.int64)
    order = np.argsort(h * (1 << 22) + (days - days.min()), kind="stable")  # per household, oldest first
    h, gp_list, valid_from = h[order], gp_list[order], valid_from[order]
    last = np.r_[h[1:] != h[:-1], True]
    valid_to = np.where(last, np.datetime64("NaT"), np.r_[valid_from[1:], valid_from[-1:]] - 1)
    relation_first = np.searchsorted(h, np.arange(first.size))
    relation_count = np.diff(np.r_[relation_first, h.size])
    # A change was asked for in the month before it took effect, or waited on the new list's waiting list (§9.2).
    waiting = spec["gp_changes"]["waiting_list"]
    is_change = np.r_[False, h[1:] == h[:-1]] & (valid_from > window_start)
    via_waiting_list = is_change & (rng.random(h.size) < waiting["share_of_changes"])
    wait = np.where(via_waiting_list, 1 + np.rint(rng.exponential(waiting["mean_wait_days"], h.size)), rng.integers(1, 29, h.size))
    requested_on = np.where(is_change, valid_from - wait.astype(np.int64), np.datetime64("NaT"))

    # Each listed person gets their household's relations, oldest first, from their birth on.
    per_person = relation_count[home_of]
    who = np.repeat(np.arange(person.size), per_person)
    rel = relation_first[home_of[who]] + (np.arange(who.size) - np.repeat(np.cumsum(per_person) - per_person, per_person))
    start_day = np.maximum(valid_from[rel], birth[person[who]])
    end_day = valid_to[rel]
    alive = np.isnat(end_day) | (end_day >= start_day)
    asked = requested_on[rel]
    asked_then = ~np.isnat(asked) & (asked >= birth[person[who]])  # a child born since joins with the household
    return Memberships(person[who[alive]], gp_list[rel[alive]], start_day[alive], end_day[alive],
                       np.where(asked_then, asked, np.datetime64("NaT"))[alive], (via_waiting_list[rel] & asked_then)[alive])


def until_death(
    relations: Memberships, person: np.ndarray, gp_list: np.ndarray, birth: np.ndarray, death: np.ndarray, spec: dict,
    rng: np.random.Generator,
) -> Memberships:
    """``relations`` with one more for each deceased ``person`` (ids after everyone in ``relations``):
    on ``gp_list`` (−1: none) from an exponential time before death, never before birth, until the
    day of death (population.toml [deaths])."""
    mean_days = spec["gp_scheme"]["mean_list_relation_years"] * YEAR
    listed = gp_list >= 0
    start = _first_of_month(death - np.rint(rng.exponential(mean_days, person.size)).astype(np.int64))
    start = np.maximum(start, birth)
    return Memberships(
        np.concatenate([relations.person, person[listed]]),
        np.concatenate([relations.gp_list, gp_list[listed]]),
        np.concatenate([relations.valid_from, start[listed]]),
        np.concatenate([relations.valid_to, death[listed]]),
        np.concatenate([relations.requested_on, np.full(int(listed.sum()), np.datetime64("NaT"), dtype="datetime64[D]")]),
        np.concatenate([relations.via_waiting_list, np.zeros(int(listed.sum()), dtype=bool)]),
    )
