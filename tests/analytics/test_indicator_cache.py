"""compute() reads an indicator's cases once per version of the archive: later breakdowns reuse them, and a
rewritten archive is read again."""

from __future__ import annotations

import shutil

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from helsekit.analytics import indicators
from helsekit.storage import archive


@pytest.fixture()
def db(tiny_db, tmp_path) -> str:
    """A copy of the tiny database and its archive, free to be rewritten."""
    copy = tmp_path / "helsekit.db"
    shutil.copyfile(tiny_db, copy)
    shutil.copytree(archive.archive_path(tiny_db), archive.archive_path(str(copy)))
    return str(copy)


def test_later_breakdowns_reuse_the_cases_read_for_the_first(db):
    indicators.compute(db, "fristbrudd_somatikk", "site", "2024")
    reads = indicators._cases.cache_info().misses
    for breakdown in ("hf", "rhf", "kommune", "fylke", "national"):
        indicators.compute(db, "fristbrudd_somatikk", breakdown, "2024-T1")
    assert indicators._cases.cache_info().misses == reads


def test_a_rewritten_archive_is_read_again_and_never_served_stale(db):
    before = indicators.compute(db, "fristbrudd_somatikk", "national", "2024")
    # Every referral becomes a deadline breach: the national share must then be every case, 100 %.
    for part in sorted((archive.archive_path(db) / "referrals").glob("part-*.parquet")):
        table = pq.read_table(part)
        column = table.schema.get_field_index("fristbrudd")
        pq.write_table(table.set_column(column, "fristbrudd", pa.array([True] * table.num_rows)), part)
    after = indicators.compute(db, "fristbrudd_somatikk", "national", "2024")
    assert after["denominator"].iloc[0] == before["denominator"].iloc[0] >= indicators.min_denominator()
    assert after["numerator"].iloc[0] == after["denominator"].iloc[0]
    assert after["value"].iloc[0] == 1.0
