"""A pilot evaluation as bokmål tables for the report: sites, comparison pairs, benefits with verdicts, roll-out."""

from __future__ import annotations

import pandas as pd

from helsekit.evaluation.evaluate import MetricResult, PilotEvaluation
from helsekit.evaluation.verdict import effect_nb, number_nb

DIRECTION_NB = {"decrease": "ned", "increase": "opp"}


def sites(evaluation: PilotEvaluation) -> pd.DataFrame:
    """The pilot's sites with size and kommune type, and each one's comparison sites."""
    pairs = evaluation.matches.groupby("pilot_site")["comparison_site"].apply(lambda s: ", ".join(str(i) for i in s))
    table = evaluation.pilot_sites.assign(sammenligning=[pairs.get(i, "–") for i in evaluation.pilot_sites["id"]])
    return table.rename(columns={"id": "sted", "name": "navn", "kommune_number": "kommune", "size": "størrelse",
                                 "kommune_type": "kommunetype"})


def benefits(evaluation: PilotEvaluation) -> pd.DataFrame:
    """One row per promised benefit: what it promises and the estimate with its interval, or that it cannot be evaluated yet
    (the verdicts, longer, follow the table in the report)."""
    rows = []
    for r in evaluation.results:
        e = r.estimate
        rows.append({"nytte": r.benefit.description, "måltall": r.metric.name_nb, "ønsket retning": DIRECTION_NB[r.benefit.direction],
                     "effekt": effect_nb(e.effect, e.scale) if e else "kan ikke evalueres ennå",
                     "usikkerhet (95 %)": f"{effect_nb(e.low, e.scale)} til {effect_nb(e.high, e.scale)}" if e else "–"})
    return pd.DataFrame(rows, columns=["nytte", "måltall", "ønsket retning", "effekt", "usikkerhet (95 %)"])


def rollout(result: MetricResult) -> pd.DataFrame:
    """The roll-out projection with numbers written the Norwegian way (whole numbers per year)."""
    if result.projection is None:
        return pd.DataFrame()
    table = result.projection.copy()
    for column in ("grunnlag_per_år", "endring_per_år", "lav", "høy"):
        table[column] = table[column].map(lambda v: number_nb(v, 0))
    return table.rename(columns={"grunnlag_per_år": f"{result.metric.national_unit_nb} per år nå", "endring_per_år": "endring per år",
                                 "lav": "lav ende", "høy": "høy ende"})
