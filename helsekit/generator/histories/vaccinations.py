"""Vaccinations: the childhood immunisation programme and the autumn influenza campaign (vaccinations.toml).

Childhood doses follow the programme's ages: each child eligible for a vaccine (birth cohort, sex, in the
register) draws one number that decides how many of its doses it gets (the spec's coverage per dose), and
each dose is given a short, capped delay after its age. Influenza doses are given each autumn of the window
to a share of the target group (65 and over, or a risk prescription valid on 1 October: the same group as
the GP offices' notice, messages.toml), at the GP office the person is listed with.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from helsekit.generator import specs
from helsekit.generator.histories.common import Context, list_in_force, words

TABLES = ("vaccinations",)
PROGRAMMES = ["barnevaksinasjonsprogrammet", "influensavaksinasjon"]
SETTINGS = ["helsestasjon", "skolehelsetjenesten", "fastlege"]
SCHEMA = pa.schema([
    ("vaccination_id", pa.int64()), ("citizen_id", pa.int64()), ("given_on", pa.date32()), ("vaccine", pa.string()),
    ("name", pa.string()), ("atc_code", pa.string()), ("dose", pa.int64()), ("programme", pa.string()), ("given_at", pa.string()),
    ("gp_office_id", pa.int64()),
])


def age_parts(age: str) -> tuple[int, int]:
    """``"12 years 6 months"`` as (months, days): "<n> years|months|weeks" pairs, added up."""
    tokens = age.split()
    months = days = 0
    for number, unit in zip(tokens[::2], tokens[1::2]):
        n = int(number)
        if unit.startswith("year"):
            months += 12 * n
        elif unit.startswith("month"):
            months += n
        elif unit.startswith("week"):
            days += 7 * n
        else:
            raise ValueError(f"age {age!r}: unknown unit {unit!r}")
    return months, days


def due_dates(birth: np.ndarray, age: str) -> np.ndarray:
    """The day each child born on ``birth`` reaches ``age`` (calendar months: the 31st becomes the month's last day)."""
    months, days = age_parts(age)
    birth = birth.astype("datetime64[D]")
    first = birth.astype("datetime64[M]")
    day_of_month = birth - first.astype("datetime64[D]")
    target = first + months
    last = (target + 1).astype("datetime64[D]") - 1
    return np.minimum(target.astype("datetime64[D]") + day_of_month, last) + days


def _childhood(ctx: Context, spec: dict, rng: np.random.Generator) -> dict[str, list]:
    block, delay = ctx.block, spec["delay"]
    birth = block.birth.astype("datetime64[D]")
    registered = birth >= np.datetime64(spec["register"]["born_from"])
    parts: dict[str, list] = {key: [] for key in ("person", "day", "kind", "dose", "setting")}
    for kind, vaccine in enumerate(spec["childhood"]):
        eligible = registered.copy()
        if "born_from" in vaccine:
            eligible &= birth >= np.datetime64(vaccine["born_from"])
        if "born_before" in vaccine:
            eligible &= birth < np.datetime64(vaccine["born_before"])
        if "sex" in vaccine:
            eligible &= block.sex == vaccine["sex"]
        share = rng.random(block.size)  # one draw per child and vaccine: how far along the course it gets
        # The school gives a course on its own timetable: one delay for all of a child's school doses of a vaccine.
        school_delay = np.minimum(np.rint(rng.exponential(delay["school_mean_days"], block.size)).astype(np.int64), delay["school_max_days"])
        school_from = vaccine.get("school_from_dose", len(vaccine["ages"]) + 1)
        # A course is in the programme when its first dose is due on or after given_from (no catch-up of older children).
        eligible &= due_dates(birth, vaccine["ages"][0]) >= np.datetime64(vaccine["given_from"])
        for number, (age, coverage) in enumerate(zip(vaccine["ages"], vaccine["coverage"]), start=1):
            school = number >= school_from
            cap = delay["rotavirus_max_days"] if vaccine["vaccine"] == "rotavirus" else delay["infant_max_days"]
            infant_delay = np.minimum(np.rint(rng.exponential(delay["infant_mean_days"], block.size)).astype(np.int64), cap)
            day = due_dates(birth, age) + (school_delay if school else infant_delay)
            person = np.flatnonzero(eligible & (share < coverage))
            parts["person"].append(person)
            parts["day"].append(day[person])
            parts["kind"].append(np.full(person.size, kind))
            parts["dose"].append(np.full(person.size, number))
            parts["setting"].append(np.full(person.size, SETTINGS.index("skolehelsetjenesten" if school else "helsestasjon")))
    return parts


def in_target_group(ctx: Context, person: np.ndarray, day: np.ndarray, influenza: dict) -> np.ndarray:
    """Whether each (person, day) is in the influenza target group: 65 or over that day, or a prescription
    for one of the notice's risk drugs valid that day and not withdrawn (messages.toml [influenza])."""
    birth = ctx.block.birth.astype("datetime64[D]")[person]
    old = due_dates(birth, f"{influenza['target_age_from']} years") <= day
    rx = ctx.tables["prescriptions"]
    rx = rx.filter(pc.is_in(rx["atc_code"], value_set=pa.array(influenza["risk_atc"])))
    if not rx.num_rows:
        return old
    rx_citizen = rx["citizen_id"].to_numpy()
    start = rx["prescribed_on"].to_numpy().astype("datetime64[D]")
    end = rx["valid_until"].to_numpy().astype("datetime64[D]")
    withdrawn = rx["discontinued_on"].to_numpy(zero_copy_only=False).astype("datetime64[D]")
    end = np.where(np.isnat(withdrawn), end, np.minimum(end, withdrawn - 1))
    citizen = ctx.block.citizen_id[person]
    # Few risk prescriptions per person: check each against the (person, day) cells of its citizen.
    order = np.argsort(citizen, kind="stable")
    lo, hi = np.searchsorted(citizen[order], rx_citizen), np.searchsorted(citizen[order], rx_citizen, side="right")
    counts = hi - lo
    rx_row = np.repeat(np.arange(rx_citizen.size), counts)
    cell = order[np.repeat(lo, counts) + np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)]
    valid = (start[rx_row] <= day[cell]) & (end[rx_row] >= day[cell])
    risk = np.zeros(person.size, dtype=bool)
    risk[cell[valid]] = True
    return old | risk


def _influenza(ctx: Context, spec: dict, influenza_notice: dict, rng: np.random.Generator) -> dict[str, list]:
    block, flu = ctx.block, spec["influenza"]
    years = np.arange(ctx.first_year, ctx.last_year + 1)
    person, year = np.repeat(np.arange(block.size), years.size), np.tile(years, block.size)
    month, day_of_month = flu["season_start_month_day"]
    start = ((year - 1970) * 12 + month - 1).astype("datetime64[M]").astype("datetime64[D]") + (day_of_month - 1)
    month, day_of_month = flu["last_day_month_day"]
    last = ((year - 1970) * 12 + month - 1).astype("datetime64[M]").astype("datetime64[D]") + (day_of_month - 1)
    draw, delay = rng.random(person.size), np.rint(rng.exponential(flu["mean_days_after_start"], person.size)).astype(np.int64)
    target = in_target_group(ctx, person, start, influenza_notice)
    old = due_dates(block.birth.astype("datetime64[D]")[person], f"{influenza_notice['target_age_from']} years") <= start
    share = np.where(old, np.interp(year, flu["year"], flu["share_65_and_over"]), np.interp(year, flu["year"], flu["share_risk_group_under_65"]))
    chosen = np.flatnonzero(target & (draw < share))
    day = np.minimum(start[chosen] + delay[chosen], last[chosen])
    _, office, _ = list_in_force(ctx.relations, person[chosen], day)
    return {"person": [person[chosen]], "day": [day], "kind": [np.full(chosen.size, len(spec["childhood"]))], "dose": [np.ones(chosen.size, dtype=np.int64)],
            "setting": [np.full(chosen.size, SETTINGS.index("fastlege"))], "office": [office]}


def add_to(ctx: Context) -> None:
    """Add the block's ``vaccinations`` to ``ctx`` (after ``prescriptions``: risk groups come from them)."""
    spec = specs.load("vaccinations")
    child = _childhood(ctx, spec, ctx.rng("vaccinations"))
    flu = _influenza(ctx, spec, specs.load("messages")["influenza"], ctx.rng("influenza_vaccinations"))
    child["office"] = [np.full(p.size, -1) for p in child["person"]]
    columns = {key: np.concatenate(child[key] + flu[key]) for key in child}
    person, day = columns["person"], columns["day"].astype("datetime64[D]")
    known = ctx.block.alive_on(person, day) & (day < ctx.reference)
    columns = {key: values[known] for key, values in columns.items()}
    person, day = columns["person"], columns["day"].astype("datetime64[D]")
    days = day.astype(np.int64)
    order = np.argsort(person * (1 << 24) + (days - (days.min() if days.size else 0)) * 16 + columns["kind"], kind="stable")
    c = {key: values[order] for key, values in columns.items()}
    person = c["person"]
    first = np.r_[True, person[1:] != person[:-1]] if person.size else np.zeros(0, dtype=bool)
    index = np.arange(person.size)
    citizen = ctx.block.citizen_id[person]
    vaccines = spec["childhood"] + [spec["influenza"]]
    office = c["office"]
    ctx.tables["vaccinations"] = pa.Table.from_arrays([
        pa.array(citizen * 1000 + index - np.maximum.accumulate(np.where(first, index, 0))),  # citizen id × 1,000 + running number
        pa.array(citizen), pa.array(c["day"].astype("datetime64[D]")),
        words([v["vaccine"] for v in vaccines], c["kind"]), words([v["name"] for v in vaccines], c["kind"]),
        words([v["atc"] for v in vaccines], c["kind"]), pa.array(c["dose"].astype(np.int64)),
        words(PROGRAMMES, (c["kind"] == len(spec["childhood"])).astype(np.int8)), words(SETTINGS, c["setting"]),
        pa.array(office.astype(np.int64), mask=office < 0),
    ], schema=SCHEMA)
