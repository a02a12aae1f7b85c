"""Uptake over time: visits through the pilot per month, counted from the visit log's Parquet files."""

from __future__ import annotations

import shutil

import pandas as pd
import pyarrow.dataset as ds

import helsekit
from helsekit.evaluation import uptake
from helsekit.generator.visits import generate_visits
from helsekit.pilots import discover
from helsekit.storage import archive


def test_uptake_is_every_month_from_the_start_with_the_pilots_visits_and_zero_where_there_were_none(tiny_db, tmp_path):
    db = tmp_path / "helsekit.db"
    shutil.copy(tiny_db, db)
    shutil.copytree(archive.archive_path(tiny_db), archive.archive_path(str(db)))
    log = generate_visits(str(db), progress=False).path
    pilot = next(p for p in discover()[0] if p.id == "sykehustimer")  # every hospital: visits in every region
    months, note = uptake.monthly_visits(helsekit.open(str(db)), pilot)

    visits = ds.dataset(log, format="parquet", partitioning="hive").to_table(columns=["start", "pilot_id"]).to_pandas()
    ours = visits[visits["pilot_id"] == pilot.id]
    by_month = ours.groupby(pd.to_datetime(ours["start"]).dt.to_period("M").dt.to_timestamp()).size()
    assert months["month"].tolist() == list(pd.date_range(str(pilot.started), "2024-12-01", freq="MS"))  # reference date 2025-01-01
    assert months.set_index("month")["visits"].to_dict() == by_month.reindex(months["month"], fill_value=0).to_dict()
    assert months["visits"].sum() == len(ours) > 0
    assert note == ""  # the visit log starts the pilot on its own `started` date
    assert ours["start"].min() >= pd.Timestamp(pilot.started)
