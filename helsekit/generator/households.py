"""Households and parent relations for a population of ages and sexes (households.toml).

Order of work: children 0–17 are grouped into families and given resident parents; then
families with adult children, multi-family households and couples without children are filled
to their scaled SSB counts; every adult left lives alone. Last, children with one resident
parent get the other parent, registered elsewhere, where the spec says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from helsekit.domain.households import HouseholdKind as K
from helsekit.generator.age_pool import AgePool

HEAD, PARTNER, CHILD, OTHER = 0, 1, 2, 3  # person roles, for family names


@dataclass
class Households:
    """Household membership of every person, household kinds, and parent relations (by person index)."""

    person_household: np.ndarray
    person_role: np.ndarray
    kind: np.ndarray
    partnership: np.ndarray
    relation_child: np.ndarray
    relation_parent: np.ndarray
    relation: np.ndarray
    foreldreansvar: np.ndarray


@dataclass
class _Builder:
    n_persons: int
    household: np.ndarray = field(init=False)
    role: np.ndarray = field(init=False)
    kinds: list[np.ndarray] = field(default_factory=list)
    partnerships: list[np.ndarray] = field(default_factory=list)
    relations: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = field(default_factory=list)
    count: int = 0

    def __post_init__(self) -> None:
        self.household = np.full(self.n_persons, -1, dtype=np.int64)
        self.role = np.full(self.n_persons, OTHER, dtype=np.int8)

    def new(self, kind: np.ndarray, partnership: np.ndarray) -> np.ndarray:
        ids = np.arange(self.count, self.count + kind.size)
        self.count += kind.size
        self.kinds.append(kind)
        self.partnerships.append(partnership)
        return ids

    def place(self, persons: np.ndarray, households: np.ndarray, role: int) -> None:
        ok = persons >= 0
        self.household[persons[ok]] = households[ok]
        self.role[persons[ok]] = role

    def relate(self, child: np.ndarray, parent: np.ndarray, relation: np.ndarray | str, responsible: np.ndarray | bool) -> None:
        relation = np.broadcast_to(np.asarray(relation, dtype=object), child.shape)
        responsible = np.broadcast_to(np.asarray(responsible, dtype=bool), child.shape)
        ok = (child >= 0) & (parent >= 0)
        self.relations.append((child[ok], parent[ok], relation[ok], responsible[ok]))


def _scaled(count: float, scale: float) -> int:
    return int(round(count * scale))


def _draw(rng: np.random.Generator, values: list, shares: list, size: int) -> np.ndarray:
    p = np.asarray(shares, dtype=float)
    return np.asarray(values)[rng.choice(len(values), size=size, p=p / p.sum())]


def _group(rng: np.random.Generator, persons: np.ndarray, ages: np.ndarray, sizes: np.ndarray, window: float) -> tuple[np.ndarray, np.ndarray]:
    """Split ``persons`` into consecutive groups of ``sizes`` after sorting by age plus a jitter.

    Returns the group of each position and the persons in that order.
    """
    order = persons[np.argsort(ages[persons] + rng.uniform(0, window, persons.size), kind="stable")]
    return np.repeat(np.arange(sizes.size), sizes), order


def _family_sizes(rng, n_children: int, kinds: np.ndarray, per_kind: dict[str, tuple], kind_p: np.ndarray):
    """Draw families (kind, number of children) until they hold exactly ``n_children``."""
    drawn_kind = kinds[rng.choice(kinds.size, size=max(n_children, 1), p=kind_p)]
    sizes = np.zeros(drawn_kind.size, dtype=np.int64)
    for kind, (values, shares) in per_kind.items():
        rows = np.flatnonzero(drawn_kind == kind)
        sizes[rows] = _draw(rng, values, shares, rows.size)
    ends = np.cumsum(sizes)
    last = int(np.searchsorted(ends, n_children))
    if n_children == 0:
        return drawn_kind[:0], sizes[:0]
    sizes = sizes[: last + 1].copy()
    sizes[-1] -= ends[last] - n_children
    return drawn_kind[: last + 1], sizes


def build(ages: np.ndarray, sexes: np.ndarray, spec: dict, scale: float, rng: np.random.Generator) -> Households:
    """Build households for persons with ``ages`` and ``sexes``; SSB counts are multiplied by ``scale``."""
    n = ages.size
    b = _Builder(n)
    pool = AgePool(ages, sexes, ages >= 18, rng)
    types = dict(zip(spec["household_types"]["kind"], spec["household_types"]["count_2023"]))
    ch, par = spec["children"], spec["parents"]

    # 1. Families with children 0–17.
    children = np.flatnonzero(ages < 18)
    per = ch["per_family"]
    mean_couple = float(np.dot(per["children"], per["couple_share"]) / np.sum(per["couple_share"]))
    mean_single = float(np.dot(per["children"], per["single_share"]) / np.sum(per["single_share"]))
    fam_kinds = np.array(["both", "step", "single"])
    kind_p = np.array([ch["both_parents"] / mean_couple, ch["parent_and_step_parent"] / mean_couple, ch["single_parent"] / mean_single])
    fam_kind, fam_size = _family_sizes(
        rng, children.size, fam_kinds,
        {"both": (per["children"], per["couple_share"]), "step": (per["children"], per["couple_share"]),
         "single": (per["children"], per["single_share"])},
        kind_p / kind_p.sum(),
    )
    family_of, ordered = _group(rng, children, ages, fam_size, spec["children"]["siblings"]["age_window_years"])
    n_fam = fam_size.size
    starts = np.concatenate([[0], np.cumsum(fam_size)[:-1]]).astype(np.int64)
    oldest = np.maximum.reduceat(ages[ordered], starts) if n_fam else np.zeros(0, dtype=np.int64)
    lo, hi = par["mother_age_at_oldest_child_range"]
    mother_age = oldest + np.clip(rng.normal(par["mother_age_at_oldest_child_mean"], par["mother_age_at_oldest_child_sd"], n_fam), lo, hi)
    father_age = np.maximum(mother_age + rng.normal(par["father_older_than_mother_mean"], par["father_older_than_mother_sd"], n_fam), oldest + 18)
    mother_age, father_age = np.rint(mother_age).astype(np.int64), np.rint(father_age).astype(np.int64)

    multi = np.zeros(n_fam, dtype=bool)
    multi[rng.choice(n_fam, size=min(n_fam, _scaled(types[K.MULTI_FAMILY_WITH_CHILDREN], scale)), replace=False)] = True
    couple = fam_kind != "single"
    kind = np.where(multi, K.MULTI_FAMILY_WITH_CHILDREN, np.where(couple, K.COUPLE_WITH_CHILDREN, K.SINGLE_PARENT)).astype(object)
    married = rng.random(n_fam) < ch["married_share_of_both_parents"]
    partnership = np.where(couple, np.where(married, "married", "cohabiting"), None).astype(object)
    fam_hh = b.new(kind, partnership)
    b.place(ordered, fam_hh[family_of], CHILD)

    # Who lives with the children: a mother, a father, or a biological parent and a step-parent.
    bio_is_mother = np.where(
        fam_kind == "single", rng.random(n_fam) < par["single_parent_is_mother"],
        np.where(fam_kind == "step", rng.random(n_fam) < par["step_family_biological_parent_is_mother"], True),
    )
    woman_needed = couple | bio_is_mother
    man_needed = couple | ~bio_is_mother
    women = np.full(n_fam, -1, dtype=np.int64)
    men = np.full(n_fam, -1, dtype=np.int64)
    women[woman_needed] = pool.take_either(mother_age[woman_needed], "F")
    men[man_needed] = pool.take_either(father_age[man_needed], "M")
    head = np.where(bio_is_mother, women, men)
    partner = np.where(bio_is_mother, men, women)
    b.place(head, fam_hh, HEAD)
    b.place(np.where(couple, partner, -1), fam_hh, PARTNER)
    child_family = np.empty(n, dtype=np.int64)
    child_family[ordered] = family_of
    fam_of_child = child_family[ordered]
    for person, is_woman in ((women, True), (men, False)):
        resident_bio = (fam_kind[fam_of_child] != "step") | (bio_is_mother[fam_of_child] == is_woman)
        relation = np.where(resident_bio, "mother" if is_woman else "father", "step_mother" if is_woman else "step_father")
        b.relate(ordered, person[fam_of_child], relation, resident_bio)

    # Grandparents in multi-family households with children.
    extra = spec["multi_family"]
    rows = np.flatnonzero(multi)
    n_extra = _draw(rng, extra["extra_adults"], extra["share"], rows.size)
    gp_hh = np.repeat(rows, n_extra)
    g_lo, g_hi = extra["grandparent_age_range"]
    gap_lo, gap_hi = extra["grandparent_older_than_mother"]
    gp_age = np.clip(mother_age[gp_hh] + rng.integers(gap_lo, gap_hi + 1, gp_hh.size), g_lo, g_hi)
    gp_sex = np.where(rng.random(gp_hh.size) < extra["grandparent_is_woman"], "F", "M")
    b.place(pool.take_either(gp_age, gp_sex), fam_hh[gp_hh], OTHER)

    # 2. One-family households with adult children (18–30) and their parents.
    ac = spec["adult_children"]
    n_ac = _scaled(types[K.FAMILY_WITH_ADULT_CHILDREN], scale)
    ac_size = _draw(rng, ac["adult_children"], ac["share"], n_ac)
    weights = np.asarray(ac["age_weights_from_18"], dtype=float)
    young_ages = 18 + rng.choice(weights.size, size=int(ac_size.sum()), p=weights / weights.sum())
    young = pool.take_either(young_ages, np.where(rng.random(young_ages.size) < 0.5, "F", "M"))
    young = young[young >= 0]
    ac_size = ac_size[: np.searchsorted(np.cumsum(ac_size), young.size, side="right")]
    young = young[: ac_size.sum()]
    ac_of, ac_ordered = _group(rng, young, ages, ac_size, ac["sibling_age_window_years"])
    ac_hh = b.new(np.full(ac_size.size, K.FAMILY_WITH_ADULT_CHILDREN, dtype=object), np.full(ac_size.size, None, dtype=object))
    b.place(ac_ordered, ac_hh[ac_of], CHILD)
    ac_starts = np.concatenate([[0], np.cumsum(ac_size)[:-1]]).astype(np.int64)
    ac_oldest = np.maximum.reduceat(ages[ac_ordered], ac_starts) if ac_size.size else np.zeros(0, dtype=np.int64)
    ac_mother_age = np.rint(ac_oldest + np.clip(rng.normal(par["mother_age_at_oldest_child_mean"], par["mother_age_at_oldest_child_sd"], ac_size.size), lo, hi)).astype(np.int64)
    ac_couple = rng.random(ac_size.size) < ac["couple_share"]
    ac_mother = rng.random(ac_size.size) < par["single_parent_is_mother"]
    ac_women = np.where(ac_couple | ac_mother, 0, -1)
    ac_women[ac_women == 0] = pool.take_either(ac_mother_age[ac_women == 0], "F")
    ac_men = np.where(ac_couple | ~ac_mother, 0, -1)
    ac_men[ac_men == 0] = pool.take_either(np.rint(ac_mother_age[ac_men == 0] + par["father_older_than_mother_mean"]), "M")
    b.place(np.where(ac_women >= 0, ac_women, ac_men), ac_hh, HEAD)
    b.place(np.where(ac_women >= 0, ac_men, -1), ac_hh, PARTNER)
    b.relate(ac_ordered, ac_women[ac_of], "mother", False)  # foreldreansvar ends at 18
    b.relate(ac_ordered, ac_men[ac_of], "father", False)

    # 3. Multi-family households without children: 3–4 adults of working age.
    n_mf = _scaled(types[K.MULTI_FAMILY_WITHOUT_CHILDREN], scale)
    mf_size = 2 + _draw(rng, extra["extra_adults"], extra["share"], n_mf)
    sharer_lo, sharer_hi = extra["sharing_adults_age_range"]
    mf_persons = pool.take_either(rng.integers(sharer_lo, sharer_hi + 1, int(mf_size.sum())), np.where(rng.random(int(mf_size.sum())) < 0.5, "F", "M"))
    mf_hh = b.new(np.full(n_mf, K.MULTI_FAMILY_WITHOUT_CHILDREN, dtype=object), np.full(n_mf, None, dtype=object))
    mf_of = np.repeat(mf_hh, mf_size)
    first = np.r_[True, mf_of[1:] != mf_of[:-1]] if mf_of.size else np.zeros(0, dtype=bool)
    b.place(mf_persons, mf_of, OTHER)
    b.place(np.where(first, mf_persons, -1), mf_of, HEAD)

    # 4. Couples without children 0–17.
    cw = spec["couples_without_children"]
    n_cw = _scaled(types[K.COUPLE_WITHOUT_CHILDREN], scale)
    bounds = np.append(cw["age_lower"], 100)
    band = rng.choice(len(cw["weight"]), size=n_cw, p=np.asarray(cw["weight"]) / np.sum(cw["weight"]))
    woman_age = rng.integers(bounds[band], bounds[band + 1])
    cw_women = pool.take_either(woman_age, "F")
    cw_men = pool.take_either(np.rint(woman_age + rng.normal(par["father_older_than_mother_mean"], par["father_older_than_mother_sd"], n_cw)), "M")
    cw_married = rng.random(n_cw) < ch["married_share_of_both_parents"]
    cw_hh = b.new(np.full(n_cw, K.COUPLE_WITHOUT_CHILDREN, dtype=object), np.where(cw_married, "married", "cohabiting").astype(object))
    b.place(cw_women, cw_hh, HEAD)
    b.place(cw_men, cw_hh, PARTNER)

    # 5. Everyone left lives alone.
    alone = np.flatnonzero(b.household < 0)
    alone_hh = b.new(np.full(alone.size, K.ONE_PERSON, dtype=object), np.full(alone.size, None, dtype=object))
    b.place(alone, alone_hh, HEAD)

    # 6. The parent who does not live with the child, registered at another address.
    one_resident = np.flatnonzero(fam_kind != "both")
    registered = one_resident[rng.random(one_resident.size) < par["absent_parent_registered"]]
    hh_kind = np.concatenate(b.kinds)
    elsewhere = np.isin(hh_kind, [K.ONE_PERSON, K.COUPLE_WITHOUT_CHILDREN])[b.household] & (ages >= 18)
    absent_pool = AgePool(ages, sexes, elsewhere, rng)
    absent_is_father = bio_is_mother[registered]
    absent = absent_pool.take_either(np.where(absent_is_father, father_age[registered], mother_age[registered]), np.where(absent_is_father, "M", "F"))
    absent_of_family = np.full(n_fam, -1, dtype=np.int64)
    absent_of_family[registered] = absent
    shared_responsibility = rng.random(n_fam) < par["absent_parent_has_foreldreansvar"]
    b.relate(ordered, absent_of_family[fam_of_child], np.where(bio_is_mother[fam_of_child], "father", "mother"), shared_responsibility[fam_of_child])

    child, parent, relation, responsible = (np.concatenate(parts) for parts in zip(*b.relations))
    return Households(
        person_household=b.household,
        person_role=b.role,
        kind=hh_kind,
        partnership=np.concatenate(b.partnerships),
        relation_child=child,
        relation_parent=parent,
        relation=relation,
        foreldreansvar=responsible,
    )
