"""Referrals (henvisninger) to the specialist service and the outpatient appointments they lead to.

Numbers from referrals.toml. A referral is received by the local hospital, assessed within 10
working days (§6.4), and answered with a right to care, a rejection or a forward (§6.1, §6.3). With a
right to care it gets a legal deadline and a start of care after a gamma-distributed wait by sector
(reference-statistics §10); a start after the deadline is a fristbrudd that Helfo is told of (§6.5).
Cancer pathway referrals follow the standard pathway times (§12). The citizen-visible status
sequence of §6.1 is recorded with its dates; only what happened by the reference date is shown.
Each referral is for one treatment of treatments.toml (Velg behandlingssted, §7.2), drawn by sector, and is
received by the hospital that offers it for the citizen's local hospital (helsekit.domain.treatments); the
wait is scaled by the treatment's and the hospital's factor.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pyarrow as pa

from helsekit.domain.calendar import add_working_days, working_days
from helsekit.domain.copayments import Schedule, pays_from
from helsekit.domain.treatments import LEVELS, hospital_levels
from helsekit.generator import geography, sites, specs
from helsekit.generator.histories.common import Context, Payments, age_group, list_in_force, person_years, words
from helsekit.generator.population import age_at

TABLES = ("referrals", "referral_statuses", "hospital_appointments")
STATUSES = ["Til vurdering", "Vurdering pågår", "Vurdert", "Time tildelt", "Behandling pågår", "Behandling avsluttet",
            "Avsluttet", "Videresendt", "Avvist"]
OUTCOMES = ["rett_til_helsehjelp", "videresendt", "avvist"]
APPOINTMENT_STATUSES = ["attended", "no_show", "booked"]
MINUTE = np.timedelta64(1, "m")


@dataclass(frozen=True)
class TreatmentPlan:
    """What the generator needs of treatments.toml and the hospital tree, as arrays."""

    ids: list[str]
    cumulative: np.ndarray  # (sector, treatment): cumulative shares of each sector's referrals
    wait_factor: np.ndarray  # per treatment, share-weighted mean 1 within its sector
    pathway_treatment: np.ndarray  # per referrals.toml pathway, the treatment index
    receiving: np.ndarray  # (level, local hospital id): the hospital that receives the referral
    level: np.ndarray  # per treatment, index into LEVELS
    hospital_factor: np.ndarray  # per organisation id, the hospital's wait factor


@lru_cache(maxsize=1)
def _receiving_by_level() -> np.ndarray:
    """(level, hospital id) → receiving hospital. The tree is rebuilt from the same geography and spec as
    helsekit.generator.run, so the ids agree; it does not depend on the seed (the stream only names places)."""
    orgs = sites.Organisations()
    geo = geography.load()
    sites.build_regional(orgs, geo.kommuner, geo.fylker, specs.load("health_services"), np.random.default_rng(0))
    levels = hospital_levels(range(1, len(orgs) + 1), orgs.kind, orgs.kommune, orgs.parent)
    table = np.full((len(LEVELS), len(orgs) + 1), -1, dtype=np.int64)
    for h in levels.main_of_trust:
        table[:, h] = [levels.receiving(level, h) for level in LEVELS]
    return table


def treatment_plan(spec: dict, sector_names: list[str], pathway_names: list[str], hospital_rng: np.random.Generator) -> TreatmentPlan:
    """The plan for one database: ``spec`` is treatments.toml, ``hospital_rng`` the seed's `hospital_waits` stream."""
    rows = spec["treatment"]
    unknown = {t["sector"] for t in rows} - set(sector_names)
    if unknown or {t["offered_at"] for t in rows} - set(LEVELS):
        raise ValueError(f"treatments.toml: sectors must be among {sector_names} and offered_at among {LEVELS}")
    sector = np.array([sector_names.index(t["sector"]) for t in rows])
    share = np.array([t["share"] for t in rows], dtype=float)
    shares = np.where(sector[None, :] == np.arange(len(sector_names))[:, None], share[None, :], 0.0)
    factor = np.array([t["wait_factor"] for t in rows], dtype=float)
    weighted = (shares * factor).sum(axis=1) / np.maximum(shares.sum(axis=1), 1e-12)
    pathway = {t["pathway"]: i for i, t in enumerate(rows) if "pathway" in t}
    receiving = _receiving_by_level()
    variation = spec["hospital_variation"]
    return TreatmentPlan(
        ids=[t["id"] for t in rows],
        cumulative=np.cumsum(shares, axis=1),
        wait_factor=factor / np.where(weighted[sector] > 0, weighted[sector], 1.0),
        pathway_treatment=np.array([pathway[name] for name in pathway_names]),
        receiving=receiving,
        level=np.array([LEVELS.index(t["offered_at"]) for t in rows]),
        hospital_factor=hospital_rng.uniform(variation["low"], variation["high"], receiving.shape[1]),
    )


def _by_year(years: np.ndarray, anchors: list[int], values: list[float]) -> np.ndarray:
    return np.interp(years, anchors, values)


def generate(block, relations, first_year: int, last_year: int, spec: dict, copay: dict, rng: np.random.Generator,
             plan: TreatmentPlan, treatment_rng: np.random.Generator):
    """Referrals, their status history and outpatient appointments; the outpatient egenandeler owed.
    Treatments are drawn from ``treatment_rng`` so that the other draws stay those of ``rng``."""
    reference = np.datetime64(f"{last_year + 1}-01-01")
    calendar = working_days(first_year, last_year + 2)
    grid = person_years(block.birth, first_year, last_year, block.death)
    person, exposed_from = grid.person, grid.exposed_from
    rates = spec["rates"]
    count = rng.poisson(np.asarray(rates["per_year"])[age_group(rates["age_lower"], grid.age_mid_year)] * grid.exposure)
    row = np.repeat(np.arange(person.size), count)
    p = person[row]
    n = row.size

    open_days = np.maximum(np.busday_count(exposed_from[row], grid.exposed_to[row], busdaycal=calendar), 1)
    received = np.busday_offset(exposed_from[row], (rng.random(n) * open_days).astype(np.int64), roll="forward", busdaycal=calendar)
    alive = block.alive_on(p, received + 28)  # modelling choice: nobody is referred in the last four weeks of life, so assessment precedes death
    row, p, received = row[alive], p[alive], received[alive]
    n = row.size
    # What happens from the day of death on is not recorded: no appointment, no status, no start of care.
    cutoff = block.until(reference)[p]
    sent = np.maximum(np.busday_offset(received, -rng.integers(0, 4, n), roll="backward", busdaycal=calendar), block.birth[p])
    age = age_at(block.birth[p], received)

    sectors = spec["sectors"]
    child = age < 18
    cumulative = np.cumsum(np.where(child[:, None], sectors["share_children"], sectors["share_adults"]), axis=1)
    sector = (rng.random(n)[:, None] >= cumulative / cumulative[:, -1:]).sum(axis=1)

    assess = spec["assessment"]
    late = rng.random(n) < assess["late_share"]
    assessed = add_working_days(received, np.where(late, assess["working_days"] + rng.integers(1, 6, n), rng.integers(1, assess["working_days"] + 1, n)), calendar)
    out = spec["outcome"]
    draw = rng.random(n)
    outcome = np.where(draw < out["right_to_care"], 0, np.where(draw < out["right_to_care"] + out["forwarded"], 1, 2))

    # Waiting time to start of care, by sector and year; cancer pathways by their standard times.
    waiting = spec["waiting"]
    sector_names = sectors["name"]
    ref_year = received.astype("datetime64[Y]").astype(np.int64) + 1970
    mean_wait = np.choose(sector, [_by_year(ref_year, waiting["year"], waiting[name]) for name in sector_names])
    wait = rng.gamma(waiting["gamma_shape"], mean_wait / waiting["gamma_shape"])
    pathways = spec["pathways"]
    pathway = np.full(n, -1)
    eligible = (sector == 0) & (age >= 40) & (outcome == 0)
    on_pathway = eligible & (rng.random(n) < pathways["share_of_somatic_40_plus"])
    pathway[on_pathway] = np.where(block.sex[p][on_pathway] == "F", 0, 1)
    standard = np.asarray(pathways["standard_days"])[np.maximum(pathway, 0)]
    in_time = rng.random(n) < pathways["within_standard_share"]
    pathway_wait = np.where(in_time, standard * rng.uniform(0.6, 1.0, n), standard * rng.uniform(1.02, 1.6, n))
    # The treatment (by sector; a pathway referral is for its pathway's treatment) and the hospital offering it.
    cumulative = plan.cumulative[sector]
    treatment = (treatment_rng.random(n)[:, None] >= cumulative / cumulative[:, -1:]).sum(axis=1)
    treatment = np.where(on_pathway, plan.pathway_treatment[np.maximum(pathway, 0)], treatment)
    local = block.hospital_id[p]
    hospital = np.where(local < 0, -1, plan.receiving[plan.level[treatment], np.maximum(local, 0)])
    wait = wait * plan.wait_factor[treatment] * np.where(hospital < 0, 1.0, plan.hospital_factor[np.maximum(hospital, 0)])
    wait = np.where(on_pathway, pathway_wait, wait)
    start = np.busday_offset(received + np.maximum(np.rint(wait).astype(np.int64), 1), 0, roll="forward", busdaycal=calendar)
    start = np.maximum(start, np.busday_offset(assessed, 1, roll="forward", busdaycal=calendar))

    deadline_spec = spec["deadline"]
    breach = rng.random(n) < _by_year(ref_year, deadline_spec["year"], deadline_spec["breach_share"])
    deadline = np.where(breach, start - rng.integers(1, 31, n), start + rng.integers(0, 61, n))
    young_mental = (sector >= 1) & (age < 23)
    cap = add_working_days(received, deadline_spec["young_mental_health_max_working_days"], calendar)
    deadline = np.where(young_mental, np.minimum(deadline, cap), deadline)
    deadline = np.maximum(deadline, assessed)
    died_first = ~np.isnat(block.death[p]) & (start >= cutoff)  # died before the start of care: no start, no breach
    breached = (outcome == 0) & (start > deadline) & ~died_first
    helfo = np.where(breached, add_working_days(deadline, 1, calendar), np.datetime64("NaT"))

    # Outpatient appointments: the first at the start of care, then follow-ups.
    appt = spec["hospital_appointments"]
    right = np.flatnonzero(outcome == 0)
    follow = rng.poisson(appt["follow_ups_mean"], right.size)
    a_ref = np.repeat(right, follow + 1)
    k = np.arange(a_ref.size) - np.repeat(np.cumsum(follow + 1) - (follow + 1), follow + 1)
    weeks_low, weeks_high = appt["weeks_between"]
    gaps = rng.integers(weeks_low * 7, weeks_high * 7 + 1, a_ref.size) * (k > 0)
    cumulative_gap = np.cumsum(gaps)
    offset = cumulative_gap - cumulative_gap[np.repeat(np.cumsum(follow + 1) - (follow + 1), follow + 1)]
    a_day = np.busday_offset(start[a_ref] + offset, 0, roll="forward", busdaycal=calendar)
    slots = (appt["day_hours"][1] - appt["day_hours"][0]) * 60 // appt["slot_minutes"]
    a_start = a_day.astype("datetime64[m]") + (appt["day_hours"][0] * 60 + rng.integers(0, slots, a_ref.size) * appt["slot_minutes"]) * MINUTE
    no_show = rng.random(a_ref.size) < appt["no_show_share"]
    future = a_day >= reference
    a_status = np.where(future, 2, np.where(no_show, 1, 0))
    fee = Schedule(np.array(appt["egenandel_valid_from"], dtype="datetime64[D]"), np.array(appt["egenandel"])).on(a_day)
    owes = (a_status == 0) & (a_day >= pays_from(block.birth, copay["exemptions"]["under_age"])[p[a_ref]])
    a_egenandel = np.where(owes, fee, 0).astype(np.int64)

    # The citizen-visible status sequence (§6.1), dated; only what happened by the reference date.
    last_appt = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    ends = np.cumsum(follow + 1) - 1
    last_appt[right] = a_day[ends] if right.size else last_appt[right]
    lived = block.alive_on(p[a_ref], a_day)
    a_ref, k, a_day, a_start, a_status, a_egenandel = (x[lived] for x in (a_ref, k, a_day, a_start, a_status, a_egenandel))
    treatment_ended = last_appt + rng.integers(7, 31, n)
    closed = treatment_ended + rng.integers(1, 15, n)
    in_progress = np.flatnonzero((assessed - received).astype(np.int64) > 1)
    events = [
        (np.arange(n), received, 0),
        (in_progress, np.busday_offset(received[in_progress], 1, roll="forward", busdaycal=calendar), 1),
        (np.arange(n), assessed, 2),
        (right, np.minimum(assessed[right] + rng.integers(0, 6, right.size), start[right]), 3),
        (right, start[right], 4),
        (right, treatment_ended[right], 5),
        (right, closed[right], 6),
        (np.flatnonzero(outcome == 1), assessed[outcome == 1], 7),
        (np.flatnonzero(outcome == 2), assessed[outcome == 2], 8),
    ]
    e_ref = np.concatenate([e[0] for e in events])
    e_at = np.concatenate([e[1] for e in events]).astype("datetime64[D]")
    e_status = np.concatenate([np.full(e[0].size, e[2]) for e in events])
    seen = e_at < cutoff[e_ref]
    e_ref, e_at, e_status = e_ref[seen], e_at[seen], e_status[seen]
    e_order = np.lexsort((e_status, e_at, e_ref))
    e_ref, e_at, e_status = e_ref[e_order], e_at[e_order], e_status[e_order]
    current = np.zeros(n, dtype=np.int64)
    current[e_ref] = e_status  # the last event of each referral wins (sorted by date)

    # Ids follow the citizen: citizen id × 1,000 + running number (referrals are made in citizen order).
    first_of = np.searchsorted(p, p)
    referral_id = block.citizen_id[p] * 1000 + (np.arange(n) - first_of)
    _, office, referrer = list_in_force(relations, p, sent)  # the fastlege of the day
    referrals = pa.table({
        "referral_id": referral_id,
        "citizen_id": block.citizen_id[p],
        "referred_by_office_id": pa.array(office, mask=office < 0),
        "referred_by_id": pa.array(referrer, mask=referrer < 0),
        "hospital_id": pa.array(hospital, mask=hospital < 0),
        "sector": words(sector_names, sector),
        "treatment": words(plan.ids, treatment),
        "sent_on": sent, "received_on": received, "assessed_on": assessed,
        "outcome": words(OUTCOMES, outcome),
        "legal_deadline": pa.array(deadline, mask=outcome != 0),
        "start_of_care": pa.array(start, mask=(outcome != 0) | died_first),
        "fristbrudd": breached,
        "helfo_notified_on": pa.array(helfo, mask=np.isnat(helfo)),
        "pathway": pa.array(np.asarray(pathways["name"], dtype=object)[np.maximum(pathway, 0)], mask=pathway < 0, type=pa.string()),
        "status": words(STATUSES, current),
    })
    statuses = pa.table({"referral_id": referral_id[e_ref], "status": words(STATUSES, e_status), "at": e_at})
    a_order = np.lexsort((a_start, p[a_ref]))
    appointments = pa.table({
        "referral_id": referral_id[a_ref][a_order],
        "citizen_id": block.citizen_id[p[a_ref]][a_order],
        "hospital_id": pa.array(hospital[a_ref][a_order], mask=hospital[a_ref][a_order] < 0),
        "start": a_start[a_order].astype("datetime64[s]"),
        "status": words(APPOINTMENT_STATUSES, a_status[a_order]),
        "egenandel": a_egenandel[a_order],
    })
    appointment_id = referral_id[a_ref][a_order] * 100 + k[a_order]
    appointments = appointments.add_column(0, "appointment_id", pa.array(appointment_id))
    owed = a_egenandel[a_order] > 0
    payments = Payments(block.citizen_id[p[a_ref]][a_order][owed], a_day[a_order][owed], a_egenandel[a_order][owed],
                        "outpatient", appointment_id[owed])
    return referrals, statuses, appointments, payments


def add_to(ctx: Context) -> None:
    """Add the block's referrals, their statuses and outpatient appointments, and the egenandeler, to ``ctx``."""
    spec = specs.load("referrals")
    plan = treatment_plan(specs.load("treatments"), spec["sectors"]["name"], spec["pathways"]["name"], ctx.streams.rng("hospital_waits"))
    referred, statuses, appointments, paid = generate(ctx.block, ctx.relations, ctx.first_year, ctx.last_year, spec,
                                                      specs.load("copayments"), ctx.rng("referrals"), plan, ctx.rng("referral_treatments"))
    # Every cancer pathway gets a forløpskoordinator at the receiving hospital (§12.2).
    on_pathway = referred["pathway"].is_valid().to_numpy(zero_copy_only=False)
    hospital = referred["hospital_id"].fill_null(-1).to_numpy()
    coordinator = ctx.staff.pick(hospital, "forløpskoordinator", ctx.rng("pathway_coordinators"))
    referred = referred.add_column(referred.schema.get_field_index("pathway") + 1, "pathway_coordinator_id",
                                   pa.array(coordinator, mask=~on_pathway | (coordinator < 0), type=pa.int64()))
    ctx.tables.update(referrals=referred, referral_statuses=statuses, hospital_appointments=appointments)
    ctx.payments.append(paid)
