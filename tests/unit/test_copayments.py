"""Egenandeler, the egenandelstak and the frikort (domain-facts §2), rule by rule."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from helsekit.domain.copayments import Schedule, apply_ceiling, blue_prescription_egenandel, is_exempt, yearly_ceilings
from helsekit.generator import specs

CEILINGS = {2021: 2460, 2022: 2921, 2023: 3040}


def _dates(*iso):
    return np.array(iso, dtype="datetime64[D]")


def test_children_under_16_pay_no_egenandel():
    assert is_exempt(np.array([0, 15, 16, 40])).tolist() == [True, True, False, False]


def test_the_frikort_comes_exactly_at_the_first_payment_that_reaches_the_ceiling():
    nominal = np.array([1500, 1500, 170, 170])
    result = apply_ceiling(np.zeros(4), _dates("2023-01-10", "2023-03-01", "2023-04-01", "2023-05-01"), nominal, np.ones(4, bool), CEILINGS)
    assert result.frikort_payment.tolist() == [False, False, True, False]
    assert result.charged.tolist() == [1500, 1500, 170, 0]
    assert result.year_person.tolist() == [[0, 2023]]
    assert result.refund.tolist() == [3170 - 3040]


def test_reaching_the_ceiling_exactly_gives_the_frikort_and_no_refund():
    result = apply_ceiling(np.zeros(2), _dates("2023-01-01", "2023-02-01"), np.array([3000, 40]), np.ones(2, bool), CEILINGS)
    assert result.frikort_payment.tolist() == [False, True]
    assert result.refund.tolist() == [0]


def test_the_count_restarts_on_1_january():
    result = apply_ceiling(np.zeros(3), _dates("2022-06-01", "2022-12-31", "2023-01-01"), np.array([2921, 170, 170]), np.ones(3, bool), CEILINGS)
    assert result.charged.tolist() == [2921, 0, 170]


def test_each_person_has_their_own_ceiling():
    result = apply_ceiling(np.array([1, 2]), _dates("2023-01-01", "2023-01-02"), np.array([3040, 3040]), np.ones(2, bool), CEILINGS)
    assert result.year_person.tolist() == [[1, 2023], [2, 2023]]


def test_payments_that_do_not_count_toward_the_ceiling_are_charged_even_with_a_frikort():
    counts = np.array([True, False])
    result = apply_ceiling(np.zeros(2), _dates("2023-01-01", "2023-02-01"), np.array([3100, 400]), counts, CEILINGS)
    assert result.charged.tolist() == [3100, 400]


def test_refunds_under_200_kr_were_not_paid_before_2022_but_every_krone_is_from_2022():
    minimum = {2021: 200, 2022: 0}
    before = apply_ceiling(np.zeros(2), _dates("2021-01-01", "2021-02-01"), np.array([2400, 160]), np.ones(2, bool), CEILINGS, minimum)
    after = apply_ceiling(np.zeros(2), _dates("2022-01-01", "2022-02-01"), np.array([2900, 160]), np.ones(2, bool), CEILINGS, minimum)
    assert before.refund.tolist() == [0]  # 100 kr over the ceiling: under the old 200 kr minimum
    assert after.refund.tolist() == [139]


def _reference(person, years, nominal, ceilings):
    """A plain loop written from §2.5, to check the vectorised rule against."""
    charged, paid = [], {}
    for p, y, amount in zip(person, years, nominal):
        total = paid.get((p, y), 0)
        charged.append(0 if total >= ceilings[y] else amount)
        paid[(p, y)] = total + amount
    return charged


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.integers(2021, 2023), st.integers(0, 1500)), max_size=40))
def test_vectorised_ceiling_agrees_with_a_plain_loop_and_nobody_pays_more_than_the_ceiling(rows):
    rows.sort(key=lambda r: (r[0], r[1]))
    person = np.array([r[0] for r in rows], dtype=np.int64)
    years = np.array([r[1] for r in rows])
    dates = np.array([f"{y}-06-01" for y in years], dtype="datetime64[D]")
    nominal = np.array([r[2] for r in rows], dtype=np.int64)
    result = apply_ceiling(person, dates, nominal, np.ones(len(rows), bool), CEILINGS)
    assert result.charged.tolist() == _reference(person.tolist(), years.tolist(), nominal.tolist(), CEILINGS)
    for (p, y), refund in zip(result.year_person.tolist(), result.refund.tolist()):
        net = result.charged[(person == p) & (years == y)].sum() - refund
        assert net == CEILINGS[y]


def test_ceilings_cover_every_year_with_missing_years_between_their_neighbours():
    spec = specs.load("copayments")["ceiling"]
    ceilings = yearly_ceilings(spec["year"], spec["amount"])
    assert list(ceilings) == list(range(2015, 2027))
    assert ceilings[2023] == 3040 and ceilings[2024] == 3165  # domain-facts §2.2
    assert 2185 < ceilings[2016] < ceilings[2017] < 2258
    assert 2365 < ceilings[2020] < 2460


def test_blue_prescription_egenandel_is_a_share_of_the_price_capped():
    assert blue_prescription_egenandel(np.array([200, 2000]), 0.5, 520).tolist() == [100, 520]  # §2.7 (2024)


def test_gp_rates_change_on_1_july():
    spec = specs.load("copayments")["gp_consultation"]
    day = Schedule(np.array(spec["valid_from"], dtype="datetime64[D]"), np.array(spec["day"]))
    assert day.on(_dates("2023-06-30", "2023-07-01")).tolist() == [160, 170]  # §2.6


def test_egenandel_starts_on_the_16th_birthday_and_29_february_rolls_to_1_march():
    from helsekit.domain.copayments import pays_from

    born = np.array(["2008-02-29", "2004-02-29", "2009-12-31"], dtype="datetime64[D]")
    assert [str(d) for d in pays_from(born)] == ["2024-02-29", "2020-02-29", "2025-12-31"]
    assert str(pays_from(np.array(["2004-02-29"], dtype="datetime64[D]"), 17)[0]) == "2021-03-01"
