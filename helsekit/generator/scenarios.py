"""Scenario hooks: a pilot's true effect planted in the histories at its sites from a start date (issue #10).

A :class:`Scenario` names one metric of the benefit catalogue (synthetic_data/specs/evaluation.toml), the
treatment sites where the pilot runs, the day it started there and the true relative effect. A history
source that knows the metric changes its rows at those sites from that day with :func:`flip`, after all its
ordinary draws, so the world without a scenario is byte for byte the same and the world with one differs only
in the planted rows. The evaluation (:mod:`helsekit.evaluation`) is then checked against a known truth.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from helsekit.errors import InvalidInput

#: The metrics a history source can plant, and the source that plants it.
PLANTABLE = {
    "phone_bookings_per_listed": "gp_contacts",
    "no_show_rate": "gp_contacts",
    "renewal_without_visit_share": "prescriptions",
}


@dataclass(frozen=True)
class Scenario:
    """A planted effect: ``metric`` changes by ``relative`` (−0.3: 30 % fewer) at ``site_ids`` from ``start``."""

    metric: str
    site_ids: tuple[int, ...]
    start: np.datetime64  # datetime64[D]
    relative: float

    def __post_init__(self) -> None:
        if self.metric not in PLANTABLE:
            raise InvalidInput(f"scenario metric {self.metric!r} cannot be planted; choose one of: {', '.join(PLANTABLE)}",
                               f"Effekten på {self.metric!r} kan ikke legges inn; velg en av: {', '.join(PLANTABLE)}.", "metric")
        if not -1.0 <= self.relative <= 1.0:
            raise InvalidInput(f"scenario effect {self.relative!r} must be a relative change from -1 to 1",
                               "Effekten må være en relativ endring fra -1 til 1.", "effect")

    def applies(self, source: str) -> bool:
        """True when ``source`` (a history source's name) is the one that plants this scenario's metric."""
        return PLANTABLE[self.metric] == source

    def affected(self, site_id: np.ndarray, day: np.ndarray) -> np.ndarray:
        """True for rows at one of the pilot's sites on or after the start day."""
        day = np.asarray(day).astype("datetime64[D]")
        return np.isin(site_id, np.asarray(self.site_ids, dtype=np.int64)) & (day >= self.start)


def flip(flag: np.ndarray, eligible: np.ndarray, relative: float, rng: np.random.Generator) -> np.ndarray:
    """``flag`` with its expected count among ``eligible`` rows multiplied by 1 + ``relative``.

    A reduction turns each flagged eligible row off with probability −relative; an increase turns each
    unflagged eligible row on with probability relative × flagged / unflagged (at most all of them), so the
    eligible rows themselves stay: only which of two outcomes each had changes."""
    flag = flag.copy()
    if relative < 0:
        off = eligible & flag & (rng.random(flag.size) < -relative)
        flag[off] = False
    elif relative > 0:
        on_count, off_rows = np.count_nonzero(eligible & flag), eligible & ~flag
        chance = min(1.0, relative * on_count / max(np.count_nonzero(off_rows), 1))
        flag[off_rows & (rng.random(flag.size) < chance)] = True
    return flag


@dataclass(frozen=True)
class ScenarioRequest:
    """A scenario as asked for before the world exists: a running pilot, a plantable metric and the true relative
    effect. :meth:`resolve` turns it into a :class:`Scenario` once the organisations are known."""

    pilot_id: str
    metric: str
    relative: float

    @classmethod
    def parse(cls, text: str) -> ScenarioRequest:
        """``PILOT:METRIC:EFFECT``, e.g. ``fastlegetime:phone_bookings_per_listed:-0.3``, checked against the pilot
        registry (a running pilot with a ``started`` date) and :data:`PLANTABLE`; an InvalidInput names the part."""
        from helsekit import pilots

        parts = str(text).split(":")
        if len(parts) != 3:
            raise InvalidInput(f"scenario {text!r} must be PILOT:METRIC:EFFECT, e.g. fastlegetime:phone_bookings_per_listed:-0.3",
                               f"Scenarioet «{text}» må skrives PILOT:MÅL:EFFEKT, f.eks. fastlegetime:phone_bookings_per_listed:-0.3.",
                               "scenario")
        pilot_id, metric, effect = parts
        running = {p.id: p for p in pilots.discover()[0] if p.status == "pilot"}
        if pilot_id not in running:
            raise InvalidInput(f"scenario pilot {pilot_id!r} is not a running pilot; choose one of: {', '.join(sorted(running))}",
                               f"Piloten «{pilot_id}» finnes ikke eller kjører ikke.", "pilot")
        if running[pilot_id].started is None:
            raise InvalidInput(f"scenario pilot {pilot_id!r} has no started date in its pilot.toml, so there is no day to plant from",
                               f"Piloten «{pilot_id}» har ingen startdato i pilot.toml.", "pilot")
        try:
            relative = float(effect)
        except ValueError:
            raise InvalidInput(f"scenario effect {effect!r} must be a number from -1 to 1, e.g. -0.3 for 30 % less",
                               f"Effekten «{effect}» må være et tall fra -1 til 1.", "effect") from None
        request = cls(pilot_id, metric, relative)
        Scenario(metric, (), np.datetime64(running[pilot_id].started, "D"), relative)  # the metric and effect checked now
        return request

    def resolve(self, organisation_ids, kinds, kommuner) -> Scenario:
        """The scenario at the pilot's sites among the organisations (parallel sequences of id, kind and
        kommune number), from the pilot's ``started`` date."""
        from types import SimpleNamespace

        from helsekit import pilots

        pilot = next(p for p in pilots.discover()[0] if p.id == self.pilot_id)
        site_ids = tuple(int(i) for i, kind, kommune in zip(organisation_ids, kinds, kommuner)
                         if pilot.runs_at(SimpleNamespace(id=int(i), kind=kind, kommune_number=kommune)))
        return Scenario(self.metric, site_ids, np.datetime64(pilot.started, "D"), self.relative)

    def __str__(self) -> str:
        return f"{self.pilot_id}:{self.metric}:{self.relative:g}"
