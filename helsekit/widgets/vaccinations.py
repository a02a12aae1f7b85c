"""Vaksiner: the subject's registered vaccinations, newest first, with the autumn influenza reminder on top
when the subject is in the campaign's target group; and Prøvesvar, the subject's test results. Showing either
is a read of record data that lands in the subject's log of use (services.vaccinations, services.test_results)."""

from __future__ import annotations

from helsekit.services import test_results, vaccinations
from helsekit.widgets.common import RecordPanel, esc, note, when

SETTING_NB = {"helsestasjon": "Helsestasjon", "skolehelsetjenesten": "Skolehelsetjenesten", "fastlege": "Fastlegekontor"}
REASON_NB = {"age_65_or_over": "du er 65 år eller eldre", "risk_group": "du er i en risikogruppe"}
RESULTS_SHOWN = 50


def reminder_text(reminder: vaccinations.InfluenzaReminder | None) -> str:
    """The influenza reminder in bokmål, or "" when there is none."""
    if reminder is None:
        return ""
    return (f"Påminnelse: Du anbefales influensavaksine denne sesongen fordi {REASON_NB.get(reminder.reason, reminder.reason)}. "
            f"Vaksinen tilbys fra {reminder.offered_from:%d.%m.%Y}, og du har ingen registrert dose ennå. Bestill time hos fastlegen.")


def vaccination_table(found: vaccinations.VaccinationsView) -> str:
    """The doses as an HTML table, newest first; every value is escaped."""
    if not found.vaccinations:
        return note("Ingen vaksiner er registrert.")
    rows = "".join(
        "<tr>" + "".join(f"<td>{esc(cell)}</td>" for cell in (
            f"{v.given_on:%d.%m.%Y}", v.name, f"Dose {v.dose}", v.gp_office_name or SETTING_NB.get(v.given_at, v.given_at))) + "</tr>"
        for v in found.vaccinations)
    head = "".join(f"<th>{h}</th>" for h in ("Dato", "Vaksine", "Dose", "Satt av"))
    return f'<table class="hk-vaccination-table"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'


def result_table(found: test_results.TestResultsView, shown: int = RESULTS_SHOWN) -> str:
    """The newest ``shown`` results as an HTML table; every value is escaped."""
    if not found.results:
        return note("Ingen prøvesvar.")

    def value(r: test_results.TestResult) -> str:
        if r.value is None:
            return r.status_name
        text = f"{r.value:g} {r.unit}".replace(".", ",")
        return text + {"H": " (høy)", "L": " (lav)"}.get(r.flag or "", "")

    def reference(r: test_results.TestResult) -> str:
        low, high = r.reference_low, r.reference_high
        text = f"{low:g}–{high:g}" if low is not None and high is not None else (f"over {low:g}" if low is not None else f"under {high:g}")
        return text.replace(".", ",")

    rows = "".join(
        "<tr>" + "".join(f"<td>{esc(cell)}</td>" for cell in (
            when(r.taken_at), r.name, value(r), reference(r), r.organisation_name or "")) + "</tr>"
        for r in found.results[:shown])
    head = "".join(f"<th>{h}</th>" for h in ("Prøve tatt", "Analyse", "Resultat", "Referanse", "Tatt av"))
    return f'<table class="hk-result-table"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'


class VaccinationsPanel(RecordPanel):
    """Vaksiner: the influenza reminder (``.hk-flu-reminder``) and the table of doses."""

    css, title = "hk-vaccinations", "Vaksiner"
    service = staticmethod(vaccinations.view)

    @staticmethod
    def render(found: vaccinations.VaccinationsView) -> str:
        reminder = reminder_text(found.influenza_reminder)
        box = f'<div class="hk-flu-reminder" role="status" style="border-left:4px solid #005b96;padding:0.4em">{esc(reminder)}</div>' if reminder else ""
        return box + vaccination_table(found)


class TestResultsPanel(RecordPanel):
    """Prøvesvar: the newest test results with their reference ranges."""

    __test__ = False
    css, title = "hk-test-results", "Prøvesvar"
    service = staticmethod(test_results.view)
    render = staticmethod(result_table)
