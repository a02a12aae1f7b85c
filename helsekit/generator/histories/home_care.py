"""Hjemmetjenester: recipients of home care on the reference date, their weekly visit plans in the weeks
around it, and messages with the home-care service (home_care.toml).

Whether a living citizen receives home care is drawn by age; a recipient gets home nursing or practical help,
a number of visits a week, and a plan that repeats every week: done (utført) before the reference date,
planned (planlagt) from it. The home-care service writes a few messages in the weeks before; some get a reply.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from helsekit.generator import specs
from helsekit.generator.histories.common import Context, age_group, words
from helsekit.generator.population import age_at

TABLES = ("home_care_visits", "home_care_messages")
VISIT_STATUSES = ["utført", "planlagt"]
SENDERS = ["hjemmetjenesten", "innbygger"]
#: Weekdays (Monday 0) of a plan with fewer than seven visits a week; daily plans use every weekday.
WEEKDAYS = {1: [2], 2: [0, 3], 3: [0, 2, 4]}
VISIT_SCHEMA = pa.schema([
    ("visit_id", pa.int64()), ("citizen_id", pa.int64()), ("starts_at", pa.timestamp("s")), ("minutes", pa.int64()),
    ("service", pa.string()), ("visits_per_week", pa.int64()), ("status", pa.string()),
])
MESSAGE_SCHEMA = pa.schema([
    ("message_id", pa.int64()), ("thread_id", pa.int64()), ("citizen_id", pa.int64()), ("sent_at", pa.timestamp("s")),
    ("sender", pa.string()), ("topic", pa.string()), ("body", pa.string()),
])


def _running_ids(citizen: np.ndarray) -> np.ndarray:
    """citizen id × 1,000 + the row's running number within the citizen (rows sorted by citizen)."""
    first = np.r_[True, citizen[1:] != citizen[:-1]] if citizen.size else np.zeros(0, dtype=bool)
    index = np.arange(citizen.size)
    return citizen * 1000 + index - np.maximum.accumulate(np.where(first, index, 0))


def _seconds(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 3600 + int(minutes) * 60


def _pattern(per_week: int, own_slot: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(recipient, weekday, slot) of every weekly visit of recipients with ``per_week`` visits."""
    who = np.arange(own_slot.size)
    if per_week < 7:
        days = np.array(WEEKDAYS[per_week])
        return np.repeat(who, days.size), np.tile(days, who.size), np.repeat(own_slot, days.size)
    slots = per_week // 7
    day, slot = np.repeat(np.arange(7), slots), np.tile(np.arange(slots), 7)
    return np.repeat(who, day.size), np.tile(day, who.size), np.tile(slot, who.size)


def _visits(ctx: Context, spec: dict, rng: np.random.Generator) -> tuple[np.ndarray, pa.Table]:
    block, plan = ctx.block, spec["plan"]
    alive = np.isnat(block.death)
    age = age_at(block.birth.astype("datetime64[D]"), ctx.reference)
    share = np.asarray(spec["recipients"]["share"])[age_group(spec["recipients"]["age_from"], age)]
    recipient = np.flatnonzero(alive & (rng.random(block.size) < share))
    service = (rng.random(recipient.size) >= spec["services"]["share"][0]).astype(np.int64)  # 0 nursing, 1 practical help
    options = np.asarray(plan["visits_per_week"])
    cumulative = np.cumsum([plan["share_nursing"], plan["share_practical"]], axis=1)
    draw = rng.random(recipient.size)
    option = np.minimum((draw[:, None] >= cumulative[service]).sum(axis=1), options.size - 1)
    per_week = options[option]
    own_slot = rng.integers(0, len(plan["day_slots"]), recipient.size)
    who, weekday, slot = [], [], []
    for n in options:
        chosen = np.flatnonzero(per_week == n)
        r, d, s = _pattern(int(n), own_slot[chosen])
        who.append(chosen[r]), weekday.append(d), slot.append(s)
    who, weekday, slot = np.concatenate(who), np.concatenate(weekday), np.concatenate(slot)
    weeks = np.arange(-plan["weeks_before"], plan["weeks_after"])
    monday = ctx.reference - (ctx.reference.astype(np.int64) + 3) % 7  # 1 January 1970 was a Thursday
    who, weekday, slot, week = np.repeat(who, weeks.size), np.repeat(weekday, weeks.size), np.repeat(slot, weeks.size), np.tile(weeks, who.size)
    day = monday + 7 * week + weekday
    keep = (day >= ctx.reference - 7 * plan["weeks_before"]) & (day < ctx.reference + 7 * plan["weeks_after"])
    who, day, slot = who[keep], day[keep], slot[keep]
    clock = np.array([_seconds(c) for c in plan["day_slots"]])
    starts = day.astype("datetime64[s]") + clock[slot].astype("timedelta64[s]")
    order = np.lexsort((starts, who))
    who, starts = who[order], starts[order]
    citizen = block.citizen_id[recipient][who]
    minutes = np.asarray(spec["services"]["minutes"], dtype=np.int64)[service[who]]
    table = pa.Table.from_arrays([
        pa.array(_running_ids(citizen)), pa.array(citizen), pa.array(starts), pa.array(minutes), words(spec["services"]["names"], service[who]),
        pa.array(per_week[who].astype(np.int64)), words(VISIT_STATUSES, (starts >= ctx.reference).astype(np.int64)),
    ], schema=VISIT_SCHEMA)
    return recipient, table


def _messages(ctx: Context, spec: dict, recipient: np.ndarray, rng: np.random.Generator) -> pa.Table:
    text, days_before = spec["messages"], 7 * spec["plan"]["weeks_before"]
    threads = rng.poisson(text["threads_mean"], recipient.size)
    person = np.repeat(recipient, threads)
    first_hour, last_hour = text["hours"]
    sent = ((ctx.reference - rng.integers(1, days_before + 1, person.size)).astype("datetime64[s]")
            + rng.integers(first_hour * 3600, last_hour * 3600, person.size).astype("timedelta64[s]"))
    topic = rng.integers(0, len(text["topics"]), person.size)
    low, high = text["reply_hours"]
    replied_at = sent + (rng.integers(low * 3600, high * 3600 + 1, person.size)).astype("timedelta64[s]")
    reply = np.flatnonzero((rng.random(person.size) < text["reply_share"]) & (replied_at < ctx.reference.astype("datetime64[s]")))
    thread = np.arange(person.size)
    rows_thread = np.r_[thread, thread[reply]]
    rows_sent = np.r_[sent, replied_at[reply]]
    rows_sender = np.r_[np.zeros(person.size, dtype=np.int64), np.ones(reply.size, dtype=np.int64)]
    order = np.lexsort((rows_sender, rows_sent, person[rows_thread]))
    rows_thread, rows_sent, rows_sender = rows_thread[order], rows_sent[order], rows_sender[order]
    citizen = ctx.block.citizen_id[person[rows_thread]]
    ids = _running_ids(citizen)
    opener = np.full(person.size, -1, dtype=np.int64)
    opener[rows_thread[rows_sender == 0]] = ids[rows_sender == 0]
    bodies = text["bodies"] + [text["reply_body"]]
    body = np.where(rows_sender == 0, topic[rows_thread], len(text["bodies"]))
    return pa.Table.from_arrays([
        pa.array(ids), pa.array(opener[rows_thread]), pa.array(citizen), pa.array(rows_sent), words(SENDERS, rows_sender),
        words(text["topics"], topic[rows_thread]), words(bodies, body),
    ], schema=MESSAGE_SCHEMA)


def add_to(ctx: Context) -> None:
    """Add the block's ``home_care_visits`` and ``home_care_messages`` to ``ctx``."""
    spec = specs.load("home_care")
    recipient, visits = _visits(ctx, spec, ctx.rng("home_care"))
    ctx.tables["home_care_visits"] = visits
    ctx.tables["home_care_messages"] = _messages(ctx, spec, recipient, ctx.rng("home_care_messages"))
