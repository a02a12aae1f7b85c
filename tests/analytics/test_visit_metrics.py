"""The visit metrics (issue #6): each equals the figure computed by hand with pandas from the rows written,
and the same expressions give identical numbers on DuckDB and on Spark.

The visit log is made here, small and by hand (hive-partitioned Parquet with the log's schema), so these
tests depend on the metric definitions only, not on the generator. Spark needs PySpark and Java: without
them the Spark tests are skipped locally and FAIL when ``CI`` is "true" (.ci/run installs Java).
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import os
import shutil

import ibis
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import helsekit
from helsekit.analytics.columns import COLUMNS
from helsekit.analytics.visits import backends, choices, metrics, report, services
from helsekit.errors import DatabaseError, InvalidInput
from helsekit.storage.sandbox import sandbox
from helsekit.storage import archive

#: A stand-in for the spec's service list (bit i = entry i); the metrics take the catalogue as given.
CATALOGUE = ["forside", "timer", "resepter", "innboks", "provesvar", "koronasertifikat"]
SCHEMA = pa.schema([
    ("visit_id", pa.int64()), ("start", pa.timestamp("s")), ("duration_s", pa.int32()), ("pages", pa.int16()),
    ("services", pa.int32()), ("logged_in", pa.bool_()), ("citizen_id", pa.int32()), ("kommune_number", pa.string()),
    ("age", pa.int16()), ("device", pa.string()), ("pilot_id", pa.string()), ("site_id", pa.int32()),
])
GEOGRAPHY = pd.DataFrame({
    "kommune_number": ["0301", "1103", "1108", "4601", "5001"],
    "fylke_number": ["03", "11", "11", "46", "50"],
    "fylke": ["Oslo", "Rogaland", "Rogaland", "Vestland", "Trøndelag"],
})
#: Wall-clock times an engine converting through a time zone would shift: the last second of a year and
#: a time that does not exist in Norway (the spring-forward gap of 28 March 2021).
EDGES = [dt.datetime(2020, 12, 31, 23, 59, 59), dt.datetime(2021, 3, 28, 2, 30), dt.datetime(2021, 1, 1, 0, 0, 0)]

#: A small log's queries are short: the JVM's quick (C1) compiler and serial GC roughly halve their time.
QUICK_JVM = {"spark.driver.extraJavaOptions": "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"}


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def make_visits(rows: int = 4000, seed: int = 7) -> pd.DataFrame:
    """Visits from December 2020 to July 2021 (a new year, a DST change, the app's launch in June)."""
    rng = np.random.default_rng(seed)
    first = np.datetime64("2020-12-01T00:00:00")
    seconds = rng.integers(0, 243 * 86400, rows - len(EDGES))
    start = np.sort(np.concatenate([first + seconds.astype("timedelta64[s]"), np.array(EDGES, dtype="datetime64[s]")]))
    citizens = pd.DataFrame({"citizen_id": np.arange(1, 301, dtype=np.int32)})
    citizens["kommune_number"] = rng.choice(GEOGRAPHY["kommune_number"], len(citizens))
    citizens["age"] = rng.integers(0, 96, len(citizens)).astype(np.int16)
    logged_in = rng.random(rows) < 0.6
    who = citizens.iloc[rng.integers(0, len(citizens), rows)].reset_index(drop=True)
    app = (start >= np.datetime64("2021-06-01")) & (rng.random(rows) < 0.4)
    pilot = logged_in & (rng.random(rows) < 0.1)
    pilot_id = np.where(rng.random(rows) < 0.5, "fastlegetime", "kreftforlop")
    return pd.DataFrame({
        "visit_id": np.arange(1, rows + 1, dtype=np.int64),
        "start": start,
        "duration_s": rng.integers(0, 3600, rows).astype(np.int32),
        "pages": rng.integers(1, 30, rows).astype(np.int16),
        "services": np.where(logged_in, rng.integers(1, 2 ** len(CATALOGUE), rows), rng.integers(1, 2, rows)).astype(np.int32),
        "logged_in": logged_in,
        "citizen_id": who["citizen_id"].where(logged_in).astype("Int32"),
        "kommune_number": who["kommune_number"].where(logged_in),
        "age": who["age"].where(logged_in).astype("Int16"),
        "device": np.where(app, "app", "web"),
        "pilot_id": np.where(pilot, pilot_id, None),
        "site_id": pd.Series(rng.integers(100, 103, rows), dtype="Int32").where(pilot),
    })


def write_log(frame: pd.DataFrame, folder) -> None:
    """The log's layout: ``year=YYYY/month=M/part-00000.parquet``."""
    for (year, month), part in frame.groupby([frame["start"].dt.year, frame["start"].dt.month]):
        target = folder / f"year={year}" / f"month={month}"
        target.mkdir(parents=True)
        pq.write_table(pa.Table.from_pandas(part, schema=SCHEMA, preserve_index=False), target / "part-00000.parquet")


@pytest.fixture(scope="module")
def rows() -> pd.DataFrame:
    return make_visits()


@pytest.fixture(scope="module")
def log(rows, tmp_path_factory):
    folder = tmp_path_factory.mktemp("visits") / "helsekit.visits"
    write_log(rows, folder)
    return folder


@pytest.fixture(scope="module")
def duck(log):
    return backends.read_visits(backends.connect("duckdb"), log)


@pytest.fixture(scope="module")
def spark(log):
    if importlib.util.find_spec("pyspark") is None:
        (pytest.fail if in_ci() else pytest.skip)("pyspark is not installed (the test extra installs it)")
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        (pytest.fail if in_ci() else pytest.skip)("no Java runtime (.ci/run installs one)")
    session = backends.spark_session(QUICK_JVM)
    yield backends.read_visits(backends.connect("spark", session), log)
    session.stop()


# ---- by hand, with pandas --------------------------------------------------------------------------

def period_of(start: pd.Series, grain: str) -> pd.Series:
    if grain == "day":
        return start.dt.normalize()
    if grain == "week":  # ISO weeks start on Monday
        return (start - pd.to_timedelta(start.dt.day_of_week, unit="D")).dt.normalize()
    return start.dt.to_period({"month": "M", "year": "Y"}[grain]).dt.start_time


def records(frame: pd.DataFrame, columns: list[str]) -> list[tuple]:
    """Rows as sorted tuples of plain values (dates as ISO text), so engines and dtypes compare equal."""
    frame = frame[columns].copy()
    if "period" in frame:
        frame["period"] = pd.to_datetime(frame["period"]).dt.strftime("%Y-%m-%d")
    values = [tuple(None if pd.isna(v) else (v.item() if hasattr(v, "item") else v) for v in row) for row in frame.itertuples(index=False)]
    return sorted(values, key=repr)


def by_hand(rows: pd.DataFrame, grain: str, keys: list[str], name: str, how=len) -> list[tuple]:
    rows = rows.assign(period=period_of(rows["start"], grain))
    counted = rows.groupby(["period", *keys], dropna=False).apply(how, include_groups=False).rename(name).reset_index()
    return records(counted, ["period", *keys, name])


GRAIN_NAMES = list(choices.GRAINS)


@pytest.mark.parametrize("grain", GRAIN_NAMES)
def test_visits_per_period_count_every_visit_starting_in_it(duck, rows, grain):
    assert records(metrics.visits(duck, grain).to_pandas(), ["period", "visits"]) == by_hand(rows, grain, [], "visits")


@pytest.mark.parametrize("grain", GRAIN_NAMES)
def test_logins_count_the_visits_made_logged_in(duck, rows, grain):
    expected = by_hand(rows, grain, [], "logins", lambda g: int(g["logged_in"].sum()))
    assert records(metrics.logins(duck, grain).to_pandas(), ["period", "logins"]) == expected


@pytest.mark.parametrize("grain", ["week", "month"])
def test_unique_visitors_count_each_logged_in_citizen_once_per_period(duck, rows, grain):
    expected = by_hand(rows[rows["logged_in"]], grain, [], "unique_visitors", lambda g: g["citizen_id"].nunique())
    assert records(metrics.unique_visitors(duck, grain).to_pandas(), ["period", "unique_visitors"]) == expected


def test_a_visit_counts_for_every_service_whose_bit_is_set(duck, rows):
    long = rows.assign(period=period_of(rows["start"], "month"))
    expected = [
        (period.strftime("%Y-%m-%d"), name, int(((group["services"].to_numpy() >> bit) & 1).sum()))
        for period, group in long.groupby("period") for bit, name in enumerate(CATALOGUE)
    ]
    got = metrics.per_service(duck, "month", catalogue=CATALOGUE).to_pandas()
    assert records(got, ["period", "service", "visits"]) == sorted(expected, key=repr)


def test_chosen_services_are_the_only_ones_reported(duck):
    got = metrics.per_service(duck, "year", services=["provesvar", "timer"], catalogue=CATALOGUE).to_pandas()
    assert set(got["service"]) == {"provesvar", "timer"}


def test_kommune_breakdown_counts_logged_in_visits_by_home_kommune(duck, rows):
    expected = by_hand(rows[rows["logged_in"]], "month", ["kommune_number"], "visits")
    assert records(metrics.per_kommune(duck, "month").to_pandas(), ["period", "kommune_number", "visits"]) == expected


def test_fylke_breakdown_joins_each_kommune_to_its_fylke(duck, rows):
    logged_in = rows[rows["logged_in"]].merge(GEOGRAPHY, on="kommune_number")
    expected = by_hand(logged_in, "year", ["fylke_number", "fylke"], "visits")
    got = metrics.per_fylke(duck, GEOGRAPHY, "year").to_pandas()
    assert records(got, ["period", "fylke_number", "fylke", "visits"]) == expected


def test_age_groups_are_0_15_16_29_30_49_50_66_and_67_plus(duck, rows):
    logged_in = rows[rows["logged_in"]]
    groups = pd.cut(logged_in["age"].astype(int), [-1, 15, 29, 49, 66, 200], labels=["0–15", "16–29", "30–49", "50–66", "67+"])
    expected = by_hand(logged_in.assign(age_group=groups.astype(str)), "month", ["age_group"], "visits")
    assert records(metrics.per_age_group(duck, "month").to_pandas(), ["period", "age_group", "visits"]) == expected


def test_device_breakdown_has_no_app_visits_before_june_2021(duck, rows):
    got = metrics.per_device(duck, "month").to_pandas()
    assert records(got, ["period", "device", "visits"]) == by_hand(rows, "month", ["device"], "visits")
    assert (pd.to_datetime(got.loc[got["device"] == "app", "period"]) >= "2021-06-01").all()


def test_pilot_visits_are_counted_per_pilot_and_site(duck, rows):
    piloted = rows[rows["pilot_id"].notna()]
    expected = by_hand(piloted, "month", ["pilot_id", "site_id"], "visits")
    assert records(metrics.per_pilot_and_site(duck, "month").to_pandas(), ["period", "pilot_id", "site_id", "visits"]) == expected


def test_growth_is_the_change_on_the_previous_period(duck, rows):
    got = metrics.growth(metrics.visits(duck, "month")).order_by("period").to_pandas()
    counts = rows.groupby(period_of(rows["start"], "month")).size()
    assert np.isnan(got["growth"].iloc[0])
    np.testing.assert_allclose(got["growth"].iloc[1:], (counts / counts.shift() - 1).iloc[1:].to_numpy(), rtol=1e-12)


def test_a_period_keeps_only_the_visits_starting_on_its_days(duck, rows):
    got = metrics.visits(duck, "year", period=("2021-01-01", "2021-03-28")).to_pandas()
    inside = rows[(rows["start"] >= "2021-01-01") & (rows["start"] < "2021-03-29")]
    assert records(got, ["period", "visits"]) == by_hand(inside, "year", [], "visits")


def test_monthly_report_gives_visits_logins_visitors_app_visits_and_services(log, rows):
    frame = report.monthly_report(log=log, catalogue=CATALOGUE, services=["innboks"], period=("2021-02-01", "2021-07-31"))
    inside = rows[rows["start"] >= "2021-02-01"]
    months = inside.groupby(period_of(inside["start"], "month"))
    assert list(frame.columns) == ["period", "visits", "logins", "unique_visitors", "app_visits", "innboks", "growth"]
    assert frame["visits"].tolist() == months.size().tolist()
    assert frame["logins"].tolist() == months["logged_in"].sum().tolist()
    assert frame["unique_visitors"].tolist() == months["citizen_id"].nunique().tolist()
    assert frame["app_visits"].tolist() == months["device"].apply(lambda d: int((d == "app").sum())).tolist()
    assert frame["innboks"].tolist() == months["services"].apply(lambda s: int(((s.to_numpy() >> 3) & 1).sum())).tolist()


# ---- refusals ---------------------------------------------------------------------------------------

def test_an_unknown_backend_is_refused_naming_backend():
    with pytest.raises(InvalidInput, match="duckdb, spark") as error:
        backends.connect("pandas")
    assert error.value.field == "backend"


def test_an_unknown_grain_is_refused_listing_the_grains(duck):
    with pytest.raises(InvalidInput, match="day, week, month, year") as error:
        metrics.visits(duck, "quarter")
    assert error.value.field == "grain"


def test_an_unknown_service_is_refused_listing_the_services(duck):
    with pytest.raises(InvalidInput, match="koronasertifikat") as error:
        metrics.per_service(duck, services=["vaksiner"], catalogue=CATALOGUE)
    assert error.value.field == "services" and "vaksiner" in str(error.value)


@pytest.mark.parametrize("period", [("2019-01-01", "2019-12-31"), ("2021-08-01", "2021-08-31"), ("2021-05-01", "2021-04-01"), ("mai", "juni")])
def test_a_period_outside_the_log_or_malformed_is_refused_naming_period(log, period):
    with pytest.raises(InvalidInput) as error:
        report.monthly_report(log=log, catalogue=CATALOGUE, period=period)
    assert error.value.field == "period"


def test_a_missing_visit_log_names_its_path_and_the_command_that_makes_it(tmp_path):
    with pytest.raises(DatabaseError, match="generate-visits") as error:
        backends.read_visits(backends.connect("duckdb"), tmp_path / "none.visits")
    assert str(tmp_path / "none.visits") in str(error.value)


# ---- the analyst API --------------------------------------------------------------------------------

def test_helsekit_open_gives_the_visit_log_as_a_lazy_table_with_the_documented_columns(tiny_db, tmp_path, rows):
    db = sandbox(tiny_db, tmp_path)
    write_log(rows, archive.visit_log_path(db))
    visits = helsekit.open(db).visits
    assert isinstance(visits, ibis.expr.types.Table)
    assert list(visits.columns) == list(SCHEMA.names)
    if "visits" in COLUMNS:
        assert list(visits.columns) == list(COLUMNS["visits"])
    assert visits.count().to_pyarrow().as_py() == len(rows)


# ---- the same numbers on Spark ----------------------------------------------------------------------

SAME_ON_BOTH = {
    "visits by day": lambda t: metrics.visits(t, "day"),
    "visits by week": lambda t: metrics.visits(t, "week"),
    "logins by year": lambda t: metrics.logins(t, "year"),
    "unique visitors by week": lambda t: metrics.unique_visitors(t, "week"),
    "per service": lambda t: metrics.per_service(t, "month", catalogue=CATALOGUE),
    "per kommune": lambda t: metrics.per_kommune(t, "month"),
    "per fylke": lambda t: metrics.per_fylke(t, GEOGRAPHY, "month"),
    "per age group": lambda t: metrics.per_age_group(t, "month"),
    "per device": lambda t: metrics.per_device(t, "month", period=("2021-05-15", "2021-07-31")),
    "per pilot and site": lambda t: metrics.per_pilot_and_site(t, "month"),
    "growth": lambda t: metrics.growth(metrics.per_device(t, "month"), by=["device"]),
    "monthly report": lambda t: report.monthly(t, catalogue=CATALOGUE),
}


@pytest.mark.parametrize("name", SAME_ON_BOTH)
def test_spark_gives_the_same_numbers_as_duckdb(duck, spark, name):
    on_duck, on_spark = (SAME_ON_BOTH[name](t).to_pandas() for t in (duck, spark))
    assert list(on_spark.columns) == list(on_duck.columns)
    assert records(on_spark, list(on_spark.columns)) == records(on_duck, list(on_duck.columns))


def test_both_engines_read_the_naive_local_times_as_the_same_wall_clock(duck, spark, rows):
    written = rows["start"].dt.strftime("%Y-%m-%d %H:%M:%S").tolist()
    for table in (duck, spark):
        read = table.select("visit_id", "start").order_by("visit_id").to_pandas()
        assert pd.to_datetime(read["start"]).dt.strftime("%Y-%m-%d %H:%M:%S").tolist() == written


def test_the_service_catalogue_is_the_spec_s_names_in_bit_order(tmp_path):
    (tmp_path / "visits.toml").write_text('[services]\nnames = ["forside", "timer", "innboks"]\npublic = ["forside"]\n')
    assert services(tmp_path) == ["forside", "timer", "innboks"]


def test_the_database_s_geography_puts_every_kommune_in_the_fylke_its_number_starts_with(tiny_db):
    geography = report.geography(tiny_db)
    assert len(geography) == geography["kommune_number"].nunique() > 0
    assert (geography["kommune_number"].str[:2] == geography["fylke_number"]).all()
    assert geography["fylke"].notna().all()


# ---- the report's faster forms give the same numbers ------------------------------------------------

def test_the_report_by_partition_columns_equals_the_report_by_start_on_both_engines(log, duck, spark):
    by_start = report.monthly(duck, period=("2021-01-01", "2021-06-30"), catalogue=CATALOGUE).to_pandas()
    columns = list(by_start.columns)
    for con in (backends.connect("duckdb"), spark._find_backend()):
        table = backends.read_visits(con, log, keep_partitions=True)
        by_folder = report.monthly(table, period=("2021-01-01", "2021-06-30"), catalogue=CATALOGUE).to_pandas()
        assert list(by_folder.columns) == columns
        assert records(by_folder, columns) == records(by_start, columns)


def test_distinct_visitors_are_exact_for_ids_far_apart_that_share_their_low_bits(tmp_path):
    ids = [7, 7 + 2**20, 7 + 2**21, 2**31 - 1, 7, 2**31 - 1, 8]
    frame = make_visits(rows=len(ids) + 3).iloc[:len(ids)].copy()
    frame["start"] = pd.date_range("2021-03-02", periods=len(ids), freq="h")
    frame["logged_in"] = True
    frame["citizen_id"] = pd.array(ids, dtype="Int32")
    write_log(frame, tmp_path / "helsekit.visits")
    table = backends.read_visits(backends.connect("duckdb"), tmp_path / "helsekit.visits", keep_partitions=True)
    got = report.monthly(table, catalogue=CATALOGUE).to_pandas()
    assert got["unique_visitors"].tolist() == [5]
    assert metrics.unique_visitors(table, "month").to_pandas()["unique_visitors"].tolist() == [5]
