"""The status history of every appointment at the GP office and the hospital: booked, confirmed,
changed, cancelled, attended, no-show (numbers in appointments.toml, all modelling choices).

The appointments themselves come from the sources before this one (``gp_contacts`` and
``hospital_appointments``); this source adds one dated row per status each went through, in the
order the citizen would see them in Min helse. E-consultations are messages, not appointments.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from helsekit.generator import specs
from helsekit.generator.histories.common import Context, words

TABLES = ("appointment_events",)
KINDS = ["fastlege", "sykehus"]
STATUSES = ["booked", "changed", "confirmed", "cancelled", "attended", "no_show"]
CHANNELS = ["phone", "portal", "referral"]
MINUTE = np.timedelta64(1, "m")
DAY = np.timedelta64(1, "D")


def _between(rng: np.random.Generator, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """A minute strictly between ``low`` and ``high`` (datetime64[m]), or ``low`` where there is no room."""
    span = (high - low).astype(np.int64)
    return low + (1 + (rng.random(low.size) * np.maximum(span - 1, 0)).astype(np.int64)) * MINUTE * (span > 1)


def _events(kind: int, appointment_id, citizen_id, booked, start, final, channel, spec: dict, confirm_share, rng) -> dict[str, np.ndarray]:
    """Rows for one kind of appointment: booked, maybe changed and confirmed, then the final status (−1: none yet).
    ``index`` is the row of the appointment the event belongs to."""
    n = appointment_id.size
    final_at = np.where(final == STATUSES.index("cancelled"), _between(rng, booked, start), start)
    changed = rng.random(n) < spec["changed_share"]
    changed_at = _between(rng, booked, final_at)
    # The time it had before it was moved: a few days later or earlier, still after the change was made.
    shift = rng.integers(1, 15, n) * DAY
    previous_start = np.where(start - shift > changed_at, start - shift, start + shift)
    low, high = spec["confirm_days_before"]
    confirmed_at = start - rng.integers(low, high + 1, n) * DAY
    confirmed = (rng.random(n) < confirm_share) & (confirmed_at > np.where(changed, changed_at, booked))
    parts = [
        (np.ones(n, dtype=bool), booked, STATUSES.index("booked")),
        (changed, changed_at, STATUSES.index("changed")),
        (confirmed & (final != STATUSES.index("cancelled")), confirmed_at, STATUSES.index("confirmed")),
        (final >= 0, final_at, None),
    ]
    rows = {"index": [], "appointment_id": [], "citizen_id": [], "status": [], "at": [], "channel": [], "previous_start": []}
    for mask, at, status in parts:
        index = np.flatnonzero(mask)
        rows["index"].append(index)
        rows["appointment_id"].append(appointment_id[index])
        rows["citizen_id"].append(citizen_id[index])
        rows["status"].append(final[index] if status is None else np.full(index.size, status))
        rows["at"].append(at[index])
        rows["channel"].append(np.where(np.full(index.size, status == STATUSES.index("booked")), channel[index], -1))
        rows["previous_start"].append(np.where(status == STATUSES.index("changed"), previous_start[index], np.datetime64("NaT", "m")))
    out = {name: np.concatenate(values) for name, values in rows.items()}
    out["kind"] = np.full(out["status"].size, kind)
    return out


def add_to(ctx: Context) -> None:
    """Add ``appointment_events`` for the block's GP and hospital appointments to ``ctx``."""
    spec, rng = specs.load("appointments"), ctx.rng("appointments")
    gp = ctx.tables["gp_contacts"].filter(pc.field("kind") == "consultation")
    gp_start = gp["start"].to_numpy().astype("datetime64[m]")
    gp_portal = pc.equal(gp["booking_channel"], "portal").to_numpy(zero_copy_only=False)
    gp_final = np.select([pc.equal(gp["status"], s).to_numpy(zero_copy_only=False) for s in ("attended", "no_show", "cancelled")],
                         [STATUSES.index(s) for s in ("attended", "no_show", "cancelled")], -1)
    gp_events = _events(0, gp["contact_id"].to_numpy(), gp["citizen_id"].to_numpy(), gp["booked_at"].to_numpy().astype("datetime64[m]"),
                        gp_start, gp_final, gp_portal.astype(np.int64), spec["gp"],
                        np.where(gp_portal, spec["gp"]["confirmed_share_of_portal_bookings"], 0.0), rng)

    hospital, h = ctx.tables["hospital_appointments"], spec["hospital"]
    h_start = hospital["start"].to_numpy().astype("datetime64[m]")
    referral = hospital["referral_id"].to_numpy()
    refs = ctx.tables["referrals"]
    order = np.argsort(refs["referral_id"].to_numpy())
    found = order[np.searchsorted(refs["referral_id"].to_numpy()[order], referral)] if referral.size else np.zeros(0, dtype=np.int64)
    assessed = refs["assessed_on"].to_numpy()[found].astype("datetime64[m]") + 14 * 60 * MINUTE
    low, high = h["booking_lead_days"]
    booked = np.maximum(h_start - rng.integers(low, high + 1, h_start.size) * DAY, np.minimum(assessed, h_start - 60 * MINUTE))
    year = h_start.astype("datetime64[Y]").astype(np.int64) + 1970
    share = np.interp(year, h["confirmed_share_by_year"]["year"], h["confirmed_share_by_year"]["share"])
    h_final = np.select([pc.equal(hospital["status"], s).to_numpy(zero_copy_only=False) for s in ("attended", "no_show")],
                        [STATUSES.index("attended"), STATUSES.index("no_show")], -1)
    h_events = _events(1, hospital["appointment_id"].to_numpy(), hospital["citizen_id"].to_numpy(), booked, h_start, h_final,
                       np.full(h_start.size, CHANNELS.index("referral")), h, share, rng)

    # Only what happened before the reference date is known.
    columns = {name: np.concatenate([gp_events[name], h_events[name]]) for name in gp_events}
    # Each appointment's place in citizen, kind, appointment order (each source is in citizen order already).
    appointment_citizen = np.concatenate([gp["citizen_id"].to_numpy(), hospital["citizen_id"].to_numpy()])
    place = np.empty(appointment_citizen.size, dtype=np.int64)
    place[np.argsort(appointment_citizen * 2 + np.r_[np.zeros(gp.num_rows, dtype=np.int64), np.ones(hospital.num_rows, dtype=np.int64)],
                     kind="stable")] = np.arange(appointment_citizen.size)
    ordinal = place[np.concatenate([gp_events["index"], gp.num_rows + h_events["index"]])]
    known = columns["at"] < ctx.reference.astype("datetime64[m]")
    columns = {name: values[known] for name, values in columns.items()}
    ordinal = ordinal[known]
    minutes = columns["at"].astype(np.int64)
    minutes = minutes - (minutes.min() if minutes.size else 0)
    order = np.argsort((ordinal << 30) | (minutes << 3) | columns["status"], kind="stable")  # one int64 key: quicker than lexsort
    c = {name: values[order] for name, values in columns.items()}
    channel = c["channel"]
    ctx.tables["appointment_events"] = pa.table({
        "citizen_id": c["citizen_id"],
        "appointment_kind": words(KINDS, c["kind"]),
        "appointment_id": c["appointment_id"],
        "status": words(STATUSES, c["status"]),
        "at": pa.array(c["at"].astype("datetime64[s]")),
        "channel": pa.DictionaryArray.from_arrays(pa.array(channel.astype(np.int32), mask=channel < 0), pa.array(CHANNELS)).cast(pa.string()),
        "previous_start": pa.array(c["previous_start"].astype("datetime64[s]"), mask=np.isnat(c["previous_start"])),
    })
