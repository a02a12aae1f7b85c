"""The CLI: clear one-line errors with exit code 2, and nothing half-written."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from helsekit.cli import build_parser, main

ROOT = Path(__file__).resolve().parents[2]


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "helsekit.cli", *args], capture_output=True, text=True, cwd=ROOT)


def test_generate_writes_the_database_and_prints_the_summary(tmp_path):
    target = tmp_path / "out.db"
    stale = tmp_path / "out.derived" / "waits_by_treatment-0000000000000000.parquet"
    stale.parent.mkdir()
    stale.write_bytes(b"left by an earlier database at the same place")
    result = run_cli("generate", "--profile", "tiny", "--db", str(target), "--quiet", "--summary")
    assert result.returncode == 0, result.stderr
    assert target.is_file()
    assert "Syntetiske data" in result.stdout
    assert re.search(r"\b200 citizens\b", result.stdout)
    # Velg behandlingssted's figures are stored beside the new database, and nothing of the old one is kept
    stored = sorted(p.name.split("-")[0] for p in stale.parent.glob("*.parquet"))
    assert stored == ["site_indicators", "waits_by_sector", "waits_by_treatment"]


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["generate", "--profile", "atlantis"], "profile 'atlantis' is unknown"),
        (["generate", "--seed", "-1"], "seed must be a whole number"),
        (["generate", "--seed", "forty-two"], "--seed: invalid int value"),
        (["generate", "--chunk-size", "0"], "chunk_size must be a whole number"),
        (["person-number", "check", "31129956715"], "is not synthetic"),
        (["person-number", "check", "12345"], "must be exactly 11 digits"),
        (["person-number", "make", "--birth-date", "1700-01-01", "--sex", "F"], "birth_date must lie in 1854–2039"),
    ],
)
def test_bad_input_is_a_one_line_error_naming_the_field_with_exit_code_2(tmp_path, args, field):
    target = tmp_path / "never.db"
    if args[0] == "generate":
        args = [*args, "--db", str(target), "--quiet"]
    result = run_cli(*args)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and field in lines[0]
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


def test_an_unwritable_database_path_is_refused_before_any_work(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = run_cli("generate", "--profile", "tiny", "--db", str(blocker / "x.db"), "--quiet")
    assert result.returncode == 2
    assert result.stderr.strip() == f"error: db: cannot write {blocker / 'x.db'}: the folder {blocker} does not exist"


def test_summary_of_a_missing_database_says_how_to_make_one(tmp_path):
    result = run_cli("summary", "--db", str(tmp_path / "missing.db"))
    assert result.returncode == 2
    assert "make demo" in result.stderr


def test_person_number_check_decodes_a_synthetic_number(capsys):
    assert main(["person-number", "check", "29822099635"]) == 0
    assert capsys.readouterr().out.split() == ["29822099635", "synthetic", "FNR", "born", "2020-02-29", "sex", "F"]


def test_person_number_make_gives_numbers_that_decode_to_the_request(capsys):
    from helsekit.domain import person_numbers

    assert main(["person-number", "make", "--birth-date", "1990-05-17", "--sex", "F", "--kind", "DNR", "--count", "5"]) == 0
    numbers = capsys.readouterr().out.split()
    assert len(set(numbers)) == 5
    for n in numbers:
        decoded = person_numbers.decode(n)
        assert (str(decoded.birth_date), decoded.sex.value, decoded.kind.value) == ("1990-05-17", "F", "DNR")


def _commands(parser, prefix=""):
    for action in parser._subparsers._group_actions if parser._subparsers else []:
        for name, sub in action.choices.items():
            yield f"{prefix}{name}"
            yield from _commands(sub, f"{prefix}{name} ")


def test_every_cli_command_is_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text()
    for command in _commands(build_parser()):
        assert f"helsekit {command}" in readme, f"README does not document `helsekit {command}`"


def test_the_summary_counts_only_current_list_relations_as_listed(tiny_db):
    from helsekit.analytics.summary import summary_text

    line = next(line for line in summary_text(tiny_db).splitlines() if line.startswith("Fastlege:"))
    share = float(line.split("Fastlege: ")[1].split("%")[0])
    assert 95 <= share <= 100
