"""One master seed, independent named child streams (numpy SeedSequence).

Each part of the generator draws from its own stream, named after what it generates, so adding
draws to one part never shifts another, and results do not depend on chunking or ordering of work.
"""

from __future__ import annotations

import zlib

import numpy as np

from helsekit.errors import InvalidOption

MAX_SEED = 2**63 - 1


def check_seed(seed: object) -> int:
    """The seed as an int, or a clear error naming the field."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= int(seed) <= MAX_SEED:
        raise InvalidOption(
            f"seed must be a whole number from 0 to {MAX_SEED}, got {seed!r}",
            f"Frøet (seed) må være et heltall fra 0 til {MAX_SEED}, fikk {seed!r}.",
            "seed",
        )
    return int(seed)


class Streams:
    """Named random generators derived from one master seed."""

    def __init__(self, seed: int) -> None:
        self.seed = check_seed(seed)

    def rng(self, name: str) -> np.random.Generator:
        """The generator for ``name``: the same name and seed always give the same stream."""
        key = zlib.crc32(name.encode("utf-8"))
        return np.random.default_rng(np.random.SeedSequence(self.seed, spawn_key=(key,)))
