"""Prøvesvar on Min helse (§4.2): the subject's test results from samples taken by the GP office or the hospital,
newest first, behind the access policy (not for parents of a child of 12–15, nor in ungdomstilgang). A result is
shown once reported (``resulted_at`` by ``now``); a sample still *I prosess* (kodeverk 8245, §14.6) is listed
without a value. Every read is written to the subject's log of reads in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlmodel import Session

from helsekit.services import access, directory, histories, policy
from helsekit.services.actors import Actor

_COLUMNS = ["result_id", "ordered_by", "organisation_id", "taken_at", "test", "name", "value", "unit", "reference_low", "reference_high",
            "flag", "status", "status_name", "resulted_at"]
IN_PROCESS = "15"
RECENT_DAYS = 30  # Modelling choice: the overview counts results reported in the last 30 days as new


@dataclass(frozen=True)
class TestResult:
    """One analysis of one sample, as the citizen sees it."""

    __test__ = False  # not a pytest test class

    result_id: int
    taken_at: dt.datetime
    test: str
    name: str
    value: float | None  # None while in process
    unit: str
    reference_low: float | None
    reference_high: float | None
    flag: str | None  # L, H or None
    status: str  # kodeverk 8245 code
    status_name: str
    ordered_by: str  # fastlege or sykehus
    organisation_name: str | None


@dataclass(frozen=True)
class TestResultsView:
    """The subject's test results, newest sample first."""

    __test__ = False

    subject_id: int
    results: list[TestResult]


def view(session: Session, actor: Actor, now: dt.datetime) -> TestResultsView:
    """The subject's test results as the actor may see them on ``now``; the read is logged (record_read).

    Raises :class:`~helsekit.services.policy.AccessDenied` (nothing written) when the policy says no.
    """
    decision = access.check(session, actor, policy.Service.TEST_RESULTS, policy.Action.VIEW, now)
    at = pd.Timestamp(now.replace(tzinfo=None))
    with access.unit_of_work(session):
        rows = histories.of(session, "test_results", actor.subject, columns=_COLUMNS)
        access.log_read(session, actor, decision, policy.Service.TEST_RESULTS, now)
    rows = rows[rows["taken_at"] <= at].sort_values(["taken_at", "result_id"], ascending=[False, True])
    reported = rows["resulted_at"].notna() & (rows["resulted_at"] <= at)
    organisations = directory.organisation_names(session, rows["organisation_id"])
    number = lambda v: None if pd.isna(v) else float(v)  # noqa: E731
    return TestResultsView(actor.subject, [TestResult(
        result_id=int(r.result_id), taken_at=r.taken_at.to_pydatetime(), test=r.test, name=r.name,
        value=number(r.value) if done else None, unit=r.unit, reference_low=number(r.reference_low), reference_high=number(r.reference_high),
        flag=(None if pd.isna(r.flag) else r.flag) if done else None, status=r.status if done else IN_PROCESS,
        status_name=r.status_name if done else "I prosess", ordered_by=r.ordered_by,
        organisation_name=directory.name_of(organisations, r.organisation_id),
    ) for r, done in zip(rows.itertuples(), reported)])


def recent_count(session: Session, subject_id: int, now: dt.datetime, days: int = RECENT_DAYS) -> int:
    """How many of the subject's results were reported in the ``days`` before ``now``, for the overview's tile
    (a count, not the results: reading those is :func:`view`, which is logged). No access check: the caller
    has checked the policy for ``subject_id``."""
    try:
        reported = histories.table(session, "test_results", subject_id, ["resulted_at"])["resulted_at"]
    except FileNotFoundError:  # a database generated before test results were
        return 0
    at = pd.Timestamp(now.replace(tzinfo=None))
    times = pd.to_datetime(reported.to_numpy(zero_copy_only=False))
    return int(((times > at - pd.Timedelta(days=days)) & (times <= at)).sum())
