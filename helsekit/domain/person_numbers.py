"""Norwegian person numbers (fødselsnummer and D-nummer), synthetic by construction.

One codec: :func:`make` / :func:`make_many` create numbers, :func:`validate` checks one,
:func:`decode` reads birth date, sex and kind back, and :func:`check_synthetic_many`
checks a whole column at once (used by storage to refuse anything that is not synthetic).

The rules, from domain-facts §1:

* 11 digits: DDMMYY, a 3-digit individnummer, two check digits k1 and k2 (§1.1).
* The third individ digit (position 9) is odd for men and even for women (§1.1).
* The individnummer range tells the century (§1.2): 1854–1899 use 500–749,
  1900–1999 use 000–499, 1940–1999 also 900–999, 2000–2039 use 500–999.
* k1 weights 3,7,6,1,8,9,4,5,2; k2 weights 5,4,3,2,7,6,5,4,3,2; k = 11 − (sum mod 11),
  11 becomes 0 and 10 makes the number invalid (§1.3).
* D-nummer: 40 is added to the day, so the first digit is 4–7 (§1.4).
* Synthetic numbers follow Skatteetaten's Tenor / Test-Norge convention: 80 is added to
  the month, so the third digit is 8 or 9 (§1.8). No real person's number has that, so a
  helsekit database that only accepts such numbers can never hold a real identity.
  NAV Dolly's +40 month is *not* accepted: it is the same encoding as the H-nummer (§1.5, §1.8).
* From 2032 k1 may also use remainders 1–3 (§1.10); :func:`validate` accepts both algorithms.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import Enum

import numpy as np

from helsekit.errors import InvalidPersonNumber, NotSyntheticPersonNumber

K1_WEIGHTS = np.array([3, 7, 6, 1, 8, 9, 4, 5, 2], dtype=np.int64)  # §1.3
K2_WEIGHTS = np.array([5, 4, 3, 2, 7, 6, 5, 4, 3, 2], dtype=np.int64)  # §1.3
SYNTHETIC_MONTH_OFFSET = 80  # Tenor / Test-Norge, §1.8
D_NUMBER_DAY_OFFSET = 40  # §1.4

# (first birth year, last birth year, lowest individnummer, highest individnummer), §1.2
INDIVIDNUMMER_SERIES: tuple[tuple[int, int, int, int], ...] = (
    (1854, 1899, 500, 749),
    (1900, 1999, 0, 499),
    (1940, 1999, 900, 999),
    (2000, 2039, 500, 999),
)


class Kind(str, Enum):
    """Which kind of person number (kodeverk 8327 codes, §1.7)."""

    FNR = "FNR"
    DNR = "DNR"


class Sex(str, Enum):
    """Sex as the individnummer encodes it (§1.1)."""

    MALE = "M"
    FEMALE = "F"


@dataclass(frozen=True)
class DecodedPersonNumber:
    """What a person number says about its holder."""

    number: str
    birth_date: dt.date
    sex: Sex
    kind: Kind
    synthetic: bool
    check_algorithm: str  # "classic" (before 2032) or "2032" (§1.10)


def _digits(number: str) -> np.ndarray:
    return np.frombuffer(number.encode("ascii"), dtype=np.uint8).astype(np.int64) - 48


def _check_digit(digits: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """k = 11 − (Σ wᵢdᵢ mod 11), 11 → 0; 10 means 'no valid check digit' (§1.3)."""
    k = 11 - (digits @ weights) % 11
    return np.where(k == 11, 0, k)


def century_for(individnummer: int, yy: int) -> int | None:
    """The birth century the individnummer range implies (§1.2), or None if none fits."""
    years = _birth_years(np.array([individnummer]), np.array([yy]))
    return None if years[0] < 0 else int(years[0] // 100 * 100)


def _birth_years(individ: np.ndarray, yy: np.ndarray) -> np.ndarray:
    """Full birth year from individnummer and two-digit year; −1 where no series fits (§1.2)."""
    year = np.full(individ.shape, -1, dtype=np.int64)
    for first, last, low, high in INDIVIDNUMMER_SERIES:
        candidate = first // 100 * 100 + yy
        fits = (individ >= low) & (individ <= high) & (candidate >= first) & (candidate <= last)
        year = np.where((year < 0) & fits, candidate, year)
    return year


def validate(number: str, *, require_synthetic: bool = True) -> DecodedPersonNumber:
    """Check a person number and decode it; raise a helsekit error naming the broken rule.

    With ``require_synthetic`` (the default) only Tenor synthetic numbers (§1.8) pass, so a
    real person's number is refused even when it is otherwise valid.
    """
    if not isinstance(number, str) or len(number) != 11 or not (number.isascii() and number.isdigit()):
        raise InvalidPersonNumber(number, "must be exactly 11 digits", "må være nøyaktig 11 sifre", "§1.1")
    d = _digits(number)
    day, month, yy = d[0] * 10 + d[1], d[2] * 10 + d[3], d[4] * 10 + d[5]
    individ = d[6] * 100 + d[7] * 10 + d[8]

    k2 = _check_digit(d[:10], K2_WEIGHTS)
    if k2 == 10 or k2 != d[10]:
        raise InvalidPersonNumber(number, "second check digit (k2) is wrong", "kontrollsiffer 2 er feil", "§1.3")
    remainder = (int(d[:9] @ K1_WEIGHTS) + int(d[9])) % 11
    if remainder == 0:
        algorithm = "classic"
    elif remainder in (1, 2, 3):
        algorithm = "2032"  # §1.10: k1 may use remainders 0–3 for numbers issued from 2032
    else:
        raise InvalidPersonNumber(number, "first check digit (k1) is wrong", "kontrollsiffer 1 er feil", "§1.3")

    kind = Kind.DNR if d[0] >= 4 else Kind.FNR
    if kind is Kind.DNR:
        day -= D_NUMBER_DAY_OFFSET
    synthetic = month > SYNTHETIC_MONTH_OFFSET
    if synthetic:
        month -= SYNTHETIC_MONTH_OFFSET
    elif month > 40:
        # +40 on the month is an H-nummer or a NAV Dolly number (§1.5, §1.8): never a citizen's own.
        raise NotSyntheticPersonNumber(number)
    if require_synthetic and not synthetic:
        raise NotSyntheticPersonNumber(number)

    year = int(_birth_years(np.array([individ]), np.array([yy]))[0])
    if year < 0 and algorithm == "classic":
        raise InvalidPersonNumber(
            number, "individnummer does not fit any birth-year series",
            "individnummeret passer ikke med noen fødselsårsserie", "§1.2",
        )
    if year < 0:
        year = 2000 + int(yy)  # §1.10: from 2032 the individnummer no longer shows the century
    try:
        birth_date = dt.date(year, int(month), int(day))
    except ValueError:
        raise InvalidPersonNumber(number, "the first six digits are not a date", "de seks første sifrene er ikke en dato", "§1.1") from None
    sex = Sex.MALE if d[8] % 2 == 1 else Sex.FEMALE
    return DecodedPersonNumber(str(number), birth_date, sex, kind, bool(synthetic), algorithm)


def decode(number: str) -> DecodedPersonNumber:
    """Decode a synthetic person number; raises if it is invalid or not synthetic."""
    return validate(number, require_synthetic=True)


def is_synthetic(number: str) -> bool:
    """True when ``number`` is a valid synthetic (Tenor, §1.8) fødselsnummer or D-nummer."""
    try:
        validate(number, require_synthetic=True)
    except (InvalidPersonNumber, NotSyntheticPersonNumber):
        return False
    return True


def make(birth_date: dt.date, sex: Sex | str, kind: Kind | str = Kind.FNR, *, seed: int = 0) -> str:
    """One synthetic person number for a birth date and sex (see :func:`make_many`)."""
    rng = np.random.default_rng(seed)
    numbers = make_many(
        np.array([np.datetime64(birth_date, "D")]), np.array([Sex(sex).value]), np.array([Kind(kind).value]), rng
    )
    return str(numbers[0])


def make_many(
    birth_dates: np.ndarray, sexes: np.ndarray, kinds: np.ndarray, rng: np.random.Generator, *, as_int: bool = False
) -> np.ndarray:
    """Unique synthetic person numbers, vectorised.

    ``birth_dates`` is ``datetime64[D]``, ``sexes`` holds "M"/"F", ``kinds`` "FNR"/"DNR".
    Individnumre are drawn from the birth year's series (§1.2) with the parity of the sex
    (§1.1); a draw whose check digit would be 10 (§1.3), or that repeats another number, is
    drawn again. The result depends only on the inputs and ``rng``. With ``as_int`` the numbers
    come back as int64 (format with :func:`format_numbers`), which is faster for millions.
    """
    n = len(birth_dates)
    ymd = birth_dates.astype("datetime64[D]")
    years = ymd.astype("datetime64[Y]").astype(np.int64) + 1970
    months = ymd.astype("datetime64[M]").astype(np.int64) % 12 + 1
    days = (ymd - ymd.astype("datetime64[M]")).astype(np.int64) + 1
    if years.size and (years.min() < 1854 or years.max() > 2039):
        raise ValueError("birth years must lie in 1854–2039, the span of the individnummer series (§1.2)")
    days = days + np.where(kinds == Kind.DNR.value, D_NUMBER_DAY_OFFSET, 0)
    months = months + SYNTHETIC_MONTH_OFFSET
    yy = years % 100
    male = sexes == Sex.MALE.value

    # Per person, the individnummer series that cover the birth year (a year may have two).
    lows, spans = [], []
    for first, last, low, high in INDIVIDNUMMER_SERIES:
        covers = (years >= first) & (years <= last)
        lows.append(np.where(covers, low, -1))
        spans.append(np.where(covers, high - low + 1, 0))
    lows_arr, spans_arr = np.stack(lows, axis=1), np.stack(spans, axis=1)
    total_span = spans_arr.sum(axis=1)

    prefix = (days * 10_000 + months * 100 + yy).astype(np.int64)  # DDMMYY as an integer
    _refuse_overfull_groups(prefix, male, years, lows_arr, spans_arr)
    # The weighted sums split in two: the six date digits per person, the three individnummer
    # digits from a table of all 1,000 individnumre (§1.3 weights).
    date_digits = (prefix[:, None] // 10 ** np.arange(5, -1, -1)) % 10
    date_k1, date_k2 = date_digits @ K1_WEIGHTS[:6], date_digits @ K2_WEIGHTS[:6]
    individ_digits = (np.arange(1000)[:, None] // np.array([100, 10, 1])) % 10
    individ_k1, individ_k2 = individ_digits @ K1_WEIGHTS[6:9], individ_digits @ K2_WEIGHTS[6:9]
    numbers = np.zeros(n, dtype=np.int64)
    taken = np.zeros(0, dtype=np.int64)  # sorted
    pending = np.arange(n)
    while pending.size:
        # Draw an offset into the union of the covering series, then force the parity of the sex.
        offset = (rng.random(pending.size) * total_span[pending]).astype(np.int64)
        individ = np.full(pending.size, -1, dtype=np.int64)
        cumulative = np.zeros(pending.size, dtype=np.int64)
        for s in range(lows_arr.shape[1]):
            span = spans_arr[pending, s]
            inside = (offset >= cumulative) & (offset < cumulative + span) & (individ < 0)
            individ = np.where(inside, lows_arr[pending, s] + offset - cumulative, individ)
            cumulative += span
        individ = individ - individ % 2 + male[pending].astype(np.int64)  # odd = male (§1.1)
        nine = prefix[pending] * 1000 + individ
        k1 = 11 - (date_k1[pending] + individ_k1[individ]) % 11
        k1 = np.where(k1 == 11, 0, k1)
        k2 = 11 - (date_k2[pending] + individ_k2[individ] + K2_WEIGHTS[9] * (k1 % 10)) % 11
        k2 = np.where(k2 == 11, 0, k2)
        ok = (k1 != 10) & (k2 != 10)
        candidate = nine * 100 + k1 * 10 + k2
        # Keep the first of any numbers drawn twice, and none already taken; the rest draw again.
        index, candidate = pending[ok], candidate[ok]
        if taken.size:
            position = np.minimum(np.searchsorted(taken, candidate), taken.size - 1)
            fresh = taken[position] != candidate
            index, candidate = index[fresh], candidate[fresh]
        unique, first = np.unique(candidate, return_index=True)
        numbers[index[first]] = unique
        taken = np.insert(taken, np.searchsorted(taken, unique), unique) if taken.size else unique
        pending = np.flatnonzero(numbers == 0)
    if as_int:
        return numbers
    return format_numbers(numbers)


def format_numbers(numbers: np.ndarray) -> np.ndarray:
    """int64 person numbers as 11-character strings (leading zeros kept)."""
    return np.char.zfill(np.asarray(numbers).astype("U11"), 11)


# Every birth date, sex and kind has at least this many valid individnumre (fewest: 1854–1899,
# 125 of one parity less those whose check digit would be 10); only larger groups need counting.
_ALWAYS_ENOUGH = 100
# From 1900 on every date has a series of 500 numbers, and at least 203 of each parity are valid
# (counted over every date 1900–2039, for fødselsnummer and D-nummer alike).
_ALWAYS_ENOUGH_FROM_1900 = 203


def _refuse_overfull_groups(
    prefix: np.ndarray, male: np.ndarray, years: np.ndarray, lows: np.ndarray, spans: np.ndarray
) -> None:
    """Raise ValueError if more people share a birth date, sex and kind than there are numbers.

    Without this, :func:`make_many` would draw forever (§1.2, §1.3 leave 100–245 per group).
    """
    keys = (prefix * 2 + male) * 10_000 + years  # 1899 and 1999 share DDMMYY but not individnumre
    _, first, counts = np.unique(keys, return_index=True, return_counts=True)
    enough = np.where(years[first] >= 1900, _ALWAYS_ENOUGH_FROM_1900, _ALWAYS_ENOUGH)
    for i, count in zip(first[counts > enough], counts[counts > enough]):
        individ = np.concatenate([np.arange(lo, lo + span) for lo, span in zip(lows[i], spans[i]) if span])
        individ = individ[individ % 2 == int(male[i])]
        digits = ((prefix[i] * 1000 + individ)[:, None] // 10 ** np.arange(8, -1, -1)) % 10
        k1 = _check_digit(digits, K1_WEIGHTS)
        k2 = _check_digit(np.column_stack([digits, k1 % 10]), K2_WEIGHTS)
        capacity = int(((k1 != 10) & (k2 != 10)).sum())
        if count > capacity:
            raise ValueError(
                f"{count} people share the birth-date digits {prefix[i]:06d} and sex, but only {capacity} "
                "valid individnumre exist for them (§1.2, §1.3)"
            )


def check_synthetic_many(numbers: np.ndarray) -> np.ndarray:
    """Vectorised check of a column of person numbers: a boolean array, True where synthetic.

    A number passes when it has 11 digits, valid check digits (classic or 2032, §1.3, §1.10),
    a Tenor synthetic month (§1.8), an individnummer that fits its century (§1.2) and a real
    calendar date.
    """
    values = np.asarray(numbers, dtype=str).reshape(-1)  # not "U11": that would cut longer strings to 11
    n = values.size
    if n == 0:
        return np.zeros(0, dtype=bool)
    lengths = np.char.str_len(values)
    # Unicode code points (padding is 0), so non-ASCII characters simply fail the digit test below.
    raw = np.ascontiguousarray(values.astype("U11")).view(np.uint32).reshape(n, 11)
    d = raw.astype(np.int64) - 48
    ok = (lengths == 11) & ((d >= 0) & (d <= 9)).all(axis=1)
    return check_synthetic_digits(np.where(ok[:, None], d, 0), ok)


def digits_of(numbers: np.ndarray) -> np.ndarray:
    """The 11 digits of int64 person numbers as an (n, 11) matrix."""
    return (np.asarray(numbers, dtype=np.int64)[:, None] // 10 ** np.arange(10, -1, -1)) % 10


def check_synthetic_digits(d: np.ndarray, ok: np.ndarray) -> np.ndarray:
    """The rules of :func:`check_synthetic_many` on an (n, 11) digit matrix; ``ok`` marks well-formed rows."""
    ok = ok.copy()
    k2 = _check_digit(d[:, :10], K2_WEIGHTS)
    ok &= (k2 != 10) & (k2 == d[:, 10])
    remainder = (d[:, :9] @ K1_WEIGHTS + d[:, 9]) % 11
    ok &= remainder <= 3
    month = d[:, 2] * 10 + d[:, 3]
    ok &= month > SYNTHETIC_MONTH_OFFSET
    day = d[:, 0] * 10 + d[:, 1]
    day = np.where(day > D_NUMBER_DAY_OFFSET, day - D_NUMBER_DAY_OFFSET, day)
    month = month - SYNTHETIC_MONTH_OFFSET
    yy = d[:, 4] * 10 + d[:, 5]
    individ = d[:, 6] * 100 + d[:, 7] * 10 + d[:, 8]
    year = _birth_years(individ, yy)
    ok &= (year >= 0) | (remainder > 0)
    year = np.where(year >= 0, year, 2000 + yy)
    ok &= (month >= 1) & (month <= 12) & (day >= 1) & (day <= 31)
    safe_month = np.clip(month, 1, 12)
    first_of_month = (year - 1970) * 12 + (safe_month - 1)
    month_start = first_of_month.astype("datetime64[M]").astype("datetime64[D]")
    next_month = (first_of_month + 1).astype("datetime64[M]").astype("datetime64[D]")
    days_in_month = (next_month - month_start).astype(np.int64)
    ok &= day <= days_in_month
    return ok
