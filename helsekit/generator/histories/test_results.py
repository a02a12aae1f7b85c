"""Test results (prøvesvar) from samples taken at attended GP consultations and outpatient appointments
(test_results.toml: the catalogue, who orders what, reference ranges and kodeverk 8245 status codes).

A sample is taken at a share of the contacts; each test of the catalogue is analysed with its own share
when the patient is old enough. Values are drawn per sex; eGFR is not drawn but computed from the same
sample's kreatinin by CKD-EPI 2009 (:func:`ckd_epi_2009`). A result due on or after the reference date is
still *I prosess* and has no value.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from helsekit.generator import specs
from helsekit.generator.histories.common import Context, words
from helsekit.generator.histories.travel import person_of
from helsekit.generator.population import age_at

TABLES = ("test_results",)
ORDERED_BY = ["fastlege", "sykehus"]
FLAGS = ["L", "H"]
SECOND = np.timedelta64(1, "s")
SCHEMA = pa.schema([
    ("result_id", pa.int64()), ("citizen_id", pa.int64()), ("ordered_by", pa.string()), ("contact_id", pa.int64()),
    ("appointment_id", pa.int64()), ("organisation_id", pa.int64()), ("taken_at", pa.timestamp("s")), ("test", pa.string()),
    ("name", pa.string()), ("value", pa.float64()), ("unit", pa.string()), ("reference_low", pa.float64()),
    ("reference_high", pa.float64()), ("flag", pa.string()), ("status", pa.string()), ("status_name", pa.string()),
    ("resulted_at", pa.timestamp("s")),
])


def ckd_epi_2009(kreatinin_umol: np.ndarray, age: np.ndarray, female: np.ndarray) -> np.ndarray:
    """eGFR in mL/min/1.73 m² by the CKD-EPI 2009 equation (Levey et al. 2009), from kreatinin in µmol/L."""
    scr = np.asarray(kreatinin_umol, dtype=float) / 88.4  # mg/dL
    kappa = np.where(female, 0.7, 0.9)
    alpha = np.where(female, -0.329, -0.411)
    ratio = scr / kappa
    return 141 * np.minimum(ratio, 1) ** alpha * np.maximum(ratio, 1) ** -1.209 * 0.993 ** np.asarray(age) * np.where(female, 1.018, 1.0)


def _samples(ctx: Context, spec: dict, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """The contacts at which a sample was taken: citizen, kind, contact or appointment id, organisation, time."""
    gp = ctx.tables["gp_contacts"]
    gp = gp.filter(pc.and_(pc.equal(gp["kind"], "consultation"), pc.equal(gp["status"], "attended")))
    hospital = ctx.tables["hospital_appointments"]
    hospital = hospital.filter(pc.equal(hospital["status"], "attended"))
    order = spec["ordering"]
    take_gp = rng.random(gp.num_rows) < order["gp_share"]
    take_hospital = rng.random(hospital.num_rows) < order["hospital_share"]
    gp_id, h_id = gp["contact_id"].to_numpy()[take_gp], hospital["appointment_id"].to_numpy()[take_hospital]
    return {
        "citizen": np.concatenate([gp["citizen_id"].to_numpy()[take_gp], hospital["citizen_id"].to_numpy()[take_hospital]]),
        "kind": np.r_[np.zeros(gp_id.size, dtype=np.int8), np.ones(h_id.size, dtype=np.int8)],
        "contact": np.r_[gp_id, np.full(h_id.size, -1)],
        "appointment": np.r_[np.full(gp_id.size, -1), h_id],
        "organisation": np.r_[gp["gp_office_id"].fill_null(-1).to_numpy()[take_gp], hospital["hospital_id"].fill_null(-1).to_numpy()[take_hospital]],
        "taken": np.r_[gp["start"].to_numpy()[take_gp], hospital["start"].to_numpy()[take_hospital]].astype("datetime64[s]"),
    }


def add_to(ctx: Context) -> None:
    """Add the block's ``test_results`` to ``ctx`` (after ``gp_contacts`` and ``referrals``, whose contacts order them)."""
    spec, rng = specs.load("test_results"), ctx.rng("test_results")
    s = _samples(ctx, spec, rng)
    person = person_of(ctx.block, s["citizen"])
    female = ctx.block.sex[person] == "F"
    age = age_at(ctx.block.birth[person], s["taken"].astype("datetime64[D]"))
    tests = spec["test"]
    rows: dict[str, list] = {key: [] for key in ("sample", "test", "value", "low", "high", "hours")}
    drawn: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for number, test in enumerate(tests):
        sex = female.astype(np.int64) ^ 1  # index 0: women, 1: men
        low, high = (np.asarray(test["reference"], dtype=float)[sex, i] for i in (0, 1))
        if "with_test" in test:  # computed from another test of the same sample
            sample, base = drawn[test["with_test"]]
            value = np.rint(ckd_epi_2009(base, age[sample], female[sample]))
            hours = rows["hours"][[t["code"] for t in tests].index(test["with_test"])]
        else:
            analysed = (rng.random(person.size) < test["order_share"]) & (age >= test["from_age"])
            if "lognormal_median" in test:
                value = np.exp(np.log(test["lognormal_median"]) + test["lognormal_sigma"] * rng.standard_normal(person.size))
            else:
                value = np.asarray(test["mean"])[sex] + np.asarray(test["sd"])[sex] * rng.standard_normal(person.size)
            value = np.round(np.maximum(value, 0.0), 1)
            lo_h, hi_h = test["result_hours"]
            hours_all = rng.integers(lo_h, hi_h + 1, person.size)
            sample = np.flatnonzero(analysed)
            value, hours = value[sample], hours_all[sample]
            drawn[test["code"]] = (sample, value)
        rows["sample"].append(sample)
        rows["test"].append(np.full(sample.size, number))
        rows["value"].append(value)
        rows["low"].append(low[sample])
        rows["high"].append(high[sample])
        rows["hours"].append(hours)
    c = {key: np.concatenate(values) for key, values in rows.items()}
    sample = c["sample"]
    taken = s["taken"][sample]
    resulted = taken + c["hours"].astype(np.int64) * 3600 * SECOND
    ready = resulted < ctx.reference.astype("datetime64[s]")
    revised = ready & (rng.random(sample.size) < spec["status"]["revised_share"])
    status = np.where(ready, np.where(revised, 0, 2), 3)  # indexes into the spec's codes: Revidert, Endelig, I prosess
    value, low, high = c["value"], c["low"], c["high"]
    flag = np.where((low >= 0) & (value < low), 0, np.where((high >= 0) & (value > high), 1, -1))
    flag = np.where(ready, flag, -1)
    seconds = taken.astype(np.int64)
    key = s["citizen"][sample] * (1 << 40) + (seconds - (seconds.min() if seconds.size else 0)) * 8 + c["test"]
    order = np.argsort(key, kind="stable")
    citizen = s["citizen"][sample][order]
    first = np.r_[True, citizen[1:] != citizen[:-1]] if citizen.size else np.zeros(0, dtype=bool)
    index = np.arange(citizen.size)
    pick = lambda values: values[sample][order]  # noqa: E731  (a sample's column, in result order)
    ctx.tables["test_results"] = pa.Table.from_arrays([
        pa.array(citizen * 10_000 + index - np.maximum.accumulate(np.where(first, index, 0))),  # citizen id × 10,000 + running number
        pa.array(citizen), words(ORDERED_BY, pick(s["kind"])),
        pa.array(pick(s["contact"]), mask=pick(s["contact"]) < 0), pa.array(pick(s["appointment"]), mask=pick(s["appointment"]) < 0),
        pa.array(pick(s["organisation"]), mask=pick(s["organisation"]) < 0), pa.array(taken[order]),
        words([t["code"] for t in tests], c["test"][order]), words([t["name"] for t in tests], c["test"][order]),
        pa.array(value[order], mask=~ready[order]), words([t["unit"] for t in tests], c["test"][order]),
        pa.array(low[order], mask=low[order] < 0), pa.array(high[order], mask=high[order] < 0),
        pa.DictionaryArray.from_arrays(pa.array(flag[order].astype(np.int32), mask=flag[order] < 0), pa.array(FLAGS)).cast(pa.string()),
        words(spec["status"]["codes"], status[order]), words(spec["status"]["names"], status[order]),
        pa.array(resulted[order], mask=~ready[order]),
    ], schema=SCHEMA)
