"""Charts of the visit statistics for the report notebooks, with Norwegian labels and "Syntetiske data".

Each function takes a small pandas frame (as :mod:`helsekit.analytics.visit_reports` returns them),
draws on ``ax`` or on a new figure, stamps the figure with
:func:`helsekit.analytics.plots.synthetic_label` and returns it. Nothing calls ``plt.show()``.
"""

from __future__ import annotations

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from helsekit.analytics.plots import _axes, synthetic_label

#: Axis label of each granularity.
GRAIN_LABELS = {"day": "Dag", "week": "Uke", "month": "Måned", "year": "År"}
#: The portal's service areas (visits.toml [services] names) as a visitor reads them on helsenorge.no.
SERVICE_LABELS = {
    "forside": "Forside", "min_helse_oversikt": "Min helse (oversikt)", "timer": "Timeavtaler",
    "resepter": "Resepter", "henvisninger": "Henvisninger", "kjernejournal": "Kjernejournal",
    "pasientjournal": "Pasientjournal", "innboks": "Innboks (meldinger)", "egenandel_frikort": "Egenandeler og frikort",
    "fullmakt": "Fullmakter", "provesvar": "Prøvesvar", "koronasertifikat": "Koronasertifikat", "vaksiner": "Vaksiner",
    "helseartikler": "Helseartikler", "velg_behandlingssted": "Velg behandlingssted",
    "kvalitetsindikatorer": "Kvalitetsindikatorer", "piloter": "Piloter",
}
_SYNTHETIC, _PUBLISHED = "#1f6f9f", "#bbbbbb"


_MONTHS = ("januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september", "oktober",
           "november", "desember")


def norwegian_date(day) -> str:
    """A date the Norwegian way: 15. juni 2011."""
    day = pd.Timestamp(day)
    return f"{day.day}. {_MONTHS[day.month - 1]} {day.year}"


def period_title(first, last) -> str:
    """The seed document's chart title for a period: "Antall besøk på helsenorge.no, 15. juni 2011 – 30. september 2015"."""
    return f"Antall besøk på helsenorge.no, {norwegian_date(first)} – {norwegian_date(last)}"


def norwegian_number(value: float) -> str:
    """A count the Norwegian way: thousands separated by a space (1 234 567)."""
    return f"{value:,.0f}".replace(",", "\u00a0")


def _count_axis(ax: Axes, label: str = "Antall besøk") -> None:
    ax.set_ylabel(label)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda y, _pos: norwegian_number(y)))
    ax.set_ylim(bottom=0)


def visits_over_time(frame: pd.DataFrame, title: str, granularity: str = "month", ax: Axes | None = None) -> Figure:
    """A line of ``visits`` per ``period`` (with ``logins`` dashed, when given), titled ``title``."""
    fig, ax = _axes(ax, (9, 4.5))
    ax.plot(frame["period"], frame["visits"], color=_SYNTHETIC, linewidth=1.8, label="Besøk")
    if "logins" in frame:
        ax.plot(frame["period"], frame["logins"], color=_SYNTHETIC, linewidth=1, linestyle="--", label="Innlogget")
    ax.set_title(title)
    ax.set_xlabel(GRAIN_LABELS.get(granularity, granularity))
    _count_axis(ax, f"Antall besøk per {GRAIN_LABELS.get(granularity, granularity).lower()}")
    ax.grid(axis="y", alpha=0.3)
    ax.legend(loc="upper left")
    return synthetic_label(fig)


def yearly_against_published(yearly: pd.DataFrame, published: pd.DataFrame, scale: float, ax: Axes | None = None) -> Figure:
    """Synthetic ``visits`` per ``year`` as bars beside the published yearly figures (``published``'s
    ``scaled`` column, i.e. the national figure times the log's ``scale``), with the scale named."""
    fig, ax = _axes(ax, (9, 4.5))
    width = 0.4
    ax.bar(yearly["year"] - width / 2, yearly["visits"], width, color=_SYNTHETIC, label="Syntetisk logg")
    ax.bar(published["year"] + width / 2, published["scaled"], width, color=_PUBLISHED, edgecolor="black",
           linewidth=0.5, label="Publisert (§13.1), skalert")
    ax.set_title("Antall besøk per år: syntetisk logg og publiserte tall")
    ax.set_xlabel("År")
    ax.set_xticks(sorted(set(yearly["year"]) | set(published["year"])))
    ax.tick_params(axis="x", labelrotation=45)
    _count_axis(ax)
    ax.legend(loc="upper left")
    ax.annotate(f"Publiserte tall ganget med loggens skala {scale * 100:.4f} % av det nasjonale volumet".replace(".", ","),
                xy=(0.01, -0.28), xycoords="axes fraction", fontsize=8, color="#444444")
    return synthetic_label(fig)


def visits_per_service(frame: pd.DataFrame, year: int, ax: Axes | None = None) -> Figure:
    """Horizontal bars of ``visits`` per ``service`` in ``year``, labelled in Norwegian, the largest on top."""
    fig, ax = _axes(ax, (8, 5))
    ordered = frame.sort_values("visits")
    labels = [SERVICE_LABELS.get(name, name) for name in ordered["service"]]
    bars = ax.barh(labels, ordered["visits"], color=_SYNTHETIC)
    ax.bar_label(bars, labels=[norwegian_number(v) for v in ordered["visits"]], padding=3, fontsize=8)
    ax.set_title(f"Besøk per tjenesteområde i {year}\n(et besøk telles for hvert område det var innom)")
    ax.set_xlabel("Antall besøk")
    ax.set_ylabel("Tjenesteområde")
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: norwegian_number(x)))
    ax.set_xlim(0, max(float(ordered["visits"].max()), 1.0) * 1.2)
    return synthetic_label(fig)


__all__ = ["GRAIN_LABELS", "SERVICE_LABELS", "norwegian_date", "norwegian_number", "period_title", "visits_over_time", "visits_per_service",
           "yearly_against_published"]
