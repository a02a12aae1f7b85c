"""The generator: one profile and one seed in, every table out, as columns of numpy arrays.

Each step draws from its own named stream (see :mod:`helsekit.generator.streams`), so the result
depends only on the profile, the seed and the spec files.
"""

from __future__ import annotations

import ctypes
import gc
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from helsekit.domain import identifiers, person_numbers
from helsekit.domain.citizens import AddressProtection
from helsekit.domain.households import HouseholdKind
from helsekit.domain.travel_claims import one_way_km
from helsekit.generator import deaths, geography, gp_changes, gp_lists, histories, households, people, population, profiles, sites, specs
from helsekit.generator.geography import largest_remainder
from helsekit.generator.scenarios import ScenarioRequest
from helsekit.generator.streams import Streams, check_seed

Columns = dict[str, "np.ndarray | pa.Array"]
STEPS = ("population", "households", "sites and GP lists", "identities", "histories")


@dataclass
class GeneratedWorld:
    """Row counts of every generated table and, unless they were streamed out, their columns."""

    profile: dict
    seed: int
    row_counts: dict[str, int]
    tables: dict[str, Columns]

    def rows(self, table: str) -> int:
        """Number of rows in a table."""
        return self.row_counts[table]


def _iso(dates: np.ndarray) -> pa.Array:
    """ISO dates ('2025-01-01') as Arrow strings."""
    return pa.array(dates.astype("datetime64[D]")).cast(pa.string())


def _pick_postal_codes(postal, kommune_numbers: np.ndarray, hh_kommune: np.ndarray, rng) -> tuple[pa.Array, pa.Array]:
    """A real postal code and poststed in the household's kommune, or null where none is known."""
    by_kommune = postal.sort_values(["kommune_number", "postal_code"], ignore_index=True)
    start = np.searchsorted(by_kommune["kommune_number"].to_numpy(dtype=str), kommune_numbers)
    stop = np.searchsorted(by_kommune["kommune_number"].to_numpy(dtype=str), kommune_numbers, side="right")
    count = (stop - start)[hh_kommune]
    pick = pa.array(start[hh_kommune] + (rng.random(hh_kommune.size) * count).astype(np.int64), mask=count == 0)
    return (
        pa.array(by_kommune["postal_code"].tolist(), type=pa.string()).take(pick),
        pa.array(by_kommune["poststed"].tolist(), type=pa.string()).take(pick),
    )


def _pharmacy_of(orgs: sites.Organisations, kommuner, citizen_kommune: np.ndarray) -> np.ndarray:
    """The pharmacy each citizen uses: one in their kommune, else in the nearest kommune with one."""
    numbers = kommuner["number"].to_numpy(dtype=str)
    kind = np.array(orgs.kind)
    pharmacy_ids = np.flatnonzero(kind == "pharmacy") + 1
    pharmacy_kommune = np.searchsorted(numbers, np.array(orgs.kommune)[pharmacy_ids - 1])
    lat, lon = kommuner["latitude"].to_numpy(), kommuner["longitude"].to_numpy()
    has = np.unique(pharmacy_kommune)
    distance = np.hypot((lat[:, None] - lat[has]) * 111, (lon[:, None] - lon[has]) * 111 * np.cos(np.radians(lat[:, None])))
    serving = has[np.argmin(distance, axis=1)]  # kommune whose pharmacies each kommune uses
    order = np.argsort(pharmacy_kommune, kind="stable")
    first = np.searchsorted(pharmacy_kommune[order], serving)
    count = np.searchsorted(pharmacy_kommune[order], serving, side="right") - first
    k = serving[citizen_kommune]
    pick = first[citizen_kommune] + np.arange(citizen_kommune.size) % count[citizen_kommune]
    return pharmacy_ids[order][pick] if k.size else np.zeros(0, dtype=np.int64)


def _hospital_distance_and_region(orgs: sites.Organisations, kommuner, fylker, hospital_of_kommune: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per kommune: the one-way travel distance to its local hospital (km) and that hospital's health region.

    Modelling choice: the great-circle distance between kommune centres times 1.3 for the road
    (a common detour factor); within the hospital's own kommune, 5 km.
    """
    numbers = kommuner["number"].to_numpy(dtype=str)
    lat, lon = kommuner["latitude"].to_numpy(), kommuner["longitude"].to_numpy()
    site = np.searchsorted(numbers, np.array(orgs.kommune, dtype=object)[hospital_of_kommune - 1].astype(str))
    km = one_way_km(lat, lon, lat[site], lon[site], site == np.arange(numbers.size))
    fylke_region = dict(zip(fylker["number"], fylker["region"]))
    region = kommuner["fylke_number"].map(fylke_region).to_numpy(dtype=object)[site]
    return km, region


def _hospital_staff(catchment: np.ndarray, spec: dict, reference: np.datetime64, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Hospital personnel by role (health_services.toml [hospital_staff]), sorted by hospital, then role.

    ``catchment`` is the number of citizens each organisation id serves as local hospital.
    """
    if list(spec["roles"]) != histories.STAFF_ROLES:
        raise ValueError(f"health_services.toml [hospital_staff] roles must be {histories.STAFF_ROLES} (the history sources pick by them)")
    hospital = np.flatnonzero(catchment > 0)
    per_role = [np.maximum(np.rint(catchment[hospital] / persons), minimum).astype(np.int64)
                for persons, minimum in zip(spec["persons_per_staff"], spec["minimum_per_hospital"])]
    counts = np.stack(per_role, axis=1)  # (hospital, role)
    hospital_id = np.repeat(np.repeat(hospital, len(per_role)), counts.ravel())
    role_code = np.repeat(np.tile(np.arange(len(per_role)), hospital.size), counts.ravel())
    low, high = spec["age_range"]
    age = rng.integers(low, high + 1, role_code.size)
    return {
        "hospital_id": hospital_id, "role_code": role_code,
        "role": np.array(spec["roles"], dtype=object)[role_code], "profession": np.array(spec["professions"], dtype=object)[role_code],
        "sex": np.where(rng.random(role_code.size) < 0.5, "F", "M"), "birth": population.birth_dates(age, reference, rng),
    }


def _kommune_of_households(sizes: np.ndarray, targets: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Settle households so each kommune's population matches its target to within a household."""
    order = rng.permutation(sizes.size)
    middle = np.cumsum(sizes[order]) - sizes[order] / 2
    kommune = np.empty(sizes.size, dtype=np.int64)
    kommune[order] = np.minimum(np.searchsorted(np.cumsum(targets), middle, side="right"), targets.size - 1)
    return kommune


def generate(
    profile_name: str = "default",
    seed: int = 42,
    progress: Callable[[str], None] | None = None,
    emit: Callable[[str, Columns], None] | None = None,
    history_folder: Path | None = None,
    with_histories: bool = True,
    workers: int = 1,
    scenario: ScenarioRequest | None = None,
) -> GeneratedWorld:
    """Generate the synthetic world for a profile and seed.

    ``progress`` is called with the name of each step as it starts (for progress bars). With
    ``emit``, each table is handed over as soon as it is complete (so a writer can store it while
    the rest is generated) and not kept; with ``history_folder`` the history tables are written
    there as Parquet parts, by ``workers`` processes. Otherwise the tables are returned (histories
    as Arrow tables). ``with_histories=False`` skips the health histories. A ``scenario`` plants a
    pilot's true effect at its sites from its start (issue #10); None gives the ordinary world.
    """
    tables: dict[str, Columns] = {}
    row_counts: dict[str, int] = {}

    def out(name: str, columns: Columns) -> None:
        row_counts[name] = len(next(iter(columns.values())))
        if emit is None:
            tables[name] = columns
        else:
            emit(name, columns)

    profile = specs.profile(profile_name)
    streams = Streams(check_seed(seed))
    step = progress or (lambda name: None)
    pop_spec, hh_spec, hs_spec = specs.load("population"), specs.load("households"), specs.load("health_services")
    geo = geography.load()
    reference = np.datetime64(profile["reference_date"], "D")
    n = int(profile["citizens"])

    step("population")
    ages, sexes = population.draw_ages_and_sexes(pop_spec, n, streams.rng("population"))

    step("households")
    scale = n / profile["persons_in_private_households"]
    hh = households.build(ages, sexes, hh_spec, scale, streams.rng("households"))
    hh_size = np.bincount(hh.person_household, minlength=hh.kind.size)
    kommune_targets = largest_remainder(geo.kommuner["population"].to_numpy(), n)
    hh_kommune = _kommune_of_households(hh_size, kommune_targets, streams.rng("settlement"))
    # Ids: households ordered by kommune, persons by household, then role, then age (oldest first).
    hh_order = np.lexsort((streams.rng("household_order").random(hh_size.size), hh_kommune))
    hh_id = np.empty(hh_size.size, dtype=np.int64)
    hh_id[hh_order] = np.arange(1, hh_size.size + 1)
    person_order = np.lexsort((-ages, hh.person_role, hh_id[hh.person_household]))
    person_id = np.empty(n, dtype=np.int64)
    person_id[person_order] = np.arange(1, n + 1)

    hh_alone = hh.kind == HouseholdKind.ONE_PERSON

    # Addresses first, so the household table can be written while identities are made.
    address_rng = streams.rng("addresses")
    street = people.street_addresses(hh_size.size, address_rng)
    kommune_numbers = geo.kommuner["number"].to_numpy(dtype=str)
    postal_code, poststed = _pick_postal_codes(geo.postal_codes, kommune_numbers, hh_kommune, address_rng)
    protection_spec = pop_spec["address_protection"]
    draw = address_rng.random(hh_size.size)
    protection = np.select(
        [draw < protection_spec["strengt_fortrolig"], draw < protection_spec["strengt_fortrolig"] + protection_spec["fortrolig"]],
        [2, 1], 0,
    )
    protection_words = np.array([AddressProtection.NONE, AddressProtection.FORTROLIG, AddressProtection.STRENGT_FORTROLIG])
    out("fylke", {
        "number": geo.fylker["number"].to_numpy(dtype=object),
        "name": geo.fylker["name"].to_numpy(dtype=object),
        "region": geo.fylker["region"].to_numpy(dtype=object),
    })
    out("kommune", {
        "number": kommune_numbers.astype(object),
        "name": geo.kommuner["name"].to_numpy(dtype=object),
        "fylke_number": geo.kommuner["fylke_number"].to_numpy(dtype=object),
        "population_target": kommune_targets,
        "latitude": geo.kommuner["latitude"].to_numpy(),
        "longitude": geo.kommuner["longitude"].to_numpy(),
    })
    out("household", {
        "id": np.arange(1, hh_size.size + 1),
        "kind": pa.array(hh.kind[hh_order], type=pa.string()),
        "partnership": hh.partnership[hh_order],
        "street_address": street.take(pa.array(hh_order)),
        "postal_code": postal_code.take(pa.array(hh_order)),
        "poststed": poststed.take(pa.array(hh_order)),
        "kommune_number": people.words(kommune_numbers, hh_kommune[hh_order]),
        "size": hh_size[hh_order],
    })
    out("parent_relation", _parent_relations(hh, person_id))

    # Birth dates first (the first draws of the identities stream): the fastlege history needs them.
    identities_rng = streams.rng("identities")
    birth = population.birth_dates(ages, reference, identities_rng)
    # Those who died in the history window stay in the register, after the living (ids n+1 …).
    first_year, last_year = histories.window(reference)
    dead = deaths.draw(n, first_year, last_year, pop_spec, streams.rng("deaths"))
    n_dead = dead.birth.size
    death_rng = streams.rng("deceased")
    living_67 = np.flatnonzero(ages[person_order] >= 67)  # citizen indices (id order)
    dead_like = living_67[death_rng.integers(0, living_67.size, n_dead)] if n_dead else np.zeros(0, dtype=np.int64)
    dead_kommune = hh_kommune[hh.person_household][person_order][dead_like]

    step("sites and GP lists")
    rng = streams.rng("sites")
    orgs = sites.Organisations()
    hospital_of_kommune = sites.build_regional(orgs, geo.kommuner, geo.fylker, hs_spec, rng)
    citizens_per_kommune = np.bincount(hh_kommune, weights=hh_size, minlength=len(geo.kommuner))
    sites.build_local(orgs, geo.kommuner, citizens_per_kommune, hs_spec, rng)
    scheme, hh_list = gp_lists.build(
        orgs, geo.kommuner, hh_kommune, hh_size, hh_alone, hs_spec, profile["list_scale"], streams.rng("gp_lists")
    )
    window_start = np.datetime64(f"{histories.window(reference)[0]}-01-01")
    listed_by_id = np.flatnonzero((hh_list[hh.person_household] >= 0)[person_order])  # citizen indices, ascending
    relations = gp_changes.history(
        listed_by_id, hh_id[hh.person_household][person_order][listed_by_id], hh_list[hh.person_household][person_order][listed_by_id],
        scheme.list_kommune, birth[person_order], reference, window_start, hs_spec, streams.rng("gp_list_history"),
    )
    relations = gp_changes.until_death(
        relations, n + np.arange(n_dead), hh_list[hh.person_household][person_order][dead_like], dead.birth, dead.death, hs_spec, death_rng,
    )

    rng = streams.rng("practitioners")
    n_gp = scheme.gp_office.size
    gp_birth = population.birth_dates(scheme.gp_age, reference, rng)
    n_orgs = len(orgs)
    org_kind = np.array(orgs.kind, dtype=object)
    is_site = org_kind != "rhf"
    her = np.full(n_orgs, None, dtype=object)
    her[is_site] = identifiers.make_her_ids(int(is_site.sum()), rng)
    with_resh = np.isin(org_kind, ["rhf", "hf", "hospital"])
    resh = np.full(n_orgs, None, dtype=object)
    resh[with_resh] = identifiers.make_resh_ids(int(with_resh.sum()), rng)

    out("organisation", {
        "id": np.arange(1, n_orgs + 1),
        "kind": org_kind,
        "name": np.array(orgs.name, dtype=object),
        "organisation_number": identifiers.make_organisation_numbers(n_orgs, rng).astype(object),
        "her_id": her,
        "resh_id": resh,
        "parent_id": np.array(orgs.parent, dtype=object),
        "kommune_number": np.array(orgs.kommune, dtype=object),
        "street_address": people.street_addresses(n_orgs, rng),
    })
    staff = _hospital_staff(np.bincount(hospital_of_kommune, weights=citizens_per_kommune), hs_spec["hospital_staff"], reference, rng)
    n_staff = staff["role"].size
    sex = np.concatenate([scheme.gp_sex, staff["sex"]])
    out("practitioner", {
        "id": np.arange(1, n_gp + n_staff + 1),
        "hpr_number": identifiers.make_hpr_numbers(n_gp + n_staff, rng).astype(object),
        "given_name": people.words(people.GIVEN_NAMES, people.given_name_codes(sex, rng)),
        "family_name": people.words(people.FAMILY_NAMES, people.family_name_codes(n_gp + n_staff, rng)),
        "sex": sex.astype(object),
        "birth_date": _iso(np.concatenate([gp_birth, staff["birth"]])),
        "profession": np.concatenate([np.full(n_gp, "lege", dtype=object), staff["profession"]]),
        "role": np.concatenate([np.full(n_gp, "fastlege", dtype=object), staff["role"]]),
        "specialist_general_practice": np.r_[scheme.gp_specialist, np.zeros(n_staff, dtype=bool)],
        "salaried": np.r_[scheme.gp_salaried, np.ones(n_staff, dtype=bool)],
        "organisation_id": np.r_[scheme.gp_office, staff["hospital_id"]],
    })
    hospital_staff = histories.Staff(staff["hospital_id"], staff["role_code"], np.arange(n_gp + 1, n_gp + n_staff + 1))
    out("gp_list", {
        "id": np.arange(1, scheme.list_office.size + 1),
        "gp_office_id": scheme.list_office,
        "practitioner_id": np.where(scheme.list_practitioner >= 0, scheme.list_practitioner + 1, None).astype(object),
        "ceiling": scheme.list_ceiling,
        "kommune_number": kommune_numbers[scheme.list_kommune].astype(object),
    })
    out("gp_list_membership", {
        "id": np.arange(1, relations.person.size + 1),
        "citizen_id": relations.person + 1,
        "gp_list_id": relations.gp_list + 1,
        "valid_from": _iso(relations.valid_from),
        "valid_to": pa.array(relations.valid_to, mask=np.isnat(relations.valid_to)).cast(pa.string()),
        "requested_on": pa.array(relations.requested_on, mask=np.isnat(relations.requested_on)).cast(pa.string()),
        "via_waiting_list": relations.via_waiting_list,
    })

    step("identities")
    rng = identities_rng
    alone = hh_alone[hh.person_household]
    d_spec = pop_spec["d_nummer"]
    eligible = np.flatnonzero(alone & (ages >= d_spec["eligible_ages"][0]) & (ages <= d_spec["eligible_ages"][1]))
    d_count = min(int(round(n * d_spec["share_of_citizens"])), eligible.size)
    is_dnr = np.zeros(n, dtype=bool)
    is_dnr[rng.choice(eligible, size=d_count, replace=False)] = True
    kind = np.where(is_dnr, person_numbers.Kind.DNR.value, person_numbers.Kind.FNR.value)
    numbers = person_numbers.make_many(
        np.concatenate([birth, dead.birth]), np.concatenate([sexes, dead.sex]), np.r_[kind, np.full(n_dead, person_numbers.Kind.FNR.value)],
        streams.rng("person_numbers"), as_int=True,
    )
    numbers = np.concatenate([numbers[:n][person_order], numbers[n:]])  # id order

    rng = streams.rng("names")
    given = people.given_name_codes(sexes, rng)
    own_family = people.family_name_codes(n, rng)
    hh_family = people.family_name_codes(hh_size.size, rng)
    keeps_own = (hh.person_role == households.OTHER) | ((hh.person_role == households.PARTNER) & (rng.random(n) < hh_spec["names"]["partner_keeps_own_family_name"]))
    family = np.where(keeps_own, own_family, hh_family[hh.person_household])

    dead_given = people.given_name_codes(dead.sex, rng)
    dead_family = people.family_name_codes(n_dead, rng)

    no_contact = pa.array(ages[person_order] < pop_spec["contact"]["adult_from_age"])
    phone = pc.if_else(no_contact, pa.scalar(None, pa.string()), people.phones(n, address_rng))
    email = pc.if_else(no_contact, pa.scalar(None, pa.string()), people.emails(given[person_order], family[person_order], np.arange(1, n + 1)))
    every_sex = np.concatenate([sexes[person_order], dead.sex])
    none = pa.nulls(n_dead, pa.string())
    out("citizen", {
        "id": np.arange(1, n + n_dead + 1),
        "person_number": pc.utf8_lpad(pa.array(numbers).cast(pa.string()), 11, "0"),
        "person_number_kind": people.words(np.array(["FNR", "DNR"]), np.r_[is_dnr[person_order], np.zeros(n_dead, dtype=bool)].astype(np.int64)),
        "given_name": people.words(people.GIVEN_NAMES, np.concatenate([given[person_order], dead_given])),
        "family_name": people.words(people.FAMILY_NAMES, np.concatenate([family[person_order], dead_family])),
        "birth_date": _iso(np.concatenate([birth[person_order], dead.birth])),
        "sex": people.words(np.array(["F", "M"]), (every_sex == "M").astype(np.int64)),
        "household_id": pa.array(np.r_[hh_id[hh.person_household][person_order], np.zeros(n_dead, dtype=np.int64)],
                                 mask=np.r_[np.zeros(n, dtype=bool), np.ones(n_dead, dtype=bool)]),
        "kommune_number": people.words(kommune_numbers, np.concatenate([hh_kommune[hh.person_household][person_order], dead_kommune])),
        "address_protection": people.words(protection_words, np.r_[protection[hh.person_household][person_order], np.zeros(n_dead, dtype=np.int64)]),
        "phone": pa.concat_arrays([phone, none]),
        "email": pa.concat_arrays([email, none]),
        "death_date": pa.concat_arrays([pa.nulls(n, pa.string()), _iso(dead.death)]),
    })

    role = hh.person_role[person_order]
    household_sorted = hh_id[hh.person_household][person_order]
    partner_next = np.r_[(role[:-1] == households.HEAD) & (role[1:] == households.PARTNER) & (household_sorted[:-1] == household_sorted[1:]), False]
    people_now = profiles.People(
        age=ages[person_order],
        birth=birth[person_order],
        household=household_sorted,
        partner_of_head=np.where(partner_next, np.arange(n) + 1, -1),
        protected=protection[hh.person_household][person_order] > 0,
        child=person_id[hh.relation_child] - 1,
        parent=person_id[hh.relation_parent] - 1,
    )
    kj_reserved, kj_blocks_personnel = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
    for name, columns in profiles.generate(people_now, reference, specs.load("helsenorge_profiles"), streams.rng("profiles")).items():
        if name == "helsenorge_profile":
            kj_reserved[columns["citizen_id"] - 1] = columns["kj_reserved"]
            kj_blocks_personnel[columns["citizen_id"] - 1] = columns["kj_block_health_personnel"]
        out(name, columns)

    # The base tables are with the writer now; let go of their columns before the histories need memory.
    del numbers, given, own_family, hh_family, family, phone, email, street, postal_code, poststed, people_now
    _release_memory()
    if with_histories:
        step("histories")
        home = np.concatenate([hh_kommune[hh.person_household][person_order], dead_kommune])
        km, region = _hospital_distance_and_region(orgs, geo.kommuner, geo.fylker, hospital_of_kommune)
        no = np.zeros(n_dead, dtype=bool)
        citizens = histories.Block(
            citizen_id=np.arange(1, n + n_dead + 1),
            birth=np.concatenate([birth[person_order], dead.birth]),
            sex=every_sex,
            pharmacy_id=_pharmacy_of(orgs, geo.kommuner, home),
            hospital_id=hospital_of_kommune[home],
            death=np.concatenate([np.full(n, np.datetime64("NaT"), dtype="datetime64[D]"), dead.death]),
            travel_km=km[home],
            health_region=region[home],
            kj_reserved=np.r_[kj_reserved, no],
            kj_blocks_personnel=np.r_[kj_blocks_personnel, no],
        )
        practitioner_of_list = np.where(scheme.list_practitioner >= 0, scheme.list_practitioner + 1, -1)
        list_relations = histories.ListRelations(
            person=relations.person, valid_from=relations.valid_from, gp_list_id=relations.gp_list + 1,
            gp_office_id=scheme.list_office[relations.gp_list], practitioner_id=practitioner_of_list[relations.gp_list],
        )
        blocks_done = [0]

        def block_done(_citizens: int) -> None:  # the writer frees the base tables meanwhile: give their memory back now and then
            blocks_done[0] += 1
            if blocks_done[0] % 16 == 1:
                _release_memory()

        planted = scenario and scenario.resolve(range(1, len(orgs) + 1), orgs.kind, orgs.kommune)
        result = histories.generate(citizens, list_relations, reference, streams.seed, history_folder, workers,
                                    progress=block_done, staff=hospital_staff, scenario=planted or None)
        for name, value in result.items():
            row_counts[name] = value if isinstance(value, int) else value.num_rows
            if not isinstance(value, int):
                tables[name] = value
    return GeneratedWorld(profile, int(seed), row_counts, tables)


def _release_memory() -> None:
    """Collect garbage and hand freed heap pages back to the OS (glibc), so the history workers
    start beside a main process that holds only what it still uses."""
    gc.collect()
    pa.default_memory_pool().release_unused()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to trim
        pass


def _parent_relations(hh: households.Households, person_id: np.ndarray) -> Columns:
    child, parent = person_id[hh.relation_child], person_id[hh.relation_parent]
    order = np.lexsort((parent, child))
    return {
        "child_id": child[order],
        "parent_id": parent[order],
        "relation": hh.relation[order],
        "foreldreansvar": hh.foreldreansvar[order],
    }
