"""Every column an analyst sees is documented in ``describe()``, and nothing documented is missing."""

from __future__ import annotations

import pytest

import helsekit
from helsekit.analytics.columns import COLUMNS


@pytest.fixture(scope="module")
def data(tiny_db):
    return helsekit.open(tiny_db)


#: The visit log is a lazy table over Parquet made by `helsekit generate-visits`, which the tiny database
#: lacks: its columns are checked against the written files in tests/generator/test_visits.py.
@pytest.mark.parametrize("frame", sorted(set(COLUMNS) - {"visits"}))
def test_every_column_of_the_dataframe_is_documented_and_every_documented_column_exists(data, frame):
    assert list(getattr(data, frame).columns) == list(COLUMNS[frame])


@pytest.mark.parametrize("frame", ["register", "deceased"])
def test_the_register_and_the_deceased_have_the_citizens_columns(data, frame):
    assert list(getattr(data, frame).columns) == list(COLUMNS["citizens"])
