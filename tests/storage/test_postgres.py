"""Any SQLAlchemy URL works: the same generator and analyst API on PostgreSQL.

Runs when HELSEKIT_TEST_POSTGRES_URL names an empty database (.ci/run starts one); in CI a missing
server is a failure, not a skip.
"""

from __future__ import annotations

import os

import pytest

import helsekit
from helsekit.analytics.summary import summary_text
from helsekit.generator import generate_database
from helsekit.storage.database import content_digest

URL = os.environ.get("HELSEKIT_TEST_POSTGRES_URL")


@pytest.fixture(scope="module")
def postgres_url() -> str:
    if not URL:
        if os.environ.get("CI"):
            pytest.fail("HELSEKIT_TEST_POSTGRES_URL is not set: .ci/run should have started PostgreSQL")
        pytest.skip("set HELSEKIT_TEST_POSTGRES_URL to a PostgreSQL database to run these tests")
    return URL


def test_postgresql_gets_exactly_the_content_sqlite_gets_for_the_same_seed(postgres_url, tiny_db):
    generate_database("tiny", 42, postgres_url, progress=False)
    assert content_digest(postgres_url) == content_digest(tiny_db)


def test_the_analyst_api_and_summary_read_postgresql(postgres_url, tiny_db):
    generate_database("tiny", 42, postgres_url, progress=False)
    data = helsekit.open(postgres_url)
    assert len(data.citizens) == len(helsekit.open(tiny_db).citizens)
    assert "Syntetiske data" in summary_text(postgres_url)


def test_a_failed_write_to_postgresql_leaves_the_previous_content(postgres_url, monkeypatch):
    generate_database("tiny", 42, postgres_url, progress=False)
    before = content_digest(postgres_url)
    monkeypatch.setattr("helsekit.storage.database._insert_rows", lambda *args: (_ for _ in ()).throw(RuntimeError("connection lost")))
    with pytest.raises(RuntimeError):
        generate_database("tiny", 7, postgres_url, progress=False)
    assert content_digest(postgres_url) == before
