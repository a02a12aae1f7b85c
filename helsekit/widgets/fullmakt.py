"""Fullmakter on the profile page (§3.5–§3.7): those the subject has given, each with "Trekk tilbake", those
received, and a form to give a new one. Every rule (ages, confidential addresses, overlapping periods,
dates) is the service's to check; its refusal is shown in bokmål with the field it is about."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TypeVar

import ipywidgets as w

from helsekit.domain.proxies import FullmaktScope
from helsekit.errors import HelsekitError
from helsekit.services import profile
from helsekit.services.actors import Actor
from helsekit.services.policy import Service
from helsekit.widgets.articles import ArticleLinks
from helsekit.widgets.common import SessionFactory, esc, html, note

T = TypeVar("T")
SCOPE_NB = {FullmaktScope.DIGITAL_HEALTH_SERVICES: "Bruke digitale helsetjenester", FullmaktScope.VIEW: "Bare innsyn"}
FIELD_NB = {"holder": "Fullmektig", "scope": "Omfang", "valid_from": "Gjelder fra", "valid_to": "Gjelder til",
            "fullmakt_id": "Fullmakt"}
LABELS = {"description_width": "8em"}  # room for "Fødselsnummer"


def attempt_field(status: w.HTML, action: Callable[[], T]) -> T | None:
    """Run ``action``; on a helsekit error show its bokmål message in ``status``, led by the field's bokmål
    name when the error names a form field, and return None."""
    try:
        return action()
    except HelsekitError as error:
        label = FIELD_NB.get(error.field or "")
        status.value = note(f"{label}: {error.message_nb}" if label else error.message_nb, "error")
        return None


def describe(f: profile.FullmaktView) -> str:
    until = f"til {f.valid_to:%d.%m.%Y}" if f.valid_to else "uten sluttdato"
    state = "gjelder nå" if f.in_force else "gjelder ikke nå"
    return f"{f.other_name}: {SCOPE_NB.get(f.scope, f.scope)}, fra {f.valid_from:%d.%m.%Y} {until} ({state})"


class FullmaktSection(w.VBox):
    """The subject's fullmakter and the form "Gi fullmakt"; ``show(actor)`` loads them for the actor."""

    def __init__(self, sessions: SessionFactory, now: dt.datetime) -> None:
        super().__init__()
        self.add_class("hk-fullmakter")
        self.sessions, self.now = sessions, now
        self.actor: Actor | None = None
        self.found: profile.Fullmakter | None = None
        self.status = html("hk-fullmakt-status")
        self.given = w.VBox()
        self.given.add_class("hk-fullmakter-given")
        self.received = html("hk-fullmakter-received")
        self.holder = w.Text(description="Fødselsnummer", placeholder="11 siffer", style=LABELS)
        self.scope = w.Dropdown(description="Omfang", style=LABELS, options=[(label, scope) for scope, label in SCOPE_NB.items()])
        self.valid_from = w.DatePicker(description="Gjelder fra", value=now.date(), style=LABELS)
        self.valid_to = w.DatePicker(description="Gjelder til", value=None, style=LABELS)
        self.give_button = w.Button(description="Gi fullmakt")
        self.give_button.on_click(lambda _: self.give())
        form = w.VBox([html("hk-give-help", note("Fullmektigen må være over 18 år. La «Gjelder til» stå tom for en fullmakt uten sluttdato.")),
                       self.holder, self.scope, self.valid_from, self.valid_to, self.give_button])
        form.add_class("hk-give-fullmakt")
        self.children = [html("hk-fullmakter-title", "<h4>Fullmakter</h4>"), self.status, html("hk-fg", "<b>Fullmakter du har gitt</b>"),
                         self.given, html("hk-fr", "<b>Fullmakter du har fått</b>"), self.received,
                         html("hk-give-title", "<b>Gi fullmakt</b>"), form, ArticleLinks(Service.PROFILE, ("fullmakt", "barn"))]

    def show(self, actor: Actor) -> None:
        self.actor = actor
        self.status.value = ""
        self.refresh()

    def refresh(self) -> None:
        actor = self.actor

        def load() -> profile.Fullmakter:
            with self.sessions() as session:
                return profile.fullmakter(session, actor, self.now)

        self.found = attempt_field(self.status, load)
        if self.found is None:
            self.given.children, self.received.value = [], ""
            return
        self.given.children = [self._given_row(f) for f in self.found.given] or [html("hk-none", note("Du har ikke gitt noen fullmakt."))]
        self.received.value = ("<ul>" + "".join(f"<li>{esc(describe(f))}</li>" for f in self.found.received) + "</ul>"
                               if self.found.received else note("Du har ikke fått noen fullmakt."))

    def _given_row(self, f: profile.FullmaktView) -> w.HBox:
        row = w.HBox([html("hk-fullmakt-text", esc(describe(f)))])
        row.add_class("hk-fullmakt")
        if f.valid_to is None or f.valid_to >= self.now.date():
            revoke = w.Button(description="Trekk tilbake")
            revoke.on_click(lambda _, fullmakt_id=f.id: self.revoke(fullmakt_id))
            row.children = [*row.children, revoke]
        return row

    def give(self) -> profile.FullmaktView | None:
        """Give the fullmakt the form describes."""
        if self.actor is None:
            self.status.value = note("Logg inn først.", "error")
            return None
        if self.valid_from.value is None:
            self.status.value = note(f"{FIELD_NB['valid_from']}: Velg en startdato.", "error")
            return None
        actor, holder, scope, start, end = self.actor, self.holder.value, self.scope.value, self.valid_from.value, self.valid_to.value

        def send() -> profile.FullmaktView:
            with self.sessions() as session:
                return profile.give_fullmakt(session, actor, holder, scope, start, end, self.now)

        given = attempt_field(self.status, send)
        if given is not None:
            self.refresh()
            self.holder.value = ""
            self.status.value = note(f"Fullmakt gitt til {given.other_name}.", "ok")
        return given

    def revoke(self, fullmakt_id: int) -> bool:
        """End the fullmakt ``fullmakt_id`` at once (the service checks it is one the subject gave or holds)."""
        if self.actor is None:
            self.status.value = note("Logg inn først.", "error")
            return False
        actor = self.actor

        def send() -> bool:
            with self.sessions() as session:
                profile.revoke_fullmakt(session, actor, fullmakt_id, self.now)
            return True

        done = attempt_field(self.status, send)
        if done:
            self.refresh()
            self.status.value = note("Fullmakten er trukket tilbake.", "ok")
        return bool(done)
