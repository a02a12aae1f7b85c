"""Names, addresses and contact details, drawn as whole columns from Faker's no_NO word lists.

Faker is used as a source of names only; no per-row Faker calls (they are ~100× slower, see
benchmarks/bench_generate.py).
"""

from __future__ import annotations

import numpy as np
from faker.providers.address.no_NO import Provider as AddressWords
from faker.providers.person.no_NO import Provider as NameWords

GIVEN_NAMES = {"M": np.array(NameWords.first_names_male), "F": np.array(NameWords.first_names_female)}
FAMILY_NAMES = np.array(NameWords.last_names)
STREET_SUFFIXES = np.array(AddressWords.street_suffixes)
# Invented place names for fictional organisations: a root and one of Faker's place-name endings.
PLACE_ROOTS = np.array([
    "Bjørke", "Lunde", "Sol", "Fure", "Grøn", "Linde", "Eike", "Ospe", "Myr", "Aske", "Bakke", "Fjell",
    "Elve", "Kvist", "Nord", "Sør", "Øst", "Vest", "Lyng", "Rogn", "Selje", "Hassel", "Stein", "Kleiv",
    "Hegg", "Brek", "Lia", "Holm", "Nes", "Sand", "Vika", "Berg", "Dal", "Fosse", "Mo", "Strand",
])
PLACE_ENDINGS = np.array(AddressWords.city_suffixes)
_ASCII = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "é": "e", "ü": "u", " ": "", "-": ""})


def given_names(sexes: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A given name per person, by sex."""
    names = np.empty(sexes.size, dtype=object)
    for sex, pool in GIVEN_NAMES.items():
        rows = np.flatnonzero(sexes == sex)
        names[rows] = pool[rng.integers(0, pool.size, rows.size)]
    return names


def family_names(n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` family names."""
    return FAMILY_NAMES[rng.integers(0, FAMILY_NAMES.size, n)].astype(object)


def street_addresses(n: int, rng: np.random.Generator) -> np.ndarray:
    """Fictional street addresses such as 'Hansenbakken 12' (the kommune they lie in is real)."""
    streets = np.char.add(FAMILY_NAMES[rng.integers(0, FAMILY_NAMES.size, n)], STREET_SUFFIXES[rng.integers(0, STREET_SUFFIXES.size, n)])
    numbers = rng.integers(1, 160, n).astype("U3")
    return np.char.add(np.char.add(streets, " "), numbers).astype(object)


def place_names(n: int, rng: np.random.Generator) -> np.ndarray:
    """Invented place names ('Bjørkevik') for fictional organisations."""
    roots = PLACE_ROOTS[rng.integers(0, PLACE_ROOTS.size, n)]
    endings = PLACE_ENDINGS[rng.integers(0, PLACE_ENDINGS.size, n)]
    return np.char.add(roots, endings)


def phones(n: int, rng: np.random.Generator) -> np.ndarray:
    """Mobile numbers that cannot ring anyone: Norwegian subscriber numbers never start with 0."""
    digits = np.char.zfill(rng.integers(0, 10_000_000, n).astype("U7"), 7)
    return np.char.add("+47 0", digits).astype(object)


def emails(given: np.ndarray, family: np.ndarray, serial: np.ndarray) -> np.ndarray:
    """Addresses under the reserved .test top-level domain (RFC 2606)."""
    local = np.char.add(np.char.add(np.char.lower(given.astype(str)), "."), np.char.lower(family.astype(str)))
    unique, inverse = np.unique(local, return_inverse=True)
    local = np.array([s.translate(_ASCII) for s in unique])[inverse]
    return np.char.add(np.char.add(local, serial.astype(str)), "@helsekit.test").astype(object)
