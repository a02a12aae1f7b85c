"""E-resept over the history window: prescriptions, renewals and dispensings at pharmacies (§10).

Numbers from prescriptions.toml. Chronic treatments (blå resept, and contraceptives and H-resept
biologics) are prescribed for a year at a time with reit 3, a 3-month supply per dispensing (§10.1),
renewed when used up, and may be stopped (seponert, §10.4); acute courses on hvit resept are
dispensed once or twice. A dispensing is never after its prescription expired, was stopped, or ran
out of reit. Blå resept egenandel: a share of the price up to a cap (§2.7), nothing under 16 (§2.4).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from helsekit.domain.calendar import add_years
from helsekit.domain.copayments import Schedule, blue_prescription_egenandel, pays_from
from helsekit.domain.organisations import offers_prescription_renewal
from helsekit.generator import specs
from helsekit.generator.histories.common import Context, Payments, age_group, list_in_force, person_years, words
from helsekit.generator.population import age_at
from helsekit.generator.scenarios import Scenario, flip

TABLES = ("prescriptions", "dispensings")
DAY = np.timedelta64(1, "D")
YEAR_DAYS = 365
STATUSES = ["active", "dispensed", "expired", "discontinued"]
CHANNELS = ["first", "portal", "consultation"]
KINDS = ["blå", "hvit", "h"]


@dataclass(frozen=True)
class Treatments:
    """Long-running treatments: one row each, with the person (block index) and the drug (catalogue index)."""

    person: np.ndarray
    drug: np.ndarray
    start: np.ndarray  # datetime64[D]: first prescription
    stop: np.ndarray  # datetime64[D]: stopped (seponert) on, or far in the future


def _allowed(catalogue: dict, drugs: np.ndarray, sex: np.ndarray, age: np.ndarray) -> np.ndarray:
    """(persons, drugs): True where the drug may be given to that sex and age (catalogue)."""
    only = np.asarray(catalogue["only_sex"])[drugs]
    youngest = np.asarray(catalogue["min_age"])[drugs]
    return ((only == "") | (only == sex[:, None])) & (age[:, None] >= youngest)


def _chronic(block, window_start: np.datetime64, reference: np.datetime64, spec: dict, rng) -> Treatments:
    """Treatments going on at the reference date, or at death for those who died (``reference`` per person)."""
    catalogue, chronic = spec["catalogue"], spec["chronic"]
    age = age_at(block.birth, reference)
    group = age_group(chronic["age_lower"], age)
    mean = np.asarray(chronic["mean_treatments"])[group]
    r = chronic["dispersion"]
    count = rng.negative_binomial(r, r / (r + mean))
    person = np.repeat(np.arange(age.size), count)
    weights = np.asarray(catalogue["chronic_weight_by_age"], dtype=float).T[group[person]]  # (treatments, drugs)
    weights = weights * _allowed(catalogue, np.arange(weights.shape[1]), block.sex[person], age[person])
    cumulative = np.cumsum(weights, axis=1)
    drug = (rng.random(person.size)[:, None] * cumulative[:, -1:] > cumulative).sum(axis=1)
    order = np.lexsort((drug, person))
    person, drug = person[order], drug[order]
    keep = np.r_[True, (person[1:] != person[:-1]) | (drug[1:] != drug[:-1])]  # one treatment per drug
    person, drug = person[keep], drug[keep]

    # Contraceptives for some women 16–45 and a specialist biologic for a few adults, run like chronic drugs.
    names = catalogue["name"]
    women = np.flatnonzero((block.sex == "F") & (age >= 16) & (age <= 45) & (rng.random(age.size) < spec["acute"]["contraceptive_share_women_16_45"]))
    biologic = np.flatnonzero((age >= 18) & (rng.random(age.size) < spec["h_resept"]["share_of_adults"]))
    person = np.concatenate([person, women, biologic])
    drug = np.concatenate([drug, np.full(women.size, names.index("levonorgestrel og etinyløstradiol")), np.full(biologic.size, names.index("adalimumab"))])

    # Going on now: began an exponential time before, never before the drug's youngest age
    # (catalogue) or the age of 1.
    min_age = np.maximum(np.asarray(catalogue["min_age"])[drug], 1)
    earliest = block.birth[person] + np.rint(min_age * 365.25).astype(np.int64) + 1
    began = reference[person] - np.rint(rng.exponential(chronic["mean_years_on"] * YEAR_DAYS, person.size)).astype(np.int64)
    start = np.maximum(began, earliest)
    # Earlier episodes of the same drug, each stopped (seponert) a while before the next began.
    keep = start < reference[person]
    person, drug, start, earliest = person[keep], drug[keep], start[keep], earliest[keep]
    stop = np.full(person.size, reference.max() + 100 * YEAR_DAYS)
    episodes = [(person, drug, start, stop)]
    gap_low, gap_high = chronic["gap_days"]
    later_start, index = start, np.arange(person.size)
    while index.size:
        earlier = rng.random(index.size) < chronic["previous_episode_share"]
        index, later_start = index[earlier], later_start[earlier]
        e_stop = later_start - rng.integers(gap_low, gap_high + 1, index.size)
        e_start = np.maximum(e_stop - np.rint(rng.exponential(chronic["mean_years_on"] * YEAR_DAYS, index.size)).astype(np.int64), earliest[index])
        valid = (e_start < e_stop) & (e_stop > window_start)
        index, e_start, e_stop = index[valid], e_start[valid], e_stop[valid]
        episodes.append((person[index], drug[index], e_start, e_stop))
        later_start = e_start
    person, drug, start, stop = (np.concatenate(parts) for parts in zip(*episodes))
    return Treatments(person, drug, start, stop)


def _prescriptions_of(t: Treatments, window_start, reference):
    """Yearly prescriptions of each treatment that overlap the window, and their dispensings."""
    end = np.minimum(t.stop, reference)
    # The first prescription still valid at the window start, then one per year until the end.
    skip = np.maximum((window_start - t.start).astype(np.int64) // YEAR_DAYS, 0)
    count = np.maximum(((end - t.start).astype(np.int64) + YEAR_DAYS - 1) // YEAR_DAYS - skip, 0)
    treatment = np.repeat(np.arange(t.person.size), count)
    k = np.arange(treatment.size) - np.repeat(np.cumsum(count) - count, count) + skip[treatment]
    prescribed = t.start[treatment] + k * YEAR_DAYS
    renewal = k > 0
    return treatment, prescribed, renewal


def _plant(scenario: Scenario, channel, office, prescribed, renewal_spec: dict, rng) -> np.ndarray:
    """Renewal channels with the scenario's effect: renewals moved between Forny resept (1) and a consultation (2) at its
    offices from its start, where the office offers Forny resept (drawn after every ordinary draw)."""
    offers = offers_prescription_renewal(np.maximum(office, 0), renewal_spec["portal_offered_by_office"])
    eligible = (channel > 0) & offers & scenario.affected(office, prescribed)
    portal = flip(channel == 1, eligible, scenario.relative, rng)
    return np.where(eligible, np.where(portal, 1, 2), channel)


def generate(block, relations, first_year: int, last_year: int, spec: dict, copay: dict, rng: np.random.Generator,
             scenario: Scenario | None = None):
    """Prescriptions and dispensings of a block, and the blå resept egenandeler they owe; a ``scenario`` for renewals
    without a visit plants its effect at its offices (:func:`_plant`)."""
    catalogue = spec["catalogue"]
    window_start = np.datetime64(f"{first_year}-01-01")
    reference = np.datetime64(f"{last_year + 1}-01-01")
    chronic = spec["chronic"]
    # Nothing is prescribed or dispensed from the day of death on; a dead person's prescriptions are not active.
    cutoff = block.until(reference)

    t = _chronic(block, window_start, cutoff, spec, rng)
    treatment, prescribed, renewal = _prescriptions_of(t, window_start, cutoff[t.person])
    person, drug = t.person[treatment], t.drug[treatment]
    monthly = rng.random(t.person.size) < chronic["monthly_supply_share"]
    supply = np.where(monthly, 30, chronic["supply_days"])[treatment]
    reit = np.where(monthly[treatment], 11, chronic["reit"])
    renewal_spec = spec["renewal"]
    _, office_then, _ = list_in_force(relations, person, prescribed)
    offers = offers_prescription_renewal(np.maximum(office_then, 0), renewal_spec["portal_offered_by_office"])
    year = prescribed.astype("datetime64[Y]").astype(np.int64) + 1970
    portal_share = np.interp(year, renewal_spec["portal_share_by_year"]["year"], renewal_spec["portal_share_by_year"]["share"])
    via_portal = renewal & offers & (rng.random(treatment.size) < portal_share)
    declined = via_portal & (rng.random(treatment.size) > renewal_spec["approved"])
    prescribed = np.where(declined, np.minimum(prescribed + 7, cutoff[person] - 1), prescribed)  # a consultation first, a week later
    valid_until = add_years(prescribed, 1) - 1
    stopped = np.where(t.stop[treatment] < valid_until, t.stop[treatment], np.datetime64("NaT"))
    channel = np.where(~renewal, 0, np.where(via_portal & ~declined, 1, 2))

    # Chronic dispensings: one per supply period, reit + 1 of them, never after expiry, stop or the reference date.
    n_disp = reit + 1
    rx = np.repeat(np.arange(treatment.size), n_disp)
    j = np.arange(rx.size) - np.repeat(np.cumsum(n_disp) - n_disp, n_disp)
    jitter = rng.integers(0, chronic["dispensing_jitter_days"] + 1, rx.size)
    when = prescribed[rx] + j * supply[rx] + np.minimum(jitter, supply[rx] // 3)
    limit = np.minimum(np.where(np.isnat(stopped[rx]), valid_until[rx], stopped[rx]), cutoff[person[rx]] - 1)
    ok = (when <= limit) & (when >= window_start)
    chronic_rx, chronic_when = rx[ok], when[ok]

    # Acute courses on hvit resept.
    acute = spec["acute"]
    acute_drugs = [i for i, k in enumerate(catalogue["kind"]) if k == "hvit" and catalogue["name"][i] != "levonorgestrel og etinyløstradiol"]
    grid = person_years(block.birth, first_year, last_year, block.death)
    py_person, from_day, year_end = grid.person, grid.exposed_from, grid.exposed_to
    rate = np.asarray(acute["per_year"])[age_group(acute["age_lower"], grid.age_mid_year)]
    rate = rate * np.where(block.sex[py_person] == "F", acute["women_factor"], 1) * grid.exposure
    n_acute = rng.poisson(rate)
    a_row = np.repeat(np.arange(py_person.size), n_acute)
    a_person = py_person[a_row]
    a_prescribed = from_day[a_row] + (rng.random(a_row.size) * np.maximum((year_end[a_row] - from_day[a_row]).astype(np.int64), 1)).astype(np.int64)
    a_age = age_at(block.birth[a_person], a_prescribed)
    allowed = _allowed(catalogue, np.asarray(acute_drugs), block.sex[a_person], a_age).astype(float)
    cumulative = np.cumsum(allowed, axis=1)
    pick = (rng.random(a_row.size)[:, None] * cumulative[:, -1:] >= cumulative).sum(axis=1)
    a_drug = np.asarray(acute_drugs)[np.minimum(pick, len(acute_drugs) - 1)]
    a_reit = (rng.random(a_row.size) < acute["reit_share"]).astype(np.int64)

    all_person = np.concatenate([person, a_person])
    all_drug = np.concatenate([drug, a_drug])
    all_prescribed = np.concatenate([prescribed, a_prescribed])
    all_reit = np.concatenate([reit, a_reit])
    all_stopped = np.concatenate([stopped, np.full(a_row.size, np.datetime64("NaT"), dtype="datetime64[D]")])
    all_channel = np.concatenate([channel, np.zeros(a_row.size, dtype=np.int64)])
    all_supply = np.concatenate([supply, np.full(a_row.size, chronic["supply_days"])])
    acute_first = rng.integers(0, 4, a_row.size)
    acute_second = acute_first + rng.integers(20, 60, a_row.size)
    disp_rx = np.concatenate([chronic_rx, treatment.size + np.arange(a_row.size), treatment.size + np.flatnonzero(a_reit)])
    disp_when = np.concatenate([chronic_when, a_prescribed + acute_first, (a_prescribed + acute_second)[a_reit == 1]])
    keep = disp_when < cutoff[np.concatenate([person, a_person])[disp_rx]]
    disp_rx, disp_when = disp_rx[keep], disp_when[keep]

    # Order prescriptions by citizen and date; ids are citizen_id * 1000 + running number.
    days = all_prescribed.astype(np.int64)
    order = np.argsort((all_person * (1 << 20) + (days - days.min() if days.size else days)) * 64 + all_drug, kind="stable")
    rank = np.empty(order.size, dtype=np.int64)
    rank[order] = np.arange(order.size)
    sorted_person = all_person[order]
    first_of_person = np.searchsorted(sorted_person, sorted_person)
    prescription_id = block.citizen_id[sorted_person] * 1000 + (np.arange(order.size) - first_of_person)

    used = np.bincount(rank[disp_rx], minlength=order.size)
    valid = add_years(all_prescribed[order], 1) - 1
    stop_sorted = all_stopped[order]
    status = np.where(~np.isnat(stop_sorted) & (stop_sorted < reference), 3,
                      np.where(used >= all_reit[order] + 1, 1, np.where((valid < reference) | (cutoff[sorted_person] < reference), 2, 0)))

    kind_of = np.array([KINDS.index(k) for k in catalogue["kind"]])
    _, office, prescriber = list_in_force(relations, sorted_person, all_prescribed[order])  # the fastlege of the day
    drug_sorted = all_drug[order]
    channel_sorted = all_channel[order]
    if scenario is not None and scenario.applies("prescriptions"):
        channel_sorted = _plant(scenario, channel_sorted, office, all_prescribed[order], renewal_spec, rng)
    prescriptions = pa.table({
        "prescription_id": prescription_id,
        "citizen_id": block.citizen_id[sorted_person],
        "atc_code": words(catalogue["atc"], drug_sorted),
        "drug": words(catalogue["name"], drug_sorted),
        "kind": words(KINDS, kind_of[drug_sorted]),
        "reseptgruppe": words(catalogue["reseptgruppe"], drug_sorted),
        "prescribed_on": all_prescribed[order],
        "valid_until": valid,
        "reit": all_reit[order],
        "prescriber_id": pa.array(prescriber, mask=prescriber < 0),
        "prescriber_office_id": pa.array(office, mask=office < 0),
        "renewal": words(CHANNELS, channel_sorted),
        "discontinued_on": pa.array(stop_sorted, mask=np.isnat(stop_sorted) | (stop_sorted >= reference)),
        "status": words(STATUSES, status),
    })

    # Dispensings, with the blå resept egenandel in force on the day.
    when_days = disp_when.astype(np.int64)
    d_order = np.argsort(rank[disp_rx] * (1 << 20) + (when_days - when_days.min() if when_days.size else when_days), kind="stable")
    d_rx, d_when = disp_rx[d_order], disp_when[d_order]
    d_person, d_drug = all_person[d_rx], all_drug[d_rx]
    price = np.rint(np.asarray(catalogue["price"])[d_drug] * all_supply[d_rx] / chronic["supply_days"])
    blue = kind_of[d_drug] == 0
    b = copay["blue_prescription"]
    share = Schedule(np.array(b["valid_from"], dtype="datetime64[D]"), np.array(b["share"])).on(d_when)
    cap = Schedule(np.array(b["valid_from"], dtype="datetime64[D]"), np.array(b["cap"])).on(d_when)
    egenandel = np.where(blue & (d_when >= pays_from(block.birth, copay["exemptions"]["under_age"])[d_person]),
                         blue_prescription_egenandel(price, share, cap), 0).astype(np.int64)
    d_prescription = prescription_id[rank[d_rx]]
    d_first = np.r_[True, d_prescription[1:] != d_prescription[:-1]] if d_prescription.size else np.zeros(0, dtype=bool)
    d_number = np.arange(d_prescription.size) - np.maximum.accumulate(np.where(d_first, np.arange(d_prescription.size), 0))
    dispensing_id = d_prescription * 100 + d_number
    dispensings = pa.table({
        "dispensing_id": dispensing_id,
        "prescription_id": d_prescription,
        "citizen_id": block.citizen_id[d_person],
        "dispensed_on": d_when,
        "pharmacy_id": pa.array(block.pharmacy_id[d_person], mask=block.pharmacy_id[d_person] < 0),
        "price": price.astype(np.int64),
        "egenandel": egenandel,
    })
    owed = egenandel > 0  # only egenandeler count toward the ceiling; nothing owed, nothing to count
    payments = Payments(block.citizen_id[d_person][owed], d_when[owed], egenandel[owed], "blue_prescription", dispensing_id[owed])
    return prescriptions, dispensings, payments


def add_to(ctx: Context) -> None:
    """Add the block's prescriptions and dispensings and their egenandeler to ``ctx``."""
    rx, dispensed, paid = generate(ctx.block, ctx.relations, ctx.first_year, ctx.last_year, specs.load("prescriptions"),
                                   specs.load("copayments"), ctx.rng("prescriptions"), ctx.scenario)
    ctx.tables.update(prescriptions=rx, dispensings=dispensed)
    ctx.payments.append(paid)
