"""Tabs for a long pilot page: ``Sections(("Oversikt", [tiles, prescriptions]), ("Profil", panel))`` is one
component for :meth:`helsekit.widgets.page.PilotPage.show`, telling every component in every tab about
the actor when someone logs in."""

from __future__ import annotations

from collections.abc import Sequence

import ipywidgets as w

from helsekit.services.actors import Actor


class Sections(w.Tab):
    """One tab per (title, component) pair; a component may be a list of components, shown one below another."""

    def __init__(self, *sections: tuple[str, w.Widget | Sequence[w.Widget]]) -> None:
        super().__init__()
        self.add_class("hk-sections")
        self.components: list[w.Widget] = []
        pages = []
        for _, content in sections:
            parts = list(content) if isinstance(content, Sequence) else [content]
            self.components.extend(parts)
            pages.append(parts[0] if len(parts) == 1 else w.VBox(parts))
        self.children = pages
        self.titles = tuple(title for title, _ in sections)
        self.selected_index = 0 if pages else None

    def show(self, actor: Actor) -> None:
        """Tell every component that has a ``show(actor)`` about the actor."""
        for component in self.components:
            if callable(getattr(component, "show", None)):
                component.show(actor)
