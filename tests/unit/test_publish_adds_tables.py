"""A demo database generated before a service's own table existed gets that table, empty, when the pilots are
published, instead of a pilot failing on first use; nothing else in the database changes."""

from __future__ import annotations

import sqlalchemy as sa

from helsekit.domain.site_changes import ONE_OPEN_PER_REFERRAL
from helsekit.serve import publish
from helsekit.storage.database import content_digest, engine_for


def test_publishing_adds_a_missing_service_table_with_its_index_and_changes_nothing_else(work, tmp_path):
    engine = engine_for(work)
    with engine.begin() as connection:
        connection.execute(sa.text("drop table site_change_request"))
    present = sa.inspect(engine).get_table_names()
    before = content_digest(work, present)
    published = publish(work, target=tmp_path / "published")
    assert published.added_tables == ["site_change_request"]
    inspector = sa.inspect(engine_for(work))
    assert inspector.has_table("site_change_request")
    assert ONE_OPEN_PER_REFERRAL in {index["name"] for index in inspector.get_indexes("site_change_request")}
    assert content_digest(work, present) == before  # nothing else was touched
    assert publish(work, target=tmp_path / "again").added_tables == []
