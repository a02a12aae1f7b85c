"""Velg behandlingssted: the treatment-site comparison table with waiting times and the share of fristbrudd
(§7.2), filtered by region and fylke, sorted by waiting time, name or distance, and, for a citizen with an
active referral, a wish to move it to the site they choose (§7.1). Calls only
:mod:`helsekit.services.treatment_sites`; every figure is computed there from the synthetic referrals.
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
        cells = [name, esc(r.health_trust or ""), esc(r.fylke)]
        if f.started == 0:
            cells += ['<span class="hk-no-data">Ingen data: ingen startet behandling i perioden</span>', "", "0", ""]
        elif f.suppressed:
            cells += [f'<span class="hk-suppressed">For få pasienter (under {found.min_cases}) til å vise tall</span>', "", esc(f.started), ""]
        else:
            bar = f'<span style="{BAR_STYLE};width:{round(8 * f.expected_weeks / longest, 2)}em"></span>'
            cells += [f"{bar}{esc(f.expected_weeks)} uker", f"{_number(f.median_weeks)} uker", esc(f.started), _share(f)]
        cells += ["" if r.distance_km is None else f"{esc(r.distance_km)} km",
                  "" if r.travel_egenandel is None else kroner(r.travel_egenandel)]
        body.append(f'<tr class="hk-site-row" data-hospital="{r.hospital_id}">' + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    heads = "".join(f"<th>{esc(h)}</th>" for h in head)
    return f'<table class="hk-site-table"><thead><tr>{heads}</tr></thead><tbody>{"".join(body)}</tbody></table>'


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
        self.referral = w.Dropdown(options=[], description="Henvisning", layout=w.Layout(display="none", width="40em"))
        self.region = w.Dropdown(options=[("Alle regioner", ALL)] + [(r, r) for r in regions], description="Region")
        self.fylke = w.Dropdown(options=[("Alle fylker", ALL)] + [(f, f) for f in fylker], description="Fylke")
        self.sort = w.ToggleButtons(options=SORT_NB, description="Sorter etter")
        self.rights_only = w.Checkbox(value=False, description="Vis bare behandlingssteder som kan gi rett til helsehjelp", indent=False,
                                      layout=w.Layout(width="auto"))
        for control in (self.sector, self.referral, self.region, self.fylke, self.sort, self.rights_only):
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
                         w.HBox([self.region, self.fylke]), self.sort, self.rights_only, self.status, self.table, self.caption,
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
        self.referral.options = [(f"{r.hospital_name or 'Sykehus'}: {sector_names.get(r.sector, r.sector)}, mottatt {r.received_on:%d.%m.%Y} "
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
        """Recompute the table for the chosen referral or sector and filters."""
        actor, referral = self.actor, self.referral.value if self.referrals else None

        def load() -> treatment_sites.Comparison:
            with self.sessions() as session:
                if actor is None:
                    return treatment_sites.compare(session, self.sector.value, self.now.date(), **self._filters())
                if referral is None:
                    return treatment_sites.for_citizen(session, actor, self.sector.value, self.now, **self._filters())
                return treatment_sites.for_referral(session, actor, referral, self.now, **self._filters())

        self.found = attempt(self.status, load)
        if self.found is None:
            self.table.value = self.caption.value = ""
            return
        self.table.value = table(self.found)
        self.caption.value = caption(self.found)
        choices = [(f"{r.name} ({r.fylke})", r.hospital_id) for r in self.found.rows if not r.current]
        kept = self.target.value
        self.target.options = choices
        ids = [value for _, value in choices]
        self.target.value = kept if kept in ids else (ids[0] if ids else None)  # ipywidgets 8 selects nothing by itself
        self.choice.layout.display = "flex" if referral is not None and choices else "none"

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
