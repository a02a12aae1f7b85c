"""Profil og innstillinger: fullmakter (§3.5–§3.7), consent and kjernejournal choices (§3.5, §4.7),
synthetic contact details and notifications (§3.8), and the change of fastlege (§9.1–§9.2)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlmodel import Session, func, select

from helsekit.domain.gp_changes import GpChangeRequest
from helsekit.domain.gp_lists import GpListMembership
from helsekit.domain.proxies import Fullmakt
from helsekit.errors import InvalidInput, LimitReached, RuleBroken
from helsekit.services import access, gp_services, kjernejournal, policy, profile
from helsekit.services.actors import Actor
from helsekit.storage.database import engine_for

NOW = dt.datetime(2025, 1, 1, 12, 0)
TODAY = NOW.date()


@pytest.fixture(scope="module")
def people(data):
    """Citizens with their consent level ('' without a profile), no fullmakt given or received."""
    citizens = data.citizens.merge(data.helsenorge_profiles[["citizen_id", "consent_level"]], left_on="id", right_on="citizen_id", how="left")
    involved = set(data.fullmakter["giver_id"]) | set(data.fullmakter["holder_id"])
    return citizens[~citizens["id"].isin(involved)].fillna({"consent_level": ""})


def _adults(people, n, **where):
    chosen = people[(people["age"] >= 18) & (people["address_protection"] == "none") & people["consent_level"].isin(["basis", "full"])]
    for column, value in where.items():
        chosen = chosen[chosen[column] == value]
    return [int(i) for i in chosen["id"].iloc[:n]]


def _count(session, table):
    return session.exec(select(func.count()).select_from(table)).one()


def test_a_fullmakt_given_is_listed_for_the_giver_and_the_holder_and_lets_the_holder_act(db, people):
    giver, holder = _adults(people, 2)
    with Session(engine_for(db)) as session:
        given = profile.give_fullmakt(session, Actor(giver), holder, "digitale_helsetjenester", TODAY, None, NOW)
        assert [f.id for f in profile.fullmakter(session, Actor(giver), NOW).given] == [given.id]
        assert [f.id for f in profile.fullmakter(session, Actor(holder), NOW).received] == [given.id]
        assert access.check(session, Actor(holder, giver), policy.Service.GP_SERVICES, policy.Action.ACT, NOW).basis == policy.Basis.FULLMAKT


def test_a_fullmakt_can_be_given_by_person_number(db, people, data):
    giver, holder = _adults(people, 2)
    number = data.citizens.set_index("id").loc[holder, "person_number"]
    with Session(engine_for(db)) as session:
        assert profile.give_fullmakt(session, Actor(giver), number, "innsyn", TODAY, TODAY + dt.timedelta(days=30), NOW).holder_id == holder


def test_a_fullmakt_to_a_holder_under_18_is_refused(db, people):
    giver = _adults(people, 1)[0]
    teen = int(people[(people["age"] == 17) & (people["address_protection"] == "none")]["id"].iloc[0])
    with Session(engine_for(db)) as session:
        with pytest.raises(RuleBroken) as refused:
            profile.give_fullmakt(session, Actor(giver), teen, "innsyn", TODAY, None, NOW)
        assert refused.value.field == "§3.5" and "18" in refused.value.message_nb


def test_a_giver_without_a_consent_level_cannot_give_a_fullmakt(db, people):
    holder = _adults(people, 1)[0]
    giver = int(people[(people["age"] >= 18) & (people["consent_level"] == "ingen") & (people["address_protection"] == "none")]["id"].iloc[0])
    with Session(engine_for(db)) as session:
        with pytest.raises(RuleBroken) as refused:
            profile.give_fullmakt(session, Actor(giver), holder, "innsyn", TODAY, None, NOW)
        assert refused.value.field == "§3.5"


def test_no_fullmakt_to_a_person_with_a_confidential_address(db, people):
    giver = _adults(people, 1)[0]
    hidden = int(people[(people["age"] >= 18) & (people["address_protection"] != "none")]["id"].iloc[0])
    with Session(engine_for(db)) as session:
        with pytest.raises(RuleBroken) as refused:
            profile.give_fullmakt(session, Actor(giver), hidden, "innsyn", TODAY, None, NOW)
        assert refused.value.field == "§3.7"


def test_a_second_fullmakt_to_the_same_holder_for_an_overlapping_period_is_refused(db, people):
    giver, holder = _adults(people, 2)
    with Session(engine_for(db)) as session:
        profile.give_fullmakt(session, Actor(giver), holder, "innsyn", TODAY, TODAY + dt.timedelta(days=60), NOW)
        before = _count(session, Fullmakt)
        with pytest.raises(RuleBroken):
            profile.give_fullmakt(session, Actor(giver), holder, "digitale_helsetjenester", TODAY + dt.timedelta(days=30), None, NOW)
        assert _count(session, Fullmakt) == before
        later = profile.give_fullmakt(session, Actor(giver), holder, "innsyn", TODAY + dt.timedelta(days=61), None, NOW)
        assert later.valid_from == TODAY + dt.timedelta(days=61)


def test_editing_a_fullmakt_deletes_it_and_creates_a_new_one(db, people):
    giver, holder = _adults(people, 2)
    with Session(engine_for(db)) as session:
        old = profile.give_fullmakt(session, Actor(giver), holder, "innsyn", TODAY, None, NOW)
        new = profile.edit_fullmakt(session, Actor(giver), old.id, "digitale_helsetjenester", TODAY, TODAY + dt.timedelta(days=90), NOW)
        assert session.get(Fullmakt, old.id) is None and new.id != old.id
        assert (new.holder_id, new.scope, new.valid_to) == (holder, "digitale_helsetjenester", TODAY + dt.timedelta(days=90))


def test_a_refused_edit_keeps_the_old_fullmakt(db, people):
    giver, holder = _adults(people, 2)
    with Session(engine_for(db)) as session:
        old = profile.give_fullmakt(session, Actor(giver), holder, "innsyn", TODAY, None, NOW)
        with pytest.raises(InvalidInput):
            profile.edit_fullmakt(session, Actor(giver), old.id, "alt", TODAY, None, NOW)
        assert session.get(Fullmakt, old.id).scope == "innsyn"


def test_a_revoked_fullmakt_ends_yesterday_and_the_holder_loses_access_at_once(db, people):
    giver, holder = _adults(people, 2)
    with Session(engine_for(db)) as session:
        started = TODAY - dt.timedelta(days=10)
        session.add(Fullmakt(giver_id=giver, holder_id=holder, scope="digitale_helsetjenester", valid_from=started))
        session.commit()
        mandate = session.exec(select(Fullmakt).where(Fullmakt.giver_id == giver)).one()
        profile.revoke_fullmakt(session, Actor(giver), mandate.id, NOW)
        assert session.get(Fullmakt, mandate.id).valid_to == TODAY - dt.timedelta(days=1)
        with pytest.raises(policy.AccessDenied):
            access.check(session, Actor(holder, giver), policy.Service.GP_SERVICES, policy.Action.VIEW, NOW)


def test_a_fullmakt_holder_cannot_see_the_givers_fullmakter(db, people):
    giver, holder = _adults(people, 2)
    with Session(engine_for(db)) as session:
        profile.give_fullmakt(session, Actor(giver), holder, "digitale_helsetjenester", TODAY, None, NOW)
        with pytest.raises(policy.AccessDenied) as refused:
            profile.fullmakter(session, Actor(holder, giver), NOW)
        assert refused.value.field == "§3.5"


def test_a_consent_below_basis_shuts_the_gp_services(db, people):
    person = _adults(people, 1)[0]
    with Session(engine_for(db)) as session:
        assert profile.set_consent_level(session, Actor(person), "begrenset", NOW).consent_level == "begrenset"
        with pytest.raises(policy.AccessDenied):
            gp_services.contact_office(session, Actor(person), "Hei", NOW)


def test_blocking_web_access_to_the_kjernejournal_shuts_it_on_helsenorge(db, people):
    person = _adults(people, 1)[0]
    with Session(engine_for(db)) as session:
        settings = profile.set_kjernejournal_choices(session, Actor(person), NOW, block_own_web_access=True)
        assert (settings.kj_block_own_web_access, settings.kj_reserved) == (True, False)
        with pytest.raises(policy.AccessDenied) as refused:
            kjernejournal.view(session, Actor(person), NOW)
        assert refused.value.field == "§4.7"


@pytest.mark.parametrize("phone", ["+47 91234567", "12345678", "+47 0123"])
def test_a_phone_number_that_could_ring_someone_or_is_malformed_is_refused(db, people, phone):
    person = _adults(people, 1)[0]
    with Session(engine_for(db)) as session:
        with pytest.raises(InvalidInput) as refused:
            profile.set_contact(session, Actor(person), NOW, phone=phone)
        assert refused.value.field == "phone"


@pytest.mark.parametrize("email", ["ola@gmail.com", "ola.nordmann", "@helsekit.test"])
def test_an_email_address_outside_the_test_domains_or_malformed_is_refused(db, people, email):
    person = _adults(people, 1)[0]
    with Session(engine_for(db)) as session:
        with pytest.raises(InvalidInput) as refused:
            profile.set_contact(session, Actor(person), NOW, email=email)
        assert refused.value.field == "email"


def test_contact_details_are_stored_in_one_form(db, people):
    person = _adults(people, 1)[0]
    with Session(engine_for(db)) as session:
        settings = profile.set_contact(session, Actor(person), NOW, phone="+47 0 12 34 567", email=" Ola@Example.com ")
    assert (settings.phone, settings.email) == ("+47 01234567", "ola@example.com")


def test_the_settings_show_the_subjects_own_person_number_and_a_holder_never_sees_the_givers(db, people, data):
    giver, holder = _adults(people, 2)
    numbers = data.citizens.set_index("id")["person_number"]
    with Session(engine_for(db)) as session:
        assert profile.settings(session, Actor(giver), NOW).person_number == numbers[giver]
        profile.give_fullmakt(session, Actor(giver), holder, "digitale_helsetjenester", TODAY, None, NOW)
        with pytest.raises(policy.AccessDenied):
            profile.settings(session, Actor(holder, giver), NOW)


def test_the_notification_channel_is_epost_sms_or_begge(db, people):
    person = _adults(people, 1)[0]
    with Session(engine_for(db)) as session:
        assert profile.set_notifications(session, Actor(person), "sms", NOW).notification_channel == "sms"
        with pytest.raises(InvalidInput) as refused:
            profile.set_notifications(session, Actor(person), "brev", NOW)
        assert refused.value.field == "channel"


def _lists_with_room(data):
    lists = data.gp_lists
    return [int(i) for i in lists[lists["list_length"] < lists["ceiling"] - 5]["id"]]


def test_a_gp_change_takes_effect_on_the_first_of_the_next_month(db, people, data):
    person = _adults(people, 1)[0]
    target = _lists_with_room(data)[0]
    with Session(engine_for(db)) as session:
        before = gp_services.gp_list_on(session, person, TODAY).id
        change = profile.change_gp(session, Actor(person), target, NOW)
        assert (change.status, change.takes_effect_on) == ("registrert", dt.date(2025, 2, 1))
        assert gp_services.gp_list_on(session, person, dt.date(2025, 1, 31)).id == before
        assert gp_services.gp_list_on(session, person, dt.date(2025, 2, 1)).id == target


def test_a_full_list_puts_the_person_on_its_waiting_list_one_list_at_a_time(db, people, data):
    person = _adults(people, 1)[0]
    lists = data.gp_lists
    full = [int(i) for i in lists[lists["list_length"] >= lists["ceiling"]]["id"]]
    with Session(engine_for(db)) as session:
        mine = gp_services.gp_list_on(session, person, TODAY).id
        first, second = [i for i in full if i != mine][:2]
        change = profile.change_gp(session, Actor(person), first, NOW)
        assert (change.status, change.takes_effect_on) == ("venteliste", None)
        assert gp_services.gp_list_on(session, person, dt.date(2025, 2, 1)).id == mine
        with pytest.raises(LimitReached) as refused:
            profile.change_gp(session, Actor(person), second, NOW)
        assert refused.value.field == "§9.2"


def test_a_third_gp_change_in_a_year_is_refused(db, data):
    memberships = data.gp_list_memberships
    asked = memberships[(memberships["requested_on"] >= pd.Timestamp("2024-01-01")) & (memberships["requested_on"] < pd.Timestamp("2024-12-01"))]
    twice = asked.groupby("citizen_id").size()
    adults = set(data.citizens[(data.citizens["age"] >= 18) & (data.citizens["address_protection"] == "none")]["id"])
    person = int(next(c for c in twice[twice == 2].index if c in adults))
    on = dt.datetime(2024, 12, 10, 12, 0)
    with Session(engine_for(db)) as session:
        mine = gp_services.gp_list_on(session, person, on.date()).id
        target = next(i for i in _lists_with_room(data) if i != mine)
        before = (_count(session, GpListMembership), _count(session, GpChangeRequest))
        with pytest.raises(LimitReached) as refused:
            profile.change_gp(session, Actor(person), target, on)
        assert refused.value.field == "§9.1"
        assert (_count(session, GpListMembership), _count(session, GpChangeRequest)) == before


def test_two_changes_a_year_on_helsenorge_are_allowed_and_the_third_is_refused(db, people, data):
    person = _adults(people, 1)[0]
    first, second = _lists_with_room(data)[:2]
    with Session(engine_for(db)) as session:
        profile.change_gp(session, Actor(person), first, dt.datetime(2025, 1, 2, 9))
        profile.change_gp(session, Actor(person), second, dt.datetime(2025, 3, 5, 9))
        with pytest.raises(LimitReached):
            profile.change_gp(session, Actor(person), first, dt.datetime(2025, 6, 5, 9))
        assert gp_services.gp_list_on(session, person, dt.date(2025, 4, 1)).id == second
