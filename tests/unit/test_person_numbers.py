"""Person numbers (domain-facts §1): each test names the rule it checks.

Expected check digits, centuries and validity come from a small reference implementation
written here from the rules (and from Skatteetaten's published Tenor examples), not from
helsekit's own codec.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from helsekit.domain import person_numbers as pn
from helsekit.errors import HelsekitError, InvalidPersonNumber, NotSyntheticPersonNumber

# ---------------------------------------------------------------- reference implementation (§1)
W1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
W2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
SERIES = ((1854, 1899, 500, 749), (1900, 1999, 0, 499), (1940, 1999, 900, 999), (2000, 2039, 500, 999))


def ref_check_digit(digits: str, weights: tuple[int, ...]) -> int | None:
    """k = 11 − (Σ wᵢdᵢ mod 11); 11 → 0; 10 → no valid digit (None)."""
    k = 11 - sum(int(c) * w for c, w in zip(digits, weights)) % 11
    return None if k == 10 else k % 11


def ref_complete(nine: str) -> str | None:
    """The classic eleven-digit number for nine digits, or None when k1 or k2 would be 10."""
    k1 = ref_check_digit(nine, W1)
    if k1 is None:
        return None
    k2 = ref_check_digit(nine + str(k1), W2)
    return None if k2 is None else f"{nine}{k1}{k2}"


def ref_year(individ: int, yy: int) -> int | None:
    for first, last, low, high in SERIES:
        year = first // 100 * 100 + yy
        if low <= individ <= high and first <= year <= last:
            return year
    return None


def ref_nine(day: int, month: int, year: int, individ: int, *, dnr: bool = False, synthetic: bool = True) -> str:
    return f"{day + 40 * dnr:02d}{month + 80 * synthetic:02d}{year % 100:02d}{individ:03d}"


def ref_synthetic_birth_date(s: object) -> dt.date | None:
    """Birth date if ``s`` is a valid synthetic (Tenor) number by the rules, else None."""
    if not isinstance(s, str) or len(s) != 11 or any(c not in "0123456789" for c in s):
        return None
    if ref_check_digit(s[:10], W2) != int(s[10]):
        return None
    remainder = (sum(int(c) * w for c, w in zip(s, W1)) + int(s[9])) % 11
    if remainder > 3:  # 0 classic (§1.3), 1–3 from 2032 (§1.10)
        return None
    day, month, yy, individ = int(s[:2]), int(s[2:4]), int(s[4:6]), int(s[6:9])
    if month <= 80:
        return None
    day, month = (day - 40 if day > 40 else day), month - 80
    year = ref_year(individ, yy)
    if year is None and remainder == 0:
        return None
    try:
        return dt.date(year if year is not None else 2000 + yy, month, day)
    except ValueError:
        return None


def ref_all_numbers(day: int, month: int, year: int, male: bool, dnr: bool = False) -> set[str]:
    """Every valid synthetic classic number for a birth date, sex and kind."""
    out = set()
    for first, last, low, high in SERIES:
        if first <= year <= last:
            for individ in range(low + male, high + 1, 2):
                number = ref_complete(ref_nine(day, month, year, individ, dnr=dnr))
                if number:
                    out.add(number)
    return out


def first_stem(predicate, day=17, month=11, year=2020) -> str:
    """First nine-digit synthetic stem of a date (individ 500–999) whose check digits meet ``predicate``."""
    for individ in range(500, 1000):
        nine = ref_nine(day, month, year, individ)
        if predicate(nine):
            return nine
    raise AssertionError("no such stem")


TENOR_EXAMPLES = [
    ("17912099997", dt.date(2020, 11, 17), pn.Sex.MALE),
    ("29822099635", dt.date(2020, 2, 29), pn.Sex.FEMALE),
    ("05840399895", dt.date(2003, 4, 5), pn.Sex.FEMALE),
    ("12829499914", dt.date(1994, 2, 12), pn.Sex.MALE),
    ("12905299938", dt.date(1952, 10, 12), pn.Sex.MALE),
]
REAL_FORMAT = "31129956715"  # valid check digits, month 12: a real-format number
DOLLY = "15507600333"  # NAV Dolly, month + 40


# ---------------------------------------------------------------- published examples
@pytest.mark.parametrize(("number", "birth_date", "sex"), TENOR_EXAMPLES)
def test_published_tenor_examples_decode_to_their_birth_date_and_sex(number, birth_date, sex):
    decoded = pn.decode(number)
    assert (decoded.birth_date, decoded.sex, decoded.kind) == (birth_date, sex, pn.Kind.FNR)
    assert decoded.synthetic and decoded.check_algorithm == "classic"
    assert pn.is_synthetic(number)


@pytest.mark.parametrize("number", [n for n, _, _ in TENOR_EXAMPLES] + [REAL_FORMAT])
def test_published_examples_carry_the_check_digits_the_rule_gives(number):
    # Guards the reference implementation the other tests rely on.
    assert ref_complete(number[:9]) == number


# ---------------------------------------------------------------- check digits (§1.3, §1.10)
@pytest.mark.parametrize("number", [n for n, _, _ in TENOR_EXAMPLES])
def test_a_changed_second_check_digit_makes_the_number_invalid(number):
    for digit in "0123456789":
        if digit != number[10]:
            with pytest.raises(InvalidPersonNumber, match="k2"):
                pn.validate(number[:10] + digit)


def test_check_digit_k1_of_10_makes_the_number_invalid():
    nine = first_stem(lambda s: ref_check_digit(s, W1) is None)  # Σ mod 11 == 1: classic k1 would be 10
    for k1 in range(10):
        k2 = ref_check_digit(nine + str(k1), W2)
        if k2 is None:
            continue
        number = f"{nine}{k1}{k2}"
        remainder = (1 + k1) % 11
        if remainder in (1, 2, 3):  # only the 2032 rule (§1.10) can give such a stem a number
            assert pn.validate(number).check_algorithm == "2032"
        else:
            with pytest.raises(InvalidPersonNumber, match="k1"):
                pn.validate(number)
    assert not any(ref_check_digit(n[:9], W1) is None for n in pn.make_many(
        np.full(200, np.datetime64("2020-11-17")), np.full(200, "M"), np.full(200, "FNR"), np.random.default_rng(3)))


def test_check_digit_k2_of_10_makes_the_number_invalid():
    nine = first_stem(lambda s: ref_check_digit(s, W1) is not None
                      and ref_check_digit(s + str(ref_check_digit(s, W1)), W2) is None)
    ten = nine + str(ref_check_digit(nine, W1))
    for k2 in "0123456789":
        with pytest.raises(InvalidPersonNumber, match="k2"):
            pn.validate(ten + k2)


def test_2032_numbers_with_k1_remainder_1_to_3_validate():
    assert pn.validate("30108299939", require_synthetic=False).check_algorithm == "2032"
    assert pn.validate("30108299920", require_synthetic=False).check_algorithm == "classic"
    assert pn.validate("02013299997", require_synthetic=False).birth_date == dt.date(2032, 1, 2)
    nine = ref_nine(2, 1, 2032, 999)
    weighted = sum(int(c) * w for c, w in zip(nine, W1))
    for remainder in range(11):
        k1 = (remainder - weighted) % 11
        k2 = ref_check_digit(nine + str(k1 % 10), W2)
        if k1 == 10 or k2 is None:
            continue
        number = f"{nine}{k1}{k2}"
        if remainder <= 3:
            assert pn.validate(number).check_algorithm == ("classic" if remainder == 0 else "2032")
            assert pn.check_synthetic_many(np.array([number]))[0]
        else:
            with pytest.raises(InvalidPersonNumber, match="k1"):
                pn.validate(number)


# ---------------------------------------------------------------- synthetic only (§1.5, §1.8)
def test_real_persons_number_is_refused_even_when_valid():
    decoded = pn.validate(REAL_FORMAT, require_synthetic=False)  # valid by every other rule
    assert not decoded.synthetic and decoded.birth_date == dt.date(1899, 12, 31)  # individ 567: 1854–1899 (§1.2)
    with pytest.raises(NotSyntheticPersonNumber):
        pn.validate(REAL_FORMAT)
    with pytest.raises(NotSyntheticPersonNumber):
        pn.decode(REAL_FORMAT)
    assert not pn.is_synthetic(REAL_FORMAT)
    assert not pn.check_synthetic_many(np.array([REAL_FORMAT]))[0]


def test_dolly_plus_40_month_is_refused_because_it_equals_the_h_nummer():
    assert ref_complete(DOLLY[:9]) == DOLLY  # its check digits are right: the month is what is refused
    for require_synthetic in (True, False):
        with pytest.raises(NotSyntheticPersonNumber):
            pn.validate(DOLLY, require_synthetic=require_synthetic)
    assert not pn.is_synthetic(DOLLY)
    assert not pn.check_synthetic_many(np.array([DOLLY]))[0]


# ---------------------------------------------------------------- D-nummer, sex, series (§1.1, §1.2, §1.4)
dates = st.dates(dt.date(1854, 1, 1), dt.date(2039, 12, 31))


@settings(max_examples=200, deadline=None)
@given(birth_date=dates, sex=st.sampled_from(["M", "F"]), seed=st.integers(0, 2**32))
def test_d_nummer_adds_40_to_the_day(birth_date, sex, seed):
    number = pn.make(birth_date, sex, "DNR", seed=seed)
    assert int(number[:2]) == birth_date.day + 40
    decoded = pn.decode(number)
    assert (decoded.kind, decoded.birth_date, decoded.sex.value) == (pn.Kind.DNR, birth_date, sex)
    assert ref_synthetic_birth_date(number) == birth_date


@settings(max_examples=300, deadline=None)
@given(birth_date=dates, individ=st.integers(0, 999), dnr=st.booleans())
def test_odd_ninth_digit_means_male(birth_date, individ, dnr):
    number = ref_complete(ref_nine(birth_date.day, birth_date.month, birth_date.year, individ, dnr=dnr))
    assume(number is not None and ref_year(individ, birth_date.year % 100) == birth_date.year)
    expected = pn.Sex.MALE if individ % 2 == 1 else pn.Sex.FEMALE
    assert pn.decode(number).sex is expected


@pytest.mark.parametrize(("individ", "yy", "year"), [
    (500, 54, 1854), (749, 99, 1899), (0, 0, 1900), (499, 39, 1939), (499, 99, 1999),
    (900, 40, 1940), (999, 99, 1999), (500, 0, 2000), (999, 39, 2039), (900, 39, 2039),
    (750, 99, None), (899, 50, None), (900, 0, 2000), (600, 53, None), (500, 40, None),
])
def test_individnummer_series_gives_the_century(individ, yy, year):
    assert pn.century_for(individ, yy) == (None if year is None else year // 100 * 100)
    nine = next(f"{d:02d}81{yy:02d}{individ:03d}" for d in range(1, 29) if ref_complete(f"{d:02d}81{yy:02d}{individ:03d}"))
    number = ref_complete(nine)
    if year is None:
        with pytest.raises(InvalidPersonNumber, match="series") as caught:
            pn.validate(number)
        assert caught.value.rule == "§1.2"
    else:
        assert pn.decode(number).birth_date.year == year


def test_29_february_exists_only_in_leap_years():
    assert pn.decode("29822099635").birth_date == dt.date(2020, 2, 29)
    number = next(filter(None, (ref_complete(ref_nine(29, 2, 1900, i)) for i in range(0, 500))))
    with pytest.raises(InvalidPersonNumber, match="date"):
        pn.validate(number)


# ---------------------------------------------------------------- make / make_many
def _parse(numbers: np.ndarray) -> dict[str, np.ndarray]:
    d = np.array([[int(c) for c in s] for s in numbers])
    return {"day": d[:, 0] * 10 + d[:, 1], "month": d[:, 2] * 10 + d[:, 3], "yy": d[:, 4] * 10 + d[:, 5],
            "individ": d[:, 6] * 100 + d[:, 7] * 10 + d[:, 8], "digits": d}


def test_make_many_gives_unique_numbers_that_decode_to_the_inputs():
    rng = np.random.default_rng(20240611)
    spread = 199_000
    span = (np.datetime64("2039-12-31") - np.datetime64("1854-01-01")).astype(int) + 1
    crowded = [("1880-05-05", "M", "FNR", 100), ("2020-01-01", "F", "DNR", 190), ("1950-06-15", "M", "FNR", 240),
               ("1999-12-31", "F", "FNR", 240), ("1920-01-01", "M", "DNR", 200)]
    birth = np.concatenate([np.datetime64("1854-01-01") + rng.integers(0, span, spread)]
                           + [np.full(c, np.datetime64(d)) for d, _, _, c in crowded]).astype("datetime64[D]")
    sexes = np.concatenate([rng.choice(["M", "F"], spread)] + [np.full(c, s) for _, s, _, c in crowded])
    kinds = np.concatenate([rng.choice(["FNR", "DNR"], spread)] + [np.full(c, k) for _, _, k, c in crowded])
    numbers = pn.make_many(birth, sexes, kinds, np.random.default_rng(1))

    assert numbers.shape == (birth.size,) and len(set(numbers.tolist())) == birth.size
    assert all(len(s) == 11 for s in numbers.tolist())
    p = _parse(numbers)
    years = birth.astype("datetime64[Y]").astype(int) + 1970
    months = birth.astype("datetime64[M]").astype(int) % 12 + 1
    days = (birth - birth.astype("datetime64[M]")).astype(int) + 1
    np.testing.assert_array_equal(p["day"], days + 40 * (kinds == "DNR"))
    np.testing.assert_array_equal(p["month"], months + 80)
    np.testing.assert_array_equal(p["yy"], years % 100)
    np.testing.assert_array_equal(p["individ"] % 2 == 1, sexes == "M")
    fits = np.zeros(birth.size, dtype=bool)
    for first, last, low, high in SERIES:
        fits |= (years >= first) & (years <= last) & (p["individ"] >= low) & (p["individ"] <= high)
    assert fits.all()
    d = p["digits"]
    assert ((d[:, :10] @ np.array(W1 + (1,))) % 11 == 0).all()  # classic k1
    assert ((d @ np.array(W2 + (1,))) % 11 == 0).all()  # k2
    assert pn.check_synthetic_many(numbers).all()
    for i in np.random.default_rng(0).choice(birth.size, 300, replace=False).tolist() + list(range(spread, birth.size, 37)):
        decoded = pn.decode(numbers[i])
        assert (np.datetime64(decoded.birth_date), decoded.sex.value, decoded.kind.value) == (birth[i], sexes[i], kinds[i])


def test_make_many_can_fill_a_birth_date_to_the_last_number_and_refuses_one_more():
    everything = ref_all_numbers(1, 1, 2020, male=True)
    n = len(everything)
    numbers = pn.make_many(np.full(n, np.datetime64("2020-01-01")), np.full(n, "M"), np.full(n, "FNR"),
                           np.random.default_rng(5))
    assert set(numbers.tolist()) == everything
    with pytest.raises(ValueError, match="individnumre"):
        pn.make_many(np.full(n + 1, np.datetime64("2020-01-01")), np.full(n + 1, "M"), np.full(n + 1, "FNR"),
                     np.random.default_rng(5))


def test_make_many_refuses_birth_years_outside_the_individnummer_series():
    for day in ("1853-12-31", "2040-01-01"):
        with pytest.raises(ValueError, match="1854"):
            pn.make_many(np.array([day], dtype="datetime64[D]"), np.array(["F"]), np.array(["FNR"]),
                         np.random.default_rng(0))


def test_make_many_is_reproducible_for_a_seed():
    birth = np.datetime64("1960-01-01") + np.arange(5_000) % 700
    sexes, kinds = np.resize(np.array(["M", "F"]), 5_000), np.resize(np.array(["FNR", "FNR", "DNR"]), 5_000)
    first = pn.make_many(birth, sexes, kinds, np.random.default_rng(42))
    again = pn.make_many(birth, sexes, kinds, np.random.default_rng(42))
    other = pn.make_many(birth, sexes, kinds, np.random.default_rng(43))
    np.testing.assert_array_equal(first, again)
    assert (first != other).mean() > 0.5
    assert pn.make(dt.date(1990, 5, 17), "F", seed=7) == pn.make(dt.date(1990, 5, 17), "F", seed=7)


# ---------------------------------------------------------------- vectorised check (storage gate)
@st.composite
def candidate_numbers(draw) -> str:
    """Random strings, rule-built numbers (classic and 2032 remainders) and their one-digit mutations."""
    if draw(st.integers(0, 4)) == 0:
        return draw(st.text("0123456789", min_size=11, max_size=11))
    day = draw(st.one_of(st.integers(1, 31), st.integers(41, 71), st.integers(0, 99)))
    month = draw(st.one_of(st.integers(81, 92), st.integers(0, 99)))
    nine = f"{day:02d}{month:02d}{draw(st.integers(0, 99)):02d}{draw(st.integers(0, 999)):03d}"
    k1 = (draw(st.integers(0, 4)) - sum(int(c) * w for c, w in zip(nine, W1))) % 11 % 10
    number = nine + str(k1) + str(ref_check_digit(nine + str(k1), W2) or 0)
    if draw(st.booleans()):
        at = draw(st.integers(0, 10))
        number = number[:at] + draw(st.sampled_from("0123456789")) + number[at + 1:]
    return number


def _scalar_verdict(value) -> bool:
    try:
        pn.validate(value, require_synthetic=True)
    except (InvalidPersonNumber, NotSyntheticPersonNumber):
        return False
    return True


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values=st.lists(st.one_of(candidate_numbers(), st.text(max_size=13),
                                 st.text("0123456789", min_size=10, max_size=12)), min_size=1, max_size=40))
def test_check_synthetic_many_agrees_with_validate(values):
    vectorised = pn.check_synthetic_many(np.array(values, dtype=object)).tolist()
    scalar = [_scalar_verdict(v) for v in values]
    reference = [ref_synthetic_birth_date(v) is not None for v in values]
    assert vectorised == scalar == reference


def test_check_synthetic_many_refuses_a_valid_number_with_an_extra_digit():
    numbers = np.array(["179120999970", "17912099997", "1791209999", "", "017912099997"])
    assert pn.check_synthetic_many(numbers).tolist() == [False, True, False, False, False]
    assert pn.check_synthetic_many(np.array([], dtype=str)).tolist() == []


def test_non_ascii_digits_are_refused_not_crashed():
    arabic = "".join(chr(0x0660 + int(c)) for c in "17912099997")  # same digits, Arabic-Indic script
    for value in (arabic, "１７９１２０９９９９７", "²" * 11):
        with pytest.raises(InvalidPersonNumber, match="11 digits"):
            pn.validate(value)
        assert not pn.is_synthetic(value)
        assert not pn.check_synthetic_many(np.array([value]))[0]


# ---------------------------------------------------------------- errors
def _wrong_k1() -> str:
    """A Tenor example with k1 replaced by a digit outside remainders 0–3, and k2 recomputed."""
    nine = "179120999"  # correct k1 is 9
    for k1 in "5678":
        k2 = ref_check_digit(nine + k1, W2)
        if k2 is not None:
            return f"{nine}{k1}{k2}"
    raise AssertionError


def _impossible_date() -> str:  # 31 February 2020, check digits right
    return next(filter(None, (ref_complete(ref_nine(31, 2, 2020, i)) for i in range(500, 1000))))


@pytest.mark.parametrize(("value", "rule", "words"), [
    ("1791209999", "§1.1", "11 digits"), (17912099997, "§1.1", "11 digits"), ("1791209999a", "§1.1", "11 digits"),
    ("17912099998", "§1.3", "k2"), (_wrong_k1(), "§1.3", "k1"), (_impossible_date(), "§1.1", "date"),
])
def test_errors_name_the_field_and_rule(value, rule, words):
    with pytest.raises(InvalidPersonNumber) as caught:
        pn.validate(value)
    error = caught.value
    assert isinstance(error, HelsekitError) and error.field == "person_number" and error.rule == rule
    assert words in error.message_en and rule in error.message_en and repr(value) in error.message_en
    assert "ugyldig" in error.message_nb and rule in error.message_nb


def test_not_synthetic_error_names_the_field_and_the_tenor_rule():
    with pytest.raises(NotSyntheticPersonNumber) as caught:
        pn.validate(REAL_FORMAT)
    error = caught.value
    assert error.field == "person_number" and error.rule == "§1.8"
    assert "§1.8" in error.message_en and "not synthetic" in error.message_en and REAL_FORMAT in error.message_en
    assert "ikke syntetisk" in error.message_nb
