"""Names, addresses and contact details, drawn as whole columns from Faker's no_NO word lists.

Faker is used as a source of names only; no per-row Faker calls (they are far slower, see
benchmarks/bench_generate.py). Names are drawn as codes into the word lists; strings are built
with Arrow compute kernels, never row by row in Python.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from faker.providers.address.no_NO import Provider as AddressWords
from faker.providers.person.no_NO import Provider as NameWords

MALE_NAMES = np.array(NameWords.first_names_male)
FEMALE_NAMES = np.array(NameWords.first_names_female)
#: Given-name codes index this list: men's names first, then women's.
GIVEN_NAMES = np.concatenate([MALE_NAMES, FEMALE_NAMES])
FAMILY_NAMES = np.array(NameWords.last_names)
STREET_SUFFIXES = np.array(AddressWords.street_suffixes)
# Invented place names for fictional organisations: a root and one of Faker's place-name endings.
PLACE_ROOTS = np.array([
    "Bjørke", "Lunde", "Sol", "Fure", "Grøn", "Linde", "Eike", "Ospe", "Myr", "Aske", "Bakke", "Fjell",
    "Elve", "Kvist", "Nord", "Sør", "Øst", "Vest", "Lyng", "Rogn", "Selje", "Hassel", "Stein", "Kleiv",
    "Hegg", "Brek", "Lia", "Holm", "Nes", "Sand", "Vika", "Berg", "Dal", "Fosse", "Mo", "Strand",
])
PLACE_ENDINGS = np.array(AddressWords.city_suffixes)
EMAIL_DOMAIN = "@helsekit.test"  # RFC 2606 reserves .test: no mail can reach anyone
_ASCII = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "é": "e", "ü": "u", " ": "", "-": ""})


def words(vocabulary: np.ndarray, codes: np.ndarray) -> pa.Array:
    """The strings for ``codes`` into ``vocabulary``, as an Arrow array."""
    return pa.array(vocabulary.tolist(), type=pa.string()).take(pa.array(codes))


def given_name_codes(sexes: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A given-name code (into :data:`GIVEN_NAMES`) per person, by sex."""
    male = sexes == "M"
    codes = rng.integers(0, FEMALE_NAMES.size, sexes.size) + MALE_NAMES.size
    codes[male] = rng.integers(0, MALE_NAMES.size, int(male.sum()))
    return codes


def family_name_codes(n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` family-name codes (into :data:`FAMILY_NAMES`)."""
    return rng.integers(0, FAMILY_NAMES.size, n)


def street_addresses(n: int, rng: np.random.Generator) -> pa.Array:
    """Fictional street addresses such as 'Hansenbakken 12' (the kommune they lie in is real)."""
    street = pc.binary_join_element_wise(
        words(FAMILY_NAMES, rng.integers(0, FAMILY_NAMES.size, n)),
        words(STREET_SUFFIXES, rng.integers(0, STREET_SUFFIXES.size, n)),
        "",
    )
    return pc.binary_join_element_wise(street, pa.array(rng.integers(1, 160, n)).cast(pa.string()), " ")


def place_names(n: int, rng: np.random.Generator) -> np.ndarray:
    """Invented place names ('Bjørkevik') for fictional organisations."""
    roots = PLACE_ROOTS[rng.integers(0, PLACE_ROOTS.size, n)]
    endings = PLACE_ENDINGS[rng.integers(0, PLACE_ENDINGS.size, n)]
    return np.char.add(roots, endings)


def phones(n: int, rng: np.random.Generator) -> pa.Array:
    """Mobile numbers that cannot ring anyone: Norwegian subscriber numbers never start with 0."""
    digits = pc.utf8_lpad(pa.array(rng.integers(0, 10_000_000, n)).cast(pa.string()), 7, "0")
    return pc.binary_join_element_wise("+47 0", digits, "")


def emails(given: np.ndarray, family: np.ndarray, serial: np.ndarray) -> pa.Array:
    """'fornavn.etternavn<serial>@helsekit.test' from name codes, ASCII-folded and lower-case."""
    pair = given.astype(np.int64) * FAMILY_NAMES.size + family
    unique, inverse = np.unique(pair, return_inverse=True)
    local = np.array([
        f"{GIVEN_NAMES[p // FAMILY_NAMES.size]}.{FAMILY_NAMES[p % FAMILY_NAMES.size]}".lower().translate(_ASCII) for p in unique
    ])
    return pc.binary_join_element_wise(words(local, inverse), pa.array(serial).cast(pa.string()), EMAIL_DOMAIN, "")
