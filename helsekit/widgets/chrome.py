"""The page chrome: the "Syntetiske data" banner and the header (title, site, who is logged in and acted for)."""

from __future__ import annotations

import ipywidgets as w

from helsekit.widgets.common import esc

BANNER_TEXT = "Syntetiske data"


def banner() -> w.HTML:
    """The banner every page starts with: nothing on it describes a real person."""
    box = w.HTML(
        '<div style="border:3px solid #a00000;padding:0.4em;font-weight:bold;color:#a00000;text-align:center">'
        f"{BANNER_TEXT}: alle personer og opplysninger på denne siden er oppdiktet.</div>")
    box.add_class("hk-banner")
    return box


class Header(w.HTML):
    """The page header; :meth:`show_actor` updates who is logged in and for whom they act."""

    def __init__(self, title: str, site_name: str | None = None) -> None:
        super().__init__()
        self.page_title, self.site_name = title, site_name
        self.logged_in: str | None = None
        self.acting_for: str | None = None
        self.add_class("hk-header")
        self._render()

    def show_actor(self, logged_in: str | None, acting_for: str | None = None) -> None:
        self.logged_in, self.acting_for = logged_in, acting_for
        self._render()

    def _render(self) -> None:
        parts = [f"<h2>{esc(self.page_title)}</h2>"]
        if self.site_name:
            parts.append(f'<div class="hk-site">Behandlingssted: {esc(self.site_name)}</div>')
        if self.logged_in:
            who = f"Innlogget som {esc(self.logged_in)}"
            if self.acting_for and self.acting_for != self.logged_in:
                who += f", handler på vegne av {esc(self.acting_for)}"
            parts.append(f'<div class="hk-who">{who}</div>')
        else:
            parts.append('<div class="hk-who">Ikke innlogget</div>')
        self.value = "".join(parts)


class Chrome(w.VBox):
    """Banner and header together, the top of every pilot page."""

    def __init__(self, title: str, site_name: str | None = None) -> None:
        self.header = Header(title, site_name)
        super().__init__([banner(), self.header])
        self.add_class("hk-chrome")
