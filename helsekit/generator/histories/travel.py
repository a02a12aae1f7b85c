"""Patient travel claims (pasientreiser) for trips to outpatient appointments (domain-facts §11).

Numbers from travel.toml and copayments.toml. A trip is an attended outpatient appointment
(``hospital_appointments``) at the local hospital when the citizen lives over 10 km away (§11.1); a
share of those trips is claimed. A claim pays the round trip at the standard rate per km in force on
the day of the trip (§11.1), less the egenandel for each one-way trip (§11.2: none under 16, and none
for the holder of a frikort). It is rejected if sent more than 6 months after the trip
(``avvist_for_sent``, §11.3), and not paid if the payout is under 100 kr (``under_minstebeløp``, §11.3).
The rules themselves are in :mod:`helsekit.domain.travel_claims`, shared with the patient-travel service.

The egenandel of every paid claim counts towards the yearly egenandelstak (§2.3, §11.2): it is added
to the block's payments, dated the day of the trip. Whether a frikort already covers the trip is
worked out here from the payments of the sources before this one, in the same order the ceiling is
applied to all of them afterwards, so ``payout`` agrees with ``copayments.charged``.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from helsekit.domain.copayments import pays_from, yearly_ceilings
from helsekit.domain.travel_claims import (STATUSES, add_months, due as claim_due, is_eligible, one_way_egenandel_schedule, rate_schedule,
                                           round_trip_amount, status_code, trip_egenandel)
from helsekit.generator import specs
from helsekit.generator.histories.common import Block, Context, Payments, words

TABLES = ("travel_claims",)
SCHEMA = pa.schema([
    ("claim_id", pa.int64()), ("citizen_id", pa.int64()), ("appointment_id", pa.int64()), ("trip_date", pa.date32()),
    ("submitted_on", pa.date32()), ("km_one_way", pa.float64()), ("rate_per_km", pa.float64()), ("amount", pa.float64()),
    ("egenandel", pa.int64()), ("payout", pa.float64()), ("status", pa.string()),
])


def person_of(block: Block, citizen_id: np.ndarray) -> np.ndarray:
    """Block index of each citizen id."""
    ids = block.citizen_id
    if ids.size and ids[-1] - ids[0] == ids.size - 1:  # consecutive ids: a subtraction
        return citizen_id - ids[0]
    return np.searchsorted(ids, citizen_id)


def covered_by_frikort(block: Block, earlier: list[Payments], citizen: np.ndarray, day: np.ndarray, egenandel: np.ndarray,
                       counts: np.ndarray, copay: dict) -> np.ndarray:
    """For each claim, whether the year's egenandelstak was already reached before it (§2.5).

    The claims (sorted by citizen and day) are put after the ``earlier`` payments of the same citizens
    and day, as the ceiling is applied later; only claims where ``counts`` add their egenandel.
    """
    if not citizen.size:
        return np.zeros(0, dtype=bool)
    wanted = np.zeros(block.size, dtype=bool)
    wanted[person_of(block, citizen)] = True
    parts_citizen, parts_day, parts_amount = [], [], []
    for p in earlier:
        keep = wanted[person_of(block, p.citizen_id)]
        parts_citizen.append(p.citizen_id[keep])
        parts_day.append(p.date[keep].astype("datetime64[D]", copy=False))
        parts_amount.append(p.nominal[keep])
    n_earlier = sum(part.size for part in parts_citizen)
    all_citizen = np.concatenate(parts_citizen + [citizen])
    all_day = np.concatenate(parts_day + [day.astype("datetime64[D]")]).astype(np.int64)
    amount = np.concatenate(parts_amount + [np.where(counts, egenandel, 0)]).astype(np.int64)
    order = np.argsort(all_citizen * (1 << 20) + (all_day - all_day.min()), kind="stable")
    all_citizen, all_day, amount = all_citizen[order], all_day[order], amount[order]
    ceilings = yearly_ceilings(copay["ceiling"]["year"], copay["ceiling"]["amount"])
    first = min(ceilings)
    by_year = np.array([ceilings[y] for y in range(first, max(ceilings) + 1)], dtype=np.int64)
    new_year = (np.arange(first, max(ceilings) + 2) - 1970).astype("datetime64[Y]").astype("datetime64[D]").astype(np.int64)
    year = np.clip(np.searchsorted(new_year, all_day, side="right") - 1, 0, by_year.size - 1)  # years since the first ceiling
    ceiling = by_year[year]
    total = np.cumsum(amount)
    group_start = np.r_[True, (all_citizen[1:] != all_citizen[:-1]) | (year[1:] != year[:-1])]
    offset = np.maximum.accumulate(np.where(group_start, total - amount, 0))
    before = total - amount - offset
    free = np.empty(order.size, dtype=bool)
    free[order] = before >= ceiling
    return free[n_earlier:]


def generate(block: Block, appointments: pa.Table, earlier: list[Payments], reference: np.datetime64, spec: dict, copay: dict,
             rng: np.random.Generator) -> tuple[pa.Table, Payments]:
    """Travel claims of a block for its attended outpatient ``appointments``, and the egenandeler of the paid ones."""
    hospital = appointments["hospital_id"].fill_null(-1).to_numpy()
    attended = pc.equal(appointments["status"], "attended").to_numpy(zero_copy_only=False) & (hospital >= 0)
    citizen = appointments["citizen_id"].to_numpy()
    person = person_of(block, citizen)
    km = block.travel_km[person]
    trip_date = appointments["start"].to_numpy().astype("datetime64[D]")
    # Over 10 km each way (§11.1); a share of those trips is claimed, more often the further it is.
    claims = spec["claims"]
    share = np.asarray(claims["share_claimed"])[np.maximum(np.searchsorted(claims["km_lower"], km, side="right") - 1, 0)]
    chosen = np.flatnonzero(attended & is_eligible(km, spec) & (rng.random(km.size) < share))
    person, trip_date, km = person[chosen], trip_date[chosen], km[chosen]

    # Sent within the 6-month deadline (§11.3), a few after it.
    deadline_spec, sending = spec["deadline"], spec["submission"]
    deadline = add_months(trip_date, deadline_spec["months"])
    on_time = np.minimum(trip_date + np.rint(rng.exponential(sending["mean_days"], trip_date.size)).astype(np.int64), deadline)
    low, high = sending["late_days"]
    late = rng.random(trip_date.size) < sending["late_share"]
    submitted = np.where(late, deadline + rng.integers(low, high + 1, trip_date.size), on_time)
    sent = (submitted < reference) & block.alive_on(person, trip_date) & block.alive_on(person, submitted)
    chosen, person, trip_date, km, deadline, submitted = (x[sent] for x in (chosen, person, trip_date, km, deadline, submitted))
    late = submitted > deadline

    # The round trip at the standard rate (§11.1), less the egenandel for each one-way trip (§11.2).
    rate = rate_schedule(spec).on(trip_date)
    amount = round_trip_amount(km, rate)
    one_way = one_way_egenandel_schedule(copay).on(trip_date)
    egenandel = trip_egenandel(one_way, trip_date >= pays_from(block.birth, copay["exemptions"]["under_age"])[person])
    minimum = deadline_spec["minimum_payout"]
    citizen_id = block.citizen_id[person]
    # With a frikort the egenandel is not deducted (§11.2); a claim's own egenandel counts only if it is paid,
    # which (before the ceiling is reached) depends on the claim alone.
    free = covered_by_frikort(block, earlier, citizen_id, trip_date, egenandel, ~late & (amount - egenandel >= minimum), copay)
    due = claim_due(amount, egenandel, free)
    status = status_code(late, due, spec)
    payout = np.where(status == 0, due, 0.0)

    # Ids follow the citizen: citizen id × 10,000 + running number (the appointments are in citizen and time order).
    first = np.r_[True, citizen_id[1:] != citizen_id[:-1]] if citizen_id.size else np.zeros(0, dtype=bool)
    index = np.arange(citizen_id.size)
    claim_id = citizen_id * 10_000 + index - np.maximum.accumulate(np.where(first, index, 0))
    table = pa.Table.from_arrays([
        pa.array(claim_id), pa.array(citizen_id), pa.array(appointments["appointment_id"].to_numpy()[chosen]),
        pa.array(trip_date), pa.array(submitted), pa.array(km), pa.array(rate), pa.array(amount),
        pa.array(egenandel), pa.array(payout), words(STATUSES, status),
    ], schema=SCHEMA)
    paid = (status == 0) & (egenandel > 0)
    return table, Payments(citizen_id[paid], trip_date[paid], egenandel[paid], "travel", claim_id[paid])


def add_to(ctx: Context) -> None:
    """Add the block's travel claims to ``ctx``, and the egenandeler of the paid ones to its payments."""
    table, paid = generate(ctx.block, ctx.tables["hospital_appointments"], list(ctx.payments), ctx.reference,
                           specs.load("travel"), specs.load("copayments"), ctx.rng("travel"))
    ctx.tables["travel_claims"] = table
    ctx.payments.append(paid)
