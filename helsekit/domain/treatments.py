"""Which hospitals offer a treatment of Velg behandlingssted (§7.2), by the level it is offered at.

The list of treatments and each one's level live in ``synthetic_data/specs/treatments.toml``; this is the rule
that turns a level into hospitals, shared by the generator (where a referral is received) and the search
(which sites offer it). Levels: ``alle`` (every hospital), ``hf`` (the main hospital of each health trust:
the trust's hospital in the trust's own kommune) and ``region`` (the regional hospital of each RHF: the
hospital in the RHF's kommune).
"""

from __future__ import annotations

from dataclasses import dataclass

from helsekit.domain.organisations import OrganisationKind

LEVELS = ("alle", "hf", "region")


@dataclass(frozen=True)
class HospitalLevels:
    """For every hospital id: the hospital that offers each level to its patients."""

    main_of_trust: dict[int, int]  # hospital → the main hospital of its HF
    regional: dict[int, int]  # hospital → the regional hospital of its RHF

    def receiving(self, level: str, hospital_id: int) -> int:
        """The hospital that receives a referral at ``level`` from the patients of ``hospital_id``."""
        if level == "alle":
            return hospital_id
        return (self.main_of_trust if level == "hf" else self.regional)[hospital_id]

    def offering(self, level: str) -> set[int]:
        """The hospitals that offer a treatment at ``level``."""
        if level == "alle":
            return set(self.main_of_trust)
        return set((self.main_of_trust if level == "hf" else self.regional).values())


def hospital_levels(ids, kinds, kommuner, parents) -> HospitalLevels:
    """The levels of the organisation tree given as columns (id, kind, kommune number, parent id)."""
    rows = {int(i): (k, m, None if p is None else int(p)) for i, k, m, p in zip(ids, kinds, kommuner, parents)}
    hospitals = sorted(i for i, (k, _, _) in rows.items() if k == OrganisationKind.HOSPITAL)
    trust_of = {h: rows[h][2] for h in hospitals}
    main = {}
    for trust in sorted(set(trust_of.values())):
        own = [h for h in hospitals if trust_of[h] == trust]
        at_seat = [h for h in own if rows[h][1] == rows[trust][1]]
        main[trust] = (at_seat or own)[0]
    region_of = {h: rows[trust_of[h]][2] for h in hospitals}
    regional = {}
    for rhf in sorted(set(region_of.values())):
        own = [h for h in hospitals if region_of[h] == rhf]
        at_seat = [h for h in own if rows[h][1] == rows[rhf][1]]
        regional[rhf] = (at_seat or [main[trust_of[own[0]]]])[0]
    return HospitalLevels({h: main[trust_of[h]] for h in hospitals}, {h: regional[region_of[h]] for h in hospitals})
