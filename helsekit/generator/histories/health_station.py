"""Helsestasjon and skolehelsetjenesten: the programme's fixed consultations as appointments (health_station.toml).

Every child gets one appointment per contact of the programme whose age it reaches in the history window or in
the half year after the reference date: a short, capped delay after the age at the health station, a day in
the school year for the school's contacts. Past appointments were attended or not; coming ones are planned.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from helsekit.generator import specs
from helsekit.generator.histories.common import Context, words
from helsekit.generator.histories.vaccinations import due_dates

TABLES = ("health_station_appointments",)
PROGRAMMES = ["helsestasjon", "skolehelsetjenesten"]
STATUSES = ["gjennomført", "ikke_møtt", "planlagt"]
SCHEMA = pa.schema([
    ("appointment_id", pa.int64()), ("citizen_id", pa.int64()), ("starts_at", pa.timestamp("s")), ("minutes", pa.int64()),
    ("programme", pa.string()), ("contact", pa.string()), ("name", pa.string()), ("age", pa.string()), ("staff", pa.string()),
    ("status", pa.string()),
])


def add_to(ctx: Context) -> None:
    """Add the block's ``health_station_appointments`` to ``ctx``."""
    spec = specs.load("health_station")
    rng, block, delay, booking = ctx.rng("health_station"), ctx.block, spec["delay"], spec["booking"]
    birth = block.birth.astype("datetime64[D]")
    horizon = ctx.reference + np.int64(booking["horizon_days"])
    parts: dict[str, list] = {"person": [], "day": [], "kind": []}
    for kind, contact in enumerate(spec["contact"]):
        if contact["programme"] == "helsestasjon":
            late = np.minimum(np.rint(rng.exponential(delay["health_station_mean_days"], block.size)).astype(np.int64),
                              delay["health_station_max_days"])
        else:
            late = rng.integers(0, delay["school_max_days"] + 1, block.size)
        day = due_dates(birth, contact["age"]) + late
        day = day + np.maximum(0, 7 - (day.astype(np.int64) + 3) % 7) * ((day.astype(np.int64) + 3) % 7 >= 5)  # a weekend day moves to Monday
        person = np.flatnonzero((day >= ctx.window_start) & (day < horizon) & block.alive_on(np.arange(block.size), day))
        parts["person"].append(person)
        parts["day"].append(day[person])
        parts["kind"].append(np.full(person.size, kind))
    person, day, kind = (np.concatenate(parts[k]) for k in ("person", "day", "kind"))
    order = np.lexsort((kind, day, person))
    person, day, kind = person[order], day[order], kind[order]
    first_hour, last_hour = booking["hours"]
    slot = rng.integers(0, 2 * (last_hour - first_hour), person.size)  # half hours from the first hour
    starts = day.astype("datetime64[s]") + (first_hour * 3600 + slot * 1800).astype("timedelta64[s]")
    coming = day >= ctx.reference
    status = np.where(coming, 2, np.where(rng.random(person.size) < booking["attended_share"], 0, 1))
    first = np.r_[True, person[1:] != person[:-1]] if person.size else np.zeros(0, dtype=bool)
    index = np.arange(person.size)
    citizen = block.citizen_id[person]
    contacts = spec["contact"]
    ctx.tables["health_station_appointments"] = pa.Table.from_arrays([
        pa.array(citizen * 1000 + index - np.maximum.accumulate(np.where(first, index, 0))),  # citizen id × 1,000 + running number
        pa.array(citizen), pa.array(starts), pa.array(np.full(person.size, booking["minutes"], dtype=np.int64)),
        words(PROGRAMMES, np.array([PROGRAMMES.index(c["programme"]) for c in contacts], dtype=np.int64)[kind] if contacts else kind),
        words([c["code"] for c in contacts], kind), words([c["name"] for c in contacts], kind), words([c["age"] for c in contacts], kind),
        words([c["with"] for c in contacts], kind), words(STATUSES, status),
    ], schema=SCHEMA)
