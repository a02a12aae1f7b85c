"""Open data (issue #7 point 4): `helsekit export open-data` writes indicators and waiting times as CSV and
JSON that validate against their own data dictionary (every column described, types and units hold,
suppressed cells empty), with the synthetic-data notice, and writes nothing half-way on error."""

from __future__ import annotations

import csv
import datetime as dt
import json
import math

import pytest

from helsekit.analytics import indicators, open_data
from helsekit.cli import main
from helsekit.generator import specs

PERIOD = "2024"
FILES = ("data_dictionary.json", "indicators.csv", "indicators.json", "waiting_times.csv", "waiting_times.json")


@pytest.fixture(scope="module")
def exported(tiny_db, tmp_path_factory):
    out = tmp_path_factory.mktemp("open") / "data"
    assert main(["export", "open-data", "--out", str(out), "--db", tiny_db, "--period", PERIOD]) == 0
    return out


def _csv_rows(path) -> tuple[list[str], list[dict]]:
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        return reader.fieldnames, list(reader)


def _holds(kind: str, text: str) -> bool:
    """Whether a non-empty CSV field is of the dictionary's type."""
    if kind == "integer":
        return text.lstrip("-").isdigit()
    if kind == "number":
        return math.isfinite(float(text))
    if kind == "boolean":
        return text in ("true", "false")
    if kind == "date":
        return dt.date.fromisoformat(text).isoformat() == text
    return kind == "string"


def test_the_export_writes_every_file_and_the_dictionary_carries_the_synthetic_data_notice(exported):
    assert sorted(p.name for p in exported.iterdir()) == sorted(FILES)
    dictionary = json.loads((exported / "data_dictionary.json").read_text(encoding="utf-8"))
    assert "Syntetiske data" in dictionary["notice"] and "Syntetiske data" in dictionary["title"]
    assert (dictionary["period_from"], dictionary["period_to"]) == ("2024-01-01", "2024-12-31")


@pytest.mark.parametrize("name", ["indicators", "waiting_times"])
def test_every_csv_column_is_described_and_every_value_has_its_described_type(exported, name):
    described = {c["name"]: c for c in json.loads((exported / "data_dictionary.json").read_text(encoding="utf-8"))["files"][f"{name}.csv"]["columns"]}
    header, rows = _csv_rows(exported / f"{name}.csv")
    assert header == list(described)
    assert all(c["definition"] and c["type"] in ("string", "integer", "number", "boolean", "date") for c in described.values())
    assert rows
    for row in rows:
        for column, text in row.items():
            assert text == "" or _holds(described[column]["type"], text), (name, column, text)


@pytest.mark.parametrize("name", ["indicators", "waiting_times"])
def test_the_json_holds_the_same_rows_as_the_csv_with_null_for_no_value(exported, name):
    _, rows = _csv_rows(exported / f"{name}.csv")
    records = json.loads((exported / f"{name}.json").read_text(encoding="utf-8"))
    assert len(records) == len(rows)
    for record, row in zip(records, rows):
        assert list(record) == list(row)
        for column, value in record.items():
            text = row[column]
            if value is None:
                assert text == ""
            elif isinstance(value, bool):
                assert text == str(value).lower()
            elif isinstance(value, (int, float)):
                assert float(text) == pytest.approx(value)
            else:
                assert text == value


def test_suppressed_and_empty_cells_show_no_value_and_say_why(exported):
    threshold = int(specs.load("indicators")["suppression"]["min_denominator"])
    _, rows = _csv_rows(exported / "indicators.csv")
    for row in rows:
        denominator = int(row["denominator"])
        hidden = 0 < denominator < threshold
        assert (row["suppressed"] == "true") == hidden
        if denominator < threshold:
            assert row["value"] == row["numerator"] == row["low"] == row["high"] == row["goal_level"] == ""
            assert row["reason"] == (indicators.NO_DATA if denominator == 0 else f"færre enn {threshold} tilfeller")
    assert any(r["suppressed"] == "true" for r in rows) and any(r["reason"] == indicators.NO_DATA for r in rows)
    _, waits = _csv_rows(exported / "waiting_times.csv")
    min_cases = int(specs.load("treatment_sites")["waiting"]["min_cases"])
    for row in waits:
        started = int(row["started"])
        assert (row["expected_weeks"] == "") == (started < min_cases)
        assert (row["reason"] == indicators.NO_DATA) == (started == 0)


def test_indicators_cover_every_catalogue_indicator_and_each_of_its_breakdowns(exported):
    _, rows = _csv_rows(exported / "indicators.csv")
    pairs = {(r["indicator_id"], r["breakdown"]) for r in rows}
    assert pairs == {(i.id, b) for i in indicators.catalogue().values() for b in i.breakdowns}
    national = [r for r in rows if r["breakdown"] == "national"]
    assert len(national) == len(indicators.catalogue())


def test_waiting_times_list_every_treatment_at_the_hospitals_offering_it(exported, tiny_db):
    _, rows = _csv_rows(exported / "waiting_times.csv")
    treatments = {t["id"]: t["offered_at"] for t in specs.load("treatments")["treatment"]}
    per_treatment = {}
    for row in rows:
        per_treatment.setdefault(row["treatment_id"], set()).add(int(row["hospital_id"]))
    assert set(per_treatment) == set(treatments)
    everywhere = per_treatment["koloskopi"]
    assert per_treatment["fedmekirurgi"] < per_treatment["hofteprotese"] < everywhere  # region ⊂ hf ⊂ alle
    assert len(per_treatment["fedmekirurgi"]) == 4  # one regional hospital per RHF


def test_waiting_time_counts_are_the_referrals_whose_care_started_in_the_period(exported, tiny_db):
    import helsekit

    r = helsekit.open(tiny_db).referrals
    started = r[(r["start_of_care"] >= "2024-01-01") & (r["start_of_care"] <= "2024-12-31")]
    _, rows = _csv_rows(exported / "waiting_times.csv")
    assert sum(int(row["started"]) for row in rows) == len(started.dropna(subset=["hospital_id"]))


@pytest.mark.parametrize("period", ["2024-T4", "1999", "2031-H1"])
def test_a_bad_period_or_one_outside_the_histories_is_refused_with_exit_2_and_nothing_is_written(tiny_db, tmp_path, capsys, period):
    out = tmp_path / "never"
    assert main(["export", "open-data", "--out", str(out), "--db", tiny_db, "--period", period]) == 2
    assert capsys.readouterr().err.startswith("error: period")
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_an_error_while_writing_leaves_the_earlier_files_whole_and_no_staging_folder(tmp_path, monkeypatch):
    out = tmp_path / "data"
    open_data.write_atomically(out, {"a.csv": "old a\n", "b.csv": "old b\n"})
    real = type(out).write_text
    calls = []

    def failing(self, text, encoding=None):
        calls.append(self.name)
        if len(calls) == 2:
            raise OSError("disk full")
        return real(self, text, encoding=encoding)

    monkeypatch.setattr(type(out), "write_text", failing)
    with pytest.raises(OSError):
        open_data.write_atomically(out, {"a.csv": "new a\n", "b.csv": "new b\n"})
    monkeypatch.undo()
    assert (out / "a.csv").read_text() == "old a\n" and (out / "b.csv").read_text() == "old b\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]
