"""The generator's building blocks, each against its rule."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from helsekit.generator.age_pool import AgePool
from helsekit.generator.geography import largest_remainder
from helsekit.generator.gp_lists import fill
from helsekit.generator.population import age_at, birth_dates


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(1, 8), max_size=60), st.lists(st.integers(0, 40), min_size=1, max_size=10))
def test_fill_never_puts_more_than_a_slots_room_in_it_and_keeps_groups_whole(sizes, room):
    sizes, room = np.array(sizes, dtype=np.int64), np.array(room, dtype=np.int64)
    slot = fill(sizes, room)
    placed = slot >= 0
    assert (np.bincount(slot[placed], weights=sizes[placed], minlength=room.size) <= room).all()
    assert ((slot[placed][1:] - slot[placed][:-1]) >= 0).all()  # in order: consecutive slots


def test_fill_places_everything_when_groups_fit_the_slots():
    assert fill(np.array([3, 3, 2, 4]), np.array([6, 6])).tolist() == [0, 0, 1, 1]


def test_fill_leaves_a_group_that_would_overflow_its_slot_for_elsewhere():
    assert fill(np.array([3, 2, 4, 1]), np.array([6, 6])).tolist() == [0, 0, -1, 1]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(0, 1e6), min_size=1, max_size=30).filter(lambda w: sum(w) > 0), st.integers(0, 10_000))
def test_largest_remainder_splits_the_total_exactly_and_fairly(weights, total):
    counts = largest_remainder(np.array(weights), total)
    quotas = np.array(weights) / sum(weights) * total
    assert counts.sum() == total
    assert (np.abs(counts - quotas) < 1 + 1e-9).all()


def test_age_pool_takes_the_exact_age_first_then_the_nearest():
    ages = np.array([30, 30, 31, 40, 50])
    pool = AgePool(ages, np.array(["F"] * 5), np.ones(5, dtype=bool), np.random.default_rng(0))
    found = pool.take(np.array([30, 30, 30]), "F")
    assert sorted(ages[found]) == [30, 30, 31]
    assert pool.take(np.array([45]), "F")[0] in (3, 4)


def test_age_pool_never_hands_out_a_person_twice_and_says_when_none_is_left():
    pool = AgePool(np.array([20, 21]), np.array(["M", "M"]), np.ones(2, dtype=bool), np.random.default_rng(0))
    found = pool.take(np.array([20, 20, 20]), "M")
    assert sorted(found.tolist()) == [-1, 0, 1]
    assert (pool.take(np.array([20]), "F") == -1).all()


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(0, 104), min_size=1, max_size=50), st.dates(min_value=__import__("datetime").date(2000, 1, 1)))
def test_birth_dates_give_exactly_the_drawn_age_on_the_reference_date(ages, reference):
    ages = np.array(ages)
    ref = np.datetime64(reference, "D")
    born = birth_dates(ages, ref, np.random.default_rng(1))
    assert (age_at(born, ref) == ages).all()


def test_age_turns_on_the_birthday_itself_even_across_a_leap_day():
    born = np.array(["2015-04-09", "2015-04-09", "2000-02-29", "2000-02-29"], dtype="datetime64[D]")
    on = np.array(["2016-04-08", "2016-04-09", "2001-02-28", "2001-03-01"], dtype="datetime64[D]")
    assert age_at(born, on).tolist() == [0, 1, 0, 1]
