"""Velg behandlingssted on Min helse (§7.1–§7.4): compare the hospitals that treat a sector's patients, and
send a wish to move one's own referral to the hospital one chooses.

Every figure is computed from the synthetic referrals of the history archive, never invented: the waiting
time runs from the day the hospital received the referral to the start of care (§7.3); the expected
waiting time in weeks is an estimate of the maximum (§7.2); the number treated and the share of fristbrudd
(§6.5, the indicator of §8.4) come from the same referrals. A site with too few cases shows none of them,
and says why. Periods, the quantile, the small-number threshold and the travel rates (§7.4) are in
``synthetic_data/specs/treatment_sites.toml`` with their reasons.

The comparison is public statistics (no actor needed); a citizen's own comparison adds the distance from
their home kommune and needs the Henvisninger service's VIEW, and a wish to move a referral its ACT.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, replace

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from helsekit.analytics import indicators, treatment_waits
from helsekit.analytics.intervals import wilson
from helsekit.domain.citizens import Citizen
from helsekit.domain.geography import Fylke, Kommune
from helsekit.domain.organisations import Organisation, OrganisationKind
from helsekit.domain.site_changes import ONE_OPEN_PER_REFERRAL, SiteChangeRequest, SiteChangeStatus
from helsekit.domain.treatments import HospitalLevels, hospital_levels
from helsekit.errors import InvalidInput, NotFound, RuleBroken
from helsekit.generator import specs
from helsekit.services import access, policy, referrals
from helsekit.services.actors import Actor

SORTS = ("ventetid", "navn", "avstand")


@dataclass(frozen=True)
class SiteFigures:
    """One hospital's figures for one sector and period, computed from the referrals whose care started in it.

    With fewer than ``min_cases`` started cases every figure but ``started`` is None (``suppressed``); with none
    at all the site has no data (:data:`NO_DATA`), which is not the same as a wait of zero."""

    started: int
    expected_weeks: int | None  # the expected maximum wait (§7.2): the spec's quantile, rounded up to weeks
    median_weeks: float | None
    deadline_cases: int | None  # started cases that had a legal deadline (§6.4)
    fristbrudd_share: float | None  # care started after the deadline, among deadline_cases (§6.5)
    fristbrudd_low: float | None  # Wilson 95 % interval
    fristbrudd_high: float | None
    suppressed: bool


NO_DATA = SiteFigures(0, None, None, None, None, None, None, True)


@dataclass(frozen=True)
class SiteRow:
    """One hospital in the comparison table (§7.2)."""

    hospital_id: int
    name: str
    health_trust: str | None  # the HF
    region: str  # the RHF's region, from the site's fylke
    fylke: str
    kommune: str
    can_grant_right: bool  # the site assesses referrals and can grant a right to care (§7.2)
    figures: SiteFigures
    distance_km: int | None  # from the citizen's home kommune; None without one
    travel_egenandel: int | None  # pasientreise egenandel each way (§7.4); None without a home kommune
    current: bool = False  # the hospital that has the citizen's referral


@dataclass(frozen=True)
class Comparison:
    """The hospitals for ``sector`` over ``period``, filtered and sorted as asked."""

    sector: str
    sector_name: str
    period_from: dt.date  # first day counted
    period_to: dt.date  # last day counted
    home_kommune: str | None
    home_region: str | None
    min_cases: int
    rows: list[SiteRow]


@dataclass(frozen=True)
class SiteChange:
    """A wish to move a referral to another hospital, as sent."""

    id: int
    referral_id: int
    from_hospital_id: int
    to_hospital_id: int
    to_hospital_name: str
    status: str
    requested_at: dt.datetime


def sectors() -> dict[str, str]:
    """The sectors one can compare by, with their bokmål names."""
    return {k: v for k, v in specs.load("treatment_sites")["sectors"].items() if k not in ("source", "remarks")}


def _choice(field: str, value: object, valid, name_en: str, name_nb: str) -> None:
    if value not in valid:
        listed = ", ".join(sorted(valid))
        raise InvalidInput(f"{field} {value!r} is not a known {name_en}; choose one of: {listed}",
                           f"Ukjent {name_nb} «{value}»; velg en av: {listed}.", field)


def figures(session: Session, sector: str, today: dt.date) -> dict[int, SiteFigures]:
    """Each hospital's figures in ``sector`` for the period ending ``today`` (hospitals without a started case
    are absent). Raises InvalidInput naming ``sector`` for an unknown sector."""
    _choice("sector", sector, sectors(), "sector", "fagområde")
    return _site_figures(access.database_of(session), "sector", sector, today)


def _site_figures(db: str, by: str, key: str, today: dt.date) -> dict[int, SiteFigures]:
    """Each hospital's figures for one sector or treatment (``by``) over the period ending ``today``."""
    table = treatment_waits.site_waits(db, *treatment_waits.last_period(today), by=by)
    min_cases = treatment_waits.rules()["min_cases"]
    found = {}
    for (hospital_id, row_key), r in table.iterrows():
        if row_key != key:
            continue
        started = int(r.started)
        if started < min_cases:
            found[int(hospital_id)] = SiteFigures(started, None, None, None, None, None, None, True)
            continue
        cases, breaches = int(r.deadline_cases), int(r.breaches)
        low, high = wilson(breaches, cases) if cases else (None, None)
        found[int(hospital_id)] = SiteFigures(started, *treatment_waits.weeks(r.expected_days, r.median_days), cases,
                                              breaches / cases if cases else None, low, high, False)
    return found


def _distance_km(a, b) -> int:
    """Great-circle distance between two kommune centres (treatment_sites.toml [distance])."""
    la1, lo1, la2, lo2 = map(math.radians, (a.latitude, a.longitude, b.latitude, b.longitude))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return round(2 * 6371.0 * math.asin(math.sqrt(h)))


def compare(session: Session, sector: str, today: dt.date, home_kommune: str | None = None, region: str | None = None,
            fylke: str | None = None, sort: str = "ventetid", rights_only: bool = False) -> Comparison:
    """Every hospital, with its figures for ``sector``, optionally seen from ``home_kommune`` (distance,
    travel egenandel), filtered by ``region`` or ``fylke`` (a name) and sorted by ``sort`` (ventetid, navn or
    avstand; sites without figures last). Every unknown value raises InvalidInput naming the field and listing
    the valid choices."""
    found = figures(session, sector, today)
    _choice("sort", sort, SORTS, "sort order", "sortering")
    kommuner = {k.number: k for k in session.exec(select(Kommune)).all()}
    fylker = {f.number: f for f in session.exec(select(Fylke)).all()}
    home = None
    if home_kommune is not None:
        _choice("home_kommune", home_kommune, kommuner, "kommune number", "kommunenummer")
        home = kommuner[home_kommune]
    if region is not None:
        _choice("region", region, {f.region for f in fylker.values()}, "region", "region")
    if fylke is not None:
        _choice("fylke", fylke, {f.name for f in fylker.values()}, "fylke", "fylke")
    hospitals = session.exec(select(Organisation).where(Organisation.kind == OrganisationKind.HOSPITAL)).all()
    trusts = {o.id: o.name for o in session.exec(select(Organisation).where(Organisation.kind == OrganisationKind.HF)).all()}
    rates = specs.load("treatment_sites")["distance"]
    home_region = fylker[home.fylke_number].region if home else None
    rows = []
    for h in hospitals:
        where = kommuner[h.kommune_number]
        place = fylker[where.fylke_number]
        if (region is not None and place.region != region) or (fylke is not None and place.name != fylke):
            continue
        rows.append(SiteRow(
            hospital_id=h.id, name=h.name, health_trust=trusts.get(h.parent_id), region=place.region, fylke=place.name,
            kommune=where.name, can_grant_right=True, figures=found.get(h.id, NO_DATA),
            distance_km=_distance_km(home, where) if home else None,
            travel_egenandel=(rates["same_region_egenandel"] if place.region == home_region else rates["other_region_egenandel"]) if home else None))
    if rights_only:
        rows = [r for r in rows if r.can_grant_right]
    rows.sort(key=_sort_key(sort))
    min_cases = specs.load("treatment_sites")["waiting"]["min_cases"]
    period = specs.load("treatment_sites")["waiting"]["period_days"]
    return Comparison(sector, sectors()[sector], today - dt.timedelta(days=period - 1), today, home_kommune, home_region, min_cases, rows)


def _sort_key(sort: str):
    if sort == "navn":
        return lambda r: (r.name, r.hospital_id)
    if sort == "avstand":
        return lambda r: (r.distance_km is None, r.distance_km or 0, r.name)
    return lambda r: (r.figures.expected_weeks is None, r.figures.expected_weeks or 0, r.name)


def places(session: Session) -> tuple[list[str], list[str]]:
    """The regions and the fylke names one can filter by, sorted."""
    fylker = session.exec(select(Fylke)).all()
    return sorted({f.region for f in fylker}), sorted(f.name for f in fylker)


def for_citizen(session: Session, actor: Actor, sector: str, now: dt.datetime, **filters) -> Comparison:
    """:func:`compare` seen from the subject's home kommune (distance, travel egenandel). Part of the
    Henvisninger service: needs its VIEW. ``filters`` are :func:`compare`'s region, fylke, sort and rights_only."""
    access.check(session, actor, policy.Service.REFERRALS, policy.Action.VIEW, now)
    return compare(session, sector, now.date(), home_kommune=session.get(Citizen, actor.subject).kommune_number, **filters)


def for_referral(session: Session, actor: Actor, referral_id: int, now: dt.datetime, **filters) -> Comparison:
    """The comparison for one of the subject's active referrals: its sector, seen from the subject's home
    kommune, with the hospital that has the referral marked ``current``. Needs the Henvisninger service
    (VIEW); ``filters`` are :func:`compare`'s region, fylke, sort and rights_only."""
    referral = _active_referral(session, actor, referral_id, now, policy.Action.VIEW)
    found = for_citizen(session, actor, referral.sector, now, **filters)
    return replace(found, rows=[replace(r, current=r.hospital_id == referral.hospital_id) for r in found.rows])


@dataclass(frozen=True)
class Treatment:
    """One examination or treatment of the Velg behandlingssted list (treatments.toml)."""

    id: str
    name: str  # bokmål
    sector: str
    offered_at: str  # alle, hf or region (helsekit.domain.treatments)


@dataclass(frozen=True)
class SiteIndicator:
    """One quality indicator of a site over the search period (helsekit.analytics.indicators.compute)."""

    indicator_id: str
    name: str
    unit: str
    denominator: int
    value: float | None  # None when suppressed or without cases (``reason`` says which)
    low: float | None
    high: float | None
    goal_level: str | None  # høy, moderat or lav (§8.5)
    reason: str | None


@dataclass(frozen=True)
class TreatmentSite:
    """One site offering the treatment, as the search table shows it (§7.2)."""

    hospital_id: int
    name: str
    health_trust: str | None
    region: str
    fylke: str
    kommune: str
    can_grant_right: bool
    figures: SiteFigures  # waits of this treatment at this site; NO_DATA without a started case
    distance_km: int | None
    travel_egenandel: int | None
    indicators: tuple[SiteIndicator, ...]


@dataclass(frozen=True)
class TreatmentSearch:
    """The sites offering ``treatment``, filtered and sorted as asked."""

    treatment: str
    treatment_name: str
    sector: str
    period_from: dt.date
    period_to: dt.date
    home_kommune: str | None
    home_region: str | None
    min_cases: int
    rows: list[TreatmentSite]


@dataclass(frozen=True)
class _Place:
    name: str
    fylke: str
    region: str
    latitude: float
    longitude: float


@dataclass(frozen=True)
class _Hospital:
    id: int
    name: str
    health_trust: str | None
    kommune: str


@dataclass(frozen=True)
class _Sites:
    """What the search needs of the database, read once per database and archive version."""

    places: dict[str, _Place]  # by kommune number
    hospitals: list[_Hospital]
    levels: HospitalLevels


_SITES: dict[tuple, _Sites] = {}
_CELLS: dict[tuple, dict[str, dict[int, SiteIndicator]]] = {}


def treatments() -> dict[str, Treatment]:
    """The examinations and treatments one can search for, by id, in the spec's order."""
    return {t["id"]: Treatment(t["id"], t["name"], t["sector"], t["offered_at"]) for t in specs.load("treatments")["treatment"]}


def site_indicators() -> dict[str, str]:
    """The quality indicators computed per hospital (those of the referrals), with their bokmål names."""
    catalogue = indicators.catalogue()
    return {i: catalogue[i].name for i in treatment_waits.hospital_indicator_ids()}


def _sites(session: Session, db: str) -> _Sites:
    key = (db, treatment_waits.archive_version(db))
    if key not in _SITES:
        fylker = {f.number: f for f in session.exec(select(Fylke)).all()}
        places = {k.number: _Place(k.name, fylker[k.fylke_number].name, fylker[k.fylke_number].region, k.latitude, k.longitude)
                  for k in session.exec(select(Kommune)).all()}
        orgs = session.exec(select(Organisation).where(Organisation.kind.in_(
            [OrganisationKind.RHF, OrganisationKind.HF, OrganisationKind.HOSPITAL])).order_by(Organisation.id)).all()
        names = {o.id: o.name for o in orgs}
        hospitals = [_Hospital(o.id, o.name, names.get(o.parent_id), o.kommune_number) for o in orgs if o.kind == OrganisationKind.HOSPITAL]
        levels = hospital_levels([o.id for o in orgs], [o.kind for o in orgs], [o.kommune_number for o in orgs], [o.parent_id for o in orgs])
        _SITES.clear()  # one database at a time in memory
        _SITES[key] = _Sites(places, hospitals, levels)
    return _SITES[key]


def _indicator_cells(db: str, first: dt.date, last: dt.date) -> dict[str, dict[int, SiteIndicator]]:
    """Every site indicator per hospital over the period (computed once per archive version and period)."""
    key = (db, treatment_waits.archive_version(db), first, last)
    if key not in _CELLS:
        catalogue = indicators.catalogue()
        cells = {i: {} for i in site_indicators()}
        for r in treatment_waits.site_indicators(db, first, last).itertuples():
            ind = catalogue[r.indicator_id]
            cells[r.indicator_id][int(r.hospital_id)] = SiteIndicator(
                r.indicator_id, ind.name, ind.unit, int(r.denominator), _number(r.value), _number(r.low), _number(r.high),
                _text(r.goal_level), _text(r.reason))
        _CELLS.clear()
        _CELLS[key] = cells
    return _CELLS[key]


def _number(value) -> float | None:
    return None if value is None or value != value else float(value)


def _text(value) -> str | None:  # a missing cell is None, never pandas' NaN
    return None if value is None or value != value else str(value)


def search(session: Session, treatment: str, today: dt.date, home_kommune: str | None = None, region: str | None = None,
           fylke: str | None = None, sort: str = "ventetid", rights_only: bool = False,
           indicator_ids: list[str] | tuple[str, ...] | None = None) -> TreatmentSearch:
    """The sites offering ``treatment`` (treatments.toml), each with its waits for that treatment over the
    last period_days before ``today`` (treatment_sites.toml [waiting]: the expected wait is the 90th
    percentile of the received→start-of-care days, rounded up to whole weeks, §7.2/§7.3, beside the median),
    the distance and pasientreise egenandel from ``home_kommune``, whether it can grant a right to care and
    its quality indicators (``indicator_ids``, default all of :func:`site_indicators`, over the same period).
    Filtered by ``region`` or ``fylke`` (a name), sorted by ``sort`` (ventetid, navn or avstand; sites
    without figures last). Every unknown value raises InvalidInput naming the field and listing the choices.
    Computed once per database, archive version and day, then answered from memory."""
    known = treatments()
    _choice("treatment", treatment, known, "treatment", "behandling")
    _choice("sort", sort, SORTS, "sort order", "sortering")
    valid_indicators = site_indicators()
    wanted = tuple(valid_indicators) if indicator_ids is None else tuple(indicator_ids)
    for indicator_id in wanted:
        _choice("indicators", indicator_id, valid_indicators, "site indicator", "kvalitetsindikator")
    db = access.database_of(session)
    sites = _sites(session, db)
    home = None
    if home_kommune is not None:
        _choice("home_kommune", home_kommune, sites.places, "kommune number", "kommunenummer")
        home = sites.places[home_kommune]
    if region is not None:
        _choice("region", region, {p.region for p in sites.places.values()}, "region", "region")
    if fylke is not None:
        _choice("fylke", fylke, {p.fylke for p in sites.places.values()}, "fylke", "fylke")
    first, last = treatment_waits.last_period(today)
    found = _site_figures(db, "treatment", treatment, today)
    cells = _indicator_cells(db, first, last) if wanted else {}
    offering = sites.levels.offering(known[treatment].offered_at)
    rates = specs.load("treatment_sites")["distance"]
    rows = []
    for h in sites.hospitals:
        where = sites.places[h.kommune]
        if h.id not in offering or (region is not None and where.region != region) or (fylke is not None and where.fylke != fylke):
            continue
        rows.append(TreatmentSite(
            hospital_id=h.id, name=h.name, health_trust=h.health_trust, region=where.region, fylke=where.fylke, kommune=where.name,
            can_grant_right=True, figures=found.get(h.id, NO_DATA), distance_km=_distance_km(home, where) if home else None,
            travel_egenandel=(rates["same_region_egenandel"] if where.region == home.region else rates["other_region_egenandel"]) if home else None,
            indicators=tuple(cells[i][h.id] for i in wanted if h.id in cells[i])))
    if rights_only:
        rows = [r for r in rows if r.can_grant_right]
    rows.sort(key=_sort_key(sort))
    return TreatmentSearch(treatment, known[treatment].name, known[treatment].sector, first, last, home_kommune,
                           home.region if home else None, treatment_waits.rules()["min_cases"], rows)


def search_for_citizen(session: Session, actor: Actor, treatment: str, now: dt.datetime, **filters) -> TreatmentSearch:
    """:func:`search` seen from the subject's home kommune. Part of the Henvisninger service: needs its VIEW;
    ``filters`` are :func:`search`'s region, fylke, sort, rights_only and indicator_ids."""
    access.check(session, actor, policy.Service.REFERRALS, policy.Action.VIEW, now)
    return search(session, treatment, now.date(), home_kommune=session.get(Citizen, actor.subject).kommune_number, **filters)


def choosable_referrals(session: Session, actor: Actor, now: dt.datetime) -> list[referrals.Referral]:
    """The subject's referrals a wish to move can still be sent for (treatment_sites.toml [change])."""
    closed = set(specs.load("treatment_sites")["change"]["closed_from"])
    return [r for r in referrals.view(session, actor, now).active if r.status not in closed]


def _active_referral(session: Session, actor: Actor, referral_id: object, now: dt.datetime, action: policy.Action) -> referrals.Referral:
    access.check(session, actor, policy.Service.REFERRALS, action, now)
    found = referrals.view(session, actor, now)
    for referral in found.active + found.closed:
        if referral.referral_id == referral_id:
            break
    else:
        raise NotFound(f"referral {referral_id!r} is not one of this person's referrals",
                       "Fant ikke henvisningen blant dine henvisninger.", "referral_id")
    if referral.status in set(specs.load("treatment_sites")["change"]["closed_from"]):
        raise RuleBroken(f"referral {referral_id} has status {referral.status}: a treatment site can be chosen only before treatment starts",
                         f"Henvisningen har status «{referral.status}»; behandlingssted kan bare velges før behandlingen starter.", "§7.1")
    return referral


def request_change(session: Session, actor: Actor, referral_id: int, hospital_id: int, now: dt.datetime) -> SiteChange:
    """Send a wish to move the subject's active referral ``referral_id`` to ``hospital_id`` (fritt
    behandlingsvalg, §7.1). Refused, with nothing written, for another person's or a closed referral, for
    anything but a hospital, for the hospital that already has it, and while an earlier wish for the
    same referral waits for the hospital (the database enforces one)."""
    referral = _active_referral(session, actor, referral_id, now, policy.Action.ACT)
    target = session.get(Organisation, hospital_id) if isinstance(hospital_id, int) and not isinstance(hospital_id, bool) else None
    if target is None or target.kind != OrganisationKind.HOSPITAL:
        raise InvalidInput(f"hospital_id {hospital_id!r} is not a hospital in this database",
                           "Velg et sykehus fra listen over behandlingssteder.", "hospital_id")
    if target.id == referral.hospital_id:
        raise RuleBroken(f"hospital {hospital_id} already has referral {referral_id}",
                         "Henvisningen er allerede hos dette sykehuset.", "hospital_id")
    if _open_wish(session, referral_id) is not None:
        raise _already_open(referral_id)
    stamp = now.replace(microsecond=0)
    try:
        with access.unit_of_work(session):
            wish = SiteChangeRequest(citizen_id=actor.subject, referral_id=referral_id, from_hospital_id=referral.hospital_id,
                                     to_hospital_id=target.id, sector=referral.sector, requested_by=actor.person_id, requested_at=stamp)
            session.add(wish)
            session.flush()
    except IntegrityError as error:  # another session sent a wish for the same referral a moment earlier
        if ONE_OPEN_PER_REFERRAL not in str(error.orig) and "site_change_request.referral_id" not in str(error.orig):
            raise
        raise _already_open(referral_id) from None
    return SiteChange(wish.id, referral_id, wish.from_hospital_id, target.id, target.name, wish.status, wish.requested_at)


def changes(session: Session, actor: Actor, now: dt.datetime) -> list[SiteChange]:
    """The subject's wishes to move a referral, newest first (Henvisninger VIEW)."""
    access.check(session, actor, policy.Service.REFERRALS, policy.Action.VIEW, now)
    rows = session.exec(select(SiteChangeRequest).where(SiteChangeRequest.citizen_id == actor.subject)
                        .order_by(SiteChangeRequest.requested_at.desc(), SiteChangeRequest.id.desc())).all()
    names = {o.id: o.name for o in session.exec(select(Organisation).where(Organisation.id.in_([r.to_hospital_id for r in rows]))).all()}
    return [SiteChange(r.id, r.referral_id, r.from_hospital_id, r.to_hospital_id, names.get(r.to_hospital_id, ""), r.status, r.requested_at)
            for r in rows]


def _open_wish(session: Session, referral_id: int) -> int | None:
    return session.exec(select(SiteChangeRequest.id).where(SiteChangeRequest.referral_id == referral_id,
                                                          SiteChangeRequest.status == SiteChangeStatus.SENT)).first()


def _already_open(referral_id: int) -> RuleBroken:
    return RuleBroken(f"a wish to move referral {referral_id} already waits for the hospital",
                      "Du har allerede sendt et ønske om å bytte behandlingssted for denne henvisningen; sykehuset har ikke svart ennå.",
                      "referral_id")
