"""Charts of a pilot evaluation: uptake over time, and each metric at pilot versus comparison sites.

Each returns a Figure stamped "Syntetiske data" (:func:`helsekit.analytics.plots.synthetic_label`) with the
pilot's start marked; nothing calls ``plt.show()``.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

from helsekit.analytics.plots import synthetic_label
from helsekit.evaluation.evaluate import GROUP_NB, MetricResult, PilotEvaluation

COLOURS = {"pilot": "#1f6f9f", "comparison": "#8c8c8c"}


def _start_line(ax, started) -> None:
    if started is not None:
        ax.axvline(pd.Timestamp(started), color="#a00000", linestyle="--", linewidth=1, label="Pilotstart")


def uptake(evaluation: PilotEvaluation) -> Figure:
    """Visits through the pilot per month (from the visit log), or a figure saying why there is none."""
    fig, ax = plt.subplots(figsize=(8, 3.2), layout="constrained")
    if evaluation.uptake is None or evaluation.uptake.empty:
        ax.axis("off")
        ax.text(0.5, 0.5, evaluation.uptake_note or "Ingen besøk gjennom piloten i perioden.", ha="center", va="center", wrap=True)
    else:
        ax.bar(pd.to_datetime(evaluation.uptake["month"]), evaluation.uptake["visits"], width=25, color=COLOURS["pilot"],
               label="Besøk gjennom piloten")
        _start_line(ax, evaluation.pilot.started)
        ax.set_ylabel("besøk per måned")
        ax.set_xlabel("måned")  # also keeps the corner label clear of the year ticks
        ax.legend(loc="best")
    ax.set_title(f"Bruk over tid: {evaluation.pilot.title}")
    return synthetic_label(fig)


def metric(result: MetricResult, started) -> Figure:
    """The metric per month at pilot and at comparison sites, with the pilot's start marked."""
    fig, ax = plt.subplots(figsize=(8, 3.2), layout="constrained")
    if result.monthly.empty:
        ax.axis("off")
        ax.text(0.5, 0.5, "Ingen data å vise for dette måltallet.", ha="center", va="center")
    else:
        for group, rows in result.monthly.groupby("group"):
            ax.plot(pd.to_datetime(rows["month"]), rows["value"], color=COLOURS[group], label=GROUP_NB[group])
        _start_line(ax, started)
        ax.set_ylabel(result.metric.unit_nb)
        ax.set_xlabel("måned")  # also keeps the corner label clear of the year ticks
        ax.legend(loc="best")
    ax.set_title(result.metric.name_nb)
    return synthetic_label(fig)
