"""The access policy: who may see and do what on Helsenorge, for themself or for someone else.

One module, readable as the rule list of domain-facts §3 and §5.6 (plus §3.4, §4.7, §5.3). Every
service asks :func:`decide` before it reads or acts; nothing else in helsekit decides access.
The rules are pure functions of plain facts (:class:`Facts`), so they can be proved over hundreds
of thousands of generated cases; gathering the facts from a database is the services' job.

The rules, in the order they are applied (the first that denies wins):

1. **Confidential address (§3.7).** Nobody acts for a person with a confidential address, and such
   a person acts for nobody.
2. **Who is acting (§3.1).** A person may act as themself; as a parent with foreldreansvar for a child
   under 16 when at least one parent with foreldreansvar is registered at the child's address
   (§3.2); or as the holder of a fullmakt in force, given by someone over 16 to someone over 18
   (§3.5). Anyone else is refused.
3. **Own access by age (§3.4, §5.6).** Under 13 a person has no own access; 13–15 only
   *ungdomstilgang*: viewing the overview, prescriptions, messages and vaccines (§3.4). From 16, full own access.
4. **Parents by the child's age (§3.2, §5.3).** For a child under 12 a parent may use every
   service except the hospital record, which is never shown digitally on behalf of a child under 16
   (§5.3); for 12–15 access is limited: no kjernejournal (§3.2), no hospital record (§5.3), no
   referrals, no test results and no access log (modelling choice: they reveal the record), and the
   child's profile is the child's own. Vaccinations stay visible to a parent until the child turns 16
   (the Vaksiner service, fed by the immunisation register, not the kjernejournal view). So do the child's
   helsestasjon and school health appointments (modelling choice: the parents are invited to them).
5. **Fullmakt scope (§3.6).** *Digitale helsetjenester* lets the holder view and act; *innsyn* only
   view. A holder never manages the giver's profile or fullmakter (§3.5: they are not visible to
   the holder).
6. **Never more than the person has (§3.1).** From 16, the subject's own consent level limits
   everyone acting for them: most services need *Basis*, referrals need *Full tilgang* (§3.5), the
   profile is always open to the person themself (to change the consent).
7. **Kjernejournal choices (§4.7).** No kjernejournal for one who reserved against having one; a
   citizen who blocked web access to it cannot open it on Helsenorge, and so neither can anyone
   acting for them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from helsekit.domain.consents import ConsentLevel
from helsekit.domain.proxies import FullmaktScope
from helsekit.domain.representation import FULL_UNTIL, LIMITED_UNTIL
from helsekit.errors import HelsekitError


class Service(StrEnum):
    """The Min helse service areas (issue #4)."""

    OVERVIEW = "overview"
    APPOINTMENTS = "appointments"
    GP_SERVICES = "gp_services"  # contact reception, e-consultation, prescription renewal
    MESSAGES = "messages"
    PRESCRIPTIONS = "prescriptions"
    REFERRALS = "referrals"
    KJERNEJOURNAL = "kjernejournal"
    HOSPITAL_RECORD = "hospital_record"
    ACCESS_LOG = "access_log"
    COPAYMENTS = "copayments"
    PATIENT_TRAVEL = "patient_travel"
    PROFILE = "profile"
    VACCINATIONS = "vaccinations"  # Vaksiner (§4.2)
    TEST_RESULTS = "test_results"  # Prøvesvar (§4.2)
    HEALTH_STATION = "health_station"  # helsestasjon and skolehelsetjenesten appointments (municipal, issue #9)
    HOME_CARE = "home_care"  # hjemmetjenester: visit plan and messages (municipal, issue #9)


class Action(StrEnum):
    VIEW = "view"
    ACT = "act"


class Basis(StrEnum):
    """On what ground a person is acting for the subject."""

    SELF = "self"
    PARENT = "parent"
    FULLMAKT = "fullmakt"


#: Services that show data from a health record: every read of them lands in the subject's access log.
RECORD_SERVICES = frozenset({Service.KJERNEJOURNAL, Service.HOSPITAL_RECORD, Service.VACCINATIONS, Service.TEST_RESULTS,
                             Service.HEALTH_STATION, Service.HOME_CARE})
#: Ungdomstilgang 13–15 (§3.4): view only.
YOUTH_VIEW = frozenset({Service.OVERVIEW, Service.PRESCRIPTIONS, Service.MESSAGES, Service.VACCINATIONS})
YOUTH_FROM = 13
#: What a parent may not use for a child of 12–15 (§3.2, §5.3; the last four a modelling choice).
LIMITED_PARENT_DENIED = frozenset({Service.KJERNEJOURNAL, Service.HOSPITAL_RECORD, Service.REFERRALS, Service.ACCESS_LOG, Service.PROFILE,
                                   Service.TEST_RESULTS})
CHILD_HOSPITAL_RECORD_UNTIL = 16  # §5.3: no digital access on behalf of children under 16
FULLMAKT_GIVER_OVER, FULLMAKT_HOLDER_OVER = 16, 18  # §3.5 ("over 16", "over 18": from the birthday)
NEEDS_FULL = frozenset({Service.REFERRALS})  # §3.5
OWN_ACCESS_FROM = 16  # §3.2, §5.6: helserettslig myndig


@dataclass(frozen=True)
class Person:
    """What the policy needs to know about one person on the day."""

    id: int
    age: int
    protected: bool = False  # fortrolig or strengt fortrolig address (§3.7)
    consent_level: str | None = None  # Helsenorge consent (§3.5); None under 16
    kj_reserved: bool = False  # §4.7 choice 3
    kj_block_own_web_access: bool = False  # §4.7 choice 1


@dataclass(frozen=True)
class Facts:
    """Everything :func:`decide` looks at: who acts, for whom, and what links them that day."""

    actor: Person
    subject: Person
    foreldreansvar: bool = False  # the actor is a parent of the subject with foreldreansvar
    a_parent_at_childs_address: bool = False  # some parent with foreldreansvar lives at the subject's address (§3.2)
    fullmakt_scope: str | None = None  # scope of a fullmakt in force from subject to actor, if any


@dataclass(frozen=True)
class Decision:
    """The answer: allowed or not, on what basis, and the rule that decided (for messages and the audit)."""

    allowed: bool
    rule: str
    reason_en: str
    reason_nb: str
    basis: Basis | None = None


class AccessDenied(HelsekitError):
    """The actor may not see or do this for this person; ``field`` names the rule."""

    def __init__(self, decision: Decision) -> None:
        super().__init__(f"not allowed: {decision.reason_en} ({decision.rule})", f"Ikke tillatt: {decision.reason_nb} ({decision.rule}).", decision.rule)
        self.decision = decision


def _deny(rule: str, en: str, nb: str, basis: Basis | None = None) -> Decision:
    return Decision(False, rule, en, nb, basis)


def _basis(f: Facts) -> Decision:
    """Rules 1 and 2: on what ground the actor acts for the subject, if any."""
    if f.actor.id == f.subject.id:
        return Decision(True, "§3.1", "acting as oneself", "du handler på egne vegne", Basis.SELF)
    if f.actor.protected or f.subject.protected:
        return _deny("§3.7", "nobody acts for or as a person with a confidential address",
                     "ingen kan representere eller representeres av en person med fortrolig adresse")
    if f.foreldreansvar and f.subject.age < LIMITED_UNTIL:
        if f.a_parent_at_childs_address:
            return Decision(True, "§3.2", "a parent with foreldreansvar", "forelder med foreldreansvar", Basis.PARENT)
        return _deny("§3.2", "no parent with foreldreansvar is registered at the child's address",
                     "ingen forelder med foreldreansvar er registrert på barnets adresse")
    if f.fullmakt_scope is not None:
        if f.subject.age < FULLMAKT_GIVER_OVER or f.actor.age < FULLMAKT_HOLDER_OVER:
            return _deny("§3.5", "a fullmakt needs a giver of 16 or more and a holder of 18 or more",
                         "en fullmakt krever at fullmaktsgiver er over 16 år og fullmektig over 18 år")
        return Decision(True, "§3.5", "holder of a fullmakt", "fullmektig", Basis.FULLMAKT)
    if f.foreldreansvar:
        return _deny("§3.2", "parental access ends when the child turns 16", "foreldres tilgang opphører når barnet fyller 16 år")
    return _deny("§3.1", "the actor has no fullmakt or parental right for this person",
                 "du har verken fullmakt eller foreldreansvar for denne personen")


def decide(f: Facts, service: Service, action: Action) -> Decision:
    """May ``f.actor`` do ``action`` in ``service`` for ``f.subject``? The first rule that denies decides."""
    base = _basis(f)
    if not base.allowed:
        return base
    basis, subject = base.basis, f.subject
    # Rule 3: own access by age.
    if basis is Basis.SELF and subject.age < OWN_ACCESS_FROM:
        if subject.age < YOUTH_FROM:
            return _deny("§5.6", "children under 13 have no own access; their parents have it",
                         "barn under 13 år har ikke egen tilgang; foreldrene har den", basis)
        if service not in YOUTH_VIEW or action is not Action.VIEW:
            return _deny("§3.4", "ungdomstilgang (13–15) covers viewing the overview, prescriptions, messages and vaccines only",
                         "ungdomstilgang (13–15 år) gir bare innsyn i oversikt, resepter, meldinger og vaksiner", basis)
    # Rule 4: parents by the child's age.
    if basis is Basis.PARENT:
        if service is Service.HOSPITAL_RECORD and subject.age < CHILD_HOSPITAL_RECORD_UNTIL:
            return _deny("§5.3", "the hospital record is not shown digitally on behalf of a child under 16",
                         "pasientjournalen vises ikke digitalt på vegne av barn under 16 år", basis)
        if subject.age >= FULL_UNTIL and service in LIMITED_PARENT_DENIED:
            return _deny("§3.2", "parents' access to a child of 12–15 is limited and does not include this service",
                         "foreldres tilgang til barn på 12–15 år er begrenset og omfatter ikke denne tjenesten", basis)
        if service is Service.PROFILE and action is Action.ACT:
            return _deny("§3.2", "a child's Helsenorge settings are not changed by a parent",
                         "foreldre kan ikke endre barnets innstillinger på Helsenorge", basis)
    # Rule 5: fullmakt scope.
    if basis is Basis.FULLMAKT:
        if service is Service.PROFILE:
            return _deny("§3.5", "a fullmakt holder cannot see or change the giver's profile and fullmakter",
                         "en fullmektig kan ikke se eller endre fullmaktsgivers profil og fullmakter", basis)
        if action is Action.ACT and f.fullmakt_scope != FullmaktScope.DIGITAL_HEALTH_SERVICES:
            return _deny("§3.6", "this fullmakt (innsyn) lets the holder view, not act",
                         "denne fullmakten (innsyn) gir bare innsyn, ikke rett til å handle", basis)
    # Rule 6: never more than the person has.
    if subject.age >= OWN_ACCESS_FROM and service is not Service.PROFILE:
        level = ConsentLevel.ORDER.index(subject.consent_level or ConsentLevel.NONE)
        needed = ConsentLevel.FULL if service in NEEDS_FULL else ConsentLevel.BASIS
        if level < ConsentLevel.ORDER.index(needed):
            return _deny("§3.5", f"the person's Helsenorge consent level must be {needed} or higher for this service",
                         f"personens samtykkenivå på Helsenorge må være {needed} eller høyere for denne tjenesten", basis)
    # Rule 7: kjernejournal choices.
    if service is Service.KJERNEJOURNAL:
        if subject.kj_reserved:
            return _deny("§4.7", "the person has reserved against having a kjernejournal",
                         "personen har reservert seg mot å ha kjernejournal", basis)
        if subject.kj_block_own_web_access:
            return _deny("§4.7", "the person has blocked access to their kjernejournal on Helsenorge",
                         "personen har sperret tilgangen til kjernejournalen på Helsenorge", basis)
    return Decision(True, base.rule, base.reason_en, base.reason_nb, basis)


def require(f: Facts, service: Service, action: Action) -> Decision:
    """:func:`decide`, raising :class:`AccessDenied` when the answer is no."""
    decision = decide(f, service, action)
    if not decision.allowed:
        raise AccessDenied(decision)
    return decision
