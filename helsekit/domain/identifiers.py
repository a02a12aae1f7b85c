"""Synthetic identifiers for organisations, health personnel, Helsenett addresses and units.

Like person numbers, every identifier helsekit makes is recognisably synthetic, so it can
never be mistaken for, or collide with, a real one. These ranges are helsekit's own
modelling choices, not conventions of the registers:

* Organisasjonsnummer (Enhetsregisteret): 9 digits; the 9th is a mod-11 check digit with
  weights 3,2,7,6,5,4,3,2 on the first 8 (k = 11 − sum mod 11; 11 → 0; 10 means no number
  is issued with that stem). Real organisation numbers begin with 8 or 9; helsekit's begin
  with 3, a range Enhetsregisteret does not issue. They keep the check digit, so they pass
  ordinary format checks.
* HPR-nummer (Helsepersonellregisteret), HER-id (an address in Helsenettet's adresseregister)
  and RESH-id (an organisational unit in the reshregister): helsekit's are 10 digits, longer
  than any number those registers issue, beginning with 91 (HPR), 92 (HER-id) or 93 (RESH).
  They have no check digit.

Makers take a ``numpy.random.Generator`` and return unique strings in draw order. No I/O, no clock.
"""

from __future__ import annotations

import numpy as np

from helsekit.errors import InvalidIdentifier, InvalidOption

# Identifier OIDs (domain-facts §14.5), as used in FHIR identifier.system and KITH messages.
OID_FNR = "urn:oid:2.16.578.1.12.4.1.4.1"
OID_DNR = "urn:oid:2.16.578.1.12.4.1.4.2"
OID_HPR = "urn:oid:2.16.578.1.12.4.1.4.4"
OID_ORGANISATION_NUMBER = "urn:oid:2.16.578.1.12.4.1.4.101"  # ENH, Enhetsregisteret
OID_RESH = "urn:oid:2.16.578.1.12.4.1.4.102"
OID_HER_ID = "urn:oid:2.16.578.1.12.4.1.2"

ORGANISATION_NUMBER_WEIGHTS = np.array([3, 2, 7, 6, 5, 4, 3, 2], dtype=np.int64)
SYNTHETIC_ORGANISATION_PREFIX = "3"
# kind -> (field name, English plural, bokmål name, prefix); all 10 digits long.
_TEN_DIGIT_KINDS = {
    "hpr": ("hpr_number", "HPR-numre", "HPR-nummeret", "91"),
    "her": ("her_id", "HER-ids", "HER-id-en", "92"),
    "resh": ("resh_id", "RESH-ids", "RESH-id-en", "93"),
}
KINDS = ("hpr", "her", "resh", "organisation_number")
_MAX_ORGANISATION_NUMBERS = 9_000_000  # of the ~9.09 million valid numbers 3xxxxxxxk
_MAX_TEN_DIGIT = 50_000_000  # of the 100 million numbers per prefix


def _organisation_check_digits(stems: np.ndarray) -> np.ndarray:
    """Check digits for 8-digit stems; 10 where no valid organisation number exists."""
    digits = (stems[:, None] // 10 ** np.arange(7, -1, -1)) % 10
    k = 11 - (digits @ ORGANISATION_NUMBER_WEIGHTS) % 11
    return np.where(k == 11, 0, k)


def _draw_unique(n: int, low: int, high: int, rng: np.random.Generator, limit: int, keep=None) -> np.ndarray:
    """``n`` distinct integers from [low, high) in draw order, only those ``keep`` accepts."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or not 0 <= n <= limit:
        raise InvalidOption(
            f"n must be a whole number from 0 to {limit}, got {n!r}",
            f"Antallet må være et heltall fra 0 til {limit}, fikk {n!r}.",
            "n",
        )
    chosen = np.zeros(0, dtype=np.int64)
    while chosen.size < n:
        batch = rng.integers(low, high, size=2 * (n - chosen.size) + 16, dtype=np.int64)
        if keep is not None:
            batch = batch[keep(batch)]
        merged = np.concatenate([chosen, batch])
        _, first = np.unique(merged, return_index=True)
        chosen = merged[np.sort(first)][:n]  # first occurrences, in the order they were drawn
    return chosen


def make_organisation_numbers(n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` unique, valid, synthetic organisation numbers (9 digits, beginning with 3)."""
    stems = _draw_unique(n, 30_000_000, 40_000_000, rng, _MAX_ORGANISATION_NUMBERS,
                         keep=lambda s: _organisation_check_digits(s) != 10)
    return (stems * 10 + _organisation_check_digits(stems)).astype("U9")


def _make_ten_digit(kind: str, n: int, rng: np.random.Generator) -> np.ndarray:
    base = int(_TEN_DIGIT_KINDS[kind][3]) * 10**8
    return (base + _draw_unique(n, 0, 10**8, rng, _MAX_TEN_DIGIT)).astype("U10")


def make_hpr_numbers(n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` unique synthetic HPR-numre: 10 digits beginning with 91."""
    return _make_ten_digit("hpr", n, rng)


def make_her_ids(n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` unique synthetic HER-ids: 10 digits beginning with 92."""
    return _make_ten_digit("her", n, rng)


def make_resh_ids(n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` unique synthetic RESH-ids: 10 digits beginning with 93."""
    return _make_ten_digit("resh", n, rng)


def _is_digits(value: object) -> bool:
    return isinstance(value, str) and value.isascii() and value.isdigit()


def validate_organisation_number(value: str) -> str:
    """Return ``value`` if it is a valid synthetic organisation number, else raise InvalidIdentifier."""
    def fail(en: str, nb: str) -> InvalidIdentifier:
        return InvalidIdentifier(f"organisation_number {value!r} is invalid: {en}",
                                 f"Organisasjonsnummeret {value!r} er ugyldig: {nb}.", "organisation_number")

    if not _is_digits(value) or len(value) != 9:
        raise fail("must be exactly 9 digits, without spaces", "det må være nøyaktig 9 sifre, uten mellomrom")
    k = int(_organisation_check_digits(np.array([int(value[:8])]))[0])
    if k == 10 or k != int(value[8]):
        raise fail("the check digit is wrong (mod 11 with weights 3,2,7,6,5,4,3,2)",
                   "kontrollsifferet er feil (modulus 11 med vektene 3,2,7,6,5,4,3,2)")
    if not value.startswith(SYNTHETIC_ORGANISATION_PREFIX):
        raise fail("not in helsekit's synthetic range: real organisation numbers begin with 8 or 9, "
                   "helsekit's synthetic ones with 3",
                   "ikke i helsekits syntetiske serie: ekte organisasjonsnumre begynner med 8 eller 9, "
                   "helsekits syntetiske med 3")
    return value


def validate_identifier(kind: str, value: str) -> str:
    """Return ``value`` if it is a valid synthetic identifier of ``kind``, else raise InvalidIdentifier.

    ``kind`` is one of "hpr", "her", "resh", "organisation_number".
    """
    if kind == "organisation_number":
        return validate_organisation_number(value)
    if kind not in _TEN_DIGIT_KINDS:
        raise InvalidOption(f"kind must be one of {', '.join(KINDS)}, got {kind!r}",
                            f"Typen må være en av {', '.join(KINDS)}, fikk {kind!r}.", "kind")
    field, name_en, name_nb, prefix = _TEN_DIGIT_KINDS[kind]
    if not _is_digits(value):
        raise InvalidIdentifier(f"{field} {value!r} is invalid: must consist of digits only",
                                f"{name_nb} {value!r} er ugyldig: bare sifre er tillatt.", field)
    if len(value) != 10 or not value.startswith(prefix):
        raise InvalidIdentifier(
            f"{field} {value!r} is not in helsekit's synthetic range: synthetic {name_en} have "
            f"10 digits and begin with {prefix}, longer than any number the register issues",
            f"{name_nb} {value!r} er ikke i helsekits syntetiske serie: syntetiske numre har "
            f"10 sifre og begynner med {prefix}, lenger enn noe registeret deler ut.",
            field,
        )
    return value


def is_synthetic_organisation_number(value: str) -> bool:
    """True when ``value`` is a valid organisation number in helsekit's synthetic range."""
    return is_synthetic_identifier("organisation_number", value)


def is_synthetic_identifier(kind: str, value: str) -> bool:
    """True when ``value`` is a valid synthetic identifier of ``kind`` (unknown kinds still raise)."""
    try:
        validate_identifier(kind, value)
    except InvalidIdentifier:
        return False
    return True
