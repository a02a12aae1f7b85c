"""Profil og innstillinger on Min helse: fullmakter, consent and reservations, contact information,
notifications and change of fastlege (issue #4 point 7; domain-facts §3.5–§3.8, §4.7, §9.1–§9.2).

The access policy lets only the person themself change their profile (§3.2, §3.5); a fullmakt holder
never sees the giver's fullmakter (§3.5). Choices with their reasons are in
``synthetic_data/specs/profile_settings.toml``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import func, or_
from sqlmodel import Session, select

from helsekit.domain.citizens import AddressProtection, Citizen
from helsekit.domain.consents import ConsentLevel, HelsenorgeProfile
from helsekit.domain.gp_changes import GpChangeRequest, GpChangeStatus, takes_effect_on
from helsekit.domain.gp_lists import GpList, GpListMembership
from helsekit.domain.proxies import Fullmakt, FullmaktScope
from helsekit.errors import InvalidInput, LimitReached, NotFound, RuleBroken
from helsekit.generator import specs
from helsekit.services import access, policy
from helsekit.services.actors import Actor
from helsekit.services.gp_services import gp_list_on

NOTIFICATION_CHANNELS = tuple(specs.load("helsenorge_profiles")["notifications"]["channels"])  # epost, sms, begge


@dataclass(frozen=True)
class FullmaktView:
    """One fullmakt as the giver or holder sees it."""

    id: int
    giver_id: int
    holder_id: int
    other_name: str  # the holder's name for one given, the giver's for one received
    scope: str
    valid_from: dt.date
    valid_to: dt.date | None
    in_force: bool


@dataclass(frozen=True)
class Fullmakter:
    """The fullmakter the person has given and received."""

    given: list[FullmaktView]
    received: list[FullmaktView]


@dataclass(frozen=True)
class Settings:
    """The person's Helsenorge settings after a change."""

    citizen_id: int
    consent_level: str
    notification_channel: str | None
    kj_block_own_web_access: bool
    kj_block_health_personnel: bool
    kj_reserved: bool
    phone: str | None
    email: str | None
    person_number: str | None = None  # the subject's own fødselsnummer, shown on their profile page


@dataclass(frozen=True)
class GpChange:
    """A change of fastlege asked for: registered (with the day it takes effect) or on the waiting list."""

    id: int
    from_gp_list_id: int | None
    to_gp_list_id: int
    status: str
    takes_effect_on: dt.date | None


def _age(born: dt.date, on: dt.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _alive(session: Session, citizen_id: int, on: dt.date, field: str) -> Citizen:
    citizen = session.get(Citizen, citizen_id)
    if citizen is None or (citizen.death_date is not None and citizen.death_date <= on):
        raise NotFound(f"{field} {citizen_id} is not a living citizen", f"Fant ingen levende person med id {citizen_id}.", field)
    return citizen


def _view(session: Session, f: Fullmakt, other_id: int, on: dt.date) -> FullmaktView:
    other = session.get(Citizen, other_id)
    in_force = f.valid_from <= on and (f.valid_to is None or f.valid_to >= on)
    return FullmaktView(f.id, f.giver_id, f.holder_id, f"{other.given_name} {other.family_name}", f.scope, f.valid_from, f.valid_to, in_force)


# --- Fullmakt (§3.5–§3.7) ---------------------------------------------------------------------------


def _holder(session: Session, holder: int | str, on: dt.date) -> Citizen:
    if isinstance(holder, str):
        found = session.exec(select(Citizen).where(Citizen.person_number == holder.strip())).first()
        if found is None:
            raise NotFound("no citizen has this person number", "Fant ingen person med dette fødselsnummeret.", "holder")
        holder = found.id
    return _alive(session, holder, on, "holder")


def _checked_fullmakt(session: Session, giver_id: int, holder: int | str, scope: str, valid_from: dt.date, valid_to: dt.date | None,
                      now: dt.datetime, replacing: int | None = None) -> Fullmakt:
    """A new fullmakt from ``giver_id``, every rule checked; nothing is written."""
    today = now.date()
    if scope not in FullmaktScope.ALL:
        raise InvalidInput(f"scope must be one of {', '.join(FullmaktScope.ALL)}", f"Omfanget må være en av: {', '.join(FullmaktScope.ALL)}.", "scope")
    if valid_from < today:
        raise InvalidInput("valid_from cannot be before today", "En fullmakt kan ikke gjelde fra før i dag.", "valid_from")
    if valid_to is not None and valid_to < valid_from:
        raise InvalidInput("valid_to cannot be before valid_from", "Sluttdatoen kan ikke være før startdatoen.", "valid_to")
    giver, taker = _alive(session, giver_id, today, "giver"), _holder(session, holder, today)
    if taker.id == giver.id:
        raise InvalidInput("a person cannot give a fullmakt to themself", "Du kan ikke gi fullmakt til deg selv.", "holder")
    if giver.address_protection != AddressProtection.NONE or taker.address_protection != AddressProtection.NONE:
        raise RuleBroken("no fullmakt can be given to or by a person with a confidential address",
                         "Det kan ikke gis fullmakt til eller fra en person med fortrolig adresse.", "§3.7")
    if _age(giver.birth_date, today) < policy.FULLMAKT_GIVER_OVER:
        raise RuleBroken("the giver of a fullmakt must be 16 or older", "Den som gir fullmakt, må være over 16 år.", "§3.5")
    if _age(taker.birth_date, today) < policy.FULLMAKT_HOLDER_OVER:
        raise RuleBroken("the holder of a fullmakt must be 18 or older", "Den som får fullmakt, må være over 18 år.", "§3.5")
    profile = session.get(HelsenorgeProfile, giver.id)
    if profile is None or profile.consent_level == ConsentLevel.NONE:
        raise RuleBroken("the giver must first consent to a Helsenorge access level", "Du må først samtykke til et tilgangsnivå på Helsenorge.", "§3.5")
    overlapping = select(Fullmakt.id).where(Fullmakt.giver_id == giver.id, Fullmakt.holder_id == taker.id,
                                            or_(Fullmakt.valid_to.is_(None), Fullmakt.valid_to >= valid_from))
    if valid_to is not None:
        overlapping = overlapping.where(Fullmakt.valid_from <= valid_to)
    if replacing is not None:
        overlapping = overlapping.where(Fullmakt.id != replacing)
    if session.exec(overlapping).first() is not None:
        raise RuleBroken("this holder already has a fullmakt from the giver for (part of) this period; edit that one",
                         "Personen har allerede en fullmakt fra deg i (deler av) perioden; endre den i stedet.", "holder")
    return Fullmakt(giver_id=giver.id, holder_id=taker.id, scope=scope, valid_from=valid_from, valid_to=valid_to)


def give_fullmakt(session: Session, actor: Actor, holder: int | str, scope: str, valid_from: dt.date, valid_to: dt.date | None,
                  now: dt.datetime) -> FullmaktView:
    """Let ``holder`` (citizen id or person number) use Helsenorge for the subject with ``scope`` (§3.5–§3.7).

    The giver must be over 16 and have a consent level, the holder over 18; nobody with a
    confidential address gives or holds one; a fullmakt is time-limited or indefinite (``valid_to`` None).
    """
    access.check(session, actor, policy.Service.PROFILE, policy.Action.ACT, now)
    new = _checked_fullmakt(session, actor.subject, holder, scope, valid_from, valid_to, now)
    with access.unit_of_work(session):
        session.add(new)
    return _view(session, new, new.holder_id, now.date())


def _given(session: Session, actor: Actor, fullmakt_id: int, holder_may: bool = False) -> Fullmakt:
    found = session.get(Fullmakt, fullmakt_id)
    if found is None or not (found.giver_id == actor.subject or (holder_may and found.holder_id == actor.subject)):
        raise NotFound(f"fullmakt {fullmakt_id} is not one of this person's", f"Fant ingen fullmakt {fullmakt_id} hos deg.", "fullmakt_id")
    return found


def edit_fullmakt(session: Session, actor: Actor, fullmakt_id: int, scope: str, valid_from: dt.date, valid_to: dt.date | None,
                  now: dt.datetime) -> FullmaktView:
    """Change a fullmakt the subject gave: it is deleted and a new one created, as one unit of work (§3.5)."""
    access.check(session, actor, policy.Service.PROFILE, policy.Action.ACT, now)
    old = _given(session, actor, fullmakt_id)
    new = _checked_fullmakt(session, actor.subject, old.holder_id, scope, valid_from, valid_to, now, replacing=old.id)
    # A new id, never the old one's (SQLite would hand the largest id out again once it is deleted).
    new.id = session.exec(select(func.max(Fullmakt.id))).one() + 1
    with access.unit_of_work(session):
        session.delete(old)
        session.flush()
        session.add(new)
    return _view(session, new, new.holder_id, now.date())


def revoke_fullmakt(session: Session, actor: Actor, fullmakt_id: int, now: dt.datetime) -> None:
    """End a fullmakt the subject gave or holds, at once: one in force ends yesterday (kept on record),
    one that has not begun before today is deleted."""
    access.check(session, actor, policy.Service.PROFILE, policy.Action.ACT, now)
    found = _given(session, actor, fullmakt_id, holder_may=True)
    today = now.date()
    if found.valid_to is not None and found.valid_to < today:
        raise RuleBroken(f"fullmakt {fullmakt_id} has already ended", "Fullmakten er allerede avsluttet.", "fullmakt_id")
    with access.unit_of_work(session):
        if found.valid_from >= today:
            session.delete(found)
        else:
            found.valid_to = today - dt.timedelta(days=1)
            session.add(found)


def fullmakter(session: Session, actor: Actor, now: dt.datetime) -> Fullmakter:
    """The fullmakter the subject has given and received (the policy keeps holders out, §3.5)."""
    access.check(session, actor, policy.Service.PROFILE, policy.Action.VIEW, now)
    today, me = now.date(), actor.subject
    given = session.exec(select(Fullmakt).where(Fullmakt.giver_id == me).order_by(Fullmakt.valid_from, Fullmakt.id)).all()
    received = session.exec(select(Fullmakt).where(Fullmakt.holder_id == me).order_by(Fullmakt.valid_from, Fullmakt.id)).all()
    return Fullmakter([_view(session, f, f.holder_id, today) for f in given], [_view(session, f, f.giver_id, today) for f in received])


# --- Consent, reservations, contact and notifications (§3.5, §3.8, §4.7) ------------------------------


def _settings(session: Session, citizen_id: int) -> Settings:
    citizen, profile = session.get(Citizen, citizen_id), _profile(session, citizen_id)
    return Settings(citizen_id, profile.consent_level, profile.notification_channel, profile.kj_block_own_web_access,
                    profile.kj_block_health_personnel, profile.kj_reserved, citizen.phone, citizen.email, citizen.person_number)


def _profile(session: Session, citizen_id: int) -> HelsenorgeProfile:
    """The profile, created with no consent for one who turned 16 after the data was generated."""
    return session.get(HelsenorgeProfile, citizen_id) or HelsenorgeProfile(citizen_id=citizen_id, consent_level=ConsentLevel.NONE)


def settings(session: Session, actor: Actor, now: dt.datetime) -> Settings:
    """The subject's consent, notification, kjernejournal and contact settings."""
    access.check(session, actor, policy.Service.PROFILE, policy.Action.VIEW, now)
    return _settings(session, actor.subject)


def set_consent_level(session: Session, actor: Actor, level: str, now: dt.datetime) -> Settings:
    """Set the Helsenorge access level consented to (§3.5: Basis for most services, Full for referrals)."""
    access.check(session, actor, policy.Service.PROFILE, policy.Action.ACT, now)
    if level not in ConsentLevel.ORDER:
        raise InvalidInput(f"level must be one of {', '.join(ConsentLevel.ORDER)}", f"Nivået må være en av: {', '.join(ConsentLevel.ORDER)}.", "level")
    with access.unit_of_work(session):
        profile = _profile(session, actor.subject)
        profile.consent_level = level
        session.add(profile)
    return _settings(session, actor.subject)


def set_kjernejournal_choices(session: Session, actor: Actor, now: dt.datetime, *, block_own_web_access: bool | None = None,
                              block_health_personnel: bool | None = None, reserved: bool | None = None) -> Settings:
    """Set any of the three kjernejournal choices of §4.7 (None leaves a choice as it is)."""
    access.check(session, actor, policy.Service.PROFILE, policy.Action.ACT, now)
    with access.unit_of_work(session):
        profile = _profile(session, actor.subject)
        if block_own_web_access is not None:
            profile.kj_block_own_web_access = block_own_web_access
        if block_health_personnel is not None:
            profile.kj_block_health_personnel = block_health_personnel
        if reserved is not None:
            profile.kj_reserved = reserved
        session.add(profile)
    return _settings(session, actor.subject)


def _phone(phone: str) -> str:
    compact = re.sub(r"\s+", "", phone or "")
    if not re.fullmatch(specs.load("profile_settings")["contact"]["phone_pattern"], compact):
        raise InvalidInput("phone must be a synthetic Norwegian mobile number: +47 followed by 0 and 7 digits (+47 0xxxxxxx)",
                           "Telefonnummeret må være et testnummer: +47 0 og sju sifre (+47 0xxxxxxx).", "phone")
    return f"{compact[:3]} {compact[3:]}"


def _email(email: str) -> str:
    address = (email or "").strip().lower()
    local, _, domain = address.partition("@")
    if not re.fullmatch(r"[a-z0-9._%+-]+", local) or not re.fullmatch(r"[a-z0-9-]+(\.[a-z0-9-]+)+", domain):
        raise InvalidInput("email must look like name@domain.tld", "E-postadressen må ha formen navn@domene.no.", "email")
    if not address.endswith(tuple(specs.load("profile_settings")["contact"]["email_domains"])):
        raise InvalidInput("email must be at a reserved test domain (e.g. .test or example.com)",
                           "E-postadressen må være på et testdomene (f.eks. .test eller example.com).", "email")
    return address


def set_contact(session: Session, actor: Actor, now: dt.datetime, *, phone: str | None = None, email: str | None = None) -> Settings:
    """Change the subject's mobile number and/or e-mail address (None leaves one as it is)."""
    access.check(session, actor, policy.Service.PROFILE, policy.Action.ACT, now)
    new_phone = _phone(phone) if phone is not None else None
    new_email = _email(email) if email is not None else None
    with access.unit_of_work(session):
        citizen = session.get(Citizen, actor.subject)
        citizen.phone = new_phone or citizen.phone
        citizen.email = new_email or citizen.email
        session.add(citizen)
    return _settings(session, actor.subject)


def set_notifications(session: Session, actor: Actor, channel: str, now: dt.datetime) -> Settings:
    """Choose how Helsenorge notifies the subject: epost, sms or begge (§3.8); the channel needs its contact detail."""
    access.check(session, actor, policy.Service.PROFILE, policy.Action.ACT, now)
    if channel not in NOTIFICATION_CHANNELS:
        raise InvalidInput(f"channel must be one of {', '.join(NOTIFICATION_CHANNELS)}", f"Varslingen må være en av: {', '.join(NOTIFICATION_CHANNELS)}.", "channel")
    citizen = session.get(Citizen, actor.subject)
    if channel in ("sms", "begge") and not citizen.phone:
        raise InvalidInput("notification by sms needs a mobile number", "Varsling på SMS krever et mobilnummer.", "channel")
    if channel in ("epost", "begge") and not citizen.email:
        raise InvalidInput("notification by e-mail needs an e-mail address", "Varsling på e-post krever en e-postadresse.", "channel")
    with access.unit_of_work(session):
        profile = _profile(session, actor.subject)
        profile.notification_channel = channel
        session.add(profile)
    return _settings(session, actor.subject)


# --- Change of fastlege (§9.1–§9.2) ----------------------------------------------------------------


def _changes_in_year(session: Session, citizen_id: int, year: int) -> int:
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    live = session.exec(select(GpChangeRequest).where(GpChangeRequest.citizen_id == citizen_id)).all()
    live_in_year = [r for r in live if start <= r.requested_at.date() <= end]
    counted = {r.membership_id for r in live if r.membership_id is not None}
    generated = session.exec(select(GpListMembership.id).where(
        GpListMembership.citizen_id == citizen_id, GpListMembership.requested_on >= start, GpListMembership.requested_on <= end)).all()
    return len(live_in_year) + len(set(generated) - counted)


def list_length(session: Session, gp_list_id: int, on: dt.date) -> int:
    """Citizens alive on the list on ``on`` (memberships dated ahead included)."""
    return session.exec(select(func.count()).select_from(GpListMembership).join(Citizen, Citizen.id == GpListMembership.citizen_id).where(
        GpListMembership.gp_list_id == gp_list_id, GpListMembership.valid_from <= on,
        or_(GpListMembership.valid_to.is_(None), GpListMembership.valid_to >= on),
        or_(Citizen.death_date.is_(None), Citizen.death_date > on))).one()


def change_gp(session: Session, actor: Actor, gp_list_id: int, now: dt.datetime) -> GpChange:
    """Move the subject to another fastlege list (§9.1–§9.2).

    At most 2 changes a calendar year (:class:`LimitReached`, §9.1); a change takes effect on the 1st of
    the next month; a full list puts the person on its waiting list instead, one list at a time (§9.2).
    """
    access.check(session, actor, policy.Service.PROFILE, policy.Action.ACT, now)
    subject, today = actor.subject, now.date()
    target = session.get(GpList, gp_list_id)
    if target is None:
        raise NotFound(f"GP list {gp_list_id} does not exist", f"Fant ingen fastlegeliste {gp_list_id}.", "gp_list_id")
    effective = takes_effect_on(today)
    current = gp_list_on(session, subject, today)
    then = gp_list_on(session, subject, effective)
    if then is not None and then.id == gp_list_id:
        raise InvalidInput("the person is already on this GP list", "Du står allerede på denne fastlegelisten.", "gp_list_id")
    waiting = session.exec(select(GpChangeRequest).where(GpChangeRequest.citizen_id == subject, GpChangeRequest.status == GpChangeStatus.WAITING)).first()
    if waiting is not None:
        raise LimitReached(f"the person is already on the waiting list of GP list {waiting.to_gp_list_id}; one waiting list at a time",
                           "Du står allerede på venteliste hos en annen fastlege; du kan bare stå på én venteliste om gangen.", "§9.2")
    pending = session.exec(select(GpChangeRequest).where(GpChangeRequest.citizen_id == subject, GpChangeRequest.status == GpChangeStatus.REGISTERED,
                                                         GpChangeRequest.takes_effect_on > today)).first()
    if pending is not None:
        raise RuleBroken(f"a change of fastlege already takes effect on {pending.takes_effect_on}",
                         f"Et bytte av fastlege trer allerede i kraft {pending.takes_effect_on:%d.%m.%Y}.", "§9.2")
    limit = specs.load("profile_settings")["gp_change"]["max_changes_per_year"]
    if _changes_in_year(session, subject, today.year) >= limit:
        raise LimitReached(f"at most {limit} changes of fastlege a calendar year", f"Du kan bytte fastlege høyst {limit} ganger i året.", "§9.1")
    full = list_length(session, gp_list_id, effective) >= target.ceiling
    request = GpChangeRequest(citizen_id=subject, from_gp_list_id=current.id if current else None, to_gp_list_id=gp_list_id,
                              requested_by=actor.person_id, requested_at=now.replace(microsecond=0, tzinfo=None),
                              status=GpChangeStatus.WAITING if full else GpChangeStatus.REGISTERED, takes_effect_on=None if full else effective)
    with access.unit_of_work(session):
        if not full:
            ongoing = session.exec(select(GpListMembership).where(
                GpListMembership.citizen_id == subject, or_(GpListMembership.valid_to.is_(None), GpListMembership.valid_to >= effective))).all()
            for membership in ongoing:
                membership.valid_to = effective - dt.timedelta(days=1)
                session.add(membership)
            joined = GpListMembership(citizen_id=subject, gp_list_id=gp_list_id, valid_from=effective, requested_on=today)
            session.add(joined)
            session.flush()
            request.membership_id = joined.id
        session.add(request)
    return GpChange(request.id, request.from_gp_list_id, gp_list_id, request.status, request.takes_effect_on)
