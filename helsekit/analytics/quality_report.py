"""The quality-indicator report (``notebooks/reports/quality_indicators.ipynb``, ``helsekit report quality``):
the analyst's choices checked before anything runs, and the tables the notebook shows, headed in bokmål.

The charts are :mod:`helsekit.analytics.quality_plots`; the numbers :func:`helsekit.analytics.indicators.compute`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from helsekit import config
from helsekit.analytics import indicators, quality_plots
from helsekit.analytics.quality_plots import format_value
from helsekit.analytics.visit_plots import norwegian_date
from helsekit.analytics.visit_reports import percent
from helsekit.errors import DatabaseError, InvalidOption

#: The units a report compares (§8.2), with their bokmål names; "national" is the line they are read against.
BREAKDOWN_LABELS = {"site": "behandlingssted", "hf": "helseforetak", "rhf": "regionalt helseforetak",
                    "kommune": "kommune", "fylke": "fylke"}
_PUBLISHED_EVERY = {"tertial": "tertial", "half_year": "halvår", "year": "år"}
_PERIOD_LABELS = {"T1": "1. tertial", "T2": "2. tertial", "T3": "3. tertial", "H1": "1. halvår", "H2": "2. halvår"}


@dataclass(frozen=True)
class QualityChoices:
    """A checked set of choices: the database, the indicator, the breakdown and the period with its bounds."""

    db: str
    indicator: str
    breakdown: str
    period: str | tuple[str, str]
    first: dt.date
    last: dt.date

    def parameters(self) -> dict:
        """The notebook's papermill parameters."""
        period = list(self.period) if isinstance(self.period, tuple) else self.period
        return {"db": self.db, "indicator": self.indicator, "breakdown": self.breakdown, "period": period}

    @property
    def period_label(self) -> str:
        """The period in bokmål: "2024", "2. tertial 2024" or "1. januar 2024 – 30. juni 2024"."""
        if isinstance(self.period, tuple):
            return f"{norwegian_date(self.first)} – {norwegian_date(self.last)}"
        year, _, part = self.period.partition("-")
        return f"{_PERIOD_LABELS[part]} {year}" if part else year


def _listed(field: str, field_nb: str, value: object, valid, where: str = "") -> None:
    if value not in valid:
        names = ", ".join(valid)
        raise InvalidOption(f"{field} {value!r} is not known{where and ' for ' + where}; choose one of: {names}",
                            f"Ukjent {field_nb} «{value}»{where and ' for ' + where}; velg en av: {names}.", field)


def default_breakdown(indicator: str) -> str:
    """The breakdown a report uses unless told: HF, or kommune for an indicator without HFs (the GP ones)."""
    return "hf" if "hf" in indicators.catalogue()[indicator].breakdowns else "kommune"


def check_choices(db: str | None = None, indicator: str = "fristbrudd_somatikk", breakdown: str | None = None,
                  period: object = None) -> QualityChoices:
    """Every choice checked before the report runs; a :class:`~helsekit.errors.HelsekitError` naming the field
    (``db``, ``indicator``, ``breakdown``, ``period``) and listing the valid choices otherwise.
    ``breakdown`` None is :func:`default_breakdown`.

    ``period``: a year (2024), a tertial (2024-T2), a half year (2024-H1), two ISO dates (a pair or
    "FIRST,LAST"), or None for the latest full year of the histories; it must overlap the histories."""
    db = str(db or config.default_database())
    if not Path(db).is_file():
        raise DatabaseError(f"db: no helsekit database at {db}; create one with `helsekit generate --db {db}`",
                            f"Fant ingen helsekit-database i {db}.", "db")
    known = indicators.catalogue()
    _listed("indicator", "indikator", indicator, list(known))
    breakdown = breakdown or default_breakdown(indicator)
    _listed("breakdown", "inndeling", breakdown, [b for b in known[indicator].breakdowns if b in BREAKDOWN_LABELS], indicator)
    period, first, last = indicators.checked_period(db, period)
    return QualityChoices(db, indicator, breakdown, period, first, last)


def definition(indicator: indicators.Indicator) -> pd.DataFrame:
    """The indicator's catalogue entry as a two-column table headed in bokmål."""
    lower = indicator.direction == "lower"
    levels = (f"høy: {format_value(indicator, indicator.goal_high)} eller {'lavere' if lower else 'høyere'}; "
              f"lav: {'over' if lower else 'under'} {format_value(indicator, indicator.goal_low)}")
    rows = {"Indikator": f"{indicator.name} ({indicator.id})", "Kategori": indicator.category,
            "Kvalitetsdimensjon": indicator.dimension, "Teller": indicator.numerator, "Nevner": indicator.denominator,
            "Best er": "lavere verdi" if indicator.direction == "lower" else "høyere verdi", "Enhet": indicator.unit,
            "Publiseres per": _PUBLISHED_EVERY.get(indicator.period, indicator.period), "Måloppnåelse": levels, "Kilde": indicator.source}
    return pd.DataFrame({"Felt": list(rows), "Verdi": list(rows.values())})


def national_value(choices: QualityChoices) -> float | None:
    """The whole country's value for the chosen indicator and period; None when it is hidden or has no cases."""
    row = indicators.compute(choices.db, choices.indicator, "national", (choices.first.isoformat(), choices.last.isoformat()))
    value = row["value"].iloc[0]
    return None if pd.isna(value) else float(value)


def unit_table(table: pd.DataFrame, indicator: indicators.Indicator) -> pd.DataFrame:
    """The computed table as the report shows it: one row per unit, headed in bokmål, shares as percentages,
    and why a unit has no value."""
    interval = [f"{format_value(indicator, low)} – {format_value(indicator, high)}" if not pd.isna(low) else ""
                for low, high in zip(table["low"], table["high"])]
    return pd.DataFrame({
        "Enhet": table["unit_name"].astype(str), "Tilfeller": table["denominator"].astype(int),
        "Teller": table["numerator"].astype(object).where(table["numerator"].notna(), ""),
        "Verdi": table["value"].map(lambda value: format_value(indicator, value)), "95 % KI": interval,
        "Måloppnåelse": table["goal_level"].fillna(""), "Merknad": table["reason"].fillna(""),
    })


def outside_funnel(table: pd.DataFrame, national: float | None) -> pd.DataFrame:
    """The drawn units outside the 95 % funnel (:func:`quality_plots.funnel_positions`), headed in bokmål:
    ``Enhet``, ``Tilfeller``, ``Verdi`` and ``Plassering``; empty without a national value."""
    if national is None:
        return pd.DataFrame(columns=["Enhet", "Tilfeller", "Verdi", "Plassering"])
    positions = quality_plots.funnel_positions(table, national)
    outside = positions[positions != quality_plots.INSIDE]
    units = table.loc[outside.index]
    return pd.DataFrame({"Enhet": units["unit_name"].astype(str), "Tilfeller": units["denominator"].astype(int),
                         "Verdi": units["value"].map(percent), "Plassering": outside.to_numpy()})
