"""The visit log generator (issue #6): calibrated, reproducible, and consistent with the database.

Every check reads the written Parquet files with pyarrow and the database with SQL, never the
generator's internals. One log of the tiny database at 1/10,000 of the national volume (~70,000
visits) serves most tests.
"""

from __future__ import annotations

import sqlite3
import tomllib
from pathlib import Path

import pandas as pd
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from helsekit import config
from helsekit.analytics.columns import COLUMNS
from helsekit.cli import main
from helsekit.errors import DatabaseError, InvalidOption
from helsekit.generator.visits import generate_visits
from helsekit.storage.archive import visit_log_path as log_path
from helsekit.pilots import discover
from helsekit.storage.sandbox import sandbox

SCALE = 1e-4
#: domain-facts §13.1, visits per year.
PUBLISHED = {2019: 37.2e6, 2020: 72.9e6, 2021: 140.9e6, 2022: 115.9e6, 2023: 109.5e6}
SPEC = tomllib.loads((config.SPECS_DIR / "visits.toml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def log(tiny_db, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("visits") / "tiny.visits"
    generate_visits(tiny_db, seed=42, scale=SCALE, progress=False, out=out, workers=1)
    return out


@pytest.fixture(scope="module")
def visits(log) -> pd.DataFrame:
    return ds.dataset(log, format="parquet", partitioning="hive").to_table().to_pandas()


@pytest.fixture(scope="module")
def register(tiny_db) -> pd.DataFrame:
    with sqlite3.connect(tiny_db) as conn:
        people = pd.read_sql_query("SELECT id, birth_date, death_date, kommune_number FROM citizen", conn)
        reference = conn.execute("SELECT value FROM helsekit_meta WHERE key = 'reference_date'").fetchone()[0]
    people["birth_date"] = pd.to_datetime(people["birth_date"])
    people["death_date"] = pd.to_datetime(people["death_date"])
    people.attrs["reference_date"] = pd.Timestamp(reference)
    return people.set_index("id")


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*.parquet"))}


def test_yearly_totals_of_a_scaled_log_are_within_5_percent_of_the_published_figures(visits):
    per_year = visits["start"].dt.year.value_counts()
    for year, published in PUBLISHED.items():
        assert per_year[year] == pytest.approx(published * SCALE, rel=0.05), year


def test_2023_averages_about_9_2_million_a_month_and_every_month_since_april_2022_is_over_8_million(visits):
    per_month = visits.groupby(visits["start"].dt.to_period("M")).size() / SCALE
    assert per_month[per_month.index.year == 2023].mean() == pytest.approx(9.2e6, rel=0.02)  # §13.2
    since = per_month[(per_month.index >= pd.Period("2022-04", "M")) & (per_month.index < pd.Period("2024-01", "M"))]
    assert (since > 8e6 * 0.97).all()  # 'over 8 M', less the rounding of a month to ~800 visits


def test_messaging_visits_rise_about_153_percent_from_2020_to_2021(visits):
    innboks = 1 << SPEC["services"]["names"].index("innboks")
    per_year = visits[(visits["services"] & innboks) > 0]["start"].dt.year.value_counts()
    assert per_year[2021] / per_year[2020] == pytest.approx(40 / 15.9, rel=0.15)  # §13.5: 15.9 M → 40 M


def test_the_koronasertifikat_is_never_used_before_june_2021(visits):
    certificate = 1 << SPEC["services"]["names"].index("koronasertifikat")
    used = visits[(visits["services"] & certificate) > 0]
    assert len(used) > 0 and used["start"].min() >= pd.Timestamp("2021-06-01")


def test_the_same_seed_gives_byte_identical_files_whatever_the_number_of_workers(tiny_db, log, tmp_path):
    again = tmp_path / "again.visits"
    generate_visits(tiny_db, seed=42, scale=SCALE, progress=False, out=again, workers=2)
    assert _files(again) == _files(log)


def test_another_seed_gives_another_log(tiny_db, log, tmp_path):
    other = tmp_path / "other.visits"
    generate_visits(tiny_db, seed=43, scale=SCALE, progress=False, out=other, workers=1)
    assert _files(other) != _files(log)


def test_the_files_have_the_documented_columns_in_order(log):
    for part in sorted(log.rglob("*.parquet")):
        assert pq.read_schema(part).names == list(COLUMNS["visits"])


def test_no_visit_before_2011_06_15_or_on_or_after_the_reference_date(visits, register):
    assert visits["start"].min() >= pd.Timestamp("2011-06-15")
    assert visits["start"].max() < register.attrs["reference_date"]
    assert visits["start"].min() < pd.Timestamp("2011-07-01")  # the log does start in June 2011


def test_the_app_is_never_used_before_june_2021_and_only_logged_in(visits):
    app = visits[visits["device"] == "app"]
    assert len(app) > 0
    assert app["start"].min() >= pd.Timestamp("2021-06-01")
    assert app["logged_in"].all()
    assert set(visits["device"].unique()) == {"web", "app"}


def test_every_logged_in_visit_is_by_a_citizen_who_lived_then_with_their_kommune_and_age(visits, register):
    logged = visits[visits["logged_in"]]
    assert len(logged) > 1000
    assert logged["citizen_id"].isin(register.index).all()
    who = register.loc[logged["citizen_id"].astype(int)]
    day = logged["start"].dt.normalize().to_numpy()
    assert (who["birth_date"].to_numpy() <= day).all()
    assert (who["death_date"].isna().to_numpy() | (who["death_date"].to_numpy() > day)).all()
    assert (logged["kommune_number"].astype(str).to_numpy() == who["kommune_number"].to_numpy()).all()
    born, on = who["birth_date"].dt, logged["start"].dt
    before_birthday = (on.month.to_numpy() < born.month.to_numpy()) | (
        (on.month.to_numpy() == born.month.to_numpy()) & (on.day.to_numpy() < born.day.to_numpy()))
    age = on.year.to_numpy() - born.year.to_numpy() - before_birthday
    assert (logged["age"].to_numpy() == age).all()
    assert (age >= 16).all()  # own login from 16 (§3.2)


def test_anonymous_visits_carry_no_person_and_touch_only_public_services(visits):
    anonymous = visits[~visits["logged_in"]]
    assert len(anonymous) > 1000
    for column in ("citizen_id", "kommune_number", "age", "pilot_id", "site_id"):
        assert anonymous[column].isna().all(), column
    names = SPEC["services"]["names"]
    public = sum(1 << names.index(name) for name in ("forside", "helseartikler", "velg_behandlingssted", "kvalitetsindikatorer"))
    assert (anonymous["services"] & ~public).eq(0).all()
    assert (anonymous["device"] == "web").all()


def test_every_visit_has_a_page_a_service_and_a_duration_that_is_zero_for_one_page(visits):
    assert (visits["pages"] >= 1).all()
    assert (visits["services"] > 0).all()
    assert (visits["duration_s"] >= 0).all()
    assert (visits.loc[visits["pages"] == 1, "duration_s"] == 0).all()


def test_visit_ids_are_unique_and_increase_with_start_over_the_whole_log(visits):
    ordered = visits.sort_values("visit_id")
    assert ordered["visit_id"].is_unique
    assert ordered["start"].is_monotonic_increasing
    assert ordered["visit_id"].iloc[0] == 1 and ordered["visit_id"].iloc[-1] == len(visits)


def test_each_partition_holds_exactly_the_visits_that_start_in_its_year_and_month(log):
    parts = sorted(log.glob("year=*/month=*/*.parquet"))
    assert len(parts) == 163  # June 2011 to December 2024
    for part in parts:
        year, month = int(part.parent.parent.name.removeprefix("year=")), int(part.parent.name.removeprefix("month="))
        start = pq.read_table(part, columns=["start"])["start"].to_pandas()
        assert ((start.dt.year == year) & (start.dt.month == month)).all(), part


def test_pilot_visits_come_through_a_running_pilot_at_a_site_where_it_runs_from_the_first_whole_month_it_is_live(visits, tiny_db):
    pilots = {p.id: p for p in discover()[0] if p.status == "pilot"}
    through = visits[visits["pilot_id"].notna()]
    assert len(through) > 0
    for pilot_id, first in through.groupby("pilot_id", observed=True)["start"].min().items():
        started = pd.Timestamp(pilots[pilot_id].started or SPEC["pilots"]["from"])
        first_whole_month = started if started.day == 1 else started + pd.offsets.MonthBegin(1)
        assert first >= first_whole_month, (pilot_id, first, started)
    assert through["logged_in"].all()
    assert (through["services"] & (1 << SPEC["services"]["names"].index("piloter"))).gt(0).all()
    assert visits.loc[visits["pilot_id"].isna(), "site_id"].isna().all()
    with sqlite3.connect(tiny_db) as conn:
        sites = {row[0]: row for row in conn.execute("SELECT id, kind, kommune_number FROM organisation")}
    for pilot_id, site_id in through[["pilot_id", "site_id"]].drop_duplicates().itertuples(index=False):
        site_id, kind, kommune = sites[int(site_id)]
        assert pilots[pilot_id].runs_at(type("Site", (), {"id": site_id, "kind": kind, "kommune_number": kommune})), (pilot_id, site_id)


def test_the_default_scale_is_the_databases_share_of_norways_population(tiny_db, register, tmp_path):
    alive = int(register["death_date"].isna().sum())
    result = generate_visits(tiny_db, progress=False, out=tmp_path / "default.visits", workers=1)
    assert result.scale == pytest.approx(alive / 5_594_340)  # reference-statistics §1, 1 January 2025
    rows = sum(pq.ParquetFile(p).metadata.num_rows for p in (tmp_path / "default.visits").rglob("*.parquet"))
    assert rows == result.visits


@pytest.mark.parametrize("scale", [0, -0.1, 1.5, float("nan"), True, "half"])
def test_a_scale_outside_0_to_1_is_refused_naming_the_field(tiny_db, tmp_path, scale):
    with pytest.raises(InvalidOption) as error:
        generate_visits(tiny_db, scale=scale, progress=False, out=tmp_path / "x.visits")
    assert error.value.field == "scale"
    assert not (tmp_path / "x.visits").exists()


def test_a_database_without_citizens_is_refused_and_leaves_the_old_log_in_place(tiny_db, tmp_path):
    db = sandbox(tiny_db, tmp_path)
    generate_visits(db, scale=1e-6, progress=False, workers=1)
    before = _files(log_path(db))
    with sqlite3.connect(db) as conn:
        conn.execute("DELETE FROM citizen")
    with pytest.raises(DatabaseError) as error:
        generate_visits(db, scale=1e-6, progress=False, workers=1)
    assert error.value.field == "db"
    assert _files(log_path(db)) == before
    assert not list(Path(db).parent.glob(".*.tmp-*"))


def test_the_cli_writes_the_log_beside_the_database(tiny_db, tmp_path, capsys):
    db = sandbox(tiny_db, tmp_path)
    assert main(["generate-visits", "--db", db, "--scale", "0.00001", "--seed", "7", "--quiet"]) == 0
    assert "Syntetiske data" in capsys.readouterr().out
    assert sorted(p.name for p in Path(db).parent.iterdir() if p.name.endswith(".visits")) == ["helsekit.visits"]
    assert next(log_path(db).glob("year=2019/month=1/*.parquet")).is_file()


@pytest.mark.parametrize(("args", "message"), [
    (["--scale", "0"], "scale must be a number above 0 and at most 1"),
    (["--scale", "2"], "scale must be a number above 0 and at most 1"),
    (["--seed", "-1"], "seed must be a whole number"),
])
def test_the_cli_refuses_bad_options_with_one_line_and_exit_2(tiny_db, tmp_path, capsys, args, message):
    assert main(["generate-visits", "--db", tiny_db, "--quiet", *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and err.count("\n") == 1


def test_the_cli_refuses_a_missing_database_naming_it(tmp_path, capsys):
    missing = tmp_path / "none.db"
    assert main(["generate-visits", "--db", str(missing), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: db: ") and str(missing) in err


def test_every_visits_spec_section_with_numbers_names_its_source_or_says_it_is_a_modelling_choice():
    for name, section in SPEC.items():
        assert "source" in section or "remarks" in section, name
