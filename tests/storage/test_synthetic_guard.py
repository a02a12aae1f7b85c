"""Storage refuses any person or organisation number that is not synthetic, and writes all or nothing."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
import sqlalchemy as sa
from sqlmodel import Session, SQLModel, create_engine

from helsekit.domain import Citizen, Household, Kommune, Fylke
from helsekit.errors import InvalidIdentifier, NotSyntheticPersonNumber
from helsekit.generator import generate_database, run
from helsekit.storage import database

REAL_FORMAT_NUMBER = "31129956715"  # valid check digits, month 12: the shape of a real person's number (§1.3)
SYNTHETIC_NUMBER = "17912099997"  # Tenor example (§1.9)


@pytest.fixture
def engine(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'orm.db'}")
    SQLModel.metadata.create_all(engine)
    return engine


def _citizen(number: str) -> Citizen:
    return Citizen(id=1, person_number=number, person_number_kind="FNR", given_name="Kari", family_name="Nordmann",
                   birth_date=dt.date(2020, 11, 17), sex="M", household_id=1, kommune_number="0301")


def test_the_orm_refuses_a_real_persons_number_and_stores_nothing(engine):
    with Session(engine) as session:
        session.add(_citizen(REAL_FORMAT_NUMBER))
        with pytest.raises(NotSyntheticPersonNumber):
            session.commit()
    with Session(engine) as session:
        assert session.exec(sa.select(sa.func.count()).select_from(Citizen)).one()[0] == 0


def test_the_orm_accepts_a_synthetic_number(engine):
    with Session(engine) as session:
        session.add(Fylke(number="03", name="Oslo", region="Sør-Øst"))
        session.add(Kommune(number="0301", name="Oslo", fylke_number="03", population_target=1, latitude=59.9, longitude=10.7))
        session.add(Household(id=1, kind="one_person", street_address="Testveien 1", kommune_number="0301", size=1))
        session.add(_citizen(SYNTHETIC_NUMBER))
        session.commit()


def test_the_database_itself_refuses_a_non_synthetic_month_even_in_raw_sql(engine):
    with engine.begin() as conn, pytest.raises(sa.exc.IntegrityError):
        conn.execute(sa.text(
            "INSERT INTO citizen (id, person_number, person_number_kind, given_name, family_name, birth_date, sex, "
            "household_id, kommune_number, address_protection) VALUES (1, :n, 'FNR', 'A', 'B', '1999-12-31', 'M', 1, '0301', 'none')"
        ), {"n": REAL_FORMAT_NUMBER})


def test_a_bulk_write_with_one_real_number_writes_nothing_and_keeps_the_old_database(tmp_path, tiny_db):
    target = tmp_path / "kept.db"
    generate_database("tiny", 42, str(target), progress=False)
    before = database.content_digest(str(target))
    world = run.generate("tiny", 1)
    numbers = world.tables["citizen"]["person_number"].to_numpy(zero_copy_only=False).copy()
    numbers[5] = REAL_FORMAT_NUMBER
    world.tables["citizen"]["person_number"] = numbers
    with pytest.raises(NotSyntheticPersonNumber):
        database.write_tables(str(target), world.tables, {"profile": "tiny"})
    assert database.content_digest(str(target)) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept.db", "kept.histories"]


def test_a_real_organisation_number_is_refused(tmp_path):
    world = run.generate("tiny", 1)
    world.tables["organisation"]["organisation_number"] = np.array(["974760673"] * world.rows("organisation"), dtype=object)
    with pytest.raises(InvalidIdentifier):
        database.write_tables(str(tmp_path / "x.db"), world.tables, {})
    assert not (tmp_path / "x.db").exists()


def test_a_generation_that_fails_halfway_leaves_the_existing_database_untouched(tmp_path, monkeypatch):
    target = tmp_path / "kept.db"
    generate_database("tiny", 42, str(target), progress=False)
    before = database.content_digest(str(target))

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("helsekit.generator.gp_lists.build", broken)
    with pytest.raises(RuntimeError):
        generate_database("tiny", 99, str(target), progress=False)
    assert database.content_digest(str(target)) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept.db", "kept.histories"]


def test_a_failed_generation_leaves_the_history_archive_as_it_was(tmp_path, monkeypatch):
    target = tmp_path / "kept.db"
    generate_database("tiny", 42, str(target), progress=False)
    before = sorted((p.relative_to(tmp_path), p.stat().st_size) for p in (tmp_path / "kept.histories").rglob("*.parquet"))
    monkeypatch.setattr("helsekit.generator.histories._copayment_tables", lambda *a: (_ for _ in ()).throw(RuntimeError("full disk")))
    with pytest.raises(RuntimeError):
        generate_database("tiny", 5, str(target), progress=False)
    after = sorted((p.relative_to(tmp_path), p.stat().st_size) for p in (tmp_path / "kept.histories").rglob("*.parquet"))
    assert after == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept.db", "kept.histories"]
