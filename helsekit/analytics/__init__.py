"""The analyst API: a helsekit database as pandas DataFrames, no SQL needed.

>>> data = helsekit.open()                      # doctest: +SKIP
>>> data.citizens.groupby("kommune_number").size()  # doctest: +SKIP
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from helsekit import config
from helsekit.analytics.columns import COLUMNS
from helsekit.domain import representation
from helsekit.errors import DatabaseError
from helsekit.storage import archive, database

_DATE_COLUMNS = ("birth_date", "death_date", "valid_from", "valid_to", "registered_on", "requested_on")
_OPTIONAL_IDS = ("parent_id", "practitioner_id", "household_id", "contact_id")  # nullable references stay whole numbers (Int64)


def _sql_table(table: str, doc: str) -> cached_property:
    """A DataFrame attribute read from a database table once, when first used."""
    reader = cached_property(lambda self: self._read(table))
    reader.__doc__ = doc
    return reader


def _history_table(table: str, doc: str) -> cached_property:
    """A DataFrame attribute read from the history archive once, when first used."""
    reader = cached_property(lambda self: self._history(table))
    reader.__doc__ = doc
    return reader


class HelseData:
    """A helsekit database as DataFrames: ``citizens`` (the living; ``deceased`` and ``register`` for
    those who died in the window and everyone), ``households``, ``parent_relations``,
    ``organisations``, ``sites`` (treatment sites only), ``practitioners``, ``gp_lists``,
    ``gp_list_memberships``, ``helsenorge_profiles``, ``fullmakter``, ``critical_information``,
    ``kj_own_registrations``, ``parental_access``, ``kommuner`` and ``fylker``; and the health
    histories ``gp_contacts``, ``appointment_events``, ``prescriptions``, ``dispensings``,
    ``referrals``, ``referral_statuses``, ``hospital_appointments``, ``hospital_documents``,
    ``access_log``, ``messages``, ``gp_notices``, ``travel_claims``, ``vaccinations``, ``test_results``,
    ``health_station_appointments``, ``home_care_visits``, ``home_care_messages``, ``copayments`` and ``frikort``.
    Each is read once, when first used. ``visits`` is the visit log (issue #6) as a lazy Ibis table
    on DuckDB, not a DataFrame: aggregate it (see :mod:`helsekit.analytics.visits.metrics`), then
    call ``.to_pandas()``.

    ``describe()`` lists every column with its meaning; ``meta`` says how the data was generated.
    All of it is synthetic ("Syntetiske data").
    """

    def __init__(self, db: str | None = None) -> None:
        self.db = str(db or config.default_database())
        if not database.is_url(self.db) and not Path(self.db).is_file():
            raise DatabaseError(
                f"db: no helsekit database at {self.db}; create one with `make demo` or `helsekit generate --db {self.db}`",
                f"Fant ingen helsekit-database i {self.db}; lag en med `make demo`.", "db",
            )
        self._engine = database.engine_for(self.db)
        try:
            self.meta = database.read_meta(self.db)
        except sa.exc.SQLAlchemyError:
            raise DatabaseError(
                f"db: {self.db} is not a helsekit database (no helsekit_meta table)",
                f"{self.db} er ikke en helsekit-database.", "db",
            ) from None

    def __repr__(self) -> str:
        return f"HelseData({self.db!r}, profile={self.meta.get('profile')!r}, seed={self.meta.get('seed')}) — Syntetiske data"

    @property
    def reference_date(self) -> pd.Timestamp:
        """The date the population is a snapshot of."""
        return pd.Timestamp(self.meta["reference_date"])

    def _read(self, table: str) -> pd.DataFrame:
        with self._engine.connect() as conn:
            frame = pd.read_sql_table(table, conn)
        for column in _DATE_COLUMNS:
            if column in frame:
                frame[column] = pd.to_datetime(frame[column])
        for column in _OPTIONAL_IDS:
            if column in frame:
                frame[column] = frame[column].astype("Int64")
        return frame

    @cached_property
    def register(self) -> pd.DataFrame:
        """Everyone in the register: the citizens alive on the reference date and those who died in
        the history window (``death_date`` set), with ``age`` on the reference date or at death."""
        frame = self._read("citizen")
        ref = self.reference_date
        on = frame["death_date"].fillna(ref)
        born = frame["birth_date"]
        had_birthday = (born.dt.month < on.dt.month) | ((born.dt.month == on.dt.month) & (born.dt.day <= on.dt.day))
        frame.insert(frame.columns.get_loc("birth_date") + 1, "age", on.dt.year - born.dt.year - (~had_birthday).astype(int))
        return frame

    @cached_property
    def citizens(self) -> pd.DataFrame:
        """One row per citizen alive on the reference date, with ``age`` on that date."""
        frame = self.register
        return frame[frame["death_date"].isna()].reset_index(drop=True)

    @cached_property
    def deceased(self) -> pd.DataFrame:
        """Citizens who died in the history window, with ``death_date`` and ``age`` at death."""
        frame = self.register
        return frame[frame["death_date"].notna()].reset_index(drop=True)

    households = _sql_table("household", "One row per household (registered address).")
    parent_relations = _sql_table("parent_relation", "One row per parent (or step-parent) of a citizen.")
    organisations = _sql_table("organisation", "Every organisation: RHF, HF and all treatment sites.")

    @cached_property
    def sites(self) -> pd.DataFrame:
        """Treatment sites: hospitals, GP offices, pharmacies and municipal services."""
        return self.organisations[~self.organisations["kind"].isin(["rhf", "hf"])].reset_index(drop=True)

    practitioners = _sql_table("practitioner", "Health personnel (for now: fastleger).")
    gp_list_memberships = _sql_table("gp_list_membership", "Who is on which GP list, from when.")

    @cached_property
    def gp_lists(self) -> pd.DataFrame:
        """GP lists with their ceiling and current ``list_length``."""
        frame = self._read("gp_list")
        current = self.gp_list_memberships[self.gp_list_memberships["valid_to"].isna()]
        frame["list_length"] = frame["id"].map(current["gp_list_id"].value_counts()).fillna(0).astype(int)
        return frame

    helsenorge_profiles = _sql_table("helsenorge_profile", "One row per citizen from 16: consent level, notification channel and kjernejournal reservations (§3.5, §4.7).")
    fullmakter = _sql_table("fullmakt", "Fullmakter: who may use Helsenorge for whom, with scope and period (§3.5–§3.6).")
    critical_information = _sql_table("critical_information", "Kritisk informasjon in the kjernejournal (§4.3).")
    kj_own_registrations = _sql_table("kj_own_registration", "The citizens' own registrations in the kjernejournal: next of kin, communication needs, illnesses, donorkort (§4.1, §4.2).")
    kommuner = _sql_table("kommune", "Kommuner (real geography).")
    fylker = _sql_table("fylke", "Fylker (real geography) and the health region serving each.")

    @cached_property
    def parental_access(self) -> pd.DataFrame:
        """Every living parent–child pair with what the parent may do on Helsenorge for the child on
        the reference date: ``full`` (under 12), ``begrenset`` (12–15) or ``ingen`` (§3.2, §3.7;
        see :mod:`helsekit.domain.representation`)."""
        people = self.citizens.set_index("id")
        pairs = self.parent_relations[self.parent_relations["child_id"].isin(people.index) & self.parent_relations["parent_id"].isin(people.index)]
        child, parent = people.loc[pairs["child_id"]], people.loc[pairs["parent_id"]]
        at_address = pairs["foreldreansvar"].to_numpy() & (child["household_id"].to_numpy() == parent["household_id"].to_numpy())
        any_at_address = pd.Series(at_address, index=pairs.index).groupby(pairs["child_id"].to_numpy()).transform("any").to_numpy()
        access = representation.parental_access(
            child["age"].to_numpy(), pairs["foreldreansvar"].to_numpy(), any_at_address,
            child["address_protection"].to_numpy() != "none", parent["address_protection"].to_numpy() != "none",
        )
        return pd.DataFrame({
            "child_id": pairs["child_id"].to_numpy(), "parent_id": pairs["parent_id"].to_numpy(), "relation": pairs["relation"].to_numpy(),
            "child_age": child["age"].to_numpy(), "foreldreansvar": pairs["foreldreansvar"].to_numpy(),
            "parent_at_childs_address": at_address, "access": access,
        })

    def fastlege_for(self, person_number: str) -> pd.Series:
        """A citizen's fastlege: the list, the GP (None on a list without one) and the office."""
        citizen = self.citizens.loc[self.citizens["person_number"] == person_number]
        if citizen.empty:
            raise KeyError(f"person_number {person_number!r} is not in {self.db}")
        memberships = self.gp_list_memberships
        current = memberships[(memberships["citizen_id"] == citizen["id"].iloc[0]) & memberships["valid_to"].isna()]
        if current.empty:
            return pd.Series({"person_number": person_number, "gp_list_id": None, "fastlege": None, "gp_office": None})
        gp_list = self.gp_lists.set_index("id").loc[current["gp_list_id"].iloc[0]]
        office = self.organisations.set_index("id").loc[gp_list["gp_office_id"]]
        gp = None
        if not pd.isna(gp_list["practitioner_id"]):
            row = self.practitioners.set_index("id").loc[gp_list["practitioner_id"]]
            gp = f"{row['given_name']} {row['family_name']}"
        return pd.Series({
            "person_number": person_number, "gp_list_id": int(current["gp_list_id"].iloc[0]), "fastlege": gp,
            "gp_office": office["name"], "kommune_number": office["kommune_number"],
            "list_length": int(gp_list["list_length"]), "ceiling": int(gp_list["ceiling"]),
        })

    def _history(self, name: str) -> pd.DataFrame:
        try:
            return archive.read(self.db, name).to_pandas(date_as_object=False)
        except FileNotFoundError:
            raise DatabaseError(
                f"db: {self.db} has no {name} history (generated with --no-histories?); regenerate without it",
                f"{self.db} har ingen historikk for {name}; generer databasen på nytt med historikk.", "db",
            ) from None

    gp_contacts = _history_table("gp_contacts", "Fastlege contacts over the history window: consultations, e-consultations, no-shows, cancellations.")
    prescriptions = _history_table("prescriptions", "E-resepter over the history window: drug (ATC), kind (blå/hvit/H), validity, reit, renewal, status (§10).")
    dispensings = _history_table("dispensings", "Every dispensing at a pharmacy, with its price and the blå resept egenandel (§2.7).")
    referrals = _history_table("referrals", "Henvisninger to the specialist service: assessment, outcome, legal deadline, start of care, fristbrudd (§6).")
    referral_statuses = _history_table("referral_statuses", "The citizen-visible status sequence of each referral, dated (§6.1).")
    hospital_appointments = _history_table("hospital_appointments", "Outpatient appointments at the hospital a referral leads to (attended, no-show, or booked ahead).")
    appointment_events = _history_table("appointment_events", "The status history of every GP and hospital appointment: booked, changed, confirmed, cancelled, attended, no-show.")
    hospital_documents = _history_table("hospital_documents", "Documents in the hospital record (pasientjournal): kind, author, written, approved and when shown on Helsenorge (§5.2, §5.3).")
    access_log = _history_table("access_log", "Every lookup in the kjernejournal or the hospital record by health personnel, with its reason and when the citizen sees it (§4.8, §5.3).")
    travel_claims = _history_table("travel_claims", "Pasientreise claims for trips to outpatient appointments: round trip at the rate per km, egenandel, payout, status (§11).")
    vaccinations = _history_table("vaccinations", "Every vaccination registered: the childhood programme from birth (born from 1995) and influenza doses in the window (vaccinations.toml).")
    test_results = _history_table("test_results", "Test results (prøvesvar) from samples at GP consultations and outpatient appointments: value, unit, reference range, flag, kodeverk 8245 status.")
    messages = _history_table("messages", "Messages with the GP office on Helsenorge, thread by thread: e-consultations, reception questions, renewal requests, notices (varsel).")
    health_station_appointments = _history_table("health_station_appointments", "Helsestasjon and skolehelsetjenesten appointments by the programme's ages, past and the coming half year (health_station.toml).")
    home_care_visits = _history_table("home_care_visits", "Hjemmetjenester: every home-care recipient's weekly visit plan in the weeks around the reference date (home_care.toml).")
    home_care_messages = _history_table("home_care_messages", "Messages between the home-care service and its recipients in the weeks before the reference date (home_care.toml).")

    @cached_property
    def gp_notices(self) -> pd.DataFrame:
        """GP office notices (the autumn influenza-vaccination campaign): one per office and autumn.

        Every block of citizens stores the notices of the offices its citizens were listed with, so a
        notice can be stored more than once (always the same row): the duplicates are dropped here."""
        frame = self._history("gp_notices").drop_duplicates("notice_id")
        return frame.sort_values(["gp_office_id", "published_on"], kind="stable").reset_index(drop=True)

    @cached_property
    def visits(self):
        """The visit log as a lazy Ibis table on DuckDB (``helsekit generate-visits`` writes it)."""
        from helsekit.analytics.visits import backends

        return backends.read_visits(backends.connect("duckdb"), archive.visit_log_path(self.db))

    copayments = _history_table("copayments", "Every egenandel owed, and what was charged after the yearly ceiling (§2.5).")
    frikort = _history_table("frikort", "One row per citizen and year in which the egenandelstak was reached, with the refund (§2.5).")

    @staticmethod
    def describe() -> pd.DataFrame:
        """Every DataFrame's columns and what they mean."""
        rows = [(frame, column, text) for frame, columns in COLUMNS.items() for column, text in columns.items()]
        return pd.DataFrame(rows, columns=["dataframe", "column", "meaning"])
