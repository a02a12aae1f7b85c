"""Health histories: what each citizen would see in Min helse, over the history window (issue #3).

Work is done per block of consecutive citizens (histories.toml), each with its own random streams.
Every source of egenandeler adds its payments to the block; the yearly ceiling and frikort are then
applied to all of them together (domain-facts §2.5).
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import pyarrow as pa

from helsekit.domain.copayments import apply_ceiling, yearly_ceilings
from helsekit.generator import specs
from helsekit.generator.histories import gp_contacts
from helsekit.generator.histories.gp_contacts import Block

__all__ = ["Block", "EmitPart", "TABLES", "generate", "window"]
from helsekit.generator.streams import Streams

TABLES = ("gp_contacts", "copayments", "frikort")
EmitPart = Callable[[str, int, pa.Table], None]


def window(reference_date: np.datetime64) -> tuple[int, int]:
    """First and last calendar year of the history window before the reference date."""
    last = int(np.datetime64(reference_date, "Y").astype(np.int64) + 1970) - 1
    return last - specs.load("histories")["window"]["years"] + 1, last


def _copayment_tables(payments: list[gp_contacts.Payments], copay: dict) -> tuple[pa.Table, pa.Table]:
    citizen = np.concatenate([p.citizen_id for p in payments])
    date = np.concatenate([p.date for p in payments])
    nominal = np.concatenate([p.nominal for p in payments])
    source = pa.DictionaryArray.from_arrays(
        pa.array(np.concatenate([np.full(p.citizen_id.size, i, dtype=np.int8) for i, p in enumerate(payments)])),
        pa.array([p.source for p in payments]),
    ).cast(pa.string())
    if len(payments) > 1:
        order = np.lexsort((date, citizen))
        citizen, date, nominal, source = citizen[order], date[order], nominal[order], source.take(pa.array(order))
    ceiling = copay["ceiling"]
    refunds = copay["refunds"]
    no_minimum_from = int(refunds["no_minimum_from"][:4])
    years = yearly_ceilings(ceiling["year"], ceiling["amount"])
    minimum = {y: (refunds["minimum_before_2022"] if y < no_minimum_from else 0) for y in years}
    result = apply_ceiling(citizen, date, nominal, np.ones(citizen.size, dtype=bool), years, minimum)
    copayments = pa.table({
        "citizen_id": citizen, "date": date, "source": source, "egenandel": nominal, "charged": result.charged,
        "frikort": nominal > result.charged,
    })
    issued = date[result.frikort_payment]
    frikort = pa.table({
        "citizen_id": result.year_person[:, 0], "year": result.year_person[:, 1], "reached_on": issued,
        "refund": result.refund, "refund_by": issued + np.timedelta64(7 * refunds["weeks_until_frikort"], "D"),
    })
    return copayments, frikort


def generate(
    citizens: Block, reference_date: np.datetime64, streams: Streams, emit_part: EmitPart, progress: Callable[[int], None] | None = None
) -> dict[str, int]:
    """Generate every history table for ``citizens`` (all of them, ids ascending); returns row counts."""
    size = specs.load("histories")["blocks"]["citizens"]
    first_year, last_year = window(reference_date)
    gp_spec, copay = specs.load("gp_contacts"), specs.load("copayments")
    factors = gp_contacts.sex_factors(gp_spec["rates"], specs.load("population"))
    rows = dict.fromkeys(TABLES, 0)
    for number, start in enumerate(range(0, citizens.citizen_id.size, size)):
        part = slice(start, start + size)
        block = Block(*(getattr(citizens, f)[part] for f in Block.__dataclass_fields__))
        contacts, payments = gp_contacts.generate(block, first_year, last_year, gp_spec, copay, factors, streams.rng(f"gp_contacts/{number}"))
        copayments, frikort = _copayment_tables([payments], copay)
        for name, table in zip(TABLES, (contacts, copayments, frikort)):
            emit_part(name, number, table)
            rows[name] += table.num_rows
        if progress:
            progress(block.citizen_id.size)
    return rows
