"""Picking people of a wanted age from those not yet placed, without per-row loops."""

from __future__ import annotations

import numpy as np

MAX_AGE = 111


class AgePool:
    """The persons still free to be placed in a household, drawn by target age.

    :meth:`take` finds, for each target age, a free person of that sex at that age, or at the
    nearest age that still has someone, and marks them as placed. Loops run over ages
    (about a hundred), never over persons.
    """

    def __init__(self, ages: np.ndarray, sexes: np.ndarray, free: np.ndarray, rng: np.random.Generator) -> None:
        self.ages = np.asarray(ages, dtype=np.int64)
        self.sexes = np.asarray(sexes)
        self.free = np.asarray(free, dtype=bool).copy()
        # Each sex sorted once by age and a random key; every take filters this order.
        order = np.argsort(self.ages * (1 << 32) + rng.integers(0, 1 << 32, self.ages.size))
        self.order = {sex: order[self.sexes[order] == sex] for sex in ("F", "M")}

    def take(self, target_ages: np.ndarray, sex: str) -> np.ndarray:
        """Person indices aligned with ``target_ages`` (−1 where nobody of that sex is left)."""
        targets = np.clip(np.asarray(target_ages, dtype=np.int64), 0, MAX_AGE - 1)
        found = np.full(targets.size, -1, dtype=np.int64)
        order = self.order[sex][self.free[self.order[sex]]]  # by age, then key
        if not targets.size or not order.size:
            return found
        order_ages = self.ages[order]
        have = np.bincount(order_ages, minlength=MAX_AGE)
        need = np.bincount(targets, minlength=MAX_AGE)
        take = np.minimum(need, have)
        short, left = need - take, have - take
        ages = np.arange(MAX_AGE)
        for distance in range(1, MAX_AGE):
            if not short.any() or not left.any():
                break
            for source in (ages + distance, ages - distance):  # older first, then younger
                valid = (source >= 0) & (source < MAX_AGE)
                give = np.zeros(MAX_AGE, dtype=np.int64)
                give[valid] = np.minimum(short[valid], left[source[valid]])
                short -= give
                take[source[valid]] += give[valid]
                left[source[valid]] -= give[valid]
        first_of_age = np.searchsorted(order_ages, ages)
        rank_in_age = np.arange(order.size) - first_of_age[order_ages]
        chosen = order[rank_in_age < take[order_ages]]  # ascending age
        by_target_age = np.argsort(targets, kind="stable")
        matched = min(chosen.size, targets.size)
        found[by_target_age[:matched]] = chosen[:matched]
        self.free[chosen[:matched]] = False
        return found

    def take_either(self, target_ages: np.ndarray, sex: np.ndarray | str) -> np.ndarray:
        """Like :meth:`take` with a sex per target; falls back to the other sex if one runs out."""
        targets = np.asarray(target_ages)
        sexes = np.broadcast_to(np.asarray(sex), targets.shape)
        found = np.full(targets.size, -1, dtype=np.int64)
        for wanted, other in (("F", "M"), ("M", "F")):
            rows = np.flatnonzero(sexes == wanted)
            found[rows] = self.take(targets[rows], wanted)
            missing = rows[found[rows] < 0]
            found[missing] = self.take(targets[missing], other)
        return found
