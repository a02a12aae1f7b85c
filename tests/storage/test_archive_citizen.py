"""One citizen's rows of a history table, read from only the row groups that hold them, are exactly
the rows a full read of the table finds for that citizen."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa

from helsekit.storage import archive, database


def _citizen_key(table_name: str, table: pa.Table) -> np.ndarray:
    if table_name == "referral_statuses":  # referral_id = citizen id × 1000 + n
        return table["referral_id"].to_numpy() // 1000
    return table["citizen_id"].to_numpy()


def _chosen(key: np.ndarray, block_size: int, last_id: int) -> list[int]:
    """First and last citizen of every block, a few drawn ones, and one without rows where there is one."""
    firsts = list(range(1, last_id + 1, block_size))
    chosen = firsts + [min(f + block_size - 1, last_id) for f in firsts]
    chosen += [int(c) for c in np.random.default_rng(7).integers(1, last_id + 1, 12)]
    without = np.setdiff1d(np.arange(1, last_id + 1), key)
    return sorted(set(chosen + ([int(without[len(without) // 2])] if without.size else [])))


def test_every_history_table_reads_exactly_one_citizens_rows(default_db):
    block_size = int(database.read_meta(default_db)["history_block_size"])
    with database.engine_for(default_db).connect() as conn:
        last_id = conn.execute(sa.text("SELECT max(id) FROM citizen")).scalar_one()
    per_citizen = [name for name in archive.tables(default_db) if name != "gp_notices"]
    assert "referral_statuses" in per_citizen and len(per_citizen) >= 10
    citizens_without_rows = 0
    for name in per_citizen:
        full = archive.read(default_db, name)
        key = _citizen_key(name, full)
        for citizen in _chosen(key, block_size, last_id):
            expected = full.take(np.flatnonzero(key == citizen))
            got = archive.read_citizen(default_db, name, citizen, block_size)
            assert got.equals(expected), (name, citizen)
            citizens_without_rows += expected.num_rows == 0
    assert citizens_without_rows > 0


def test_only_the_named_columns_are_returned_in_the_order_named(default_db):
    block_size = int(database.read_meta(default_db)["history_block_size"])
    full = archive.read(default_db, "prescriptions")
    citizen = int(full["citizen_id"][full.num_rows // 2].as_py())
    got = archive.read_citizen(default_db, "prescriptions", citizen, block_size, columns=["status", "prescription_id"])
    expected = full.filter(pa.array(full["citizen_id"].to_numpy() == citizen)).select(["status", "prescription_id"])
    assert got.column_names == ["status", "prescription_id"] and got.equals(expected)


def _events(citizens: list[int], rows_each: int) -> pa.Table:
    ids = np.repeat(np.array(citizens, dtype=np.int64), rows_each)
    return pa.table({"citizen_id": ids, "n": np.arange(ids.size, dtype=np.int64)})


def test_a_citizen_whose_rows_span_several_row_groups_is_read_whole(tmp_path):
    db = str(tmp_path / "h.db")
    table = _events([1, 2, 3, 4], rows_each=5)  # row groups of 3 rows: citizen 2 is in groups 1, 2 and 3
    archive.write_part(archive.archive_path(db), "events", 0, table, group_rows=3)
    assert pq.read_metadata(archive.archive_path(db) / "events" / "part-00000.parquet").num_row_groups == 7
    for citizen in (1, 2, 3, 4, 5):
        got = archive.read_citizen(db, "events", citizen, block_size=10)
        assert got["n"].to_pylist() == list(range(5 * (citizen - 1), 5 * citizen) if citizen < 5 else [])


def test_parts_written_before_the_row_group_index_are_still_read(tmp_path):
    db = str(tmp_path / "h.db")
    folder = archive.archive_path(db) / "events"
    folder.mkdir(parents=True)
    pq.write_table(_events([3, 1, 2], rows_each=2), folder / "part-00000.parquet", row_group_size=4)
    assert archive.read_citizen(db, "events", 1, block_size=10)["n"].to_pylist() == [2, 3]


def test_a_part_written_again_is_not_read_from_the_old_footer(tmp_path):
    db = str(tmp_path / "h.db")
    archive.write_part(archive.archive_path(db), "events", 0, _events([1, 2], rows_each=2))
    assert archive.read_citizen(db, "events", 2, block_size=10)["n"].to_pylist() == [2, 3]
    archive.write_part(archive.archive_path(db), "events", 0, _events([1, 2, 2], rows_each=3))
    assert archive.read_citizen(db, "events", 2, block_size=10)["n"].to_pylist() == [3, 4, 5, 6, 7, 8]


def test_a_table_not_kept_per_citizen_is_refused(tmp_path):
    db = str(tmp_path / "h.db")
    archive.write_part(archive.archive_path(db), "notices", 0, pa.table({"notice_id": [1, 2]}))
    with pytest.raises(ValueError, match="not kept per citizen"):
        archive.read_citizen(db, "notices", 1, block_size=10)
