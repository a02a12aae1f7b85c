"""Synthetic log-in: pick a citizen listed at the site, then choose whom to act for (§3.1).

The citizen list comes from :func:`helsekit.services.roster.citizens_at` (bounded); the "act as" choices
from :func:`helsekit.services.actors.acting_choices`. The chosen :class:`Actor` goes to every callback
given to :meth:`Login.on_login`. A dropdown accepts only the values it offers, and the services still
check the access policy for whatever arrives.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import ipywidgets as w

from helsekit.services import actors, roster
from helsekit.services.actors import Actor
from helsekit.widgets.common import SessionFactory, attempt, call, html, note, now_of, session_factory

BASIS_NB = {"self": "deg selv", "parent": "foreldreansvar", "fullmakt": "fullmakt"}


class Login(w.VBox):
    """Log in as a citizen at ``site_id`` and choose whom to act for."""

    def __init__(self, db: SessionFactory | str, site_id: int, now: dt.datetime | None = None, limit: int = 200) -> None:
        super().__init__()
        self.add_class("hk-login")
        self.sessions = session_factory(db)
        self.now = now_of(self.sessions, now)
        self.site_id = site_id
        self.actor: Actor | None = None
        self.names: dict[int, str] = {}
        self._callbacks: list[Callable[[Actor], None]] = []
        self.status = html("hk-login-status")
        self.search = w.Text(description="Søk", placeholder="navn, alder eller kommune")
        self.citizen = w.Dropdown(description="Innbygger", options=[], layout=w.Layout(width="32em"))
        self.log_in_button = w.Button(description="Logg inn", button_style="primary")
        self.acting = w.Dropdown(description="Handle for", options=[], layout=w.Layout(width="32em"))
        self.act_button = w.Button(description="Fortsett")
        self.acting_box = w.VBox([self.acting, self.act_button])
        self.acting_box.layout.display = "none"
        self.people = attempt(self.status, self._load) or []
        self._fill(self.people)
        self.search.observe(lambda change: self._filter(change["new"]), names="value")
        self.log_in_button.on_click(lambda _: self.log_in(self.citizen.value))
        self.act_button.on_click(lambda _: self.act_as(self.acting.value))
        self.children = [html("hk-login-title", "<b>Logg inn (syntetisk)</b>"), self.search, self.citizen,
                         self.log_in_button, self.acting_box, self.status]

    def _load(self) -> list[roster.Person]:
        with self.sessions() as session:
            return roster.citizens_at(session, self.site_id, self.now.date())

    @staticmethod
    def label(person: roster.Person) -> str:
        return f"{person.name}, {person.age} år, kommune {person.kommune_number}"

    def _fill(self, people: list[roster.Person]) -> None:
        self.names.update({p.citizen_id: p.name for p in people})
        self.citizen.options = [(self.label(p), p.citizen_id) for p in people]
        self.citizen.value = people[0].citizen_id if people else None
        if not people:
            self.status.value = note("Ingen innbyggere passer søket.", "info")

    def _filter(self, text: object) -> None:
        words = str(text).casefold().split()
        self.status.value = ""
        self._fill([p for p in self.people if all(word in self.label(p).casefold() for word in words)])

    def on_login(self, callback: Callable[[Actor], None]) -> None:
        """Call ``callback(actor)`` each time a person is logged in and has chosen whom to act for."""
        self._callbacks.append(callback)

    def log_in(self, citizen_id: object) -> None:
        """Log in as ``citizen_id`` (one of the listed citizens) and offer whom they may act for."""
        self.status.value = ""
        if citizen_id not in self.names:
            self.status.value = note("Velg en innbygger fra listen.", "error")
            return

        found = call(self.sessions, self.status, actors.acting_choices, citizen_id, self.now.date())
        if found is None:
            return
        if not found:
            self.status.value = note("Denne personen kan ikke bruke Min helse på egen hånd.", "error")
            return
        self.person_id = citizen_id
        self.names.update({c.subject_id: f"{c.given_name} {c.family_name}" for c in found})
        self.acting.options = [(f"{c.given_name} {c.family_name} ({BASIS_NB.get(str(c.basis), str(c.basis))})", c.subject_id) for c in found]
        self.acting.value = found[0].subject_id  # ipywidgets 8 selects nothing when options are set later: start with oneself
        self.acting_box.layout.display = None
        if len(found) == 1:
            self.act_as(found[0].subject_id)

    def act_as(self, subject_id: object) -> None:
        """Act for ``subject_id`` (one of the offered choices) and tell the callbacks."""
        if subject_id not in dict((v, k) for k, v in self.acting.options):
            self.status.value = note("Velg hvem du vil handle på vegne av.", "error")
            return
        self.actor = Actor(self.person_id, subject_id)
        self.status.value = note(f"Innlogget som {self.names[self.person_id]}, handler for {self.names[subject_id]}.", "ok")
        for callback in self._callbacks:
            callback(self.actor)
