"""The generated population obeys the rules (domain-facts §1, §3, §9) on the `default` profile."""

from __future__ import annotations

import pytest

import helsekit
from helsekit.domain import identifiers, person_numbers


@pytest.fixture(scope="module")
def data(default_db):
    return helsekit.open(default_db)


def test_every_person_number_is_synthetic_unique_and_decodes_to_the_stored_birth_date_and_sex(data):
    citizens = data.citizens
    assert citizens["person_number"].is_unique
    decoded = [person_numbers.decode(n) for n in citizens["person_number"]]
    assert all(d.synthetic for d in decoded)
    assert [d.birth_date for d in decoded] == list(citizens["birth_date"].dt.date)
    assert [d.sex.value for d in decoded] == list(citizens["sex"])
    assert [d.kind.value for d in decoded] == list(citizens["person_number_kind"])


def test_d_nummer_holders_are_adults_living_alone(data):
    d = data.citizens[data.citizens["person_number_kind"] == "DNR"]
    assert len(d) > 0
    assert d["age"].between(18, 66).all()
    assert (data.households.set_index("id").loc[d["household_id"], "kind"] == "one_person").all()


def test_children_under_16_have_a_parent_with_foreldreansvar(data):
    under_16 = data.citizens.loc[data.citizens["age"] < 16, "id"]
    responsible = data.parent_relations.loc[data.parent_relations["foreldreansvar"], "child_id"]
    assert under_16.isin(responsible).all()


def test_a_parent_living_with_a_child_under_18_holds_foreldreansvar_and_a_step_parent_never_does(data):
    c = data.citizens.set_index("id")
    r = data.parent_relations
    same_home = c.loc[r["parent_id"], "household_id"].to_numpy() == c.loc[r["child_id"], "household_id"].to_numpy()
    minor = c.loc[r["child_id"], "age"].to_numpy() < 18
    biological = r["relation"].isin(["mother", "father"]).to_numpy()
    assert r["foreldreansvar"][same_home & minor & biological].all()
    assert not r["foreldreansvar"][~biological].any()
    assert not r["foreldreansvar"][~minor].any()


def test_parents_are_at_least_18_years_older_than_their_children(data):
    age = data.citizens.set_index("id")["age"]
    r = data.parent_relations[data.parent_relations["relation"].isin(["mother", "father"])]
    assert (age.loc[r["parent_id"]].to_numpy() - age.loc[r["child_id"]].to_numpy() >= 18).all()


def test_household_members_share_the_households_kommune(data):
    kommune = data.households.set_index("id")["kommune_number"]
    assert (kommune.loc[data.citizens["household_id"]].to_numpy() == data.citizens["kommune_number"].to_numpy()).all()


def test_no_gp_list_holds_more_than_its_ceiling(data):
    lists = data.gp_lists
    assert (lists["list_length"] <= lists["ceiling"]).all()
    assert lists["list_length"].sum() == data.gp_list_memberships["valid_to"].isna().sum()


def test_a_household_is_listed_together_with_one_gp(data):
    current = data.gp_list_memberships[data.gp_list_memberships["valid_to"].isna()]
    listed = current.merge(data.citizens[["id", "household_id"]], left_on="citizen_id", right_on="id")
    assert (listed.groupby("household_id")["gp_list_id"].nunique() == 1).all()


def test_a_list_relation_never_starts_before_the_citizen_was_born(data):
    m = data.gp_list_memberships.merge(data.citizens[["id", "birth_date"]], left_on="citizen_id", right_on="id")
    assert (m["valid_from"] >= m["birth_date"]).all()
    assert (m["valid_from"] <= data.reference_date).all()


def test_organisation_hpr_her_and_resh_numbers_are_synthetic(data):
    orgs = data.organisations
    assert orgs["organisation_number"].map(identifiers.is_synthetic_organisation_number).all()
    assert orgs["her_id"].dropna().map(lambda v: identifiers.is_synthetic_identifier("her", v)).all()
    assert orgs["resh_id"].dropna().map(lambda v: identifiers.is_synthetic_identifier("resh", v)).all()
    assert data.practitioners["hpr_number"].map(lambda v: identifiers.is_synthetic_identifier("hpr", v)).all()


def test_hospitals_sit_under_a_health_trust_under_a_regional_authority(data):
    orgs = data.organisations.set_index("id")
    hospitals = orgs[orgs["kind"] == "hospital"]
    trusts = orgs.loc[hospitals["parent_id"].astype(int)]
    assert (trusts["kind"] == "hf").all()
    assert (orgs.loc[trusts["parent_id"].astype(int), "kind"] == "rhf").all()
    assert (orgs["kind"] == "rhf").sum() == 4 and (orgs["kind"] == "hf").sum() == 20  # reference-statistics §8


def test_every_kommune_with_citizens_has_its_municipal_services(data):
    inhabited = set(data.citizens["kommune_number"])
    for kind in ("legevakt", "helsestasjon", "hjemmetjeneste"):
        assert set(data.sites.loc[data.sites["kind"] == kind, "kommune_number"]) == inhabited


def test_every_fastlege_works_at_a_gp_office_with_their_list(data):
    lists = data.gp_lists.dropna(subset=["practitioner_id"])
    gp = data.practitioners.set_index("id").loc[lists["practitioner_id"].astype(int)]
    assert (gp["organisation_id"].to_numpy() == lists["gp_office_id"].to_numpy()).all()
    fastleger = data.practitioners[data.practitioners["role"] == "fastlege"]
    assert fastleger["id"].isin(lists["practitioner_id"]).all()


def test_hospital_staff_work_at_hospitals_and_every_hospital_serving_citizens_has_a_pathway_coordinator(data):
    staff = data.practitioners[data.practitioners["role"] != "fastlege"]
    kind = data.organisations.set_index("id")["kind"]
    assert set(staff["role"]) == {"lege", "sykepleier", "forløpskoordinator"}
    assert (kind.loc[staff["organisation_id"]] == "hospital").all()
    coordinators = set(staff.loc[staff["role"] == "forløpskoordinator", "organisation_id"])
    assert set(data.referrals["hospital_id"].dropna().astype(int)) <= coordinators  # §12.2


def test_contact_details_cannot_reach_a_real_person(data):
    adults = data.citizens.dropna(subset=["phone"])
    assert adults["phone"].str.fullmatch(r"\+47 0\d{7}").all()
    assert adults["email"].str.endswith("@helsekit.test").all()
    assert data.citizens.loc[data.citizens["age"] < 13, ["phone", "email"]].isna().all().all()


def test_postal_codes_are_real_codes_of_the_households_kommune(data):
    from helsekit.generator import geography

    known = set(map(tuple, geography.load().postal_codes[["kommune_number", "postal_code"]].to_numpy()))
    with_code = data.households.dropna(subset=["postal_code"])
    assert len(with_code) > 0.5 * len(data.households)
    assert all((k, p) in known for k, p in with_code[["kommune_number", "postal_code"]].to_numpy())
