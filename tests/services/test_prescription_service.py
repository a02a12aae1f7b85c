"""Mine resepter: uttak left (§10.1, §10.5), the status on the day, what a kind means for payment
(§10.2), renewal requests (§10.6) and the needs-renewal-soon flag (prescription_view.toml)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlmodel import Session

from helsekit.domain.inbox import RenewalRequest, RenewalStatus
from helsekit.services import prescriptions
from helsekit.services.actors import Actor
from helsekit.services.policy import AccessDenied
from helsekit.storage.database import engine_for


@pytest.fixture(scope="module")
def rx(data):
    """Prescriptions of adults who may use Mine resepter themselves, with their dispensings counted."""
    profiles = data.helsenorge_profiles
    adults = data.citizens.loc[data.citizens["age"] >= 30, "id"]
    allowed = profiles.loc[profiles["consent_level"].isin(["basis", "full"]) & profiles["citizen_id"].isin(adults), "citizen_id"]
    p = data.prescriptions[data.prescriptions["citizen_id"].isin(allowed)]
    used = data.dispensings["prescription_id"].value_counts()
    return p.assign(used=p["prescription_id"].map(used).fillna(0).astype(int))


def _noon(day) -> dt.datetime:
    return dt.datetime.combine(pd.Timestamp(day).date(), dt.time(12))


def _latest_of_drug(p: pd.DataFrame) -> pd.Series:
    ordered = p.sort_values(["citizen_id", "atc_code", "prescribed_on", "prescription_id"])
    return (~ordered.duplicated(["citizen_id", "atc_code"], keep="last")).reindex(p.index)


def test_reit_left_counts_dispensings_after_the_first(default_db, data, rx):
    # §10.1: the prescriber decides the reit, the dispensings after the first; one collected leaves all the reit.
    once = rx[(rx["used"] == 1) & (rx["reit"] >= 2) & (rx["status"] == "active")].iloc[0]
    with Session(engine_for(default_db)) as session:
        seen = prescriptions.view(session, Actor(int(once.citizen_id)), _noon(data.reference_date))
    item = next(p for p in seen.active if p.prescription_id == once.prescription_id)
    assert item.dispensings_left == once.reit
    assert len(item.dispensings) == 1


def test_a_prescription_never_collected_has_the_first_dispensing_and_every_reit_left(default_db, data, rx):
    never = rx[(rx["used"] == 0) & (rx["status"] == "active")].iloc[0]
    with Session(engine_for(default_db)) as session:
        seen = prescriptions.view(session, Actor(int(never.citizen_id)), _noon(data.reference_date))
    item = next(p for p in seen.active if p.prescription_id == never.prescription_id)
    assert item.dispensings_left == never.reit + 1 and item.dispensings == ()


def test_the_status_on_the_reference_date_is_the_archives(default_db, data, rx):
    mixed = rx.groupby("citizen_id")["status"].nunique()
    subject = int(mixed.index[mixed == 4][0])
    with Session(engine_for(default_db)) as session:
        seen = prescriptions.view(session, Actor(subject), _noon(data.reference_date))
    archive = rx[rx["citizen_id"] == subject].set_index("prescription_id")["status"]
    shown = {p.prescription_id: p.status for p in seen.active + seen.historical}
    assert shown == archive.to_dict()
    assert all(p.status == "active" for p in seen.active) and all(p.status != "active" for p in seen.historical)


def test_a_prescription_is_not_shown_before_it_was_written(default_db, rx):
    first = rx.sort_values("prescribed_on").iloc[-1]
    with Session(engine_for(default_db)) as session:
        seen = prescriptions.view(session, Actor(int(first.citizen_id)), _noon(first.prescribed_on - pd.Timedelta(days=1)))
    assert first.prescription_id not in {p.prescription_id for p in seen.active + seen.historical}


def test_the_kind_says_what_the_patient_pays(default_db, data, rx):
    # §10.2: blå is paid by folketrygden with an egenandel, hvit by the patient, an H-resept by the hospital.
    subject = int(rx.loc[rx["kind"] == "h", "citizen_id"].iloc[0])
    with Session(engine_for(default_db)) as session:
        seen = prescriptions.view(session, Actor(subject), _noon(data.reference_date))
    payment = {p.kind: p.payment_nb for p in seen.active + seen.historical}
    assert "gratis" in payment["h"]
    assert "egenandel" in payment.get("blå", "egenandel")
    assert "selv" in payment.get("hvit", "selv")


def test_the_usage_line_names_the_drug_the_kind_the_last_valid_day_and_the_uttak_left(default_db, data, rx):
    item_row = rx[(rx["status"] == "active") & (rx["kind"] == "blå") & (rx["used"] == 1)].iloc[0]
    with Session(engine_for(default_db)) as session:
        seen = prescriptions.view(session, Actor(int(item_row.citizen_id)), _noon(data.reference_date))
    line = next(p for p in seen.active if p.prescription_id == item_row.prescription_id).usage_nb
    valid = pd.Timestamp(item_row.valid_until)
    assert line.startswith(item_row.drug[0].upper() + item_row.drug[1:])
    assert f"({item_row.atc_code})" in line and "Blå resept" in line
    assert f"{valid.day:02d}.{valid.month:02d}.{valid.year}" in line and f"{item_row.reit} uttak igjen" in line


def test_a_blue_prescription_valid_for_less_than_30_days_needs_renewal_soon(default_db, rx):
    candidates = rx[(rx["kind"] == "blå") & (rx["status"] == "active") & _latest_of_drug(rx)]
    pick = candidates.iloc[0]
    with Session(engine_for(default_db)) as session:
        near = _noon(pick.valid_until - pd.Timedelta(days=10))
        flagged = {p.prescription_id for p in prescriptions.needing_renewal(session, int(pick.citizen_id), near.date())}
        seen = prescriptions.view(session, Actor(int(pick.citizen_id)), near)
    assert pick.prescription_id in flagged
    assert next(p for p in seen.active if p.prescription_id == pick.prescription_id).needs_renewal_soon


def test_a_blue_prescription_with_every_uttak_collected_needs_renewal_while_it_is_valid(default_db, data, rx):
    used_up = rx[(rx["kind"] == "blå") & (rx["status"] == "dispensed") & (rx["valid_until"] > data.reference_date + pd.Timedelta(days=60))
                 & _latest_of_drug(rx)].iloc[0]
    with Session(engine_for(default_db)) as session:
        flagged = prescriptions.needing_renewal(session, int(used_up.citizen_id), data.reference_date.date())
    assert used_up.prescription_id in {p.prescription_id for p in flagged}
    assert all(p.dispensings_left == 0 or (p.valid_until - data.reference_date.date()).days <= 30 for p in flagged)


def test_a_white_prescription_never_needs_renewal_soon(default_db, data, rx):
    white = rx[(rx["kind"] == "hvit") & (rx["status"] == "dispensed") & (rx["valid_until"] >= data.reference_date) & _latest_of_drug(rx)].iloc[0]
    with Session(engine_for(default_db)) as session:
        seen = prescriptions.view(session, Actor(int(white.citizen_id)), _noon(data.reference_date))
    assert not next(p for p in seen.historical if p.prescription_id == white.prescription_id).needs_renewal_soon


def test_a_renewed_drug_does_not_need_renewal_on_its_older_prescription(default_db, data, rx):
    older = rx[(rx["kind"] == "blå") & (rx["status"] == "dispensed") & (rx["valid_until"] >= data.reference_date) & ~_latest_of_drug(rx)].iloc[0]
    with Session(engine_for(default_db)) as session:
        flagged = prescriptions.needing_renewal(session, int(older.citizen_id), data.reference_date.date())
    assert older.prescription_id not in {p.prescription_id for p in flagged}


def test_a_sent_renewal_request_takes_the_flag_away_and_a_declined_one_does_not(db, data, rx):
    used_up = rx[(rx["kind"] == "blå") & (rx["status"] == "dispensed") & (rx["valid_until"] > data.reference_date + pd.Timedelta(days=60))
                 & rx["prescriber_office_id"].notna() & _latest_of_drug(rx)].iloc[1]
    subject, now = int(used_up.citizen_id), _noon(data.reference_date)
    with Session(engine_for(db)) as session:
        request = RenewalRequest(citizen_id=subject, prescription_id=int(used_up.prescription_id), gp_office_id=int(used_up.prescriber_office_id),
                                 requested_by=subject, requested_at=now - dt.timedelta(hours=2))
        session.add(request)
        session.commit()
        sent = next(p for p in prescriptions.view(session, Actor(subject), now).historical if p.prescription_id == used_up.prescription_id)
        request.status = RenewalStatus.DECLINED
        session.add(request)
        session.commit()
        declined = next(p for p in prescriptions.view(session, Actor(subject), now).historical if p.prescription_id == used_up.prescription_id)
    assert sent.renewal.status == RenewalStatus.SENT and not sent.needs_renewal_soon
    assert declined.renewal.status == RenewalStatus.DECLINED and declined.needs_renewal_soon


def test_a_13_year_old_sees_their_own_prescriptions_with_ungdomstilgang(default_db, data):
    # §3.4: ungdomstilgang covers active prescriptions.
    teens = data.citizens.loc[data.citizens["age"] == 13, "id"]
    subject = int(data.prescriptions.loc[data.prescriptions["citizen_id"].isin(teens), "citizen_id"].iloc[0])
    with Session(engine_for(default_db)) as session:
        seen = prescriptions.view(session, Actor(subject), _noon(data.reference_date))
    assert len(seen.active) + len(seen.historical) == int((data.prescriptions["citizen_id"] == subject).sum())


def test_someone_without_a_parental_right_or_fullmakt_is_refused(default_db, data, rx):
    subject, stranger = (int(i) for i in rx["citizen_id"].drop_duplicates().iloc[:2])
    with Session(engine_for(default_db)) as session:
        with pytest.raises(AccessDenied) as refused:
            prescriptions.view(session, Actor(stranger, subject), _noon(data.reference_date))
    assert refused.value.field == "§3.1"
