"""Plain bokmål: whether a pilot can be evaluated yet, and what the estimate says (or that the data cannot tell).

The thresholds are evaluation.toml [readiness], modelling choices. Numbers are written the Norwegian way
(decimal comma, a real minus sign, a space before %).
"""

from __future__ import annotations

from helsekit.evaluation.did import Estimate
from helsekit.generator import specs


def thresholds() -> dict:
    """The readiness thresholds (evaluation.toml [readiness])."""
    return specs.load("evaluation")["readiness"]


def number_nb(value: float, decimals: int = 1) -> str:
    """``value`` as bokmål writes it: 1 234,5 with a minus sign (−), never −0,0."""
    text = f"{abs(value):,.{decimals}f}".replace(",", " ").replace(".", ",")
    return ("−" if value < 0 and text.strip("0, ") else "") + text


def effect_nb(value: float, scale: str) -> str:
    """An effect on its scale: a relative one as a signed percentage, an absolute one as a signed number."""
    text = number_nb(value * 100 if scale == "relative" else value)
    text = text if text.startswith("−") or text.strip("0, ") == "" else "+" + text
    return text + (" %" if scale == "relative" else "")


def not_ready(pilot_sites: int, comparison_sites: int, months_before: int, months_after: int, started) -> list[str]:
    """Why the pilot cannot be evaluated yet (bokmål, one reason each); empty when it can."""
    limits, reasons = thresholds(), []
    if started is None:
        return ["Piloten har ingen startdato (started i pilot.toml), så det finnes ikke noe før og etter."]
    if pilot_sites < limits["min_pilot_sites"]:
        reasons.append(f"For få pilotsteder: {pilot_sites}, men minst {limits['min_pilot_sites']} trengs.")
    if comparison_sites < limits["min_comparison_sites"]:
        reasons.append(f"For få sammenligningssteder: {comparison_sites}, men minst {limits['min_comparison_sites']} trengs.")
    if months_before < limits["min_months_before"]:
        reasons.append(f"For kort tid før start: {months_before} måneder med data, men minst {limits['min_months_before']} trengs.")
    if months_after < limits["min_months_after"]:
        reasons.append(f"For kort tid etter start: {months_after} måneder, men minst {limits['min_months_after']} trengs.")
    return reasons


def verdict(direction: str, metric_name: str, estimate: Estimate) -> str:
    """The plain-language verdict for one promised benefit (``direction``: decrease or increase)."""
    low, high = effect_nb(estimate.low, estimate.scale), effect_nb(estimate.high, estimate.scale)
    span = f"{effect_nb(estimate.effect, estimate.scale)} (usikkerhet {low} til {high}, {number_nb(estimate.level * 100, 0)} %)"
    if not estimate.detectable:
        return (f"Ingen påvisbar effekt på «{metric_name}»: endringen ved pilotstedene mot sammenligningsstedene er {span}. "
                "Intervallet omfatter null, så dataene kan ikke si om piloten virker.")
    wanted = (estimate.effect < 0) == (direction == "decrease")
    if wanted:
        return f"Piloten ser ut til å virke: «{metric_name}» endret seg med {span} ved pilotstedene mot sammenligningsstedene."
    return f"«{metric_name}» gikk motsatt vei av det piloten lovet: {span} ved pilotstedene mot sammenligningsstedene."


def planted_truth(db: str, pilot_id: str, metric: str) -> str | None:
    """The true effect planted in this synthetic world for the pilot's ``metric`` (``helsekit generate --scenario``,
    recorded in the database's metadata), said in bokmål to set beside the estimate; None where none was planted."""
    from helsekit.storage.database import read_meta

    planted = read_meta(db).get("scenario")
    if not planted:
        return None
    planted_pilot, planted_metric, relative = planted.split(":")
    if (planted_pilot, planted_metric) != (pilot_id, metric):
        return None
    return (f"Fasit: i denne syntetiske verdenen er effekten lagt inn som {effect_nb(float(relative), 'relative')} "
            f"(scenario «{planted}» i `helsekit generate`). Dekker intervallet den, har evalueringen funnet sannheten.")
