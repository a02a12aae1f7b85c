"""Fastlege contacts over the history window: consultations, e-consultations, no-shows, cancellations.

Numbers from gp_contacts.toml (rates by age group and sex from SSB, reference-statistics §10) and
copayments.toml (egenandel by date, §2.6). Each person-year draws a hurdle count: whether the
person had any consultation (the published share), then how many (matching the published mean).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from helsekit.domain.calendar import working_days
from helsekit.domain.copayments import Schedule, pays_from
from helsekit.generator.histories.common import Block, Context, ListRelations, Payments, age_group, list_in_force, person_years, words
from helsekit.generator import specs
from helsekit.generator.population import age_distribution, male_share_by_age
from helsekit.generator.scenarios import Scenario, flip

TABLES = ("gp_contacts",)
MINUTE = np.timedelta64(1, "m")
CODES = {
    "kind": ["consultation", "e_consultation"],
    "status": ["attended", "no_show", "cancelled"],
    "booking_channel": ["phone", "portal"],
}
OPTIONAL = ("gp_list_id", "gp_office_id", "practitioner_id")  # −1 becomes null
SCHEMA = pa.schema([
    ("contact_id", pa.int64()), ("citizen_id", pa.int64()), ("start", pa.timestamp("s")), ("kind", pa.string()), ("status", pa.string()),
    ("booking_channel", pa.string()), ("booked_at", pa.timestamp("s")), ("evening", pa.bool_()),
    ("gp_list_id", pa.int64()), ("gp_office_id", pa.int64()), ("practitioner_id", pa.int64()),
    ("egenandel", pa.int64()),
])


def _by_citizen_and_time(citizen: np.ndarray, when: np.ndarray) -> np.ndarray:
    """Order by citizen, then time: one int64 key, nearly sorted already, so a stable sort is quick."""
    minutes = when.astype("datetime64[m]").astype(np.int64)
    return np.argsort(citizen * (1 << 26) + (minutes - minutes.min() if minutes.size else minutes), kind="stable")


def _by_year(table: dict, years: np.ndarray) -> np.ndarray:
    return np.interp(years, table["year"], table["share"] if "share" in table else table["factor"])


def sex_factors(rates: dict, population_spec: dict) -> dict[str, np.ndarray]:
    """Per age group and sex, the factors on the share and the mean, normalised so that each age
    group keeps its published figure for both sexes together (given the pyramid's sex mix)."""
    ages = np.arange(population_spec["age_bands"]["oldest_age"] + 1)
    weight = age_distribution(population_spec)
    male = male_share_by_age(population_spec)
    group = np.searchsorted(np.asarray(rates["age_lower"]), ages, side="right") - 1
    male_share = np.bincount(group, weights=weight * male) / np.bincount(group, weights=weight)
    factors = {}
    for kind in ("share_factor", "mean_factor"):
        f = rates["sex"][kind]
        norm = male_share * f["M"] + (1 - male_share) * f["F"]
        factors[f"{kind}_M"], factors[f"{kind}_F"] = f["M"] / norm, f["F"] / norm
    return factors


def generate(
    block: Block, relations: ListRelations, first_year: int, last_year: int, spec: dict, copay: dict,
    factors: dict[str, np.ndarray], rng: np.random.Generator, scenario: Scenario | None = None,
) -> tuple[pa.Table, Payments]:
    """Contacts of a block of citizens in ``first_year``…``last_year``, and the egenandeler they owe.

    A ``scenario`` for phone bookings or no-shows plants its effect at its GP offices (:func:`_plant`)."""
    grid = person_years(block.birth, first_year, last_year, block.death)
    person, year, year_end, exposed_from, exposure = grid.person, grid.year, grid.exposed_to, grid.exposed_from, grid.exposure

    rates = spec["rates"]
    group = age_group(rates["age_lower"], grid.age_mid_year)
    male = block.sex[person] == "M"
    share_factor = np.where(male, factors["share_factor_M"][group], factors["share_factor_F"][group])
    share = np.minimum(np.asarray(rates["share_with_any"])[group] * share_factor, 0.97)
    mean = np.asarray(rates["mean_per_person"])[group] * np.where(male, factors["mean_factor_M"][group], factors["mean_factor_F"][group])
    mean = np.maximum(mean * _by_year(rates["trend"], year), share)
    any_contact = rng.random(person.size) < share * exposure
    count = np.where(any_contact, 1 + rng.poisson((mean / share - 1) * exposure), 0)

    row = np.repeat(np.arange(person.size), count)
    calendar = working_days(first_year, last_year)
    open_days = np.busday_count(exposed_from[row], year_end[row], busdaycal=calendar)
    offset = (rng.random(row.size) * open_days).astype(np.int64)
    day = np.busday_offset(exposed_from[row], offset, roll="forward", busdaycal=calendar)
    e_consultation = rng.random(row.size) < _by_year(spec["e_consultation"], year[row])

    booking = spec["booking"]
    evening = ~e_consultation & (rng.random(row.size) < booking["evening_share"])
    slot = booking["slot_minutes"]
    day_slots = (booking["day_hours"][1] - booking["day_hours"][0]) * 60 // slot
    evening_slots = (booking["evening_hours"][1] - booking["evening_hours"][0]) * 60 // slot
    minutes = np.where(
        evening, booking["evening_hours"][0] * 60 + rng.integers(0, evening_slots, row.size) * slot,
        booking["day_hours"][0] * 60 + rng.integers(0, day_slots, row.size) * slot,
    )
    minutes = np.where(e_consultation, rng.integers(7 * 60, 22 * 60, row.size), minutes)  # when the message was sent
    start = day.astype("datetime64[m]") + minutes * MINUTE
    portal = e_consultation | (rng.random(row.size) < _by_year(booking["portal_share_by_year"], year[row]))
    # Booked a whole number of days before: by phone in opening hours, on the portal at any time of day.
    lead_days = np.rint(rng.exponential(booking["lead_days_mean"], row.size)).astype(np.int64)
    booked_minute = np.where(portal, rng.integers(7 * 60, 23 * 60, row.size), rng.integers(8 * 60, 15 * 60, row.size))
    lead = np.where(e_consultation, 0, np.maximum(lead_days * 24 * 60 + minutes - booked_minute, 30))

    # Appointments that did not end in a consultation: booked, then missed or cancelled (and rebooked).
    physical = np.flatnonzero(~e_consultation)
    missed_share = booking["no_show_share"] + booking["cancelled_share"]
    extra = physical[rng.random(physical.size) < missed_share / (1 - missed_share)]
    no_show = rng.random(extra.size) < booking["no_show_share"] / missed_share
    earlier = np.busday_offset(day[extra], -rng.integers(1, 20, extra.size), roll="backward", busdaycal=calendar)
    earlier = np.maximum(earlier, np.busday_offset(exposed_from[row[extra]], 0, roll="forward", busdaycal=calendar))
    extra_start = earlier.astype("datetime64[m]") + (minutes[extra] % (24 * 60)) * MINUTE

    attended_day = day.astype("datetime64[D]")
    fee = {kind: Schedule(np.array(copay["gp_consultation"]["valid_from"], dtype="datetime64[D]"), np.array(copay["gp_consultation"][kind]))
           for kind in ("day", "evening")}
    nominal = np.where(evening, fee["evening"].on(attended_day), fee["day"].on(attended_day))
    exempt = attended_day < pays_from(block.birth, copay["exemptions"]["under_age"])[person[row]]
    nominal = np.where(exempt, 0, nominal)

    all_rows = np.concatenate([row, row[extra]])
    all_days = np.concatenate([day, extra_start.astype("datetime64[D]")])
    gp_list, office, gp = list_in_force(relations, person[all_rows], all_days)  # the fastlege of the day
    status = np.concatenate([np.zeros(row.size, dtype=np.int8), np.where(no_show, 1, 2).astype(np.int8)])
    portal_booked = np.concatenate([portal, portal[extra]])
    if scenario is not None and scenario.applies("gp_contacts"):
        physical = np.concatenate([~e_consultation, np.ones(extra.size, dtype=bool)])
        status, portal_booked = _plant(scenario, physical, office, all_days, status, portal_booked, rng)
    columns = {
        "citizen_id": block.citizen_id[person[all_rows]],
        "start": np.concatenate([start, extra_start]),
        "kind": np.concatenate([e_consultation, np.zeros(extra.size, dtype=bool)]).astype(np.int8),
        "status": status,
        "booking_channel": portal_booked.astype(np.int8),
        # Never booked before the patient was born: a newborn's first appointments are booked from the birth on.
        "booked_at": np.maximum(np.concatenate([start - lead * MINUTE, extra_start - lead[extra] * MINUTE]),
                                block.birth[person[all_rows]].astype("datetime64[m]") + 8 * 60 * MINUTE),
        "evening": np.concatenate([evening, evening[extra]]),
        "gp_list_id": gp_list,
        "gp_office_id": office,
        "practitioner_id": gp,
        "egenandel": np.concatenate([nominal, np.zeros(extra.size, dtype=np.int64)]),
    }
    order = _by_citizen_and_time(columns["citizen_id"], columns["start"])
    citizen_sorted = columns["citizen_id"][order]
    first = np.r_[True, citizen_sorted[1:] != citizen_sorted[:-1]] if order.size else np.zeros(0, dtype=bool)
    number = np.arange(order.size) - np.maximum.accumulate(np.where(first, np.arange(order.size), 0))
    contact_id = np.empty(order.size, dtype=np.int64)
    contact_id[order] = citizen_sorted * 10_000 + number  # ids follow the citizen: citizen id × 10,000 + running number
    columns["contact_id"] = contact_id
    arrays = []
    for field in SCHEMA:
        values = columns[field.name][order]
        if field.name in CODES:
            arrays.append(words(CODES[field.name], values))
        elif field.type == pa.timestamp("s"):
            arrays.append(pa.array(values.astype("datetime64[s]"), type=field.type))
        else:
            arrays.append(pa.array(values, type=field.type, mask=(values < 0) if field.name in OPTIONAL else None))
    table = pa.Table.from_arrays(arrays, schema=SCHEMA)
    order_paid = _by_citizen_and_time(block.citizen_id[person[row]], start)
    owed = nominal[order_paid] > 0
    return table, Payments(
        block.citizen_id[person[row]][order_paid][owed], attended_day[order_paid][owed], nominal[order_paid][owed], "gp_contact",
        contact_id[: row.size][order_paid][owed],
    )


def _plant(scenario: Scenario, physical, office, day, status, portal, rng) -> tuple[np.ndarray, np.ndarray]:
    """Status and portal flag with the scenario's effect at its offices from its start (drawn after every ordinary
    draw, so the rest of the block is unchanged). Phone bookings move to the portal (or back); no-shows become
    cancellations (or the reverse), so the bookings themselves stay and only their outcome changes."""
    affected = physical & scenario.affected(office, day)
    if scenario.metric == "phone_bookings_per_listed":
        return status, ~flip(~portal, affected, scenario.relative, rng)
    missed = affected & (status > 0)
    no_show = flip(status == 1, missed, scenario.relative, rng)
    return np.where(missed, np.where(no_show, 1, 2), status).astype(np.int8), portal


def add_to(ctx: Context) -> None:
    """Add the block's fastlege contacts and their egenandeler to ``ctx``."""
    spec, copay = specs.load("gp_contacts"), specs.load("copayments")
    factors = sex_factors(spec["rates"], specs.load("population"))
    table, paid = generate(ctx.block, ctx.relations, ctx.first_year, ctx.last_year, spec, copay, factors, ctx.rng("gp_contacts"),
                           ctx.scenario)
    ctx.tables["gp_contacts"] = table
    ctx.payments.append(paid)
