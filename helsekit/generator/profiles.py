"""Helsenorge profiles, kjernejournal entries and fullmakter as they stand on the reference date.

Numbers from helsenorge_profiles.toml. Rules kept: only citizens from 16 have a profile; a fullmakt goes from a
giver over 16 who has consented to Basis or more to a holder over 18 (§3.5); nobody with a
confidential address gives or holds one (§3.7).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from helsekit.domain.calendar import add_years
from helsekit.domain.consents import ConsentLevel
from helsekit.generator.histories.common import age_group

YEAR = 365


@dataclass(frozen=True)
class People:
    """Citizens in id order (index = id − 1)."""

    age: np.ndarray
    birth: np.ndarray  # datetime64[D]
    household: np.ndarray
    partner_of_head: np.ndarray  # index of the head's partner in the household, −1 if none
    protected: np.ndarray  # confidential address (§3.7)
    child: np.ndarray  # parent relations: child index
    parent: np.ndarray  # parent relations: parent index


def _choose(rng, shares: np.ndarray) -> np.ndarray:
    """One category per row of a (rows, categories) share matrix."""
    cumulative = np.cumsum(shares, axis=1)
    return (rng.random(shares.shape[0])[:, None] * cumulative[:, -1:] >= cumulative).sum(axis=1)


def generate(people: People, reference: np.datetime64, spec: dict, rng: np.random.Generator) -> dict[str, dict]:
    """Columns of the helsenorge_profile, critical_information and fullmakt tables."""
    n = people.age.size
    adult16 = np.flatnonzero(people.age >= 16)
    consent = spec["consent"]
    level = _choose(rng, np.asarray(consent["shares"])[age_group(consent["age_lower"], people.age[adult16])])

    # Fullmakter: elderly parents to an adult child, and between partners.
    f = spec["fullmakt"]
    may_give = (people.age >= f["giver_min_age"]) & ~people.protected
    may_hold = (people.age >= f["holder_min_age"]) & ~people.protected
    elderly = np.flatnonzero(may_give & (people.age >= f["elderly_from_age"]) & (rng.random(n) < f["elderly_to_child_share"]))
    relation = np.flatnonzero(np.isin(people.parent, elderly) & may_hold[people.child])
    relation = relation[rng.permutation(relation.size)]
    _, first = np.unique(people.parent[relation], return_index=True)  # one adult child per giver, at random
    givers = [people.parent[relation[first]]]
    holders = [people.child[relation[first]]]
    # Elderly givers whose children are not in the register get another adult relative, aged 35–65.
    without = np.setdiff1d(elderly, givers[0])
    relatives = np.flatnonzero(may_hold & (people.age >= 35) & (people.age <= 65))
    if without.size and relatives.size:
        givers.append(without)
        holders.append(relatives[rng.integers(0, relatives.size, without.size)])
    heads = np.flatnonzero((people.partner_of_head >= 0) & may_give)
    couples = heads[may_hold[people.partner_of_head[heads]] & (rng.random(heads.size) < f["partner_share"])]
    givers.append(couples)
    holders.append(people.partner_of_head[couples])
    giver, holder = np.concatenate(givers), np.concatenate(holders)
    # A giver must have consented to at least Basis (§3.5).
    position = np.searchsorted(adult16, giver)
    basis = ConsentLevel.ORDER.index(ConsentLevel.BASIS)
    level[position] = np.maximum(level[position], basis)
    scope = _choose(rng, np.tile(f["scope_shares"], (giver.size, 1)))
    # Given on a day when the giver was over 16 and the holder over 18 (§3.5).
    old_enough = np.maximum(add_years(people.birth[giver], f["giver_min_age"]), add_years(people.birth[holder], f["holder_min_age"]))
    valid_from = np.maximum(reference - rng.integers(1, 5 * YEAR, giver.size), old_enough)
    limited = rng.random(giver.size) < f["time_limited_share"]
    valid_to = np.where(limited, valid_from + rng.integers(YEAR, 3 * YEAR, giver.size), np.datetime64("NaT"))

    notifications = spec["notifications"]
    channel = np.asarray(notifications["channels"], dtype=object)[_choose(rng, np.tile(notifications["shares"], (adult16.size, 1)))]
    channel[level == 0] = None
    kj = spec["kjernejournal"]
    draws = rng.random((3, adult16.size))

    reserved = np.zeros(n, dtype=bool)
    reserved[adult16] = draws[2] < kj["no_kjernejournal"]
    can_register = np.zeros(n, dtype=bool)
    can_register[adult16] = (level > 0) & ~(draws[0] < kj["block_own_web_access"]) & ~reserved[adult16]

    # Kritisk informasjon (§4.3), only in a kjernejournal that exists (§4.7).
    ci = spec["critical_information"]
    shares = np.asarray(ci["shares"])[age_group(ci["age_lower"], people.age)]  # (citizens, types)
    has = (rng.random(shares.shape) < shares) & ~reserved[:, None]
    person, kind = np.nonzero(has)
    earliest = np.maximum(people.birth[person], reference - 10 * YEAR)
    registered = earliest + (rng.random(person.size) * np.maximum((reference - earliest).astype(np.int64), 1)).astype(np.int64)

    own = _own_registrations(people, can_register, reference, spec["own_registrations"], rng)
    return {
        "kj_own_registration": own,
        "helsenorge_profile": {
            "citizen_id": adult16 + 1,
            "consent_level": np.asarray(ConsentLevel.ORDER, dtype=object)[level],
            "notification_channel": channel,
            "kj_block_own_web_access": draws[0] < kj["block_own_web_access"],
            "kj_block_health_personnel": draws[1] < kj["block_health_personnel"],
            "kj_reserved": draws[2] < kj["no_kjernejournal"],
        },
        "critical_information": {
            "id": np.arange(1, person.size + 1),
            "citizen_id": person + 1,
            "type": np.asarray(ci["types"], dtype=object)[kind],
            "registered_on": registered.astype(str).astype(object),
            "verified": rng.random(person.size) < ci["verified_share"],
        },
        "fullmakt": {
            "id": np.arange(1, giver.size + 1),
            "giver_id": giver + 1,
            "holder_id": holder + 1,
            "scope": np.asarray(f["scopes"], dtype=object)[scope],
            "valid_from": valid_from.astype(str).astype(object),
            "valid_to": np.where(limited, valid_to.astype(str), None).astype(object),
        },
    }


def _next_of_kin(people: People) -> np.ndarray:
    """Each person's next of kin in the register: the partner, else an adult child; −1 where none."""
    n = people.age.size
    kin = np.full(n, -1, dtype=np.int64)
    adult_child = people.age[people.child] >= 18
    kin[people.parent[adult_child]] = people.child[adult_child]
    heads = np.flatnonzero(people.partner_of_head >= 0)
    partners = people.partner_of_head[heads]
    kin[heads], kin[partners] = partners, heads
    return kin


def _own_registrations(people: People, can_register: np.ndarray, reference: np.datetime64, spec: dict, rng) -> dict:
    """Columns of kj_own_registration: what citizens registered themselves (§4.1, §4.2)."""
    has = (rng.random((people.age.size, len(spec["kinds"]))) < np.asarray(spec["shares"])) & can_register[:, None]
    person, kind = np.nonzero(has)
    earliest = np.maximum(add_years(people.birth[person], 16), reference - 10 * YEAR)
    registered = earliest + (rng.random(person.size) * np.maximum((reference - earliest).astype(np.int64), 1)).astype(np.int64)
    kin = _next_of_kin(people)[person]
    contact = np.where((kind == spec["kinds"].index("naermeste_parorende")) & (kin >= 0), kin + 1, -1)
    return {
        "id": np.arange(1, person.size + 1),
        "citizen_id": person + 1,
        "kind": np.asarray(spec["kinds"], dtype=object)[kind],
        "registered_on": registered.astype(str).astype(object),
        "contact_id": np.where(contact > 0, contact, None).astype(object),
    }
