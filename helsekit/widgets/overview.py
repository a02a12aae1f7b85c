"""The Min helse overview tiles: next appointments, prescriptions to renew, referrals, frikort, messages, the
influenza reminder, new test results, pilots.

One call to :func:`helsekit.services.overview.overview`; a tile the actor may not see says so.
"""

from __future__ import annotations

import datetime as dt

import ipywidgets as w

from helsekit.services import overview as overview_service
from helsekit.services.actors import Actor
from helsekit.widgets.common import SessionFactory, call, esc, html, kroner, now_of, session_factory, when
from helsekit.widgets.vaccinations import reminder_text

TILE_STYLE = "border:1px solid #ccc;border-radius:6px;padding:0.5em;margin:0.3em;min-width:14em;vertical-align:top;display:inline-block"


def _tile(css: str, title: str, body: str) -> str:
    return f'<div class="hk-tile {css}" style="{TILE_STYLE}"><b>{esc(title)}</b><div>{body}</div></div>'


def _items(lines: list[str], empty: str) -> str:
    if not lines:
        return esc(empty)
    return "<ul>" + "".join(f"<li>{esc(line)}</li>" for line in lines) + "</ul>"


def render(view: overview_service.Overview) -> str:
    """The tiles of ``view`` as HTML; every value is escaped."""
    hidden = "Ikke tilgjengelig når du handler for denne personen."
    tiles = [f'<div class="hk-overview-name">Min helse: {esc(view.name)}</div>']
    if view.next_appointments is None:
        tiles.append(_tile("hk-tile-appointments", "Neste timer", esc(hidden)))
    else:
        tiles.append(_tile("hk-tile-appointments", "Neste timer", _items(
            [f"{when(a.start)}: {a.site_name}" for a in view.next_appointments], "Ingen timer framover.")))
    if view.prescriptions_to_renew is None:
        tiles.append(_tile("hk-tile-prescriptions", "Resepter som må fornyes", esc(hidden)))
    else:
        tiles.append(_tile("hk-tile-prescriptions", "Resepter som må fornyes", _items(
            [f"{p.drug}, gyldig til {p.valid_until:%d.%m.%Y}" for p in view.prescriptions_to_renew], "Ingen resepter må fornyes nå.")))
    if view.referrals is None:
        tiles.append(_tile("hk-tile-referrals", "Henvisninger", esc(hidden)))
    else:
        tiles.append(_tile("hk-tile-referrals", "Henvisninger", _items(
            [f"{r.hospital_name or 'Sykehus'}: {r.status} (siden {r.status_on:%d.%m.%Y})" for r in view.referrals], "Ingen aktive henvisninger.")))
    if view.frikort is None:
        tiles.append(_tile("hk-tile-frikort", "Egenandeler og frikort", esc(hidden)))
    else:
        f = view.frikort
        if f.exempt:
            text = "Barn under 16 år betaler ikke egenandel."
        elif f.frikort is not None:
            text = f"Du har frikort for {f.year}."
        else:
            text = f"Betalt {kroner(f.counted)} av {kroner(f.ceiling)} i {f.year}; {kroner(f.left)} igjen til frikort."
        tiles.append(_tile("hk-tile-frikort", "Egenandeler og frikort", esc(text)))
    if view.unread_messages is None:
        tiles.append(_tile("hk-tile-messages", "Innboks", esc(hidden)))
    else:
        tiles.append(_tile("hk-tile-messages", "Innboks", esc(f"{view.unread_messages} uleste meldinger")))
    if "vaccinations" in view.hidden:
        tiles.append(_tile("hk-tile-vaccinations", "Vaksiner", esc(hidden)))
    else:
        tiles.append(_tile("hk-tile-vaccinations", "Vaksiner", esc(reminder_text(view.influenza_reminder) or "Ingen påminnelser om vaksiner nå.")))
    if view.new_test_results is None:
        tiles.append(_tile("hk-tile-test-results", "Prøvesvar", esc(hidden)))
    else:
        tiles.append(_tile("hk-tile-test-results", "Prøvesvar", esc(f"{view.new_test_results} nye prøvesvar siste 30 dager")))
    tiles.append(_tile("hk-tile-pilots", "Nye tjenester hos dine behandlingssteder", _items(
        [p.title for p in view.pilots], "Ingen piloter hos dine behandlingssteder.")))
    return "".join(tiles)


class OverviewTiles(w.VBox):
    """The overview for an actor; :meth:`show` switches to another actor."""

    def __init__(self, db: SessionFactory | str, actor: Actor | None = None, now: dt.datetime | None = None) -> None:
        super().__init__()
        self.add_class("hk-overview")
        self.sessions = session_factory(db)
        self.now = now_of(self.sessions, now)
        self.tiles = html("hk-overview-tiles")
        self.status = html("hk-overview-status")
        self.children = [self.tiles, self.status]
        self.view: overview_service.Overview | None = None
        if actor is not None:
            self.show(actor)

    def show(self, actor: Actor) -> None:
        """Show ``actor``'s overview, or the service's refusal."""
        self.status.value, self.tiles.value = "", ""

        self.view = call(self.sessions, self.status, overview_service.overview, actor, self.now)
        if self.view is not None:
            self.tiles.value = render(self.view)
