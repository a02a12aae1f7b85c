"""Names for ids: organisations, practitioners and citizens, looked up many at a time (one query each).

The read-only views show "who" and "where" for history rows that carry only ids; these look the names
up with one ``IN`` query per table, so a view of hundreds of rows costs a few queries, not hundreds.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
from sqlmodel import Session, select

from helsekit.domain.citizens import Citizen
from helsekit.domain.organisations import Organisation
from helsekit.domain.practitioners import Practitioner


def _ids(ids: Iterable[object]) -> list[int]:
    return sorted({int(i) for i in ids if i is not None and not pd.isna(i)})


def organisations(session: Session, ids: Iterable[object]) -> dict[int, Organisation]:
    """The organisations with these ids (missing values and unknown ids are left out)."""
    wanted = _ids(ids)
    if not wanted:
        return {}
    return {o.id: o for o in session.exec(select(Organisation).where(Organisation.id.in_(wanted))).all()}


def organisation_names(session: Session, ids: Iterable[object]) -> dict[int, str]:
    """Organisation id → name."""
    return {i: o.name for i, o in organisations(session, ids).items()}


def practitioner_names(session: Session, ids: Iterable[object]) -> dict[int, str]:
    """Practitioner id → "Given Family"."""
    wanted = _ids(ids)
    if not wanted:
        return {}
    rows = session.exec(select(Practitioner.id, Practitioner.given_name, Practitioner.family_name).where(Practitioner.id.in_(wanted))).all()
    return {i: f"{given} {family}" for i, given, family in rows}


def citizen_names(session: Session, ids: Iterable[object]) -> dict[int, str]:
    """Citizen id → "Given Family"."""
    wanted = _ids(ids)
    if not wanted:
        return {}
    rows = session.exec(select(Citizen.id, Citizen.given_name, Citizen.family_name).where(Citizen.id.in_(wanted))).all()
    return {i: f"{given} {family}" for i, given, family in rows}


def name_of(names: dict[int, str], key: object) -> str | None:
    """``names[key]`` for an id that may be missing (None or NaN in a history row)."""
    if key is None or pd.isna(key):
        return None
    return names.get(int(key))
