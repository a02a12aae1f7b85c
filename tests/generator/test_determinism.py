"""One seed, reproducible to the byte: the same profile and seed give the same content."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np

from helsekit.generator import generate_database
from helsekit.generator.streams import Streams
from helsekit.storage.database import content_digest


def test_same_seed_gives_identical_content_whatever_the_chunk_size(tmp_path, tiny_db):
    other = tmp_path / "chunked.db"
    generate_database("tiny", 42, str(other), chunk_size=7, progress=False)
    assert content_digest(str(other)) == content_digest(tiny_db)


def test_a_different_seed_gives_different_content(tmp_path, tiny_db):
    other = tmp_path / "seed43.db"
    generate_database("tiny", 43, str(other), progress=False)
    assert content_digest(str(other)) != content_digest(tiny_db)


def test_content_does_not_depend_on_the_process_or_its_hash_seed(tmp_path, tiny_db):
    target = tmp_path / "cli.db"
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    subprocess.run([sys.executable, "-m", "helsekit.cli", "generate", "--profile", "tiny", "--seed", "42",
                    "--db", str(target), "--quiet"], check=True, env=env, capture_output=True)
    assert content_digest(str(target)) == content_digest(tiny_db)


def test_named_streams_are_independent_of_each_other_and_of_use_order():
    first = Streams(7)
    a1 = first.rng("a").random(5)
    second = Streams(7)
    second.rng("b").random(1000)
    assert np.array_equal(second.rng("a").random(5), a1)
    assert not np.array_equal(Streams(7).rng("b").random(5), a1)
