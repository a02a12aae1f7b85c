"""Confidence intervals for shares, one case at a time or for whole columns at once."""

from __future__ import annotations

import math

import numpy as np

Z95 = 1.959963984540054  # the normal quantile of a two-sided 95 % interval


def wilson(successes: int, cases: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of a share ``successes / cases`` (cases > 0)."""
    share = successes / cases
    centre = (share + z * z / (2 * cases)) / (1 + z * z / cases)
    half = z * math.sqrt(share * (1 - share) / cases + z * z / (4 * cases * cases)) / (1 + z * z / cases)
    return max(0.0, centre - half), min(1.0, centre + half)


def wilson_arrays(successes: np.ndarray, cases: np.ndarray, z: float = Z95) -> tuple[np.ndarray, np.ndarray]:
    """:func:`wilson` for arrays of counts, element by element; NaN where ``cases`` is 0."""
    successes = np.asarray(successes, dtype=float)
    cases = np.asarray(cases, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = successes / cases
        centre = (share + z * z / (2 * cases)) / (1 + z * z / cases)
        half = z * np.sqrt(share * (1 - share) / cases + z * z / (4 * cases * cases)) / (1 + z * z / cases)
    return np.maximum(0.0, centre - half), np.minimum(1.0, centre + half)
