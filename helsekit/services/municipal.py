"""Municipal services on Helsenorge (issue #9): which kommuner offer each service digitally, like the pilots'
sites (municipal_services.toml: kommuner listed, and every kommune of the fylker listed). A citizen's kommune
is the one of their address; outside a kommune that offers a service the portal says so, in bokmål."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from sqlmodel import Session

from helsekit.domain.citizens import Citizen
from helsekit.domain.geography import Kommune
from helsekit.errors import InvalidInput, NotFound
from helsekit.generator import specs

HEALTH_STATION, HOME_CARE = "helsestasjon", "hjemmetjenester"
NAMES_NB = {HEALTH_STATION: "Helsestasjon og skolehelsetjeneste", HOME_CARE: "Hjemmetjenester"}


@lru_cache(maxsize=1)
def _spec() -> dict:
    return specs.load("municipal_services")


def offers(kommune_number: str, service: str) -> bool:
    """Does the kommune (four-digit kommunenummer) offer ``service`` (helsestasjon or hjemmetjenester) digitally?"""
    if service not in NAMES_NB:
        raise InvalidInput(f"service {service!r} is not a municipal service; choose one of: {', '.join(NAMES_NB)}",
                           f"«{service}» er ikke en kommunal tjeneste; velg en av: {', '.join(NAMES_NB)}.", "service")
    enabled = _spec()[service]
    return kommune_number in enabled.get("kommuner", []) or kommune_number[:2] in enabled.get("fylker", [])


@dataclass(frozen=True)
class Offer:
    """Whether the subject's kommune offers a municipal service, and the bokmål sentence when it does not."""

    service: str
    kommune_number: str
    kommune_name: str
    offered: bool

    @property
    def message_nb(self) -> str:
        if self.offered:
            return ""
        return f"{self.kommune_name} kommune tilbyr ikke {NAMES_NB[self.service].lower()} på Helsenorge ennå."


def offer_for(session: Session, citizen_id: int, service: str) -> Offer:
    """Whether the kommune ``citizen_id`` lives in offers ``service``. No access check: it says nothing about
    the citizen's health (the caller checks the policy before it reads any record data)."""
    citizen = session.get(Citizen, citizen_id)
    if citizen is None:
        raise NotFound(f"citizen_id {citizen_id} is not a citizen in this database",
                       f"Fant ingen innbygger med id {citizen_id}.", "citizen_id")
    kommune = session.get(Kommune, citizen.kommune_number)
    return Offer(service, citizen.kommune_number, kommune.name if kommune else citizen.kommune_number, offers(citizen.kommune_number, service))
