"""Helsenorge profiles, kjernejournal entries and fullmakter follow the rules (domain-facts §3–§4)."""

from __future__ import annotations

import pandas as pd
import pytest

import helsekit
from helsekit.domain.consents import ConsentLevel
from helsekit.domain.kjernejournal import CriticalInformationType


@pytest.fixture(scope="module")
def data(default_db):
    return helsekit.open(default_db)


def _age_on(born: pd.Series, on: pd.Series) -> pd.Series:
    return on.dt.year - born.dt.year - ((on.dt.month < born.dt.month) | ((on.dt.month == born.dt.month) & (on.dt.day < born.dt.day)))


def test_fullmakt_only_from_givers_over_16_to_holders_over_18_on_the_day_given(data):
    f = data.fullmakter
    born = data.citizens.set_index("id")["birth_date"]
    assert len(f) > 0
    assert (_age_on(born.loc[f["giver_id"]].reset_index(drop=True), f["valid_from"]) >= 16).all()  # §3.5
    assert (_age_on(born.loc[f["holder_id"]].reset_index(drop=True), f["valid_from"]) >= 18).all()
    assert (f["giver_id"] != f["holder_id"]).all()
    assert (f["valid_to"].isna() | (f["valid_to"] > f["valid_from"])).all()


def test_nobody_with_a_confidential_address_gives_or_holds_a_fullmakt(data):
    protected = data.citizens.loc[data.citizens["address_protection"] != "none", "id"]
    assert not data.fullmakter["giver_id"].isin(protected).any()  # §3.7
    assert not data.fullmakter["holder_id"].isin(protected).any()


def test_a_fullmakt_giver_has_consented_to_basis_or_more(data):
    level = data.helsenorge_profiles.set_index("citizen_id")["consent_level"].map(ConsentLevel.ORDER.index)
    assert (level.loc[data.fullmakter["giver_id"]] >= ConsentLevel.ORDER.index(ConsentLevel.BASIS)).all()  # §3.5


def test_only_citizens_from_16_have_a_helsenorge_profile_and_only_consenters_get_notifications(data):
    p = data.helsenorge_profiles.merge(data.citizens[["id", "age"]], left_on="citizen_id", right_on="id")
    assert (p["age"] >= 16).all()
    assert p["citizen_id"].is_unique and len(p) == (data.citizens["age"] >= 16).sum()
    assert p.loc[p["consent_level"] == ConsentLevel.NONE, "notification_channel"].isna().all()


def test_critical_information_is_of_the_five_types_and_never_before_birth(data):
    ci = data.critical_information.merge(data.citizens[["id", "birth_date"]], left_on="citizen_id", right_on="id")
    assert set(ci["type"]) <= set(CriticalInformationType.ALL)  # §4.3
    assert (ci["registered_on"] >= ci["birth_date"]).all()
    assert (ci["registered_on"] < data.reference_date).all()


def test_only_citizens_who_can_open_their_kjernejournal_register_anything_in_it(data):
    own = data.kj_own_registrations
    assert len(own) > 0 and set(own["kind"]) == {"naermeste_parorende", "kommunikasjonsbehov", "sykdom", "donorkort"}
    p = data.helsenorge_profiles.set_index("citizen_id").loc[own["citizen_id"]]
    assert (p["consent_level"] != "ingen").all()
    assert not (p["kj_reserved"] | p["kj_block_own_web_access"]).any()  # §4.7
    born = data.citizens.set_index("id")["birth_date"]
    sixteen = born.loc[own["citizen_id"]] + pd.DateOffset(years=16)
    assert (own["registered_on"].to_numpy() >= sixteen.to_numpy()).all()
    kin = own.dropna(subset=["contact_id"])
    assert (kin["kind"] == "naermeste_parorende").all() and (kin["contact_id"] != kin["citizen_id"]).all()


def test_a_reserved_citizen_has_no_critical_information(data):
    reserved = data.helsenorge_profiles.loc[data.helsenorge_profiles["kj_reserved"], "citizen_id"]
    assert not data.critical_information["citizen_id"].isin(reserved).any()  # §4.7: no kjernejournal at all
