"""Bad input through the Python API: a helsekit error naming the field, and nothing written."""

from __future__ import annotations

import pytest

import helsekit
from helsekit.errors import DatabaseError, HelsekitError, InvalidOption
from helsekit.generator import generate_database


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"profile": "atlantis"}, "profile"),
        ({"seed": -5}, "seed"),
        ({"seed": "42"}, "seed"),
        ({"seed": 1.5}, "seed"),
        ({"chunk_size": 0}, "chunk_size"),
    ],
)
def test_bad_generator_options_name_their_field_and_write_nothing(tmp_path, kwargs, field):
    target = tmp_path / "never.db"
    with pytest.raises(InvalidOption) as raised:
        generate_database(db=str(target), progress=False, **{"profile": "tiny", **kwargs})
    assert raised.value.field == field
    assert field in raised.value.message_en and raised.value.message_nb
    assert list(tmp_path.iterdir()) == []


def test_a_database_in_a_missing_folder_is_refused_naming_the_path(tmp_path):
    with pytest.raises(DatabaseError) as raised:
        generate_database("tiny", db=str(tmp_path / "no" / "such" / "x.db"), progress=False)
    assert raised.value.field == "db" and "does not exist" in raised.value.message_en


def test_opening_a_missing_database_says_how_to_make_one(tmp_path):
    with pytest.raises(DatabaseError, match="make demo"):
        helsekit.open(str(tmp_path / "missing.db"))


def test_opening_a_file_that_is_not_a_helsekit_database_says_so(tmp_path):
    import sqlite3

    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    with pytest.raises(DatabaseError, match="not a helsekit database"):
        helsekit.open(str(other))


def test_every_helsekit_error_has_an_english_and_a_bokmal_message():
    for cls in HelsekitError.__subclasses__():
        assert cls.__doc__
    error = InvalidOption("seed must be …", "Frøet må …", "seed")
    assert str(error) == "seed must be …" and error.message_nb == "Frøet må …"
