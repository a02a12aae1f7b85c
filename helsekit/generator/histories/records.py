"""Hospital record documents (pasientjournal, §5.1–§5.3) and the access log of the kjernejournal and
the hospital record (§4.5–§4.8, §5.3).

Numbers from records.toml. Documents follow the attended outpatient appointments (a poliklinisk
notat each, sometimes a letter, a treatment plan or an operasjonsbeskrivelse) and the end of
treatment of each referral (an epikrise or sammenfatning). A document is shown on Helsenorge 24 h
after approval, if its region showed documents when it was written, and to a child only from the
16th birthday (§5.3). Lookups are made by the hospital's staff around each attended appointment, by
the fastlege at a share of consultations and, rarely, without a treatment relation (§4.8). The
kjernejournal log shows the organisation at once and the person after a week (§4.8); the hospital
record log shows an entry after 7 days (§5.3). Nothing happens before birth, from the day of death
or from the reference date on.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from helsekit.domain.calendar import add_years, working_days
from helsekit.generator import specs
from helsekit.generator.histories.common import Context, words

TABLES = ("hospital_documents", "access_log")
KINDS = ["poliklinisk notat", "brev til pasient", "behandlingsplan", "tverrfaglig behandlingsplan",
         "operasjonsbeskrivelse dagkirurgi", "epikrise", "sammenfatning"]
NOTE, LETTER, PLAN, CROSS_PLAN, DAY_SURGERY, EPIKRISE, SUMMARY = range(len(KINDS))
RECORDS = ["kjernejournal", "pasientjournal"]
KJ, PJ = 0, 1
REASONS = ["Behandling", "Forberedelse til time", "Dokumentasjon", "Forløpskoordinering"]
TREATMENT, PREPARATION, DOCUMENTATION, COORDINATION = range(len(REASONS))
DAY = 24 * 60
NAT = np.iinfo(np.int64).min  # numpy's NaT: times are int64 minutes since 1970 until they are written out
NEVER = np.iinfo(np.int64).max // 2
DOCUMENT_SCHEMA = pa.schema([
    ("document_id", pa.int64()), ("citizen_id", pa.int64()), ("hospital_id", pa.int64()), ("referral_id", pa.int64()),
    ("appointment_id", pa.int64()), ("kind", pa.string()), ("author_id", pa.int64()), ("written_at", pa.timestamp("s")),
    ("approved_at", pa.timestamp("s")), ("visible_from", pa.timestamp("s")),
])
LOG_SCHEMA = pa.schema([
    ("entry_id", pa.int64()), ("citizen_id", pa.int64()), ("record", pa.string()), ("organisation_id", pa.int64()),
    ("practitioner_id", pa.int64()), ("accessed_at", pa.timestamp("s")), ("reason", pa.string()),
    ("organisation_visible_from", pa.timestamp("s")), ("person_visible_from", pa.timestamp("s")),
])


def _minutes(values) -> np.ndarray:
    """Minutes since 1970 of dates or timestamps."""
    values = np.asarray(values)
    unit = np.datetime_data(values.dtype)[0]
    return values.view(np.int64) * DAY if unit == "D" else values.astype("datetime64[m]").view(np.int64)


def _days(minutes: np.ndarray) -> np.ndarray:
    return (minutes // DAY).astype("datetime64[D]")


def _at_work(day: np.ndarray, earliest: np.ndarray | int, hours: list[int], rng: np.random.Generator) -> np.ndarray:
    """A random minute on ``day`` (minutes at its start) from ``earliest`` (minutes after midnight) to the end of the working day."""
    end = hours[1] * 60
    low = np.minimum(np.maximum(earliest, hours[0] * 60), end - 1)
    return day + low + (rng.random(day.size) * (end - low)).astype(np.int64)


class _WorkingDays:
    """Working-day arithmetic by table look-up over the years of the block (np.busday_offset is slow on many rows)."""

    def __init__(self, first_year: int, last_year: int) -> None:
        self.first = np.datetime64(f"{first_year}-01-01", "D").view(np.int64)
        days = np.arange(self.first, np.datetime64(f"{last_year + 1}-01-01", "D").view(np.int64))
        self.days = np.flatnonzero(np.is_busday(days.astype("datetime64[D]"), busdaycal=working_days(first_year, last_year))) + self.first
        self.at_or_after = np.searchsorted(self.days, days)  # index of the first working day on or after each day

    def offset(self, day: np.ndarray, working_days_later: np.ndarray | int, roll: str = "forward") -> np.ndarray:
        """The working day ``working_days_later`` from ``day`` (minutes at its start), rolled to a working day first."""
        index = np.clip(day // DAY - self.first, 0, self.at_or_after.size - 1)
        start = self.at_or_after[index]
        if roll == "backward":
            start = start - (self.days[np.minimum(start, self.days.size - 1)] != day // DAY)
        return self.days[np.clip(start + working_days_later, 0, self.days.size - 1)] * DAY


@dataclass(frozen=True)
class _People:
    """Per citizen of the block, in minutes: alive from, alive until (Block.alive_on), and from when Helsenorge shows things."""

    born: np.ndarray
    dies: np.ndarray  # the start of the day of death; NEVER for the living
    sixteen: np.ndarray  # own digital access from the 16th birthday (§5.3)
    documents_from: np.ndarray  # the region's start of showing documents (§5.1, §5.3); NEVER: not shown
    log_from_somatic: np.ndarray
    log_from_mental_health: np.ndarray

    def alive(self, person: np.ndarray, at: np.ndarray) -> np.ndarray:
        return (at >= self.born[person]) & (at < self.dies[person])

    def in_life(self, person: np.ndarray, at: np.ndarray) -> np.ndarray:
        """``at``, or NAT from the day of death on: a deceased person's records go to Norsk helsearkiv (§5.4)."""
        return np.where(at < self.dies[person], at, NAT)

    def shown(self, person: np.ndarray, at: np.ndarray) -> np.ndarray:
        """Shown from ``at`` (NAT: never), but not before the 16th birthday (§5.3) and not from the day of death."""
        return self.in_life(person, np.where(at == NAT, NAT, np.maximum(at, self.sixteen[person])))


def _people(ctx: Context, spec: dict) -> _People:
    block, coverage = ctx.block, spec["coverage"]
    regions, code = np.unique(block.health_region.astype(str), return_inverse=True)

    def by_region(dates: list[str]) -> np.ndarray:
        start = dict(zip(coverage["region"], _minutes(np.array(dates, dtype="datetime64[D]"))))
        return np.array([start.get(region, NEVER) for region in regions], dtype=np.int64)[code]

    return _People(
        _minutes(block.birth), np.where(np.isnat(block.death), NEVER, _minutes(block.death.astype("datetime64[D]"))),
        _minutes(add_years(block.birth, spec["visibility"]["own_access_age"])), by_region(coverage["documents_from"]),
        by_region(coverage["log_from_somatic"]), by_region(coverage["log_from_mental_health"]),
    )


class _Rows:
    """Columns gathered in parts, concatenated once."""

    def __init__(self) -> None:
        self.parts: list[dict[str, np.ndarray]] = []

    def add(self, **columns: np.ndarray) -> None:
        self.parts.append(columns)

    def columns(self) -> dict[str, np.ndarray]:
        return {name: np.concatenate([part[name] for part in self.parts]) for name in self.parts[0]}


def _appointments(ctx: Context, people: _People) -> dict[str, np.ndarray]:
    """The attended outpatient appointments the citizen was alive at, with their referral's sector and pathway."""
    table = ctx.tables["hospital_appointments"]
    table = table.filter(pc.equal(table["status"], "attended"))
    start = _minutes(table["start"].to_numpy())
    person = np.searchsorted(ctx.block.citizen_id, table["citizen_id"].to_numpy())
    keep = people.alive(person, start) & (start < _minutes(ctx.reference))
    referral_id = table["referral_id"].to_numpy()[keep]
    referrals = ctx.tables["referrals"]
    row = np.searchsorted(referrals["referral_id"].to_numpy(), referral_id)  # ids ascend (referrals.py)
    appointment_id = table["appointment_id"].to_numpy()[keep]
    return {
        "person": person[keep], "start": start[keep], "appointment_id": appointment_id, "referral_id": referral_id,
        "hospital": table["hospital_id"].fill_null(-1).to_numpy()[keep],
        "mental": pc.not_equal(referrals["sector"], "somatikk").to_numpy(zero_copy_only=False)[row],
        "pathway": pc.is_valid(referrals["pathway"]).to_numpy(zero_copy_only=False)[row],
        "first": appointment_id % 100 == 0,  # appointment id = referral id × 100 + running number
    }


def _treatment_ends(ctx: Context, calendar: _WorkingDays) -> dict[str, np.ndarray]:
    """Referrals that reached 'Behandling avsluttet' (§6.1), on the working day it happened or the next."""
    statuses = ctx.tables["referral_statuses"]
    ended = statuses.filter(pc.equal(statuses["status"], "Behandling avsluttet"))
    referrals = ctx.tables["referrals"]
    referral_id = ended["referral_id"].to_numpy()
    row = np.searchsorted(referrals["referral_id"].to_numpy(), referral_id)
    return {
        "referral_id": referral_id,
        "person": np.searchsorted(ctx.block.citizen_id, referrals["citizen_id"].to_numpy()[row]),
        "hospital": referrals["hospital_id"].fill_null(-1).to_numpy()[row],
        "mental": pc.not_equal(referrals["sector"], "somatikk").to_numpy(zero_copy_only=False)[row],
        "day": calendar.offset(_minutes(ended["at"].to_numpy()), 0),
    }


def _documents(ctx: Context, people: _People, visits: dict, ends: dict, doctor: np.ndarray, nurse: np.ndarray, by_nurse: np.ndarray,
               spec: dict, calendar: _WorkingDays, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Every document written before the reference date, with its approval and when it is shown (§5.2, §5.3)."""
    hours, doc = spec["working_hours"]["hospital"], spec["documents"]
    n = visits["person"].size
    day = visits["start"] // DAY * DAY
    start_minute = visits["start"] - day
    note_author = np.where(by_nurse, nurse, doctor)

    def later(mask: np.ndarray, working_days_range: list[int]) -> np.ndarray:
        offset = rng.integers(working_days_range[0], working_days_range[1] + 1, n)[mask]
        earliest = np.where(offset == 0, start_minute[mask] + doc["note_minutes_after_start"], 0)
        return _at_work(calendar.offset(day[mask], offset), earliest, hours, rng)

    rows = _Rows()
    note_at = _at_work(day, start_minute + doc["note_minutes_after_start"], hours, rng)
    rows.add(index=np.arange(n), kind=np.full(n, NOTE), author=note_author, written=note_at)
    letter = rng.random(n) < doc["letter_share"]
    rows.add(index=np.flatnonzero(letter), kind=np.full(letter.sum(), LETTER), author=note_author[letter],
             written=later(letter, doc["letter_working_days"]))
    plan = visits["first"] & (rng.random(n) < np.where(visits["mental"], doc["plan_share_mental_health"], doc["plan_share_somatic"]))
    rows.add(index=np.flatnonzero(plan), kind=np.where(visits["mental"], CROSS_PLAN, PLAN)[plan], author=doctor[plan],
             written=later(plan, doc["plan_working_days"]))
    surgery = ~visits["mental"] & (rng.random(n) < doc["day_surgery_share"])
    rows.add(index=np.flatnonzero(surgery), kind=np.full(surgery.sum(), DAY_SURGERY), author=doctor[surgery], written=note_at[surgery])
    from_visits = rows.columns()
    i = from_visits["index"]

    m = ends["person"].size
    summary = ends["mental"] & (rng.random(m) < spec["end_of_treatment"]["sammenfatning_share_mental_health"])
    documents = {
        "person": np.r_[visits["person"][i], ends["person"]],
        "hospital": np.r_[visits["hospital"][i], ends["hospital"]],
        "referral_id": np.r_[visits["referral_id"][i], ends["referral_id"]],
        "appointment_id": np.r_[visits["appointment_id"][i], np.full(m, -1)],
        # Ids follow the appointment (its id × 10 + kind) or, at the end of treatment, the referral (its id × 1000 + 999).
        "document_id": np.r_[visits["appointment_id"][i] * 10 + from_visits["kind"], ends["referral_id"] * 1000 + 999],
        "kind": np.r_[from_visits["kind"], np.where(summary, SUMMARY, EPIKRISE)],
        "author": np.r_[from_visits["author"], ctx.staff.pick(ends["hospital"], "lege", rng)],
        "written": np.r_[from_visits["written"], _at_work(ends["day"], 0, hours, rng)],
        "mental": np.r_[visits["mental"][i], ends["mental"]],
        "visit_day": np.r_[day[i], np.full(m, NAT)],
    }
    keep = (documents["written"] < _minutes(ctx.reference)) & people.alive(documents["person"], documents["written"])
    documents = {name: values[keep] for name, values in documents.items()}
    person, written = documents["person"], documents["written"]
    written_day = written // DAY * DAY

    approval = spec["approval"]
    same_day = rng.random(person.size) < approval["same_day_share"]
    days_later = np.minimum(rng.geometric(1 / approval["later_mean_working_days"], person.size), approval["max_working_days"])
    approved = np.where(same_day, _at_work(written_day, written - written_day, hours, rng),
                        _at_work(calendar.offset(written_day, days_later), 0, hours, rng))
    approved = np.where((approved < _minutes(ctx.reference)) & people.alive(person, approved), approved, NAT)
    covered = (written >= people.documents_from[person]) & (approved != NAT)
    documents["approved"] = approved
    documents["visible"] = people.shown(person, np.where(covered, approved + spec["visibility"]["document_delay_hours"] * 60, NAT))
    return documents


def _lookups(ctx: Context, visits: dict, documents: dict, doctor: np.ndarray, nurse: np.ndarray, by_nurse: np.ndarray,
             spec: dict, calendar: _WorkingDays, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Lookups in the hospital record and the kjernejournal, before the rules of who and when are applied."""
    hours, look, kj = spec["working_hours"]["hospital"], spec["hospital_lookups"], spec["kjernejournal"]
    rows = _Rows()

    def add(index, person, record, organisation, practitioner, at, reason, mental=None):
        rows.add(person=person[index], record=np.full(index.size, record, dtype=np.int8), organisation=organisation[index],
                 practitioner=practitioner[index], at=at[index], reason=np.full(index.size, reason, dtype=np.int8),
                 mental=np.zeros(index.size, dtype=bool) if mental is None else mental[index])

    n = visits["person"].size
    p, hospital, mental, start = visits["person"], visits["hospital"], visits["mental"], visits["start"]
    day_before = calendar.offset(start // DAY * DAY, -1, roll="backward")
    treatment_at = start + rng.integers(0, look["treatment_minutes"] + 1, n)
    add(np.arange(n), p, PJ, hospital, doctor, treatment_at, TREATMENT, mental)
    add(np.flatnonzero(rng.random(n) < look["preparation_share"]), p, PJ, hospital, doctor, _at_work(day_before, 0, hours, rng),
        PREPARATION, mental)
    add(np.flatnonzero((rng.random(n) < look["nurse_share"]) | by_nurse), p, PJ, hospital, nurse,
        start + rng.integers(0, look["nurse_minutes"] + 1, n), TREATMENT, mental)
    coordinator = ctx.staff.pick(hospital, "forløpskoordinator", rng)
    add(np.flatnonzero(visits["pathway"]), p, PJ, hospital, coordinator, _at_work(day_before, 0, hours, rng), COORDINATION, mental)
    add(np.flatnonzero(rng.random(n) < kj["hospital_appointment_share"]), p, KJ, hospital, doctor, treatment_at, TREATMENT)

    # The author opens the record to write a document on another day than the appointment (epikriser have none).
    d = documents
    written_day = d["written"] // DAY * DAY
    before = np.maximum(d["written"] - rng.integers(0, look["documentation_minutes_before"] + 1, d["person"].size), written_day + hours[0] * 60)
    add(np.flatnonzero(written_day != d["visit_day"]), d["person"], PJ, d["hospital"], d["author"], before, DOCUMENTATION, d["mental"])

    # The fastlege opens the kjernejournal at a share of attended consultations (§4.6).
    gp = ctx.tables["gp_contacts"]
    consulted = pc.and_(pc.equal(gp["status"], "attended"), pc.equal(gp["kind"], "consultation")).to_numpy(zero_copy_only=False)
    opens = np.flatnonzero(consulted & (rng.random(consulted.size) < kj["fastlege_consultation_share"]))
    gp_at = _minutes(gp["start"].to_numpy()[opens]) + rng.integers(0, 16, opens.size)
    every = np.arange(opens.size)
    add(every, np.searchsorted(ctx.block.citizen_id, gp["citizen_id"].to_numpy()[opens]), KJ,
        gp["gp_office_id"].fill_null(-1).to_numpy()[opens], gp["practitioner_id"].fill_null(-1).to_numpy()[opens], gp_at, TREATMENT)

    # Lookups without a treatment relation, by staff of the local hospital (§4.8: analysed for misuse).
    unrelated = spec["unrelated_lookups"]
    first = np.maximum(_minutes(ctx.window_start), ctx.block.birth.view(np.int64) * DAY) // DAY
    last = np.minimum(_minutes(ctx.reference), np.where(np.isnat(ctx.block.death), NEVER, _minutes(ctx.block.death))) // DAY
    span = np.maximum(last - first, 0)
    person = np.repeat(np.arange(span.size), rng.poisson(unrelated["per_person_year"] * span / 365.25))
    day = calendar.offset((first[person] + (rng.random(person.size) * span[person]).astype(np.int64)) * DAY, 0)
    local = ctx.block.hospital_id[person]
    who = np.where(rng.random(person.size) < unrelated["nurse_share"], ctx.staff.pick(local, "sykepleier", rng), ctx.staff.pick(local, "lege", rng))
    in_kj = rng.random(person.size) < unrelated["kjernejournal_share"]
    at = _at_work(day, 0, hours, rng)
    add(np.flatnonzero(in_kj), person, KJ, local, who, at, TREATMENT)
    add(np.flatnonzero(~in_kj), person, PJ, local, who, at, TREATMENT)
    return rows.columns()


def _access_log(ctx: Context, people: _People, lookups: dict, spec: dict) -> dict[str, np.ndarray]:
    """The lookups allowed (§4.5, §4.7) and made while the citizen was alive, with when the citizen sees them."""
    person, at, kj = lookups["person"], lookups["at"], lookups["record"] == KJ
    open_from = _minutes(np.datetime64(spec["kjernejournal"]["open_from"], "D"))
    no_kj = ctx.block.kj_reserved[person] | ctx.block.kj_blocks_personnel[person] | (at < open_from)  # §4.7, §4.5
    keep = ((lookups["practitioner"] >= 0) & (lookups["organisation"] >= 0) & (at < _minutes(ctx.reference))
            & people.alive(person, at) & ~(kj & no_kj))
    log = {name: values[keep] for name, values in lookups.items()}
    person, at, kj = log["person"], log["at"], kj[keep]
    log_from = np.where(log["mental"], people.log_from_mental_health[person], people.log_from_somatic[person])
    hospital_log = people.shown(person, np.where(at >= log_from, at + spec["visibility"]["log_delay_days"] * DAY, NAT))  # §5.3
    person_shown = people.in_life(person, at + spec["kjernejournal"]["person_shown_after_days"] * DAY)  # §4.8
    log["organisation_visible"] = np.where(kj, at, hospital_log)
    log["person_visible"] = np.where(kj, person_shown, hospital_log)
    return log


def _order(citizen: np.ndarray, at: np.ndarray) -> np.ndarray:
    """Order by citizen, then time (one int64 key)."""
    return np.argsort(citizen * (1 << 26) + (at - at.min() if at.size else at), kind="stable")


def _timestamps(minutes: np.ndarray) -> pa.Array:
    missing = minutes == NAT
    return pa.array(np.where(missing, 0, minutes * 60), type=pa.timestamp("s"), mask=missing)


def add_to(ctx: Context) -> None:
    """Add the block's hospital record documents and the access log to ``ctx``."""
    spec, rng = specs.load("records"), ctx.rng("records")
    calendar = _WorkingDays(ctx.first_year - 1, ctx.last_year + 1)
    people = _people(ctx, spec)
    visits = _appointments(ctx, people)
    ends = _treatment_ends(ctx, calendar)
    doctor = ctx.staff.pick(visits["hospital"], "lege", rng)
    nurse = ctx.staff.pick(visits["hospital"], "sykepleier", rng)
    by_nurse = (rng.random(doctor.size) < spec["documents"]["note_by_nurse_share"]) & (nurse >= 0)
    documents = _documents(ctx, people, visits, ends, doctor, nurse, by_nurse, spec, calendar, rng)
    log = _access_log(ctx, people, _lookups(ctx, visits, documents, doctor, nurse, by_nurse, spec, calendar, rng), spec)

    citizen = ctx.block.citizen_id[documents["person"]]
    order = _order(citizen, documents["written"])
    d = {name: values[order] for name, values in documents.items()}
    optional = lambda values: pa.array(values, type=pa.int64(), mask=values < 0)  # noqa: E731
    ctx.tables["hospital_documents"] = pa.Table.from_arrays([
        pa.array(d["document_id"]), pa.array(citizen[order]), optional(d["hospital"]), pa.array(d["referral_id"]),
        optional(d["appointment_id"]), words(KINDS, d["kind"]), optional(d["author"]), _timestamps(d["written"]),
        _timestamps(d["approved"]), _timestamps(d["visible"]),
    ], schema=DOCUMENT_SCHEMA)

    citizen = ctx.block.citizen_id[log["person"]]
    order = _order(citizen, log["at"])
    g = {name: values[order] for name, values in log.items()}
    citizen = citizen[order]
    first = np.r_[True, citizen[1:] != citizen[:-1]] if citizen.size else np.zeros(0, dtype=bool)
    number = np.arange(citizen.size) - np.maximum.accumulate(np.where(first, np.arange(citizen.size), 0))
    ctx.tables["access_log"] = pa.Table.from_arrays([
        pa.array(citizen * 100_000 + number), pa.array(citizen), words(RECORDS, g["record"]), pa.array(g["organisation"]),
        pa.array(g["practitioner"]), _timestamps(g["at"]), words(REASONS, g["reason"]), _timestamps(g["organisation_visible"]),
        _timestamps(g["person_visible"]),
    ], schema=LOG_SCHEMA)
