"""Velg behandlingssted: the treatment-site comparison table with waiting times and the share of fristbrudd
(§7.2), filtered by region and fylke, sorted by waiting time, name or distance, and, for a citizen with an
active referral, a wish to move it to the site they choose (§7.1). Choosing an examination or treatment
(Behandling) shows only the sites offering it, with that treatment's waits, whether the site can grant a
right to care and a chosen quality indicator. Calls only :mod:`helsekit.services.treatment_sites`; every
figure is computed there from the synthetic referrals.
"""

from __future__ import annotations

import datetime as dt

import ipywidgets as w

from helsekit.services import treatment_sites
from helsekit.services.actors import Actor
from helsekit.widgets.common import SessionFactory, attempt, call, esc, html, kroner, note, now_of, session_factory

ALL = ""
SORT_NB = (("Ventetid", "ventetid"), ("Navn", "navn"), ("Avstand", "avstand"))
BAR_STYLE = "display:inline-block;height:0.8em;background:#3b6ea5;margin-right:0.4em;vertical-align:middle"


def _number(value: float, decimals: int = 1) -> str:
    return f"{value:.{decimals}f}".replace(".", ",")


def _share(figures: treatment_sites.SiteFigures) -> str:
    if figures.fristbrudd_share is None:
        return ""
    return (f"{_number(100 * figures.fristbrudd_share)} % "
            f"<small>({_number(100 * figures.fristbrudd_low)}–{_number(100 * figures.fristbrudd_high)})</small>")


def _wait_cells(f: treatment_sites.SiteFigures, min_cases: int, longest: int) -> list[str]:
    """Expected wait (with its bar), median wait and number started; for a site without cases or with too few, why not."""
    if f.started == 0:
        return ['<span class="hk-no-data">Ingen data: ingen startet behandling i perioden</span>', "", "0"]
    if f.suppressed:
        return [f'<span class="hk-suppressed">For få pasienter (under {min_cases}) til å vise tall</span>', "", esc(f.started)]
    bar = f'<span style="{BAR_STYLE};width:{round(8 * f.expected_weeks / longest, 2)}em"></span>'
    return [f"{bar}{esc(f.expected_weeks)} uker", f"{_number(f.median_weeks)} uker", esc(f.started)]


def table(found: treatment_sites.Comparison) -> str:
    """The comparison as an HTML table, every value escaped; expected waits drawn as bars, the citizen's
    current hospital marked, and a site with too few cases saying so instead of showing numbers."""
    if not found.rows:
        return note("Ingen behandlingssteder passer til filteret.")
    longest = max((r.figures.expected_weeks or 0 for r in found.rows), default=0) or 1
    head = ("Behandlingssted", "Helseforetak", "Fylke", "Forventet ventetid", "Median ventetid", "Startet behandling",
            "Fristbrudd (95 % KI)", "Avstand", "Egenandel pasientreise")
    body = []
    for r in found.rows:
        f = r.figures
        name = esc(r.name) + (" <b>(har henvisningen din)</b>" if r.current else "")
        cells = [name, esc(r.health_trust or ""), esc(r.fylke), *_wait_cells(f, found.min_cases, longest), _share(f)]
        cells += ["" if r.distance_km is None else f"{esc(r.distance_km)} km",
                  "" if r.travel_egenandel is None else kroner(r.travel_egenandel)]
        body.append(f'<tr class="hk-site-row" data-hospital="{r.hospital_id}">' + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    heads = "".join(f"<th>{esc(h)}</th>" for h in head)
    return f'<table class="hk-site-table"><thead><tr>{heads}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def _indicator(cell: treatment_sites.SiteIndicator | None) -> str:
    if cell is None or cell.value is None:
        return f'<span class="hk-suppressed">{esc(cell.reason if cell else "ingen data")}</span>'
    if cell.unit == "prosent":
        shown = f"{_number(100 * cell.value)} % <small>({_number(100 * cell.low)}–{_number(100 * cell.high)})</small>"
    else:
        shown = f"{_number(cell.value, 0)} {esc(cell.unit)}"
    return shown + (f" <small>{esc(cell.goal_level)} måloppnåelse</small>" if cell.goal_level else "")


def search_table(found: treatment_sites.TreatmentSearch) -> str:
    """The sites offering one treatment as an HTML table, every value escaped (as :func:`table`, plus whether
    the site can grant a right to care and the chosen quality indicator)."""
    if not found.rows:
        return note("Ingen behandlingssteder tilbyr denne behandlingen innenfor filteret.")
    longest = max((r.figures.expected_weeks or 0 for r in found.rows), default=0) or 1
    indicator = found.rows[0].indicators[0].name if found.rows[0].indicators else "Kvalitet"
    head = ("Behandlingssted", "Helseforetak", "Fylke", "Forventet ventetid", "Median ventetid", "Startet behandling",
            "Kan gi rett til helsehjelp", "Avstand", "Egenandel pasientreise", indicator)
    body = []
    for r in found.rows:
        cells = [esc(r.name), esc(r.health_trust or ""), esc(r.fylke), *_wait_cells(r.figures, found.min_cases, longest)]
        cells += ["Ja" if r.can_grant_right else "Nei", "" if r.distance_km is None else f"{esc(r.distance_km)} km",
                  "" if r.travel_egenandel is None else kroner(r.travel_egenandel), _indicator(r.indicators[0] if r.indicators else None)]
        body.append(f'<tr class="hk-treatment-row" data-hospital="{r.hospital_id}">' + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    heads = "".join(f"<th>{esc(h)}</th>" for h in head)
    return f'<table class="hk-treatment-table"><thead><tr>{heads}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def search_caption(found: treatment_sites.TreatmentSearch) -> str:
    """What the treatment figures are, for how long, and that they are synthetic (read with care)."""
    return note(f"Syntetiske data: tallene er beregnet fra oppdiktede henvisninger og må tolkes med varsomhet. "
                f"{found.treatment_name}: behandlingssteder som tilbyr behandlingen, behandling startet "
                f"{found.period_from:%d.%m.%Y}–{found.period_to:%d.%m.%Y}. Ventetid regnes fra sykehuset mottok henvisningen "
                "til helsehjelpen startet (§7.3); forventet ventetid er den lengste ventetiden ni av ti pasienter hadde, i hele "
                "uker (§7.2). Kvalitetsindikatoren gjelder hele sykehuset i samme periode. Utenfor egen region er egenandelen "
                "for pasientreiser 400 kr hver vei (§7.4).")


def caption(found: treatment_sites.Comparison) -> str:
    """What the figures are, for how long, and that they are synthetic (read with care)."""
    return note(f"Syntetiske data: tallene er beregnet fra oppdiktede henvisninger og må tolkes med varsomhet. "
                f"{found.sector_name}, behandling startet {found.period_from:%d.%m.%Y}–{found.period_to:%d.%m.%Y}. "
                "Ventetid regnes fra sykehuset mottok henvisningen til helsehjelpen startet (§7.3); forventet ventetid er "
                "den lengste ventetiden ni av ti pasienter hadde, i hele uker (§7.2). Utenfor egen region er egenandelen "
                "for pasientreiser 400 kr hver vei (§7.4).")


class TreatmentSiteTable(w.VBox):
    """Compare treatment sites; with an actor who has an active referral, send a wish to move it.

    Usable on its own (``TreatmentSiteTable(db)`` shows every site for a sector) or on a pilot page,
    where :meth:`show` is told who logged in."""

    def __init__(self, db: SessionFactory | str, actor: Actor | None = None, now: dt.datetime | None = None) -> None:
        super().__init__()
        self.add_class("hk-treatment-sites")
        self.sessions = session_factory(db)
        self.now = now_of(self.sessions, now)
        self.actor: Actor | None = None
        self.found: treatment_sites.Comparison | None = None
        self.referrals: list = []
        with self.sessions() as session:
            regions, fylker = treatment_sites.places(session)
        self.sector = w.Dropdown(options=[(name, key) for key, name in treatment_sites.sectors().items()], description="Fagområde")
        self.treatment = w.Dropdown(options=[("Alle i fagområdet", ALL)] + [(t.name, t.id) for t in treatment_sites.treatments().values()],
                                    description="Behandling", layout=w.Layout(width="40em"))
        self.treatment.add_class("hk-treatment-choice")
        self.indicator = w.Dropdown(options=[(name, key) for key, name in treatment_sites.site_indicators().items()],
                                    description="Kvalitet", layout=w.Layout(display="none", width="40em"))
        self.referral = w.Dropdown(options=[], description="Henvisning", layout=w.Layout(display="none", width="40em"))
        self.region = w.Dropdown(options=[("Alle regioner", ALL)] + [(r, r) for r in regions], description="Region")
        self.fylke = w.Dropdown(options=[("Alle fylker", ALL)] + [(f, f) for f in fylker], description="Fylke")
        self.sort = w.ToggleButtons(options=SORT_NB, description="Sorter etter")
        self.rights_only = w.Checkbox(value=False, description="Vis bare behandlingssteder som kan gi rett til helsehjelp", indent=False,
                                      layout=w.Layout(width="auto"))
        for control in (self.sector, self.treatment, self.indicator, self.referral, self.region, self.fylke, self.sort, self.rights_only):
            control.observe(lambda _: self.refresh(), names="value")
        self.table = html("hk-site-table-box")
        self.caption = html("hk-site-caption")
        self.status = html("hk-treatment-sites-status")
        self.target = w.Dropdown(options=[], description="Ønsket sted", layout=w.Layout(width="30em"))
        self.send = w.Button(description="Send ønske om bytte", button_style="primary")
        self.send.on_click(lambda _: self.request_change())
        self.choice = w.HBox([self.target, self.send], layout=w.Layout(display="none"))
        self.choice.add_class("hk-site-choice")
        self.sent = html("hk-site-changes")
        self.children = [html("hk-treatment-sites-title", "<h3>Velg behandlingssted</h3>"), self.referral, self.sector,
                         self.treatment, self.indicator, w.HBox([self.region, self.fylke]), self.sort, self.rights_only, self.status, self.table, self.caption,
                         self.choice, self.sent]
        if actor is not None:
            self.show(actor)
        else:
            self.refresh()

    def show(self, actor: Actor) -> None:
        """Show the comparison for ``actor``: from their home kommune, for their active referrals' sectors."""
        self.actor = actor
        self.status.value = self.sent.value = ""

        found = call(self.sessions, self.status, treatment_sites.choosable_referrals, actor, self.now)
        self.referrals = found or []
        if found is None:
            self.table.value = self.caption.value = ""
            self.referral.layout.display = self.choice.layout.display = "none"
            return
        sector_names = treatment_sites.sectors()
        self.referral.options = [(f"{r.hospital_name or 'Sykehus'}: {r.treatment_name or sector_names.get(r.sector, r.sector)}, mottatt {r.received_on:%d.%m.%Y} "
                                  f"({r.status})", r.referral_id) for r in found]
        self.referral.value = found[0].referral_id if found else None  # ipywidgets 8 selects nothing by itself
        self.referral.layout.display = "flex" if found else "none"
        self.sector.layout.display = "none" if found else "flex"
        if not found:
            self.status.value = note("Du har ingen henvisning der du kan velge behandlingssted nå; tabellen viser ventetidene fra hjemkommunen din.")
        self._show_changes()
        self.refresh()

    def _filters(self) -> dict:
        return {"region": self.region.value or None, "fylke": self.fylke.value or None, "sort": self.sort.value,
                "rights_only": self.rights_only.value}

    def refresh(self) -> None:
        """Recompute the table for the chosen treatment, or else the chosen referral or sector, and filters."""
        if self.treatment.value:
            self._refresh_treatment()
            return
        self.indicator.layout.display = "none"
        actor, referral = self.actor, self.referral.value if self.referrals else None

        if actor is None:
            found = call(self.sessions, self.status, treatment_sites.compare, self.sector.value, self.now.date(), **self._filters())
        elif referral is None:
            found = call(self.sessions, self.status, treatment_sites.for_citizen, actor, self.sector.value, self.now, **self._filters())
        else:
            found = call(self.sessions, self.status, treatment_sites.for_referral, actor, referral, self.now, **self._filters())
        if not self._draw(found, table, caption):
            return
        choices = [(f"{r.name} ({r.fylke})", r.hospital_id) for r in self.found.rows if not r.current]
        kept = self.target.value
        self.target.options = choices
        ids = [value for _, value in choices]
        self.target.value = kept if kept in ids else (ids[0] if ids else None)  # ipywidgets 8 selects nothing by itself
        self.choice.layout.display = "flex" if referral is not None and choices else "none"

    def _refresh_treatment(self) -> None:
        """The sites offering the chosen treatment, from the citizen's home kommune when someone is logged in."""
        actor, treatment = self.actor, self.treatment.value
        filters = {**self._filters(), "indicator_ids": [self.indicator.value]}

        self.indicator.layout.display = "flex"
        self.choice.layout.display = "none"  # a wish moves a referral; the treatment list is for comparing
        if actor is None:
            found = call(self.sessions, self.status, treatment_sites.search, treatment, self.now.date(), **filters)
        else:
            found = call(self.sessions, self.status, treatment_sites.search_for_citizen, actor, treatment, self.now, **filters)
        self._draw(found, search_table, search_caption)

    def _draw(self, found, draw_table, draw_caption) -> bool:
        """Show ``found`` with the two drawing functions; nothing (the refusal is in the status line) when None."""
        self.found = found
        if found is None:
            self.table.value = self.caption.value = ""
            return False
        self.table.value, self.caption.value = draw_table(found), draw_caption(found)
        return True

    def request_change(self) -> treatment_sites.SiteChange | None:
        """Send the wish to move the chosen referral to the chosen site; the service validates both."""
        actor, referral, hospital = self.actor, self.referral.value, self.target.value
        if actor is None or referral is None or hospital is None:
            self.status.value = note("Velg henvisning og behandlingssted først.", "error")
            return None

        def send() -> treatment_sites.SiteChange:
            with self.sessions() as session:
                return treatment_sites.request_change(session, actor, referral, hospital, self.now)

        self.status.value = ""
        done = attempt(self.status, send)
        if done is not None:
            self.status.value = note(f"Ønsket ditt om å flytte henvisningen til {done.to_hospital_name} er sendt. "
                                     "Sykehuset som har henvisningen, avgjør og sender den videre.", "ok")
            self._show_changes()
        return done

    def _show_changes(self) -> None:
        actor = self.actor

        def load() -> list[treatment_sites.SiteChange]:
            with self.sessions() as session:
                return treatment_sites.changes(session, actor, self.now)

        status = html("hk-ignored")  # a refusal here is already shown by show()
        found = attempt(status, load) or []
        self.sent.value = ("<b>Dine ønsker om bytte av behandlingssted</b><ul>" + "".join(
            f"<li>{c.requested_at:%d.%m.%Y}: til {esc(c.to_hospital_name)} ({esc(c.status)})</li>" for c in found) + "</ul>") if found else ""
