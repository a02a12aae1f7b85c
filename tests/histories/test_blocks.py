"""Histories are made per block of citizens: the result does not depend on how many workers make them."""

from __future__ import annotations

import numpy as np
import pyarrow.parquet as pq

from helsekit.generator import histories
from helsekit.generator.run import generate


def _citizens():
    world = generate("tiny", 42, with_histories=False)
    c = world.tables["citizen"]
    n = world.rows("citizen")
    return histories.Block(
        citizen_id=np.arange(1, n + 1),
        birth=np.array(c["birth_date"].to_pylist(), dtype="datetime64[D]"),
        sex=np.array(c["sex"].to_pylist()),
        pharmacy_id=np.full(n, -1), hospital_id=np.full(n, -1), death=np.full(n, np.datetime64("NaT"), dtype="datetime64[D]"),
        travel_km=np.full(n, 20.0), health_region=np.full(n, "Vest", dtype=object),
        kj_reserved=np.zeros(n, dtype=bool), kj_blocks_personnel=np.zeros(n, dtype=bool),
    )


NO_RELATIONS = histories.ListRelations(*(np.zeros(0, dtype=t) for t in ("int64", "datetime64[D]", "int64", "int64", "int64")))


def _read(folder):
    return {p.relative_to(folder).as_posix(): pq.read_table(p) for p in sorted(folder.rglob("*.parquet"))}


def test_two_worker_processes_write_exactly_what_one_process_writes(tmp_path):
    citizens = _citizens()
    reference = np.datetime64("2025-01-01")
    one, two = tmp_path / "one", tmp_path / "two"
    rows_one = histories.generate(citizens, NO_RELATIONS, reference, 42, one, workers=1, block_size=60)
    rows_two = histories.generate(citizens, NO_RELATIONS, reference, 42, two, workers=2, block_size=60)
    assert rows_one == rows_two
    first, second = _read(one), _read(two)
    assert list(first) == list(second) and len([k for k in first if k.startswith("gp_contacts/")]) == 4
    assert all(first[k].equals(second[k]) for k in first)


def test_one_citizens_history_lies_in_one_block(tmp_path):
    histories.generate(_citizens(), NO_RELATIONS, np.datetime64("2025-01-01"), 42, tmp_path, workers=1, block_size=60)
    parts = [pq.read_table(p, columns=["citizen_id"]).column(0).to_numpy() for p in sorted((tmp_path / "gp_contacts").glob("*.parquet"))]
    for a, b in zip(parts, parts[1:]):
        assert a.max() < b.min()
