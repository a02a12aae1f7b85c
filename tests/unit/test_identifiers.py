"""Organisation numbers, HPR-numre, HER-ids and RESH-ids: each test names the rule it checks.

Expected organisation-number check digits come from a reference implementation written
here from the rule (weights 3,2,7,6,5,4,3,2, mod 11) and from published real numbers.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helsekit.domain import identifiers as ids
from helsekit.errors import HelsekitError, InvalidIdentifier, InvalidOption

WEIGHTS = (3, 2, 7, 6, 5, 4, 3, 2)
# Real organisation numbers from Enhetsregisteret: Registerenheten i Brønnøysund, Helsedirektoratet.
REAL_ORGANISATION_NUMBERS = ["974760673", "983044778"]
TEN_DIGIT = [("hpr", "91", ids.make_hpr_numbers, "hpr_number"),
             ("her", "92", ids.make_her_ids, "her_id"),
             ("resh", "93", ids.make_resh_ids, "resh_id")]


def ref_check_digit(stem: str) -> int | None:
    """k = 11 − (Σ wᵢdᵢ mod 11); 11 → 0; 10 → no valid number (None)."""
    k = 11 - sum(int(c) * w for c, w in zip(stem, WEIGHTS)) % 11
    return None if k == 10 else k % 11


def ref_is_synthetic_organisation_number(value: object) -> bool:
    if not isinstance(value, str) or len(value) != 9 or any(c not in "0123456789" for c in value):
        return False
    return value[0] == "3" and ref_check_digit(value[:8]) == int(value[8])


# ---------------------------------------------------------------- organisation numbers
@pytest.mark.parametrize("number", REAL_ORGANISATION_NUMBERS)
def test_real_organisation_numbers_are_refused_even_with_a_valid_check_digit(number):
    assert ref_check_digit(number[:8]) == int(number[8])  # a valid number: only its range is refused
    with pytest.raises(InvalidIdentifier, match="real organisation numbers begin with 8 or 9"):
        ids.validate_organisation_number(number)
    assert not ids.is_synthetic_organisation_number(number)
    assert not ids.is_synthetic_identifier("organisation_number", number)


def test_make_organisation_numbers_gives_unique_valid_numbers_beginning_with_3():
    numbers = ids.make_organisation_numbers(200_000, np.random.default_rng(11))
    assert numbers.shape == (200_000,) and len(set(numbers.tolist())) == 200_000
    d = np.array([[int(c) for c in s] for s in numbers[:20_000]])
    assert (d[:, 0] == 3).all() and all(len(s) == 9 for s in numbers.tolist())
    expected = 11 - (d[:, :8] @ np.array(WEIGHTS)) % 11
    np.testing.assert_array_equal(np.where(expected == 11, 0, expected), d[:, 8])
    assert all(ids.validate_organisation_number(s) == s for s in numbers[:2_000].tolist())


def test_organisation_stems_whose_check_digit_would_be_10_are_never_issued():
    stem = next(f"3{i:07d}" for i in range(10**7) if ref_check_digit(f"3{i:07d}") is None)
    for digit in "0123456789":
        with pytest.raises(InvalidIdentifier, match="check digit"):
            ids.validate_organisation_number(stem + digit)
    stems = {s[:8] for s in ids.make_organisation_numbers(50_000, np.random.default_rng(2)).tolist()}
    assert all(ref_check_digit(s) is not None for s in stems)


@settings(max_examples=200, deadline=None)
@given(seed=st.integers(0, 2**32), wrong=st.integers(1, 9))
def test_a_changed_organisation_check_digit_is_refused(seed, wrong):
    number = str(ids.make_organisation_numbers(1, np.random.default_rng(seed))[0])
    mutated = number[:8] + str((int(number[8]) + wrong) % 10)
    with pytest.raises(InvalidIdentifier, match="check digit"):
        ids.validate_organisation_number(mutated)


@settings(max_examples=500, deadline=None)
@given(value=st.one_of(st.text("0123456789", min_size=9, max_size=9),
                       st.text("0123456789", min_size=8, max_size=8).map(lambda s: "3" + s),
                       st.text(max_size=10)))
def test_is_synthetic_organisation_number_follows_the_mod_11_rule_and_the_3_range(value):
    assert ids.is_synthetic_organisation_number(value) == ref_is_synthetic_organisation_number(value)


@pytest.mark.parametrize("value", ["", "12345678", "3000000000", "385 062 427", "38506242x", "３８５０６２４２７", None, 385062427])
def test_organisation_numbers_must_be_exactly_9_ascii_digits(value):
    with pytest.raises(InvalidIdentifier, match="9 digits") as caught:
        ids.validate_organisation_number(value)
    assert caught.value.field == "organisation_number"


def test_organisation_numbers_are_reproducible_for_a_seed():
    first = ids.make_organisation_numbers(1_000, np.random.default_rng(9))
    np.testing.assert_array_equal(first, ids.make_organisation_numbers(1_000, np.random.default_rng(9)))
    assert (first != ids.make_organisation_numbers(1_000, np.random.default_rng(10))).mean() > 0.9


# ---------------------------------------------------------------- HPR, HER, RESH
@pytest.mark.parametrize(("kind", "prefix", "make", "field"), TEN_DIGIT)
def test_ten_digit_identifiers_are_unique_10_digits_with_their_kinds_prefix(kind, prefix, make, field):
    values = make(100_000, np.random.default_rng(4))
    assert values.shape == (100_000,) and len(set(values.tolist())) == 100_000
    assert all(len(v) == 10 and v.isdigit() and v.startswith(prefix) for v in values.tolist())
    assert all(ids.validate_identifier(kind, v) == v for v in values[:1_000].tolist())
    assert all(ids.is_synthetic_identifier(kind, v) for v in values[:1_000].tolist())
    np.testing.assert_array_equal(make(500, np.random.default_rng(4)), make(500, np.random.default_rng(4)))


@pytest.mark.parametrize(("kind", "prefix", "make", "field"), TEN_DIGIT)
def test_ten_digit_identifiers_of_one_kind_are_refused_as_another(kind, prefix, make, field):
    for other, _, other_make, _ in TEN_DIGIT:
        if other != kind:
            value = str(other_make(1, np.random.default_rng(0))[0])
            with pytest.raises(InvalidIdentifier, match=f"begin with {prefix}") as caught:
                ids.validate_identifier(kind, value)
            assert caught.value.field == field


@pytest.mark.parametrize(("kind", "real", "field"), [
    ("hpr", "9144900", "hpr_number"), ("hpr", "565501872", "hpr_number"),
    ("her", "8142519", "her_id"), ("her", "79436", "her_id"), ("resh", "4001031", "resh_id"),
    ("hpr", "91123456789", "hpr_number"), ("resh", "930000000", "resh_id"),
])
def test_register_length_numbers_are_refused_as_not_in_the_synthetic_range(kind, real, field):
    with pytest.raises(InvalidIdentifier, match="not in helsekit's synthetic range") as caught:
        ids.validate_identifier(kind, real)
    assert caught.value.field == field and "10 digits" in caught.value.message_en
    assert "syntetiske serie" in caught.value.message_nb
    assert not ids.is_synthetic_identifier(kind, real)


@pytest.mark.parametrize("value", ["", "91234567a9", " 9123456789", "９１２３４５６７８９", None, 9123456789])
def test_ten_digit_identifiers_must_be_ascii_digits(value):
    with pytest.raises(InvalidIdentifier, match="digits only"):
        ids.validate_identifier("hpr", value)
    assert not ids.is_synthetic_identifier("hpr", value)


def test_validate_identifier_checks_organisation_numbers_by_their_own_rule():
    number = str(ids.make_organisation_numbers(1, np.random.default_rng(1))[0])
    assert ids.validate_identifier("organisation_number", number) == number
    with pytest.raises(InvalidIdentifier, match="real organisation numbers"):
        ids.validate_identifier("organisation_number", REAL_ORGANISATION_NUMBERS[0])


def test_an_unknown_identifier_kind_is_an_invalid_option():
    for call in (lambda: ids.validate_identifier("fnr", "9123456789"),
                 lambda: ids.is_synthetic_identifier("HPR", "9123456789")):
        with pytest.raises(InvalidOption) as caught:
            call()
        assert caught.value.field == "kind" and "organisation_number" in caught.value.message_en


@pytest.mark.parametrize("make", [ids.make_organisation_numbers, ids.make_hpr_numbers, ids.make_her_ids, ids.make_resh_ids])
def test_counts_must_be_whole_and_not_negative(make):
    assert make(0, np.random.default_rng(0)).shape == (0,)
    for n in (-1, 2.5, True, "3"):
        with pytest.raises(InvalidOption) as caught:
            make(n, np.random.default_rng(0))
        assert caught.value.field == "n"


def test_errors_name_the_field_and_rule():
    cases = [("organisation_number", "38506242", "organisation_number", "9 digits"),
             ("organisation_number", "385062428", "organisation_number", "weights 3,2,7,6,5,4,3,2"),
             ("organisation_number", "974760673", "organisation_number", "begin with 8 or 9"),
             ("her", "9212", "her_id", "begin with 92"), ("resh", "93x", "resh_id", "digits only")]
    for kind, value, field, rule in cases:
        with pytest.raises(InvalidIdentifier) as caught:
            ids.validate_identifier(kind, value)
        error = caught.value
        assert isinstance(error, HelsekitError) and error.field == field
        assert rule in error.message_en and repr(value) in error.message_en and error.message_en.startswith(field)
        assert repr(value) in error.message_nb and error.message_nb != error.message_en


# ---------------------------------------------------------------- OIDs (§14.5)
def test_identifier_oids_are_the_published_ones():
    assert ids.OID_FNR == "urn:oid:2.16.578.1.12.4.1.4.1"
    assert ids.OID_DNR == "urn:oid:2.16.578.1.12.4.1.4.2"
    assert ids.OID_HPR == "urn:oid:2.16.578.1.12.4.1.4.4"
    assert ids.OID_ORGANISATION_NUMBER == "urn:oid:2.16.578.1.12.4.1.4.101"
    assert ids.OID_RESH == "urn:oid:2.16.578.1.12.4.1.4.102"
    assert ids.OID_HER_ID == "urn:oid:2.16.578.1.12.4.1.2"
