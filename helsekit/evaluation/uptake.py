"""Uptake: how much a pilot is used, month by month, from the visit log (visits through the pilot, issue #6)."""

from __future__ import annotations

import pandas as pd

from helsekit.evaluation import benefits
from helsekit.generator import specs
from helsekit.pilots import Pilot
from helsekit.storage import archive


def monthly_visits(data, pilot: Pilot) -> tuple[pd.DataFrame | None, str]:
    """Visits through the pilot per month from the visit log (0 in months without), and a note for the reader."""
    if not archive.visit_log_path(data.db).is_dir():
        return None, ("Besøksloggen finnes ikke for denne databasen, så bruken over tid kan ikke vises "
                      "(lag den med «helsekit generate-visits»).")
    from helsekit.analytics.visits import metrics

    visits = metrics.per_pilot_and_site(data.visits, "month").to_pandas()
    per_month = visits[visits["pilot_id"] == pilot.id].groupby("period")["visits"].sum()
    per_month.index = pd.to_datetime(per_month.index)
    started = pd.Timestamp(pilot.started or specs.load("visits")["pilots"]["from"])
    span = benefits.months(started, data.reference_date - pd.Timedelta(days=1))
    uptake = per_month.reindex(span, fill_value=0).rename_axis("month").reset_index(name="visits")
    note = "" if pilot.started else (
        f"Merk: piloten har ingen startdato i pilot.toml; besøksloggen lar den starte {started.date().isoformat()} "
        "(en modellforutsetning i visits.toml).")
    return uptake, note
