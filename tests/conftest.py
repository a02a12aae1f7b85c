"""Shared fixtures: generated databases are made once per test session, in a temporary folder."""

from __future__ import annotations

import pytest

from helsekit.generator import generate_database


@pytest.fixture(scope="session")
def tiny_db(tmp_path_factory) -> str:
    """A `tiny` profile database (seed 42)."""
    path = tmp_path_factory.mktemp("tiny") / "helsekit.db"
    generate_database("tiny", 42, str(path), progress=False)
    return str(path)


@pytest.fixture(scope="session")
def default_db(tmp_path_factory) -> str:
    """A `default` profile database (seed 42), for distribution checks."""
    path = tmp_path_factory.mktemp("default") / "helsekit.db"
    generate_database("default", 42, str(path), progress=False)
    return str(path)
