"""Parental representation: when a parent may use Helsenorge on behalf of a child (§3.1, §3.2, §3.7).

A pure rule on arrays, so the analyst view (every parent–child pair at once) and the services'
access policy (one pair at a time) decide the same way.

- Under 12: a parent with foreldreansvar may act for the child only if at least one parent with
  foreldreansvar is registered at the child's address; then both may, otherwise neither (§3.2).
- 12–15: the same condition, with limited access (no kjernejournal, §3.2).
- From 16 the child is helserettslig myndig: parental access ends (§3.1, §3.2).
- Nobody acts for a person with a confidential address, and such a person acts for nobody (§3.7).

Modelling choice: the address condition is applied at 12–15 too, and step-parents (who have no
foreldreansvar) never represent a child.
"""

from __future__ import annotations

import numpy as np

FULL, LIMITED, NONE = "full", "begrenset", "ingen"
FULL_UNTIL, LIMITED_UNTIL = 12, 16  # §3.2


def parental_access(
    child_age: np.ndarray, foreldreansvar: np.ndarray, a_parent_at_address: np.ndarray,
    child_protected: np.ndarray, parent_protected: np.ndarray,
) -> np.ndarray:
    """``full``, ``begrenset`` or ``ingen`` for each (parent, child) pair.

    ``a_parent_at_address`` says whether at least one parent with foreldreansvar is registered at
    the child's address (the same for both parents of a child).
    """
    age = np.asarray(child_age)
    allowed = np.asarray(foreldreansvar, dtype=bool) & np.asarray(a_parent_at_address, dtype=bool)
    allowed &= ~np.asarray(child_protected, dtype=bool) & ~np.asarray(parent_protected, dtype=bool)
    return np.where(allowed & (age < FULL_UNTIL), FULL, np.where(allowed & (age < LIMITED_UNTIL), LIMITED, NONE))
