"""The Velg behandlingssted component driven without a browser: the comparison on its own, for a citizen's
referral (the current hospital marked), sorting and filtering, a wish sent once, and a refusal in bokmål."""

from __future__ import annotations

import re

from sqlmodel import Session, select

from helsekit.domain.consents import HelsenorgeProfile
from helsekit.domain.organisations import Organisation, OrganisationKind
from helsekit.domain.site_changes import SiteChangeRequest
from helsekit.errors import HelsekitError
from helsekit.services import access, treatment_sites
from helsekit.services.actors import Actor
from helsekit.storage.database import engine_for
from helsekit.widgets.treatment_sites import TreatmentSiteTable

from widget_support import sessions


def _rows(widget: TreatmentSiteTable) -> list[int]:
    return [int(i) for i in re.findall(r'class="hk-site-row" data-hospital="(\d+)"', widget.table.value)]


def _chooser(db: str) -> tuple[int, int]:
    """(citizen, hospital of their first choosable referral) for someone 16+ with Full tilgang."""
    with Session(engine_for(db)) as session:
        now = access.reference_now(session)
        full = session.exec(select(HelsenorgeProfile.citizen_id).where(HelsenorgeProfile.consent_level == "full")).all()
        for citizen in full:
            try:
                found = treatment_sites.choosable_referrals(session, Actor(citizen, citizen), now)
            except HelsekitError:
                continue
            if found:
                return citizen, found[0].hospital_id
    raise AssertionError("the tiny database has no referral whose treatment site can be chosen")


def test_on_its_own_the_table_lists_every_hospital_with_the_synthetic_data_caption(work):
    widget = TreatmentSiteTable(sessions(work))
    with Session(engine_for(work)) as session:
        hospitals = set(session.exec(select(Organisation.id).where(Organisation.kind == OrganisationKind.HOSPITAL)).all())
    assert set(_rows(widget)) == hospitals
    assert "Syntetiske data" in widget.caption.value and "tolkes med varsomhet" in widget.caption.value
    widget.sector.value = "tsb"
    assert widget.found.sector == "tsb" and "Rusbehandling" in widget.caption.value
    assert widget.choice.layout.display == "none"  # nothing to send without a referral


def test_sorting_by_distance_and_filtering_by_fylke_redraw_the_table(work):
    citizen, _ = _chooser(work)
    widget = TreatmentSiteTable(sessions(work), Actor(citizen, citizen))
    widget.sort.value = "avstand"
    distances = [r.distance_km for r in widget.found.rows]
    assert distances == sorted(distances) and _rows(widget) == [r.hospital_id for r in widget.found.rows]
    fylke = widget.found.rows[-1].fylke
    widget.fylke.value = fylke
    assert widget.found.rows and {r.fylke for r in widget.found.rows} == {fylke}


def test_a_citizens_referral_marks_its_hospital_and_a_wish_is_sent_once(work):
    citizen, current = _chooser(work)
    widget = TreatmentSiteTable(sessions(work), Actor(citizen, citizen))
    assert widget.referral.value is not None and widget.choice.layout.display == "flex"
    assert [r.hospital_id for r in widget.found.rows if r.current] == [current]
    assert current not in [value for _, value in widget.target.options]  # one cannot choose where it already is
    widget.target.value = widget.target.options[0][1]
    sent = widget.request_change()
    assert sent is not None and "er sendt" in widget.status.value and sent.to_hospital_name in widget.sent.value
    assert widget.request_change() is None
    assert "allerede sendt" in widget.status.value
    with Session(engine_for(work)) as session:
        assert len(session.exec(select(SiteChangeRequest).where(SiteChangeRequest.citizen_id == citizen)).all()) == 1


def test_a_person_the_policy_refuses_sees_the_refusal_in_bokmal_and_no_table(work):
    with Session(engine_for(work)) as session:
        basis = session.exec(select(HelsenorgeProfile.citizen_id).where(HelsenorgeProfile.consent_level == "basis")).first()
    widget = TreatmentSiteTable(sessions(work), Actor(basis, basis))
    assert widget.table.value == "" and "hk-note-error" in widget.status.value
    assert "Full tilgang" in widget.status.value or "samtykke" in widget.status.value.lower()


def test_choosing_a_treatment_lists_only_the_sites_offering_it_with_the_chosen_indicator(work):
    widget = TreatmentSiteTable(sessions(work))
    widget.treatment.value = "fedmekirurgi"  # treatments.toml: offered at the regional hospital of each RHF
    rows = [int(i) for i in re.findall(r'class="hk-treatment-row" data-hospital="(\d+)"', widget.table.value)]
    assert len(rows) == 4 and rows == [r.hospital_id for r in widget.found.rows]
    assert widget.indicator.layout.display == "flex" and widget.choice.layout.display == "none"
    assert "Fedmekirurgi" in widget.caption.value and "Syntetiske data" in widget.caption.value
    widget.indicator.value = "ventetid_start_helsehjelp"
    assert [r.indicators[0].indicator_id for r in widget.found.rows] == ["ventetid_start_helsehjelp"] * 4
    assert "Kan gi rett til helsehjelp" in widget.table.value
    widget.sort.value = "navn"
    assert [r.name for r in widget.found.rows] == sorted(r.name for r in widget.found.rows)
    widget.treatment.value = ""  # back to the sector comparison
    assert "hk-site-row" in widget.table.value and widget.indicator.layout.display == "none"
