"""Notebook regression harness: every notebook under notebooks/ and pilots/ must run, and stored outputs must hold.

* Every ``*.ipynb`` below ``notebooks/`` and ``pilots/`` (not ``.ipynb_checkpoints``) is found when the tests
  are collected, so a new notebook is tested without editing this file.
* ``test_notebook_runs_with_papermill``: each notebook runs top to bottom with papermill in the venv's ``python3``
  kernel, in its own folder, on the ``tiny`` database (``db`` is injected after a cell tagged ``parameters``;
  a notebook without one just runs as stored). The executed copy goes to ``reports/output/executed/<path>``,
  outside pytest's ``testpaths``, so it is never collected.
* ``test_stored_outputs_still_match``: notebooks whose metadata says ``"helsekit": {"nbval": true}`` keep their
  outputs in git; ``pytest --nbval-lax`` re-runs them and compares the cells marked ``# NBVAL_CHECK_OUTPUT``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import papermill
import pytest
from papermill.exceptions import PapermillExecutionError

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK_DIRS = ("notebooks", "pilots")
EXECUTED_DIR = ROOT / "reports" / "output" / "executed"
SANITIZE_CFG = Path(__file__).with_name("nbval_sanitize.cfg")
KERNEL_NAME = "python3"
CELL_TIMEOUT_S = 300

pytestmark = pytest.mark.slow


def discover_notebooks() -> list[Path]:
    """Every notebook below notebooks/ and pilots/, relative to the checkout, in a stable order."""
    found = (path for folder in NOTEBOOK_DIRS for path in (ROOT / folder).rglob("*.ipynb"))
    return sorted(path.relative_to(ROOT) for path in found if ".ipynb_checkpoints" not in path.parts)


def wants_nbval(notebook: Path) -> bool:
    """True when the notebook's metadata asks for its stored outputs to be checked (helsekit.nbval)."""
    metadata = json.loads((ROOT / notebook).read_text(encoding="utf-8")).get("metadata", {})
    return bool(metadata.get("helsekit", {}).get("nbval", False))


def params(notebooks: list[Path]) -> list:
    return [pytest.param(notebook, id=notebook.as_posix()) for notebook in notebooks]


NOTEBOOKS = discover_notebooks()
NBVAL_NOTEBOOKS = [notebook for notebook in NOTEBOOKS if wants_nbval(notebook)]


def run_with_papermill(source: Path, executed: Path, parameters: dict) -> None:
    """Execute ``source`` in its own folder with papermill, writing the executed copy to ``executed``.

    A failing cell fails the calling test with papermill's error (cell, exception and traceback).
    """
    executed.parent.mkdir(parents=True, exist_ok=True)
    try:
        papermill.execute_notebook(
            str(source), str(executed), parameters=parameters, kernel_name=KERNEL_NAME, cwd=str(source.parent),
            execution_timeout=CELL_TIMEOUT_S, progress_bar=False, log_output=False,
        )
    except PapermillExecutionError as error:
        pytest.fail(f"{source} failed; executed copy with the error: {executed}\n{error}", pytrace=False)


@pytest.mark.parametrize("notebook", params(NOTEBOOKS))
def test_notebook_runs_with_papermill(notebook: Path, tiny_db: str) -> None:
    run_with_papermill(ROOT / notebook, EXECUTED_DIR / notebook, {"db": tiny_db})
    assert (EXECUTED_DIR / notebook).is_file()


@pytest.mark.parametrize("notebook", params(NBVAL_NOTEBOOKS))
def test_stored_outputs_still_match(notebook: Path) -> None:
    command = [sys.executable, "-m", "pytest", "--nbval-lax", str(notebook), "-p", "no:cacheprovider", "-q"]
    if SANITIZE_CFG.is_file():
        command += ["--nbval-sanitize-with", str(SANITIZE_CFG.relative_to(ROOT))]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=10 * CELL_TIMEOUT_S)
    assert result.returncode == 0, (
        f"stored outputs of {notebook} no longer match (re-run it and review the diff):\n"
        f"$ {' '.join(command)}\n{result.stdout}\n{result.stderr}"
    )


def test_the_harness_finds_the_tutorials_and_skips_checkpoints() -> None:
    paths = [notebook.as_posix() for notebook in NOTEBOOKS]
    assert {"notebooks/01_analyst_tutorial.ipynb", "notebooks/02_person_numbers.ipynb"} <= set(paths)
    assert not any(".ipynb_checkpoints" in path for path in paths)
    assert "notebooks/02_person_numbers.ipynb" in [notebook.as_posix() for notebook in NBVAL_NOTEBOOKS]


def test_a_failing_cell_fails_the_harness(tmp_path: Path) -> None:
    broken = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell("1 / 0")],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    )
    nbformat.write(broken, tmp_path / "broken.ipynb")
    with pytest.raises(pytest.fail.Exception, match="ZeroDivisionError"):
        run_with_papermill(tmp_path / "broken.ipynb", tmp_path / "executed" / "broken.ipynb", {})
    assert (tmp_path / "executed" / "broken.ipynb").is_file()  # the executed copy shows the error


def test_stored_notebooks_keep_no_outputs_unless_nbval_checks_them() -> None:
    for notebook in NOTEBOOKS:
        if notebook in NBVAL_NOTEBOOKS:
            continue
        cells = nbformat.read(ROOT / notebook, as_version=4).cells
        assert not any(cell.get("outputs") for cell in cells), f"{notebook}: clear its outputs before committing"
