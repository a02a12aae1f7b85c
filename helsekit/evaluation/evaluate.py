"""One pilot evaluated against its comparison sites: readiness, per-benefit estimates and verdicts, uptake, roll-out.

:func:`evaluate` is what the report notebook calls; each step lives in its own module (benefits, matching, did,
verdict, projection). Everything returned is data, in bokmål where a reader sees it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace

import pandas as pd

from helsekit.errors import InvalidOption
from helsekit.evaluation import benefits, did, matching, projection, verdict
from helsekit.evaluation import uptake as pilot_uptake
from helsekit.generator import specs
from helsekit.pilots import Benefit, Pilot

COMPARISON_RULES = ("matched", "all")
GROUP_NB = {"pilot": "Pilotsteder", "comparison": "Sammenligningssteder"}


@dataclass(frozen=True)
class MetricResult:
    """One promised benefit: the estimate (None when it cannot be evaluated yet), the reasons why not, the verdict,
    the monthly metric at pilot and comparison sites, and the roll-out projection."""

    benefit: Benefit
    metric: benefits.Metric
    estimate: did.Estimate | None
    reasons: list[str]
    verdict: str
    monthly: pd.DataFrame
    projection: pd.DataFrame | None


@dataclass(frozen=True)
class PilotEvaluation:
    """A pilot's evaluation: its sites, comparison sites, why it cannot be evaluated yet (if so) and each benefit."""

    pilot: Pilot
    site_kind: str
    pilot_sites: pd.DataFrame
    matches: pd.DataFrame
    comparison_sites: list[int]
    reasons: list[str]
    results: list[MetricResult] = field(default_factory=list)
    uptake: pd.DataFrame | None = None
    uptake_note: str = ""

    @property
    def ready(self) -> bool:
        """True when the pilot as a whole can be evaluated (each metric may still lack data)."""
        return not self.reasons


def check_comparison(comparison: str) -> str:
    """``comparison`` when it is a known rule (matched or all); InvalidOption naming the field otherwise."""
    if comparison not in COMPARISON_RULES:
        raise InvalidOption(f"comparison {comparison!r} must be one of: {', '.join(COMPARISON_RULES)}",
                            f"Sammenligningen må være en av: {', '.join(COMPARISON_RULES)}.", "comparison")
    return comparison


def _regions(data) -> pd.Series:
    region = data.kommuner.set_index("number")["fylke_number"].map(data.fylker.set_index("number")["region"])
    return data.sites.set_index("id")["kommune_number"].map(region)


def monthly(panel: pd.DataFrame, pilot_ids, comparison_ids) -> pd.DataFrame:
    """The metric per month at pilot and at comparison sites (summed numerators over summed denominators)."""
    group = panel["site_id"].map({i: "comparison" for i in comparison_ids} | {i: "pilot" for i in pilot_ids})
    sums = panel.assign(group=group).dropna(subset=["group"]).groupby(["month", "group"], as_index=False)[["numerator", "denominator"]].sum()
    sums["value"] = sums["numerator"] / sums["denominator"]
    return sums


def _not_measured(benefit: Benefit, metric: benefits.Metric, reasons: list[str], panel=None) -> MetricResult:
    empty = pd.DataFrame(columns=["month", "group", "numerator", "denominator", "value"])
    text = "Kan ikke evalueres ennå. " + " ".join(reasons)
    return MetricResult(benefit, metric, None, reasons, text, empty if panel is None else panel, None)


def _one(data, benefit: Benefit, kind: str, pilot_ids, comparison_ids, start, period, regions, reasons) -> MetricResult:
    """One benefit; ``reasons`` why the pilot as a whole cannot be evaluated yet (the metric is still drawn)."""
    metric = benefits.metric(benefit.metric)
    if benefit.metric == "portal_visits_per_listed":
        return _not_measured(benefit, metric, reasons + ["Besøk gjennom piloten finnes bare ved pilotstedene, så de har ingen "
                                                         "sammenligning; se bruken over tid."])
    panel = benefits.panel(data, benefit.metric, kind)
    series = monthly(panel, pilot_ids, comparison_ids)
    if reasons:
        return _not_measured(benefit, metric, reasons, series)
    counts = did.before_after(panel, list(pilot_ids) + list(comparison_ids), start, *period)
    events = counts["before_den" if metric.scale == "absolute" else "before_num"].combine(
        counts["after_den" if metric.scale == "absolute" else "after_num"], min)
    enough = counts[events >= verdict.thresholds()["min_events_per_site"]]
    on_pilot = enough["site_id"].isin(list(pilot_ids))
    reasons = verdict.not_ready(int(on_pilot.sum()), int((~on_pilot).sum()), enough["months_before"].max() if len(enough) else 0,
                                enough["months_after"].max() if len(enough) else 0, start)
    if reasons:
        reasons = [f"For få hendelser: bare steder med minst {verdict.thresholds()['min_events_per_site']} før og etter teller."] + reasons
        return _not_measured(benefit, metric, reasons, series)
    change = did.site_changes(enough["before_num"], enough["before_den"], enough["after_num"], enough["after_den"], metric.scale)
    estimate = did.estimate(change[on_pilot.to_numpy()], change[~on_pilot.to_numpy()], metric.scale,
                            specs.load("evaluation")["interval"]["level"])
    last = pd.Timestamp(period[1]) if period[1] is not None else data.reference_date - pd.Timedelta(days=1)
    kind_sites = set(data.sites.loc[data.sites["kind"] == kind, "id"])
    rolled = projection.project(panel[panel["site_id"].isin(kind_sites)], regions, estimate, len(data.register),
                                last.to_period("M").to_timestamp())
    return MetricResult(benefit, metric, estimate, [], verdict.verdict(benefit.direction, metric.name_nb, estimate), series, rolled)


def evaluate(data, pilot: Pilot, metrics=None, period=(None, None), comparison: str = "matched") -> PilotEvaluation:
    """Evaluate ``pilot`` in ``data`` (a HelseData): each promised benefit (or only ``metrics``) within ``period``
    (first, last day; None: the whole history window), against ``comparison`` sites: ``matched`` or ``all``."""
    check_comparison(comparison)
    wanted = [b for b in pilot.benefits if metrics is None or b.metric in metrics]
    for metric_id in metrics or ():
        benefits.metric(metric_id)
    rows = data.sites.itertuples(index=False)
    pilot_ids = [row.id for row in rows if pilot.runs_at(SimpleNamespace(id=row.id, kind=row.kind, kommune_number=row.kommune_number))]
    kind = pilot.site_kind or (data.sites.set_index("id").loc[pilot_ids[0], "kind"] if pilot_ids else "gp_office")
    profiles = matching.site_profiles(data, kind)
    if comparison == "matched":
        matches = matching.match(profiles, pilot_ids)
        comparison_ids = sorted(matches["comparison_site"].unique().tolist())
    else:
        matches = pd.DataFrame(columns=["pilot_site", "comparison_site", "same_type", "size_ratio"])
        comparison_ids = sorted(set(profiles["id"]) - set(pilot_ids))
    first = pd.Timestamp(period[0]) if period[0] is not None else data.reference_date - pd.DateOffset(years=specs.load("histories")["window"]["years"])
    last = pd.Timestamp(period[1]) if period[1] is not None else data.reference_date - pd.Timedelta(days=1)
    start = pd.Timestamp(pilot.started) if pilot.started else None
    before = len(benefits.months(first, start - pd.Timedelta(days=1))) if start is not None and start > first else 0
    after = len(benefits.months(start, last)) - (start.day != 1) if start is not None and start <= last else 0
    reasons = verdict.not_ready(len(pilot_ids), len(comparison_ids), before, after, pilot.started)
    if not wanted:
        reasons = reasons + ["Piloten har ikke oppgitt noen nytte ([[benefits]] i pilot.toml) som kan måles."]
    uptake, note = pilot_uptake.monthly_visits(data, pilot)
    evaluation = PilotEvaluation(pilot, kind, profiles[profiles["id"].isin(pilot_ids)], matches, comparison_ids, reasons,
                                 uptake=uptake, uptake_note=note)
    regions = _regions(data)
    evaluation.results.extend(_one(data, b, kind, pilot_ids, comparison_ids, start, (first, last), regions, reasons) for b in wanted)
    return evaluation
