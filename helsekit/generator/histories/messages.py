"""Messages between citizens and their GP office on Helsenorge, and the offices' notices.

Numbers from messages.toml. Every message belongs to a thread between one citizen and the GP office
they were listed with on the day the thread began (``list_in_force``; a thread begun just before a
change of fastlege is finished with the old office); there is no message without a list. Threads come
from four places:

* ``e_konsultasjon``: each e-consultation in ``gp_contacts`` opens a thread with the citizen's message
  at its start; the fastlege answers within a few working days in office hours (Norwegian holidays
  from ``helsekit.domain.calendar``), and some threads have a follow-up exchange.
* ``kontakt_legekontoret``: questions to the reception, at a rate per person-year while listed that
  follows the growth of Helsenorge messaging (§13.5), each answered by the office.
* ``fornyelse_resept``: each prescription renewed through the portal (``prescriptions.renewal`` =
  portal, §10.6) is a request from the citizen and the office's answer on the day it was written.
* ``varsel``: the autumn influenza-vaccination notice of the office, delivered to its listed citizens
  in the target group (65 and over, and risk groups approximated by their prescriptions).

``gp_notices`` holds the notices: one per GP office and autumn in the window. A block knows only the
offices its citizens were listed with, so each block writes the notices of those offices; the same
office appears in several blocks, so the notice id and every field are derived from the office id and
the year alone (no random draw), and each block writes the identical row. The analyst API
(``HelseData.gp_notices``) drops the duplicates; the Parquet parts keep them.

Nothing is written before birth, on or after death, before the citizen's first day on a GP list,
before the window or on or after the reference date; a thread whose first message falls outside is
left out, and one whose later messages do ends early.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from helsekit.domain.calendar import working_days
from helsekit.generator import specs
from helsekit.generator.histories.common import Block, Context, ListRelations, age_group, list_in_force, words
from helsekit.generator.histories.travel import person_of

TABLES = ("messages", "gp_notices")
TOPICS = ["e_konsultasjon", "kontakt_legekontoret", "fornyelse_resept", "varsel"]
SENDERS = ["innbygger", "legekontor"]
NOTICE_KINDS = ["influensavaksine"]
MINUTE = np.timedelta64(1, "m")
MESSAGE_SCHEMA = pa.schema([
    ("message_id", pa.int64()), ("thread_id", pa.int64()), ("citizen_id", pa.int64()), ("gp_office_id", pa.int64()),
    ("practitioner_id", pa.int64()), ("topic", pa.string()), ("sender", pa.string()), ("sent_at", pa.timestamp("s")),
    ("contact_id", pa.int64()), ("prescription_id", pa.int64()), ("notice_id", pa.int64()),
])
NOTICE_SCHEMA = pa.schema([
    ("notice_id", pa.int64()), ("gp_office_id", pa.int64()), ("kind", pa.string()), ("title", pa.string()),
    ("published_on", pa.date32()), ("valid_to", pa.date32()), ("target_group", pa.string()),
])


def _pick(values: list[int], shares: list[float], rng: np.random.Generator, n: int) -> np.ndarray:
    cumulative = np.cumsum(shares) / np.sum(shares)
    return np.asarray(values)[np.minimum(np.searchsorted(cumulative, rng.random(n), side="right"), len(values) - 1)]


def office_answer(after: np.ndarray, working_days_later: np.ndarray, calendar: np.busdaycalendar, hours: list[int],
                  rng: np.random.Generator) -> np.ndarray:
    """When the office answers a message sent at ``after`` (datetime64[m]): on the working day that many
    working days on (0: the same one, or the next if sent on a day off), in office hours, after the message."""
    day = after.astype("datetime64[D]")
    minute = (after - day.astype("datetime64[m]")).astype(np.int64)
    answer_day = np.busday_offset(day, working_days_later, roll="forward", busdaycal=calendar)
    open_, close = hours[0] * 60, hours[1] * 60
    earliest = np.where(answer_day == day, np.maximum(open_, minute + 5), open_)
    closed = np.flatnonzero(earliest >= close)  # too late that day: the next working day
    answer_day[closed] = np.busday_offset(answer_day[closed], 1, roll="forward", busdaycal=calendar)
    earliest[closed] = open_
    at = earliest + (rng.random(after.size) * (close - earliest)).astype(np.int64)
    return answer_day.astype("datetime64[m]") + at * MINUTE


def _citizen_minute(hours: list[int], rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.integers(hours[0] * 60, hours[1] * 60, n)


class _Parts:
    """Threads as they are made (one row each: who, topic, office, GP, link) and their messages
    (thread, number in the thread, when in minutes since 1970, sender)."""

    THREAD_COLUMNS = ("person", "topic", "office", "gp", "contact", "rx", "notice")
    MESSAGE_COLUMNS = ("thread", "number", "sent", "sender")

    def __init__(self) -> None:
        self.thread_parts: dict[str, list[np.ndarray]] = {k: [] for k in self.THREAD_COLUMNS}
        self.message_parts: dict[str, list[np.ndarray]] = {k: [] for k in self.MESSAGE_COLUMNS}
        self.threads = 0

    def add(self, person, topic, office, gp, messages, contact=None, rx=None, notice=None) -> None:
        """New threads, and ``messages``: (sent, sender, mask of the threads that have it, or None for all)
        for message 0, 1, … of the threads; a masked message needs every message before it."""
        n = person.size
        none = np.full(n, -1, dtype=np.int64)
        for key, value in zip(self.THREAD_COLUMNS, (person, np.full(n, topic), office, gp, contact, rx, notice)):
            self.thread_parts[key].append(none if value is None else np.asarray(value, dtype=np.int64))
        for number, (sent, sender, present) in enumerate(messages):
            rows = np.arange(n) if present is None else np.flatnonzero(present)
            for key, value in zip(self.MESSAGE_COLUMNS, (self.threads + rows, np.full(rows.size, number),
                                                         np.asarray(sent, dtype="datetime64[m]").view(np.int64)[rows], np.full(rows.size, sender))):
                self.message_parts[key].append(value)
        self.threads += n

    def arrays(self) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
        join = lambda parts: {k: np.concatenate(v) if v else np.zeros(0, dtype=np.int64) for k, v in parts.items()}  # noqa: E731
        return join(self.thread_parts), join(self.message_parts)


def _e_consultations(parts: _Parts, block: Block, contacts: pa.Table, spec: dict, calendar, rng) -> None:
    office = contacts["gp_office_id"].fill_null(-1).to_numpy()
    e = pc.and_(pc.equal(contacts["kind"], "e_consultation"), pc.equal(contacts["status"], "attended")).to_numpy(zero_copy_only=False)
    rows = np.flatnonzero(e & (office >= 0))
    n = rows.size
    e_spec, hours = spec["e_consultation"], spec["office"]["hours"]
    asked = contacts["start"].to_numpy()[rows].astype("datetime64[m]")
    answered = office_answer(asked, _pick(e_spec["answer_working_days"], e_spec["answer_share"], rng, n), calendar, hours, rng)
    # A follow-up: the citizen writes again some days after the answer, and the GP answers that too.
    follow_up = rng.random(n) < e_spec["follow_up_share"]
    f = np.flatnonzero(follow_up)
    low, high = e_spec["follow_up_reply_days"]
    reply, second = answered.copy(), answered.copy()
    reply[f] = (answered[f].astype("datetime64[D]") + rng.integers(low, high + 1, f.size)).astype("datetime64[m]") \
        + _citizen_minute(spec["citizen"]["hours"], rng, f.size) * MINUTE
    reply[f] = np.where(reply[f] > answered[f], reply[f], answered[f] + rng.integers(10, 180, f.size) * MINUTE)
    second[f] = office_answer(reply[f], _pick(e_spec["answer_working_days"], e_spec["answer_share"], rng, f.size), calendar, hours, rng)
    parts.add(person_of(block, contacts["citizen_id"].to_numpy()[rows]), 0, office[rows], contacts["practitioner_id"].fill_null(-1).to_numpy()[rows],
              [(asked, 0, None), (answered, 1, None), (reply, 0, follow_up), (second, 1, follow_up)],
              contact=contacts["contact_id"].to_numpy()[rows])


def _born(block: Block) -> tuple[np.ndarray, np.ndarray]:
    """Per person: the birth year and the birthday as month × 100 + day (to compare birthdays without leap-year shifts)."""
    months = block.birth.astype("datetime64[M]")
    number = months.astype(np.int64)
    return number // 12 + 1970, (number % 12 + 1) * 100 + (block.birth - months.astype("datetime64[D]")).astype(np.int64) + 1


def _reception(parts: _Parts, ctx: Context, spec: dict, calendar, rng) -> None:
    block, r = ctx.block, spec["reception"]
    years = np.arange(ctx.first_year, ctx.last_year + 1)
    # The person-year grid (as common.person_years, with the age on 2 July from the birth year and birthday).
    person, year = np.repeat(np.arange(block.size), years.size), np.tile(years, block.size)
    year_start = (years - 1970).astype("datetime64[Y]").astype("datetime64[D]")
    year_end = (years - 1969).astype("datetime64[Y]").astype("datetime64[D]")
    cut = block.until(year_end[-1])
    exposed_from = np.maximum(np.tile(year_start, block.size), block.birth[person])
    exposed_to = np.minimum(np.tile(year_end, block.size), cut[person])
    days = (exposed_to - exposed_from).astype(np.int64)
    born_year, birthday = _born(block)
    age = np.maximum(year - born_year[person] - (birthday[person] > 702), 0)
    rate = np.interp(year, r["year"], r["per_person_year"]) * np.asarray(r["age_factor"])[age_group(r["age_lower"], age)]
    count = rng.poisson(rate * np.maximum(days, 0) / np.tile((year_end - year_start).astype(np.int64), block.size))
    row = np.repeat(np.arange(count.size), count)
    day = exposed_from[row] + (rng.random(row.size) * days[row]).astype(np.int64)
    person = person[row]
    _, office, _ = list_in_force(ctx.relations, person, day)
    listed = office >= 0
    person, day, office = person[listed], day[listed], office[listed]
    asked = day.astype("datetime64[m]") + _citizen_minute(spec["citizen"]["hours"], rng, day.size) * MINUTE
    answered = office_answer(asked, _pick(r["answer_working_days"], r["answer_share"], rng, day.size), calendar, spec["office"]["hours"], rng)
    parts.add(person, 1, office, np.full(person.size, -1), [(asked, 0, None), (answered, 1, None)])


def _renewals(parts: _Parts, block: Block, relations: ListRelations, prescriptions: pa.Table, spec: dict, rng) -> None:
    portal = pc.equal(prescriptions["renewal"], "portal").to_numpy(zero_copy_only=False)
    office = prescriptions["prescriber_office_id"].fill_null(-1).to_numpy()
    rows = np.flatnonzero(portal & (office >= 0))
    n = rows.size
    person = person_of(block, prescriptions["citizen_id"].to_numpy()[rows])
    written = prescriptions["prescribed_on"].to_numpy()[rows].astype("datetime64[D]")
    low, high = spec["renewal"]["request_days_before"]
    asked_day = written - rng.integers(low, high + 1, n)
    office_hours, citizen_hours = spec["office"]["hours"], spec["citizen"]["hours"]
    answer_minute = rng.integers(office_hours[0] * 60, office_hours[1] * 60, n)
    latest = np.where(asked_day == written, answer_minute - 5, citizen_hours[1] * 60)
    ask_minute = citizen_hours[0] * 60 + (rng.random(n) * (latest - citizen_hours[0] * 60)).astype(np.int64)
    _, office_then, _ = list_in_force(relations, person, asked_day)
    same = office_then == office[rows]  # asked the office that wrote the prescription
    rows, person = rows[same], person[same]
    asked = (asked_day.astype("datetime64[m]") + ask_minute * MINUTE)[same]
    answered = (written.astype("datetime64[m]") + answer_minute * MINUTE)[same]
    parts.add(person, 2, office[rows], prescriptions["prescriber_id"].fill_null(-1).to_numpy()[rows],
              [(asked, 0, None), (answered, 1, None)], rx=prescriptions["prescription_id"].to_numpy()[rows])


def notice_day(office: np.ndarray, year: np.ndarray, influenza: dict) -> np.ndarray:
    """The day each office publishes its influenza notice: derived from the office id and the year, not drawn,
    so that every block gives the same day."""
    low, high = influenza["published_day_range"]
    mixed = (np.asarray(office, dtype=np.uint64) * np.uint64(2654435761) + np.asarray(year, dtype=np.uint64) * np.uint64(40503)) >> np.uint64(7)
    month = (np.asarray(year) - 1970) * 12 + influenza["published_month"] - 1
    return month.astype("datetime64[M]").astype("datetime64[D]") + (low - 1) + (mixed % np.uint64(high - low + 1)).astype(np.int64)


def notice_id(office: np.ndarray, year: np.ndarray) -> np.ndarray:
    """Notice id: office id × 10,000 + year, the same in every block."""
    return np.asarray(office, dtype=np.int64) * 10_000 + np.asarray(year, dtype=np.int64)


def _influenza(parts: _Parts, ctx: Context, spec: dict) -> pa.Table:
    influenza = spec["influenza"]
    block, relations = ctx.block, ctx.relations
    years = np.arange(ctx.first_year, ctx.last_year + 1)
    offices = np.unique(relations.gp_office_id[relations.gp_office_id >= 0])
    n_office, n_year = offices.size, years.size
    notice_office, notice_year = np.repeat(offices, n_year), np.tile(years, n_office)
    published = notice_day(notice_office, notice_year, influenza)
    month, day = influenza["valid_to_month_day"]
    valid_to = ((notice_year - 1970) * 12 + month - 1).astype("datetime64[M]").astype("datetime64[D]") + (day - 1)
    notices = pa.Table.from_arrays([
        pa.array(notice_id(notice_office, notice_year)), pa.array(notice_office), words(NOTICE_KINDS, np.zeros(notice_office.size)),
        words([influenza["title"].format(year=y) for y in years], notice_year - years[0]), pa.array(published), pa.array(valid_to),
        words([influenza["target_group"]], np.zeros(notice_office.size)),
    ], schema=NOTICE_SCHEMA)

    # Recipients: every (person, autumn) listed with an office on its notice day, alive, and in the target group.
    # Candidates first (65 by the last possible notice day, or a risk drug valid some day in the notice days), then exact.
    person, year = np.repeat(np.arange(block.size), n_year), np.tile(years, block.size)
    born_year, birthday = _born(block)
    month = influenza["published_month"]
    low, high = influenza["published_day_range"]
    old_enough = year - born_year[person] - (birthday[person] > month * 100 + high) >= influenza["target_age_from"]
    rx = ctx.tables["prescriptions"]
    rx = rx.select(["citizen_id", "prescribed_on", "valid_until", "discontinued_on"]).filter(
        pc.is_in(rx["atc_code"], value_set=pa.array(influenza["risk_atc"])))
    rx_person = person_of(block, rx["citizen_id"].to_numpy())
    start = rx["prescribed_on"].to_numpy().astype(np.int64)  # days since 1970
    end = rx["valid_until"].to_numpy().astype(np.int64)
    withdrawn = pc.fill_null(rx["discontinued_on"], pa.scalar(np.iinfo(np.int32).max, pa.date32())).to_numpy().astype(np.int64)
    end = np.minimum(end, withdrawn - 1)
    # The first day of the notice month in each year (and the year after the last, for a year's validity).
    span = np.arange(years[0], years[-1] + 2)
    new_year = (span - 1970).astype("datetime64[Y]").astype("datetime64[D]").astype(np.int64)
    notice_month = ((span - 1970) * 12 + month - 1).astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
    rx_year = np.searchsorted(new_year, start, side="right") - 1  # years since the first year of the window (−1: before)
    rx_cell, rx_start, rx_end = [], [], []
    for later in (0, 1):  # valid for a year: the notice is in the year it was written or the next
        y = rx_year + later
        inside = (y >= 0) & (y < n_year)
        first_day = notice_month[np.clip(y, 0, n_year)]
        inside &= (start <= first_day + (high - 1)) & (end >= first_day + (low - 1))
        rx_cell.append(rx_person[inside] * n_year + y[inside])
        rx_start.append(start[inside])
        rx_end.append(end[inside])
    rx_cell, rx_start, rx_end = np.concatenate(rx_cell), np.concatenate(rx_start), np.concatenate(rx_end)
    maybe_risk = np.zeros(person.size, dtype=bool)
    maybe_risk[rx_cell] = True
    cell = np.flatnonzero(old_enough | maybe_risk)
    person, year = person[cell], year[cell]
    first_day = ((year - 1970) * 12 + month - 1).astype("datetime64[M]").astype("datetime64[D]")
    _, office, _ = list_in_force(relations, person, first_day)
    day = notice_day(np.maximum(office, 0), year, influenza)
    _, office_that_day, _ = list_in_force(relations, person, day)
    listed = (office >= 0) & (office_that_day == office) & block.alive_on(person, day)
    # Risk: a prescription for one of the risk drugs valid on the very day (not withdrawn before it).
    position = np.full(n_year * block.size, -1)
    position[cell] = np.arange(cell.size)
    at = position[rx_cell]
    risk = np.zeros(cell.size, dtype=bool)
    on = day.astype(np.int64)[at]
    risk[at[(rx_start <= on) & (on <= rx_end)]] = True
    day_md = month * 100 + (day - first_day).astype(np.int64) + 1
    age = year - born_year[person] - (birthday[person] > day_md)
    target = listed & ((age >= influenza["target_age_from"]) | risk)
    person, year, office, day = person[target], year[target], office[target], day[target]
    sent = day.astype("datetime64[m]") + influenza["published_hour"] * 60 * MINUTE
    parts.add(person, 3, office, np.full(person.size, -1), [(sent, 1, None)], notice=notice_id(office, year))
    return notices


def _listed_from(block: Block, relations: ListRelations) -> np.ndarray:
    """Per person, the first day on a GP list (days since 1970; never for those without a list).

    ``list_in_force`` gives the first list also before it began; a message needs the citizen to be listed."""
    first = np.full(block.size, np.iinfo(np.int64).max)
    if relations.person.size:
        starts = np.r_[True, relations.person[1:] != relations.person[:-1]]
        first[relations.person[starts]] = relations.valid_from[starts].astype(np.int64)
    return first


def generate(ctx: Context, spec: dict, rng: np.random.Generator) -> tuple[pa.Table, pa.Table]:
    """The block's messages and its offices' notices."""
    block = ctx.block
    calendar = working_days(ctx.first_year, ctx.last_year + 1)
    parts = _Parts()
    _e_consultations(parts, block, ctx.tables["gp_contacts"], spec, calendar, rng)
    _reception(parts, ctx, spec, calendar, rng)
    _renewals(parts, block, ctx.relations, ctx.tables["prescriptions"], spec, rng)
    notices = _influenza(parts, ctx, spec)
    t, m = parts.arrays()

    # Only what happened while alive, in the window and before the reference date; a thread needs its first message.
    person = t["person"][m["thread"]]
    sent = m["sent"]
    day = sent // (24 * 60)
    birth = block.birth.astype(np.int64)
    end = np.where(np.isnat(block.death), np.iinfo(np.int64).max, block.death.astype(np.int64))
    start_minute, reference_minute = (np.datetime64(d, "m").astype(np.int64) for d in (ctx.window_start, ctx.reference))
    ok = (sent >= start_minute) & (sent < reference_minute) & (day >= birth[person]) & (day < end[person])
    ok &= day >= _listed_from(block, ctx.relations)[person]
    opened = np.zeros(parts.threads, dtype=bool)
    opened[m["thread"][ok & (m["number"] == 0)]] = True
    # In citizen and time order (each part is nearly in that order already, so a stable sort is quick).
    order = np.argsort(person * (1 << 26) + (sent - start_minute), kind="stable")
    order = order[(ok & opened[m["thread"]])[order]]
    thread, number, person, sent = m["thread"][order], m["number"][order], person[order], sent[order]

    # Thread ids follow the citizen: citizen id × 10,000 + running number by the thread's first message;
    # message id: thread id × 10 + its number in the thread.
    first = np.flatnonzero(number == 0)
    first_person = person[first]
    starts = np.r_[True, first_person[1:] != first_person[:-1]] if first.size else np.zeros(0, dtype=bool)
    running = np.arange(first.size) - np.maximum.accumulate(np.where(starts, np.arange(first.size), 0))
    thread_id = np.zeros(parts.threads, dtype=np.int64)
    thread_id[thread[first]] = block.citizen_id[first_person] * 10_000 + running
    ids = thread_id[thread]
    optional = lambda values: pa.array(values, mask=values < 0)  # noqa: E731
    table = pa.Table.from_arrays([
        pa.array(ids * 10 + number), pa.array(ids), pa.array(block.citizen_id[person]), pa.array(t["office"][thread]),
        optional(t["gp"][thread]), words(TOPICS, t["topic"][thread]), words(SENDERS, m["sender"][order]),
        pa.array((sent * 60).view("datetime64[s]"), type=pa.timestamp("s")),
        optional(t["contact"][thread]), optional(t["rx"][thread]), optional(t["notice"][thread]),
    ], schema=MESSAGE_SCHEMA)
    return table, notices


def add_to(ctx: Context) -> None:
    """Add the block's messages and its GP offices' notices to ``ctx``."""
    ctx.tables["messages"], ctx.tables["gp_notices"] = generate(ctx, specs.load("messages"), ctx.rng("messages"))
