"""Small plots of a helsekit database, for the notebooks and reports.

Every function takes a :class:`helsekit.analytics.HelseData` (what ``helsekit.open()``
returns), draws on ``ax`` or on a new figure, returns the :class:`~matplotlib.figure.Figure`
and stamps it "Syntetiske data" with :func:`synthetic_label`, so that no chart of synthetic
citizens can be mistaken for statistics about real ones. Nothing here calls ``plt.show()``:
the functions work the same with the Agg backend, in a notebook and in a report.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from helsekit import SYNTHETIC_DATA_LABEL

_LABEL_GID = "helsekit-synthetic-label"
_MEN_COLOUR, _WOMEN_COLOUR = "#1f6f9f", "#c0504d"


def synthetic_label(fig: Figure) -> Figure:
    """Stamp "Syntetiske data" on ``fig``: in the bottom-right corner, and as the suptitle if it has none.

    Calling it again on the same figure adds nothing. Returns ``fig``.
    """
    if not any(text.get_gid() == _LABEL_GID for text in fig.texts):
        fig.text(
            0.99, 0.01, SYNTHETIC_DATA_LABEL, ha="right", va="bottom", fontsize=9, fontweight="bold",
            color="#a00000", alpha=0.8, gid=_LABEL_GID,
        )
    if not fig.get_suptitle():
        fig.suptitle(SYNTHETIC_DATA_LABEL, fontsize=10, color="#a00000")
    return fig


def _axes(ax: Axes | None, figsize: tuple[float, float]) -> tuple[Figure, Axes]:
    """The figure and axes to draw on: ``ax`` and its figure, or a new figure."""
    if ax is None:
        fig, ax = plt.subplots(figsize=figsize, layout="constrained")
        return fig, ax
    return ax.figure, ax


def age_pyramid(data, ax: Axes | None = None) -> Figure:
    """Befolkningspyramide: share of all citizens per 5-year age band, men (Menn) left, women (Kvinner) right.

    Men's bars have negative widths, so they extend to the left; the tick labels show shares unsigned.
    """
    fig, ax = _axes(ax, (7, 6))
    citizens = data.citizens
    top = max(int(citizens["age"].max()) // 5 * 5 + 5, 5)
    bands = pd.cut(citizens["age"], bins=range(0, top + 5, 5), right=False, labels=range(0, top, 5))
    shares = pd.crosstab(bands, citizens["sex"]).reindex(columns=["M", "F"], fill_value=0) / max(len(citizens), 1)
    shares = shares.reindex(range(0, top, 5), fill_value=0)
    ax.barh(shares.index, -shares["M"].to_numpy(), height=4.5, align="edge", color=_MEN_COLOUR, label="Menn")
    ax.barh(shares.index, shares["F"].to_numpy(), height=4.5, align="edge", color=_WOMEN_COLOUR, label="Kvinner")
    limit = max(float(shares.to_numpy().max()), 0.01) * 1.1
    ax.set_xlim(-limit, limit)
    ax.axvline(0, color="black", linewidth=0.8)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: f"{abs(x):.0%}" if limit >= 0.05 else f"{abs(x):.1%}"))
    ax.set_yticks(range(0, top, 10))
    ax.set_xlabel("Andel av befolkningen")
    ax.set_ylabel("Alder")
    ax.set_title("Befolkningspyramide")
    ax.text(0.02, 0.98, "Menn", transform=ax.transAxes, ha="left", va="top", fontweight="bold", color=_MEN_COLOUR)
    ax.text(0.98, 0.98, "Kvinner", transform=ax.transAxes, ha="right", va="top", fontweight="bold", color=_WOMEN_COLOUR)
    return synthetic_label(fig)


def fylke_shares(data, ax: Axes | None = None) -> Figure:
    """Citizens per fylke (by their registered address), as horizontal bars labelled with count and share."""
    fig, ax = _axes(ax, (7, 5))
    fylke_of = data.kommuner.set_index("number")["fylke_number"]
    names = data.fylker.set_index("number")["name"]
    counts = (
        data.citizens["kommune_number"].map(fylke_of).map(names).value_counts()
        .reindex(names.to_numpy(), fill_value=0).sort_values()
    )
    total = max(int(counts.sum()), 1)
    bars = ax.barh(counts.index, counts.to_numpy(), color=_MEN_COLOUR)
    ax.bar_label(bars, labels=[f"{n} ({n / total:.0%})" for n in counts.to_numpy()], padding=3, fontsize=8)
    ax.set_xlim(0, max(int(counts.max()), 1) * 1.25)
    ax.set_xlabel("Innbyggere")
    ax.set_ylabel("Fylke")
    ax.set_title("Innbyggere per fylke")
    return synthetic_label(fig)


def gp_list_lengths(data, ax: Axes | None = None) -> Figure:
    """Fastlegelister: histogram of list lengths (listelengde) over the histogram of ceilings (listetak)."""
    fig, ax = _axes(ax, (7, 4.5))
    lists = data.gp_lists
    values = np.concatenate([lists["list_length"].to_numpy(), lists["ceiling"].to_numpy(), [0]])
    bins = np.histogram_bin_edges(values, bins=min(30, max(len(lists), 5)))
    ax.hist(lists["ceiling"], bins=bins, color="#bbbbbb", label="Listetak")
    ax.hist(lists["list_length"], bins=bins, color=_MEN_COLOUR, alpha=0.7, label="Listelengde")
    ax.set_xlabel("Personer på listen")
    ax.set_ylabel("Antall fastlegelister")
    ax.set_title(f"Fastlegelister ({len(lists)}): listelengde og listetak")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend()
    return synthetic_label(fig)


__all__ = ["age_pyramid", "fylke_shares", "gp_list_lengths", "synthetic_label"]
