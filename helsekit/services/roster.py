"""The synthetic log-in's list of people: the citizens a pilot page at one treatment site offers to log in as.

A real portal logs people in with BankID; a demo picks a synthetic citizen instead. The list is bounded
(``limit``) and tied to the site: for a GP office, the citizens on its GP lists on the day; for any other
site, the living citizens of the site's kommune. No one outside the list can be picked in the widget, and
every service still checks the access policy for whoever is picked.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import Session, select

from helsekit.domain.citizens import Citizen
from helsekit.domain.gp_lists import GpList, GpListMembership
from helsekit.domain.organisations import Organisation, OrganisationKind
from helsekit.errors import InvalidInput

MAX_LIMIT = 500


@dataclass(frozen=True)
class Person:
    """One citizen as the log-in list shows them."""

    citizen_id: int
    given_name: str
    family_name: str
    age: int
    kommune_number: str

    @property
    def name(self) -> str:
        return f"{self.given_name} {self.family_name}"


def _age(born: dt.date, on: dt.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def site(session: Session, site_id: object) -> Organisation:
    """The treatment site ``site_id``; InvalidInput when it is not a whole number naming a treatment site."""
    if not isinstance(site_id, int) or isinstance(site_id, bool):
        raise InvalidInput(f"site {site_id!r} must be an organisation id", "Behandlingsstedet må oppgis som et tall.", "site")
    found = session.get(Organisation, site_id)
    if found is None or found.kind not in OrganisationKind.TREATMENT_SITES:
        raise InvalidInput(f"site {site_id} is not a treatment site in this database",
                           f"Fant ikke behandlingssted nummer {site_id}.", "site")
    return found


def citizens_at(session: Session, site_id: int, on: dt.date, limit: int = 200) -> list[Person]:
    """Up to ``limit`` living citizens to log in as at ``site_id`` on ``on``, by family and given name."""
    if not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"limit {limit!r} must be 1 to {MAX_LIMIT}", f"Velg mellom 1 og {MAX_LIMIT} personer.", "limit")
    place = site(session, site_id)
    query = select(Citizen).where((Citizen.death_date.is_(None)) | (Citizen.death_date > on))
    if place.kind == OrganisationKind.GP_OFFICE:
        query = query.join(GpListMembership, GpListMembership.citizen_id == Citizen.id).join(
            GpList, GpList.id == GpListMembership.gp_list_id).where(
            GpList.gp_office_id == place.id, GpListMembership.valid_from <= on,
            (GpListMembership.valid_to.is_(None)) | (GpListMembership.valid_to >= on))
    else:
        query = query.where(Citizen.kommune_number == place.kommune_number)
    rows = session.exec(query.order_by(Citizen.family_name, Citizen.given_name, Citizen.id).limit(limit)).all()
    return [Person(c.id, c.given_name, c.family_name, _age(c.birth_date, on), c.kommune_number) for c in rows]


def pilot_sites(session: Session, pilot) -> list[Organisation]:
    """The treatment sites of this database where ``pilot`` (a :class:`helsekit.pilots.Pilot`) is enabled, by id
    (the pilot's own rule, :meth:`helsekit.pilots.Pilot.runs_at`)."""
    query = select(Organisation).where(Organisation.kind.in_(OrganisationKind.TREATMENT_SITES))
    if pilot.site_kind is not None and not pilot.site_ids:  # narrow the read; the rule below decides
        query = query.where(Organisation.kind == pilot.site_kind)
    return [site for site in session.exec(query.order_by(Organisation.id)).all() if pilot.runs_at(site)]
