"""The bokmål verdict: Norwegian numbers, when a pilot cannot be evaluated yet, and which way the effect went."""

from __future__ import annotations

from helsekit.evaluation import verdict
from helsekit.evaluation.did import Estimate


def _estimate(effect, low, high, scale="relative"):
    return Estimate(effect, low, high, 0.95, scale, 4, 8)


def test_numbers_are_written_with_decimal_comma_and_a_real_minus_and_never_minus_zero():
    assert verdict.number_nb(-1234.56) == "−1 234,6"
    assert verdict.number_nb(-0.01) == "0,0"
    assert verdict.effect_nb(-0.2, "relative") == "−20,0 %"
    assert verdict.effect_nb(3.5, "absolute") == "+3,5"


def test_a_pilot_with_one_site_and_no_comparison_cannot_be_evaluated_and_says_why():
    reasons = verdict.not_ready(1, 0, 24, 12, "2023-01-01")
    assert any("pilotsteder: 1" in r for r in reasons) and any("sammenligningssteder: 0" in r for r in reasons)


def test_three_months_after_the_start_is_too_little_time():
    assert verdict.not_ready(4, 8, 24, 3, "2024-09-01") == ["For kort tid etter start: 3 måneder, men minst 6 trengs."]


def test_a_pilot_without_a_start_date_cannot_be_evaluated():
    assert "ingen startdato" in verdict.not_ready(4, 8, 24, 12, None)[0]


def test_enough_sites_and_time_is_ready():
    assert verdict.not_ready(3, 3, 6, 6, "2023-01-01") == []


def test_verdict_says_the_data_cannot_tell_when_the_interval_spans_zero():
    text = verdict.verdict("decrease", "Uteblitte timer", _estimate(-0.05, -0.2, 0.1))
    assert text.startswith("Ingen påvisbar effekt") and "kan ikke si om piloten virker" in text


def test_verdict_says_the_pilot_seems_to_work_when_the_effect_goes_the_promised_way():
    assert verdict.verdict("decrease", "Uteblitte timer", _estimate(-0.3, -0.4, -0.2)).startswith("Piloten ser ut til å virke")


def test_verdict_says_so_when_the_effect_goes_against_the_promise():
    assert "motsatt vei" in verdict.verdict("increase", "Fornyelser", _estimate(-0.3, -0.4, -0.2))
