"""The visit-statistics charts: stamped "Syntetiske data", Norwegian labels, the published figures as the spec gives them."""

from __future__ import annotations

import tomllib

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from helsekit import config  # noqa: E402
from helsekit.analytics import visit_plots, visit_reports  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _texts(fig) -> list[str]:
    return [text.get_text() for text in fig.texts]


def _months() -> pd.DataFrame:
    return pd.DataFrame({"period": pd.to_datetime(["2011-06-01", "2011-07-01", "2011-08-01"]),
                         "visits": [10, 25, 40], "logins": [3, 9, 14]})


def _years() -> pd.DataFrame:
    return pd.DataFrame({"year": [2018, 2019, 2020], "visits": [900, 1300, 2600]})


def _services() -> pd.DataFrame:
    return pd.DataFrame({"service": ["innboks", "provesvar", "forside"], "visits": [50, 80, 20]})


def _spec_yearly() -> dict:
    with open(config.SPECS_DIR / "visits.toml", "rb") as file:
        return tomllib.load(file)["yearly"]


def test_every_visit_chart_is_stamped_synthetic_data():
    figures = [
        visit_plots.visits_over_time(_months(), "Tittel"),
        visit_plots.yearly_against_published(_years(), visit_reports.published(0.001), 0.001),
        visit_plots.visits_per_service(_services(), 2023),
    ]
    for fig in figures:
        assert "Syntetiske data" in _texts(fig)


@pytest.mark.parametrize(("granularity", "label"), [("day", "Dag"), ("week", "Uke"), ("month", "Måned"), ("year", "År")])
def test_the_line_chart_names_its_axes_in_norwegian_for_each_granularity(granularity, label):
    ax = visit_plots.visits_over_time(_months(), "Antall besøk", granularity).axes[0]
    assert ax.get_xlabel() == label
    assert ax.get_ylabel() == f"Antall besøk per {label.lower()}"


def test_the_line_chart_draws_each_periods_visits_and_logins_under_its_title():
    ax = visit_plots.visits_over_time(_months(), "Antall besøk på helsenorge.no").axes[0]
    assert ax.get_title() == "Antall besøk på helsenorge.no"
    lines = {line.get_label(): list(line.get_ydata()) for line in ax.get_lines()}
    assert lines == {"Besøk": [10, 25, 40], "Innlogget": [3, 9, 14]}


def test_the_title_of_the_seed_documents_chart_is_written_with_norwegian_dates():
    assert visit_plots.period_title("2011-06-15", "2015-09-30") == \
        "Antall besøk på helsenorge.no, 15. juni 2011 – 30. september 2015"


def test_the_published_yearly_figures_are_drawn_as_the_spec_gives_them_times_the_scale():
    scale = 0.002
    spec = _spec_yearly()
    ax = visit_plots.yearly_against_published(_years(), visit_reports.published(scale), scale).axes[0]
    published = next(c for c in ax.containers if c.get_label() == "Publisert (§13.1), skalert")
    drawn = {round(bar.get_x() + bar.get_width() / 2): bar.get_height() for bar in published}
    assert drawn == pytest.approx({year: float(spec[str(year)]) * 1e6 * scale for year in range(2019, 2024)})


def test_the_published_figures_are_those_of_2019_to_2023_of_domain_facts_13_1():
    assert visit_reports.published(1.0).set_index("year")["published"].to_dict() == {
        2019: 37.2e6, 2020: 72.9e6, 2021: 140.9e6, 2022: 115.9e6, 2023: 109.5e6}


def test_the_yearly_chart_says_the_published_figures_are_multiplied_by_the_logs_scale():
    ax = visit_plots.yearly_against_published(_years(), visit_reports.published(0.0125), 0.0125).axes[0]
    notes = [text.get_text() for text in ax.texts]
    assert any("ganget med loggens skala 1,2500 % av det nasjonale volumet" in note for note in notes)
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("År", "Antall besøk")


def test_the_services_chart_puts_the_largest_on_top_with_norwegian_names():
    ax = visit_plots.visits_per_service(_services(), 2023).axes[0]
    labels = [tick.get_text() for tick in ax.get_yticklabels()]
    assert labels == ["Forside", "Innboks (meldinger)", "Prøvesvar"]  # barh draws the first at the bottom
    assert [bar.get_width() for bar in ax.containers[0]] == [20, 50, 80]
    assert ax.get_ylabel() == "Tjenesteområde"
    assert "2023" in ax.get_title()


def test_every_service_area_of_the_spec_has_a_norwegian_label():
    with open(config.SPECS_DIR / "visits.toml", "rb") as file:
        names = tomllib.load(file)["services"]["names"]
    assert set(names) <= set(visit_plots.SERVICE_LABELS)


@pytest.mark.parametrize(("value", "signed", "text"), [
    (0.154, False, "15,4\u00a0%"), (0.051, True, "+5,1\u00a0%"), (-0.177, True, "-17,7\u00a0%"),
    (-0.0001, True, "0,0\u00a0%"), (float("nan"), True, ""),
])
def test_shares_in_report_tables_are_written_with_a_decimal_comma(value, signed, text):
    assert visit_reports.percent(value, signed) == text


def test_counts_are_written_with_a_space_between_thousands():
    assert visit_plots.norwegian_number(1234567) == "1\u00a0234\u00a0567"
