"""Fixtures for the service tests: the default database as DataFrames, and a private copy to write to."""

from __future__ import annotations

import shutil

import pytest

import helsekit
from helsekit.storage.archive import archive_path


@pytest.fixture(scope="module")
def data(default_db):
    """The default database (seed 42) as DataFrames, for picking test subjects."""
    return helsekit.open(default_db)


@pytest.fixture()
def db(default_db, tmp_path):
    """A private copy of the default database, for tests that write. Services only read the history
    archive, so the copy links to the shared one."""
    target = tmp_path / "helsekit.db"
    shutil.copy(default_db, target)
    archive_path(str(target)).symlink_to(archive_path(default_db))
    return str(target)
