"""Municipal services on Min helse (issue #9): a kommune offers helsestasjon or hjemmetjenester digitally only
where municipal_services.toml says so, and a citizen elsewhere is told (in bokmål) without anything being read;
a parent sees a 5-year-old's programme, whose ages are recomputed here from health_station.toml with dateutil;
a home-care recipient's proxy reads with a fullmakt and writes only with one for digitale helsetjenester (§3.6),
and anyone else is refused (§3.1); every read lands in the subject's log, a refused request writes nothing."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from dateutil.relativedelta import relativedelta
from sqlmodel import Session, func, select

from helsekit.domain.home_care import HomeCareMessage
from helsekit.domain.proxies import Fullmakt, FullmaktScope
from helsekit.errors import DeadlinePassed, InvalidInput, NotFound, NotOffered
from helsekit.generator import specs
from helsekit.services import access, health_station, home_care, kjernejournal, municipal, policy
from helsekit.services.actors import Actor
from helsekit.storage.database import engine_for

OFFERED = specs.load("municipal_services")
PROGRAMME = specs.load("health_station")


def _offered(kommune: str, service: str) -> bool:
    """The spec read here: listed, or in a listed fylke (the kommunenummer's first two digits)."""
    return kommune in OFFERED[service]["kommuner"] or kommune[:2] in OFFERED[service]["fylker"]


@pytest.fixture(scope="module")
def users(data) -> pd.DataFrame:
    """Living citizens who may use the services themselves (Basis or Full, no protected address)."""
    c, p = data.citizens, data.helsenorge_profiles
    able = set(p.loc[p["consent_level"].isin(["basis", "full"]), "citizen_id"])
    return c[c["id"].isin(able) & (c["address_protection"] == "none")]


@pytest.fixture(scope="module")
def five_year_old(data):
    """(parent, child) living together, the child 5 in a kommune that offers the health station."""
    pairs = data.parental_access
    pairs = pairs[(pairs["child_age"] == 5) & (pairs["access"] == "full") & pairs["parent_at_childs_address"]]
    kommune = data.citizens.set_index("id")["kommune_number"]
    pairs = pairs[pairs["child_id"].map(kommune).map(lambda k: _offered(k, municipal.HEALTH_STATION))]
    return int(pairs.iloc[0].parent_id), int(pairs.iloc[0].child_id)


@pytest.fixture(scope="module")
def planned(data):
    """(parent, child, appointment) for a child with a planned appointment a few days or more after the reference
    date, in a kommune that offers the health station."""
    rows = data.health_station_appointments
    rows = rows[rows["starts_at"] >= pd.Timestamp(data.reference_date) + pd.Timedelta(days=3)]
    pairs = data.parental_access
    pairs = pairs[(pairs["access"] == "full") & pairs["parent_at_childs_address"] & pairs["child_id"].isin(set(rows["citizen_id"]))]
    kommune = data.citizens.set_index("id")["kommune_number"]
    pair = pairs[pairs["child_id"].map(kommune).map(lambda k: _offered(k, municipal.HEALTH_STATION))].iloc[0]
    first = rows[rows["citizen_id"] == pair.child_id].sort_values("starts_at").iloc[0]
    return int(pair.parent_id), int(pair.child_id), first


@pytest.fixture(scope="module")
def recipient(data, users) -> int:
    visits = set(data.home_care_visits["citizen_id"])
    found = users[users["id"].isin(visits) & users["kommune_number"].map(lambda k: _offered(k, municipal.HOME_CARE))]
    return int(found.iloc[0].id)


def _now(session: Session) -> dt.datetime:
    return access.reference_now(session)


def test_a_kommune_offers_a_service_when_listed_or_in_a_listed_fylke():
    service = municipal.HEALTH_STATION
    listed, fylke = OFFERED[service]["kommuner"][0], OFFERED[service]["fylker"][0]
    assert municipal.offers(listed, service) and municipal.offers(fylke + "99", service)
    assert not municipal.offers("9999", service)
    with pytest.raises(InvalidInput) as refused:
        municipal.offers(listed, "tannhelse")
    assert refused.value.field == "service"


def test_a_parent_sees_a_five_year_olds_programme_at_the_programmes_ages_and_the_read_is_logged(db, data, five_year_old):
    parent, child = five_year_old
    born = data.citizens.set_index("id").loc[child, "birth_date"].date()
    with Session(engine_for(db)) as session:
        now = _now(session)
        seen = health_station.view(session, Actor(parent, child), now)
        reads = kjernejournal.reads(session, child)
    assert seen.offer.offered
    # Born in the window: every contact of the health station (0–5 years) lies behind the child, once each.
    station = {c["code"]: c for c in PROGRAMME["contact"] if c["programme"] == "helsestasjon"}
    assert sorted(a.contact for a in seen.past if a.programme == "helsestasjon") == sorted(station)
    for a in seen.past + seen.coming:
        words = a.age.split()
        due = born + relativedelta(**{unit: int(n) for n, unit in zip(words[::2], words[1::2])})
        assert a.starts_at.date() >= due
    assert all(a.starts_at < now for a in seen.past) and all(a.starts_at >= now and a.status == "planlagt" for a in seen.coming)
    assert [(r.actor_id, r.record, r.basis) for r in reads] == [(parent, "helsestasjon", "parent")]


def test_a_citizen_whose_kommune_does_not_offer_the_service_is_told_so_and_nothing_is_read(db, users):
    outside = users[~users["kommune_number"].map(lambda k: _offered(k, municipal.HOME_CARE)) & (users["age"] >= 18)].iloc[0]
    with Session(engine_for(db)) as session:
        seen = home_care.view(session, Actor(int(outside.id)), _now(session))
        with pytest.raises(NotOffered):
            home_care.send_message(session, Actor(int(outside.id)), "Spørsmål", "Hei", _now(session))
        reads = kjernejournal.reads(session, int(outside.id))
    assert not seen.offer.offered and not seen.visits
    assert "tilbyr ikke hjemmetjenester" in seen.offer.message_nb
    assert reads == []


def test_someone_without_a_fullmakt_is_refused_the_recipients_home_care_and_nothing_is_written(db, users, recipient):
    stranger = int(users[(users["id"] != recipient) & (users["age"] >= 18)].iloc[0].id)
    with Session(engine_for(db)) as session:
        with pytest.raises(policy.AccessDenied) as refused:
            home_care.view(session, Actor(stranger, recipient), _now(session))
        with pytest.raises(policy.AccessDenied):
            home_care.send_message(session, Actor(stranger, recipient), "Spørsmål", "Hei", _now(session))
        assert kjernejournal.reads(session, recipient) == []
        assert session.exec(select(func.count()).select_from(HomeCareMessage)).one() == 0
    assert refused.value.field == "§3.1"


@pytest.mark.parametrize("scope, may_write", [(FullmaktScope.VIEW, False), (FullmaktScope.DIGITAL_HEALTH_SERVICES, True)])
def test_a_fullmakt_holder_reads_the_plan_and_writes_only_with_a_fullmakt_for_digital_services(db, data, users, recipient, scope, may_write):
    holder = int(users[(users["id"] != recipient) & (users["age"] >= 18)].iloc[0].id)
    with Session(engine_for(db)) as session:
        now = _now(session)
        next_id = (session.exec(select(func.max(Fullmakt.id))).one() or 0) + 1
        session.add(Fullmakt(id=next_id, giver_id=recipient, holder_id=holder, scope=scope, valid_from=now.date() - dt.timedelta(days=30)))
        session.commit()
        seen = home_care.view(session, Actor(holder, recipient), now)
        if may_write:
            sent = home_care.send_message(session, Actor(holder, recipient), "Besøk", "Kan dere komme tidligere?", now)
            assert (sent.citizen_id, sent.written_by, sent.sender) == (recipient, holder, "innbygger")
        else:
            with pytest.raises(policy.AccessDenied) as refused:
                home_care.send_message(session, Actor(holder, recipient), "Besøk", "Kan dere komme tidligere?", now)
            assert refused.value.field == "§3.6"
        written = session.exec(select(func.count()).select_from(HomeCareMessage)).one()
        reads = kjernejournal.reads(session, recipient)
    visits = data.home_care_visits[data.home_care_visits["citizen_id"] == recipient]
    assert seen.recipient and {v.visit_id for v in seen.visits} == set(visits["visit_id"])
    assert written == int(may_write)
    assert [(r.actor_id, r.record, r.basis) for r in reads] == [(holder, "hjemmetjenester", "fullmakt")]


def test_a_message_needs_a_topic_and_a_text_of_at_most_2000_characters(db, recipient):
    with Session(engine_for(db)) as session:
        for topic, body, field in (("", "Hei", "topic"), ("Besøk", "  ", "body"), ("Besøk", "x" * 2001, "body")):
            with pytest.raises(InvalidInput) as refused:
                home_care.send_message(session, Actor(recipient), topic, body, _now(session))
            assert refused.value.field == field
        assert session.exec(select(func.count()).select_from(HomeCareMessage)).one() == 0


def test_a_parent_moves_a_planned_appointment_to_an_offered_weekday_and_then_cancels_it(db, planned):
    parent, child, appointment = planned
    start = appointment["starts_at"].to_pydatetime()
    weekdays = [start + dt.timedelta(days=d) for d in range(1, 10) if (start + dt.timedelta(days=d)).weekday() < 5]
    offered = weekdays[:PROGRAMME["rebooking"]["alternative_weekdays"]]
    with Session(engine_for(db)) as session:
        now, actor = _now(session), Actor(parent, child)
        assert health_station.alternatives(start, now) == offered
        with pytest.raises(NotOffered) as refused:
            health_station.move(session, actor, int(appointment["appointment_id"]), start + dt.timedelta(hours=1), now)
        assert refused.value.field == "starts_at"
        health_station.move(session, actor, int(appointment["appointment_id"]), offered[-1], now)
        moved = next(a for a in health_station.view(session, actor, now).coming if a.appointment_id == appointment["appointment_id"])
        health_station.cancel(session, actor, int(appointment["appointment_id"]), now)
        cancelled = next(a for a in health_station.view(session, actor, now).coming if a.appointment_id == appointment["appointment_id"])
        with pytest.raises(NotFound):  # a cancelled appointment is no longer planned
            health_station.cancel(session, actor, int(appointment["appointment_id"]), now)
    assert (moved.starts_at, moved.status) == (offered[-1], "planlagt")
    assert (cancelled.starts_at, cancelled.status) == (offered[-1], "avlyst")


def test_an_appointment_cannot_be_changed_within_the_deadline_or_once_past(db, planned):
    parent, child, appointment = planned
    start = appointment["starts_at"].to_pydatetime()
    hours = PROGRAMME["rebooking"]["latest_hours_before"]
    with Session(engine_for(db)) as session:
        with pytest.raises(DeadlinePassed):
            health_station.cancel(session, Actor(parent, child), int(appointment["appointment_id"]), start - dt.timedelta(hours=hours - 1))
        with pytest.raises(NotFound):
            health_station.cancel(session, Actor(parent, child), int(appointment["appointment_id"]), start + dt.timedelta(minutes=1))
        health_station.cancel(session, Actor(parent, child), int(appointment["appointment_id"]), start - dt.timedelta(hours=hours))
