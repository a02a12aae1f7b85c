"""Plots (helsekit.analytics.plots): each test names the rule it checks, on the `tiny` database."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # before pyplot: the tests never need a display

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.text import Text  # noqa: E402

import helsekit  # noqa: E402
from helsekit import SYNTHETIC_DATA_LABEL  # noqa: E402
from helsekit.analytics import plots  # noqa: E402

PLOTS = [plots.age_pyramid, plots.fylke_shares, plots.gp_list_lengths]


@pytest.fixture(scope="module")
def data(tiny_db):
    return helsekit.open(tiny_db)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def texts_of(fig) -> list[str]:
    return [text.get_text() for text in fig.findobj(Text)]


@pytest.mark.parametrize("plot", PLOTS, ids=lambda f: f.__name__)
def test_every_plot_says_syntetiske_data(data, plot):
    fig = plot(data)
    assert SYNTHETIC_DATA_LABEL == "Syntetiske data"
    assert SYNTHETIC_DATA_LABEL in [text.get_text() for text in fig.texts]  # the corner stamp
    assert fig.get_suptitle() == SYNTHETIC_DATA_LABEL
    fig.canvas.draw()  # renders without a display (Agg)


@pytest.mark.parametrize("plot", PLOTS, ids=lambda f: f.__name__)
def test_every_plot_returns_the_figure_of_the_axes_it_was_given(data, plot):
    fig, ax = plt.subplots()
    assert plot(data, ax=ax) is fig
    assert ax.has_data()


def test_synthetic_label_keeps_an_existing_suptitle_and_stamps_only_once():
    fig, _ = plt.subplots()
    fig.suptitle("Fastlegelister i Oslo")
    plots.synthetic_label(fig)
    plots.synthetic_label(fig)
    assert fig.get_suptitle() == "Fastlegelister i Oslo"
    assert [text.get_text() for text in fig.texts].count(SYNTHETIC_DATA_LABEL) == 1


def test_age_pyramid_shows_men_left_and_women_right(data):
    fig = plots.age_pyramid(data)
    ax = fig.axes[0]
    men, women = ax.containers
    assert (men.get_label(), women.get_label()) == ("Menn", "Kvinner")
    men_widths = np.array([bar.get_width() for bar in men])
    women_widths = np.array([bar.get_width() for bar in women])
    assert (men_widths <= 0).all() and (men_widths < 0).any()
    assert (women_widths >= 0).all() and (women_widths > 0).any()


def test_age_pyramid_shares_add_up_to_the_whole_population_in_five_year_bands(data):
    ax = plots.age_pyramid(data).axes[0]
    bars = [bar for container in ax.containers for bar in container]
    assert sum(abs(bar.get_width()) for bar in bars) == pytest.approx(1.0)
    assert {bar.get_y() for bar in bars} == set(range(0, int(data.citizens["age"].max()) // 5 * 5 + 5, 5))
    men = data.citizens["sex"].eq("M").mean()
    assert -sum(bar.get_width() for bar in ax.containers[0]) == pytest.approx(men)


def test_age_pyramid_axes_are_labelled_in_bokmal(data):
    fig = plots.age_pyramid(data)
    ax = fig.axes[0]
    assert ax.get_ylabel() == "Alder"
    assert ax.get_xlabel() == "Andel av befolkningen"
    assert {"Menn", "Kvinner"} <= set(texts_of(fig))


def test_fylke_shares_count_every_citizen_once_and_show_every_fylke(data):
    ax = plots.fylke_shares(data).axes[0]
    widths = [bar.get_width() for bar in ax.containers[0]]
    assert sum(widths) == len(data.citizens)
    assert sorted(label.get_text() for label in ax.get_yticklabels()) == sorted(data.fylker["name"])


def test_gp_list_lengths_histograms_hold_every_list_twice(data):
    ax = plots.gp_list_lengths(data).axes[0]
    ceilings, lengths = ax.containers
    assert sum(bar.get_height() for bar in ceilings) == len(data.gp_lists)
    assert sum(bar.get_height() for bar in lengths) == len(data.gp_lists)
    assert [text.get_text() for text in ax.get_legend().get_texts()] == ["Listetak", "Listelengde"]
