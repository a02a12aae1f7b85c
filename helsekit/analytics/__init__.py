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
from helsekit.errors import DatabaseError
from helsekit.storage import archive, database

_DATE_COLUMNS = ("birth_date", "death_date", "valid_from", "valid_to", "registered_on")
_OPTIONAL_IDS = ("parent_id", "practitioner_id")  # nullable references stay whole numbers (Int64)


class HelseData:
    """A helsekit database as DataFrames: ``citizens``, ``households``, ``parent_relations``,
    ``organisations``, ``sites`` (treatment sites only), ``practitioners``, ``gp_lists``,
    ``gp_list_memberships``, ``helsenorge_profiles``, ``fullmakter``, ``critical_information``,
    ``kommuner`` and ``fylker``; and the health histories
    ``gp_contacts``, ``prescriptions``, ``dispensings``, ``referrals``, ``referral_statuses``,
    ``hospital_appointments``, ``copayments`` and ``frikort``. Each is read once, when first used.

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
    def citizens(self) -> pd.DataFrame:
        """One row per citizen, with ``age`` on the reference date."""
        frame = self._read("citizen")
        ref = self.reference_date
        born = frame["birth_date"]
        had_birthday = (born.dt.month < ref.month) | ((born.dt.month == ref.month) & (born.dt.day <= ref.day))
        frame.insert(frame.columns.get_loc("birth_date") + 1, "age", ref.year - born.dt.year - (~had_birthday).astype(int))
        return frame

    @cached_property
    def households(self) -> pd.DataFrame:
        """One row per household (registered address)."""
        return self._read("household")

    @cached_property
    def parent_relations(self) -> pd.DataFrame:
        """One row per parent (or step-parent) of a citizen."""
        return self._read("parent_relation")

    @cached_property
    def organisations(self) -> pd.DataFrame:
        """Every organisation: RHF, HF and all treatment sites."""
        return self._read("organisation")

    @cached_property
    def sites(self) -> pd.DataFrame:
        """Treatment sites: hospitals, GP offices, pharmacies and municipal services."""
        return self.organisations[~self.organisations["kind"].isin(["rhf", "hf"])].reset_index(drop=True)

    @cached_property
    def practitioners(self) -> pd.DataFrame:
        """Health personnel (for now: fastleger)."""
        return self._read("practitioner")

    @cached_property
    def gp_list_memberships(self) -> pd.DataFrame:
        """Who is on which GP list, from when."""
        return self._read("gp_list_membership")

    @cached_property
    def gp_lists(self) -> pd.DataFrame:
        """GP lists with their ceiling and current ``list_length``."""
        frame = self._read("gp_list")
        current = self.gp_list_memberships[self.gp_list_memberships["valid_to"].isna()]
        frame["list_length"] = frame["id"].map(current["gp_list_id"].value_counts()).fillna(0).astype(int)
        return frame

    @cached_property
    def helsenorge_profiles(self) -> pd.DataFrame:
        """One row per citizen from 16: consent level, notification channel and kjernejournal reservations (§3.5, §4.7)."""
        return self._read("helsenorge_profile")

    @cached_property
    def fullmakter(self) -> pd.DataFrame:
        """Fullmakter: who may use Helsenorge for whom, with scope and period (§3.5–§3.6)."""
        return self._read("fullmakt")

    @cached_property
    def critical_information(self) -> pd.DataFrame:
        """Kritisk informasjon in the kjernejournal (§4.3)."""
        return self._read("critical_information")

    @cached_property
    def kommuner(self) -> pd.DataFrame:
        """Kommuner (real geography)."""
        return self._read("kommune")

    @cached_property
    def fylker(self) -> pd.DataFrame:
        """Fylker (real geography) and the health region serving each."""
        return self._read("fylke")

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

    @cached_property
    def gp_contacts(self) -> pd.DataFrame:
        """Fastlege contacts over the history window: consultations, e-consultations, no-shows, cancellations."""
        return self._history("gp_contacts")

    @cached_property
    def prescriptions(self) -> pd.DataFrame:
        """E-resepter over the history window: drug (ATC), kind (blå/hvit/H), validity, reit, renewal, status (§10)."""
        return self._history("prescriptions")

    @cached_property
    def dispensings(self) -> pd.DataFrame:
        """Every dispensing at a pharmacy, with its price and the blå resept egenandel (§2.7)."""
        return self._history("dispensings")

    @cached_property
    def referrals(self) -> pd.DataFrame:
        """Henvisninger to the specialist service: assessment, outcome, legal deadline, start of care, fristbrudd (§6)."""
        return self._history("referrals")

    @cached_property
    def referral_statuses(self) -> pd.DataFrame:
        """The citizen-visible status sequence of each referral, dated (§6.1)."""
        return self._history("referral_statuses")

    @cached_property
    def hospital_appointments(self) -> pd.DataFrame:
        """Outpatient appointments at the hospital a referral leads to (attended, no-show, or booked ahead)."""
        return self._history("hospital_appointments")

    @cached_property
    def copayments(self) -> pd.DataFrame:
        """Every egenandel owed, and what was charged after the yearly ceiling (§2.5)."""
        return self._history("copayments")

    @cached_property
    def frikort(self) -> pd.DataFrame:
        """One row per citizen and year in which the egenandelstak was reached, with the refund (§2.5)."""
        return self._history("frikort")

    @staticmethod
    def describe() -> pd.DataFrame:
        """Every DataFrame's columns and what they mean."""
        rows = [(frame, column, text) for frame, columns in COLUMNS.items() for column, text in columns.items()]
        return pd.DataFrame(rows, columns=["dataframe", "column", "meaning"])
