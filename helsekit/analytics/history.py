"""One citizen's health history, and one year of egenandeler and frikort, as DataFrames (labels in bokmål).

Views over :class:`helsekit.analytics.HelseData` for the notebooks, so that no logic lives in notebook cells.
A year's ages are whole years on 1 July of that year, grouped in the bands of :data:`AGE_BANDS`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helsekit.domain.copayments import yearly_ceilings
from helsekit.generator import specs

AGE_BANDS = {"0–15": 0, "16–29": 16, "30–49": 30, "50–66": 50, "67–79": 67, "80+": 80}
SOURCES = {"gp_contact": "Fastlege", "blue_prescription": "Blå resept", "outpatient": "Poliklinikk", "travel": "Pasientreise"}
HOSPITAL = {"attended": "Time på sykehus", "no_show": "Uteblitt sykehustime", "booked": "Bestilt sykehustime"}
CONTACTS = {"consultation": "Konsultasjon hos fastlege", "e_consultation": "E-konsultasjon", "no_show": "Uteblitt time",
            "cancelled": "Avbestilt time"}
KINDS = {"blå": "blå resept", "hvit": "hvit resept", "h": "H-resept"}
RENEWALS = {"first": "ny", "portal": "fornyet på helsenorge", "consultation": "fornyet i konsultasjon"}
CHANNELS = {"portal": "bestilt på helsenorge", "phone": "bestilt på telefon"}
TRAVEL = {"utbetalt": "utbetalt", "avvist_for_sent": "avvist: sendt over 6 måneder etter reisen",
          "under_minstebeløp": "ikke utbetalt: under 100 kr"}


def egenandelstak() -> pd.Series:
    """The egenandelstak (yearly ceiling) in kroner, by year (§2.2; missing years interpolated)."""
    ceiling = specs.load("copayments")["ceiling"]
    return pd.Series(yearly_ceilings(ceiling["year"], ceiling["amount"]), name="egenandelstak_kr").rename_axis("år")


def ages_on_1_july(data, year: int) -> pd.Series:
    """Age on 1 July of ``year`` (0 if born later that year) of every citizen alive in ``year``, by citizen id."""
    c = data.register
    c = c[(c["birth_date"] <= pd.Timestamp(year, 12, 31)) & ~(c["death_date"] < pd.Timestamp(year, 1, 1))]
    born = c["birth_date"]
    age = year - born.dt.year - ((born.dt.month > 7) | ((born.dt.month == 7) & (born.dt.day > 1))).astype(int)
    return pd.Series(age.clip(lower=0).to_numpy(), index=c["id"].to_numpy(), name="alder").rename_axis("citizen_id")


def _of(frame: pd.DataFrame, citizen_id: int) -> pd.DataFrame:
    return frame[frame["citizen_id"] == citizen_id]


def _with_charged(rows: pd.DataFrame, key: str, payments: pd.DataFrame) -> pd.DataFrame:
    """``rows`` with the ``charged`` of the payment that points at them (copayments.source_id)."""
    return rows.merge(payments[["source_id", "charged"]].rename(columns={"source_id": key}), on=key, how="left")


def _event(when, order: int, what, detail, egenandel=np.nan) -> pd.DataFrame:
    values = [v.to_numpy() if isinstance(v, pd.Series) else v for v in (when, what, detail, egenandel)]
    return pd.DataFrame(dict(zip(["when", "what", "detail", "egenandel"], values)) | {"order": order})


def _covered(rows: pd.DataFrame) -> np.ndarray:
    return np.where(rows["charged"] < rows["egenandel"], "; dekket av frikort", "")


def citizen_timeline(data, citizen_id: int) -> pd.DataFrame:
    """One citizen's whole history by day: contacts (in clock order), prescriptions written, dispensings, withdrawals
    (seponert), referral statuses, hospital appointments, travel claims (pasientreiser) and frikort. Columns ``when``, ``what``, ``detail`` and ``egenandel`` (kroner charged; 0 where nothing
    was charged, NaN for events that carry no egenandel)."""
    pays = _of(data.copayments, citizen_id)
    contacts = _of(data.gp_contacts, citizen_id).sort_values("start", kind="stable")
    attended = contacts["status"] == "attended"
    contacts = _with_charged(contacts, "contact_id", pays[pays["source"] == "gp_contact"])
    rx = _of(data.prescriptions, citizen_id)
    drug = (rx["drug"] + " (" + rx["atc_code"] + "), " + rx["kind"].map(KINDS)).set_axis(rx["prescription_id"])
    disp = _of(data.dispensings, citizen_id).merge(rx[["prescription_id", "kind"]], on="prescription_id", how="left")
    disp = _with_charged(disp, "dispensing_id", pays[pays["source"] == "blue_prescription"])
    hospital = _with_charged(_of(data.hospital_appointments, citizen_id), "appointment_id", pays[pays["source"] == "outpatient"])
    statuses = data.referral_statuses.merge(_of(data.referrals, citizen_id)[["referral_id", "sector"]], on="referral_id")
    travel = _with_charged(_of(data.travel_claims, citizen_id), "claim_id", pays[pays["source"] == "travel"])
    stopped, frikort = rx[rx["discontinued_on"].notna()], _of(data.frikort, citizen_id)
    booked = np.where(contacts["kind"] == "e_consultation", "sendt på helsenorge",
                      contacts["booking_channel"].map(CHANNELS).astype(str))
    timeline = pd.concat([
        _event(contacts["start"], 0, contacts["kind"].where(attended.to_numpy(), contacts["status"]).map(CONTACTS),
               booked + np.where(contacts["evening"], ", kveldstime", "") + _covered(contacts), contacts["charged"].fillna(0)),
        _event(rx["prescribed_on"], 1, "Resept skrevet",
               drug.to_numpy() + ", reit " + rx["reit"].astype(str) + ", " + rx["renewal"].map(RENEWALS)),
        _event(disp["dispensed_on"], 2, "Resept utlevert på apotek", disp["prescription_id"].map(drug).astype(str)
               + ", pris " + disp["price"].astype(str) + " kr" + _covered(disp), disp["charged"].fillna(0)),
        _event(stopped["discontinued_on"], 3, "Resept seponert", stopped["prescription_id"].map(drug)),
        _event(statuses["at"], 5, "Henvisning: " + statuses["status"], statuses["sector"].str.replace("_", " ")),
        _event(hospital["start"], 6, hospital["status"].map(HOSPITAL), "poliklinikk" + _covered(hospital), hospital["charged"].fillna(0)),
        _event(travel["trip_date"], 7, "Pasientreise", travel["km_one_way"].astype(str) + " km hver vei, " + travel["status"].map(TRAVEL)
               + (" " + travel["payout"].round(2).astype(str) + " kr").where(travel["status"] == "utbetalt", "") + _covered(travel),
               travel["charged"].fillna(0)),
        _event(frikort["reached_on"], 4, "Frikort", "egenandelstaket på " + frikort["year"].map(egenandelstak()).astype(str)
               + " kr er nådd; refusjon " + frikort["refund"].astype(str) + " kr innen "
               + frikort["refund_by"].dt.strftime("%d.%m.%Y")),
    ], ignore_index=True)
    timeline["when"] = pd.to_datetime(timeline["when"])
    timeline = timeline.assign(day=timeline["when"].dt.normalize()).sort_values(["day", "order", "when"], kind="stable")
    return timeline[["when", "what", "detail", "egenandel"]].reset_index(drop=True)


def citizen_prescriptions(data, citizen_id: int) -> pd.DataFrame:
    """The citizen's prescriptions, active ones first, newest first, with how often each was dispensed."""
    rx = _of(data.prescriptions, citizen_id)
    count = _of(data.dispensings, citizen_id)["prescription_id"].value_counts()
    rx = rx.assign(utleveringer=rx["prescription_id"].map(count).fillna(0).astype(int), active=rx["status"] == "active")
    columns = ["drug", "atc_code", "kind", "prescribed_on", "valid_until", "reit", "utleveringer", "renewal", "status"]
    return rx.sort_values(["active", "prescribed_on"], ascending=False, kind="stable")[columns].reset_index(drop=True)


def yearly_egenandeler(data, citizen_id: int) -> pd.DataFrame:
    """Per year with any egenandel: owed (``egenandel_kr``), charged (``betalt_kr``), refunded, net, the egenandelstak,
    and the day the frikort was reached (NaT where it was not)."""
    pays, frikort = _of(data.copayments, citizen_id), _of(data.frikort, citizen_id).set_index("year")
    table = pays.groupby(pays["date"].dt.year.rename("år"))[["egenandel", "charged"]].sum()
    table.columns = ["egenandel_kr", "betalt_kr"]
    table["refusjon_kr"] = frikort["refund"].reindex(table.index, fill_value=0)
    table["netto_betalt_kr"] = table["betalt_kr"] - table["refusjon_kr"]
    table["egenandelstak_kr"] = table.index.map(egenandelstak())
    table["frikort_fra"] = frikort["reached_on"].reindex(table.index)
    return table


def interesting_citizen(data, year: int) -> int:
    """The first (by id) adult who reached the frikort in ``year`` and has prescriptions; if there is none, the
    citizen with the most contacts, prescriptions and dispensings."""
    age = ages_on_1_july(data, year)
    holders = data.frikort.loc[data.frikort["year"] == year, "citizen_id"]
    holders = holders[holders.isin(age.index[age >= 18]) & holders.isin(data.prescriptions["citizen_id"])]
    if len(holders):
        return int(holders.min())
    events = pd.concat([data.gp_contacts["citizen_id"], data.prescriptions["citizen_id"], data.dispensings["citizen_id"]])
    return int(events.value_counts().idxmax())


def frikort_statistics(data, year: int) -> pd.DataFrame:
    """Per age band (age on 1 July): citizens, how many and what share reached the frikort in ``year``, the median
    egenandel charged that year (counting those who paid nothing) and the total refunded (§2.5)."""
    age = ages_on_1_july(data, year)
    pays = data.copayments[data.copayments["date"].dt.year == year]
    frikort = data.frikort[data.frikort["year"] == year].set_index("citizen_id")
    groups = pd.DataFrame({
        "frikort": age.index.isin(frikort.index),
        "betalt": pays.groupby("citizen_id")["charged"].sum().reindex(age.index, fill_value=0),
        "refusjon": frikort["refund"].reindex(age.index, fill_value=0),
    }).groupby(pd.cut(age, [*AGE_BANDS.values(), np.inf], right=False, labels=list(AGE_BANDS)).rename("aldersgruppe"),
               observed=False)
    return pd.DataFrame({"innbyggere": groups.size(), "med_frikort": groups["frikort"].sum(),
                         "andel_frikort": groups["frikort"].mean(), "median_betalt_kr": groups["betalt"].median(),
                         "refusjon_kr": groups["refusjon"].sum()})


def egenandel_by_source(data, year: int) -> pd.DataFrame:
    """Per source of egenandel in ``year``: payments, egenandel owed, charged, and what the frikort covered."""
    pays = data.copayments[data.copayments["date"].dt.year == year]
    table = pays.groupby("source").agg(betalinger=("charged", "size"), egenandel_kr=("egenandel", "sum"),
                                       betalt_kr=("charged", "sum")).reindex(list(SOURCES), fill_value=0)
    table["dekket_av_frikort_kr"] = table["egenandel_kr"] - table["betalt_kr"]
    table.insert(0, "kilde", table.index.map(SOURCES))
    return table
