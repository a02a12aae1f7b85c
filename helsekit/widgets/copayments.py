"""Egenandeler og frikort (§2): how far the subject has come toward the year's egenandelstak as a bar, the
year's egenandeler per source, the year's payments as a curve toward the ceiling, and earlier years, from
:func:`helsekit.services.copayments.view` and :func:`~helsekit.services.copayments.running_total`.

The bar is plain HTML and CSS and the curve inline SVG (no plotting library, so the page stays quick). Amounts are written the
Norwegian way, with a space between thousands and before "kr" (non-breaking, so "3 278 kr" never wraps).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import ipywidgets as w

from helsekit.services import copayments
from helsekit.services.actors import Actor
from helsekit.services.policy import Service
from helsekit.widgets.articles import ArticleLinks
from helsekit.widgets.common import SessionFactory, call, esc, html, kroner, note, now_of, session_factory

SOURCE_NB = {"gp_contact": "Fastlege", "blue_prescription": "Blå resept", "outpatient": "Poliklinikk på sykehus",
             "travel": "Pasientreiser"}
EXEMPT_NB = "Barn under 16 år betaler ikke egenandel, så det er ingenting som teller mot egenandelstaket."
MONTHS_NB = ("jan", "feb", "mar", "apr", "mai", "jun", "jul", "aug", "sep", "okt", "nov", "des")
TABLE_STYLE = ("<style>.hk-frikort table{border-collapse:collapse;margin:0.3em 0}"
               ".hk-frikort td,.hk-frikort th{padding:0.15em 0.8em;text-align:right}"
               ".hk-frikort td:first-child,.hk-frikort th:first-child{text-align:left}</style>")


def day(date: dt.date) -> str:
    return f"{date:%d.%m.%Y}"


@dataclass(frozen=True)
class YearShown:
    """What the bar shows for one year: this year's progress, or an earlier year's total."""

    year: int
    ceiling: int
    counted: int
    frikort: copayments.Frikort | None
    exempt: bool
    by_source: tuple[copayments.SourceTotal, ...]

    @property
    def left(self) -> int:
        return max(self.ceiling - self.counted, 0)


def years_of(view: copayments.CopaymentsView) -> dict[int, YearShown]:
    """This year first, then every earlier year with payments, newest first."""
    progress = view.this_year
    paid = {y.year: y for y in view.years}
    shown = {progress.year: YearShown(progress.year, progress.ceiling, progress.counted, progress.frikort, progress.exempt,
                                      paid[progress.year].by_source if progress.year in paid else ())}
    for y in view.years:
        if y.year != progress.year:
            shown[y.year] = YearShown(y.year, y.ceiling, y.charged, y.frikort, False, y.by_source)
    return shown


def bar(year: YearShown, this_year: bool) -> str:
    """The year's progress toward the egenandelstak as an HTML bar with the amounts in words; escaped."""
    if year.exempt:
        return note(EXEMPT_NB)
    share = min(year.counted / year.ceiling, 1.0) if year.ceiling else 1.0
    colour = "#1b5e20" if year.frikort is not None else "#1565c0"
    drawn = (f'<div class="hk-frikort-bar" role="progressbar" aria-valuemin="0" aria-valuemax="{year.ceiling}" '
             f'aria-valuenow="{min(year.counted, year.ceiling)}" style="background:#e0e0e0;border-radius:4px;height:1.2em;max-width:32em">'
             f'<div style="width:{share * 100:.1f}%;background:{colour};height:100%;border-radius:4px"></div></div>')
    lines = [f"Betalt i {year.year}: {kroner(year.counted)}.", f"Egenandelstak: {kroner(year.ceiling)}."]
    if year.frikort is not None:
        lines.append(f"Du {'har' if this_year else 'fikk'} frikort fra {day(year.frikort.reached_on)}.")
        if year.frikort.refund > 0:
            lines.append(f"Tilbakebetaling av det du betalte over taket: {kroner(year.frikort.refund)} (innen {day(year.frikort.refund_by)}).")
    elif this_year:
        lines.append(f"Igjen til frikort: {kroner(year.left)}.")
    else:
        lines.append(f"Taket ble ikke nådd; det manglet {kroner(year.left)}.")
    return drawn + f'<div class="hk-frikort-amounts">{esc(" ".join(lines))}</div>'


def curve(points: list[copayments.RunningTotal], year: YearShown, until: dt.date) -> str:
    """The year's payments as an SVG step curve up to ``until``, under a dashed line at the ceiling, with the
    frikort's day marked; each day with payments is a dot whose tooltip gives the date and the total so far."""
    if year.exempt or not points:
        return ""
    width, height, margin, axis = 540, 160, 10, 20
    first, last = dt.date(year.year, 1, 1), dt.date(year.year, 12, 31)
    top = max(year.ceiling, points[-1].total) * 1.15

    def x(on: dt.date) -> float:
        return margin + (on - first).days / ((last - first).days + 1) * (width - 2 * margin)

    def y(amount: int) -> float:
        return (height - axis) * (1 - amount / top)

    colour = "#1b5e20" if year.frikort is not None else "#1565c0"
    steps = "".join(f"H{x(p.on):.1f}V{y(p.total):.1f}" for p in points)
    parts = [f'<path d="M{x(first):.1f},{y(0):.1f}{steps}H{x(min(until, last)):.1f}" fill="none" stroke="{colour}" stroke-width="2"/>',
             f'<line x1="{margin}" x2="{width - margin}" y1="{y(year.ceiling):.1f}" y2="{y(year.ceiling):.1f}" stroke="#a00000" stroke-dasharray="5 4"/>',
             f'<text x="{margin}" y="{y(year.ceiling) - 4:.1f}" font-size="11" fill="#a00000">{esc("Egenandelstak " + kroner(year.ceiling))}</text>']
    if year.frikort is not None:
        at = x(year.frikort.reached_on)
        late = at > width - 60  # the label goes left of the line, inside the picture
        parts.append(f'<line x1="{at:.1f}" x2="{at:.1f}" y1="0" y2="{height - axis}" stroke="#1b5e20" stroke-dasharray="2 3"/>'
                     f'<text x="{at - 3 if late else at + 3:.1f}" y="{height - axis - 4}" font-size="11" fill="#1b5e20" '
                     f'text-anchor="{"end" if late else "start"}">Frikort</text>')
    parts += [f'<circle class="hk-frikort-step" cx="{x(p.on):.1f}" cy="{y(p.total):.1f}" r="3" fill="{colour}">'
              f'<title>{esc(day(p.on) + ": " + kroner(p.total))}</title></circle>' for p in points]
    parts += [f'<text x="{x(dt.date(year.year, month, 1)):.1f}" y="{height - 5}" font-size="10" fill="#555">{name}</text>'
              for month, name in enumerate(MONTHS_NB, start=1)]
    label = f"Egenandeler betalt i {year.year}, dag for dag: {kroner(points[-1].total)} per {day(points[-1].on)}"
    return (f'<svg class="hk-frikort-curve-svg" role="img" aria-label="{esc(label)}" viewBox="0 0 {width} {height}" '
            f'width="{width}" height="{height}">{"".join(parts)}</svg>')


def source_table(year: YearShown) -> str:
    """The year's egenandeler per source: how many, what was owed and what was paid; escaped."""
    if not year.by_source:
        return note(f"Ingen egenandeler registrert i {year.year}.")
    rows = "".join(
        "<tr>" + "".join(f"<td>{esc(cell)}</td>" for cell in (
            SOURCE_NB.get(s.source, s.source), s.payments, kroner(s.egenandel), kroner(s.charged))) + "</tr>"
        for s in year.by_source)
    total = (f"<tr><td><b>Sum</b></td><td>{sum(s.payments for s in year.by_source)}</td>"
             f"<td>{esc(kroner(sum(s.egenandel for s in year.by_source)))}</td>"
             f"<td><b>{esc(kroner(sum(s.charged for s in year.by_source)))}</b></td></tr>")
    head = "".join(f"<th>{h}</th>" for h in ("Hvor", "Antall", "Egenandel", "Betalt"))
    return f'<table class="hk-frikort-sources"><thead><tr>{head}</tr></thead><tbody>{rows}{total}</tbody></table>'


def years_table(view: copayments.CopaymentsView) -> str:
    """Every year with payments: the ceiling, what was paid, the frikort and the refund; escaped."""
    if not view.years:
        return note("Ingen egenandeler registrert tidligere år.")
    rows = "".join(
        "<tr>" + "".join(f"<td>{esc(cell)}</td>" for cell in (
            y.year, kroner(y.ceiling), kroner(y.charged), day(y.frikort.reached_on) if y.frikort else "–",
            kroner(y.frikort.refund) if y.frikort else "–")) + "</tr>"
        for y in view.years)
    head = "".join(f"<th>{h}</th>" for h in ("År", "Egenandelstak", "Betalt", "Frikort fra", "Tilbakebetalt"))
    return f'<table class="hk-frikort-years"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'


class FrikortPanel(w.VBox):
    """The subject's egenandeler and frikort; :meth:`show` switches to another actor, the year selector to
    another year."""

    def __init__(self, db: SessionFactory | str, actor: Actor | None = None, now: dt.datetime | None = None) -> None:
        super().__init__()
        self.add_class("hk-frikort")
        self.sessions = session_factory(db)
        self.now = now_of(self.sessions, now)
        self.status = html("hk-frikort-status")
        self.year = w.Dropdown(description="År", options=[])
        self.year.add_class("hk-frikort-year")
        self.year.observe(lambda change: self.show_year(change["new"]), names="value")
        self.progress = html("hk-frikort-progress")
        self.curve = html("hk-frikort-curve")
        self.sources = html("hk-frikort-by-source")
        self.history = html("hk-frikort-history")
        self.children = [html("hk-frikort-title", TABLE_STYLE + "<h3>Egenandeler og frikort</h3>"), self.status, self.year,
                         self.progress, self.curve, self.sources, html("hk-frikort-history-title", "<b>Alle år</b>"), self.history,
                         ArticleLinks(Service.COPAYMENTS)]
        self.actor: Actor | None = None
        self.view: copayments.CopaymentsView | None = None
        self.years: dict[int, YearShown] = {}
        if actor is not None:
            self.show(actor)

    def show(self, actor: Actor) -> None:
        """Show ``actor``'s egenandeler from this year, or the service's refusal (and no amounts)."""
        self.actor = actor
        self.view, self.years = None, {}
        self.status.value = self.progress.value = self.curve.value = self.sources.value = self.history.value = ""
        self.year.options = []

        self.view = call(self.sessions, self.status, copayments.view, actor, self.now)
        self.year.layout.display = "none" if self.view is None else None
        if self.view is None:
            return
        self.years = years_of(self.view)
        self.history.value = years_table(self.view)
        self.year.options = [(str(year), year) for year in self.years]
        self.year.value = self.view.this_year.year  # ipywidgets 8 selects nothing by itself; the change draws the year

    def show_year(self, year: object) -> None:
        """Draw ``year``'s bar and sources; a year the selector does not offer is refused."""
        if year is None and not self.years:
            return
        if year not in self.years:
            self.status.value = note("Velg et år fra listen.", "error")
            return
        self.status.value = ""
        shown, actor = self.years[year], self.actor
        this_year = year == self.view.this_year.year
        self.progress.value = bar(shown, this_year)
        self.sources.value = source_table(shown)

        points = call(self.sessions, self.status, copayments.running_total, actor, year, self.now) or []
        self.curve.value = curve(points, shown, self.now.date() if this_year else dt.date(year, 12, 31))
