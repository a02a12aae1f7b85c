"""Fixtures of the unit tests (plain helpers shared by the widget tests are in widget_support.py)."""

from __future__ import annotations

import pytest

from helsekit.storage.sandbox import sandbox


@pytest.fixture()
def work(tiny_db, tmp_path) -> str:
    """A private sandbox copy of the session's tiny database, for tests that write."""
    return sandbox(tiny_db, tmp_path)
