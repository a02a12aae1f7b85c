"""Smoke test: the benchmark script runs. Timings are machine-dependent and never asserted."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_benchmark_script_runs_quickly_without_norway():
    result = subprocess.run(
        [sys.executable, "benchmarks/bench_generate.py", "--skip-norway", "--baseline-rows", "50"],
        cwd=REPO, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "citizens/s" in result.stdout
    assert "Syntetiske data" in result.stdout


@pytest.mark.slow
def test_services_benchmark_runs_on_a_given_default_database(default_db):
    result = subprocess.run(
        [sys.executable, "benchmarks/bench_services.py", "--db-default", default_db, "--skip-norway",
         "--citizens", "40", "--baseline-citizens", "5"],
        cwd=REPO, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "overview(session" in result.stdout and "calls/s" in result.stdout
    assert "Syntetiske data" in result.stdout
