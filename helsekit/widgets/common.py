"""What every component shares: opening sessions, escaping, and showing a refusal instead of a traceback."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from html import escape
from typing import TypeVar

import ipywidgets as w
from sqlmodel import Session

from helsekit.errors import HelsekitError
from helsekit.services import access
from helsekit.services.actors import Actor
from helsekit.storage.database import engine_for

SessionFactory = Callable[[], Session]
T = TypeVar("T")


def session_factory(source: SessionFactory | str) -> SessionFactory:
    """``source`` itself when it is a callable, else one making sessions on the database at that path or URL."""
    if callable(source):
        return source
    engine = engine_for(source)
    return lambda: Session(engine)


def now_of(factory: SessionFactory, now: dt.datetime | None) -> dt.datetime:
    """``now``, or noon on the database's reference date."""
    if now is not None:
        return now
    with factory() as session:
        return access.reference_now(session)


def esc(value: object) -> str:
    return escape(str(value), quote=True)


def note(text: str, kind: str = "info") -> str:
    """A short message as HTML (``kind``: info, ok or error); the text is escaped."""
    colour = {"ok": "#1b5e20", "error": "#a00000"}.get(kind, "#333")
    role = ' role="alert"' if kind == "error" else ""
    return f'<div class="hk-note hk-note-{kind}"{role} style="color:{colour}">{esc(text)}</div>'


def attempt(status: w.HTML, action: Callable[[], T]) -> T | None:
    """Run ``action``; on a helsekit error show its bokmål message in ``status`` and return None."""
    try:
        return action()
    except HelsekitError as error:
        status.value = note(error.message_nb, "error")
        return None


def call(sessions: SessionFactory, status: w.HTML, service: Callable[..., T], *args, **kwargs) -> T | None:
    """``service(session, *args, **kwargs)`` in a new session, as every component calls the services; a
    helsekit error is shown in ``status`` as its bokmål message and gives None."""
    def action() -> T:
        with sessions() as session:
            return service(session, *args, **kwargs)

    return attempt(status, action)


def kroner(amount: int) -> str:
    """``3278`` as "3 278 kr", the Norwegian way (non-breaking spaces, so an amount never wraps)."""
    return f"{amount:,}".replace(",", "\u00a0") + "\u00a0kr"


def when(moment: dt.datetime) -> str:
    return f"{moment:%d.%m.%Y} kl. {moment:%H.%M}"


def html(css: str, value: str = "") -> w.HTML:
    box = w.HTML(value)
    box.add_class(css)
    return box


class RecordPanel(w.VBox):
    """A titled panel that reads one record service for the actor it is shown and draws the answer.

    A subclass sets ``css`` and ``title``, ``service`` (a staticmethod ``(session, actor, now)`` of helsekit.services)
    and ``render`` (the service's answer as escaped HTML)."""

    css, title = "", ""

    def __init__(self, db: SessionFactory | str, actor: Actor | None = None, now: dt.datetime | None = None) -> None:
        super().__init__()
        self.add_class(self.css)
        self.sessions = session_factory(db)
        self.now = now_of(self.sessions, now)
        self.status = html(f"{self.css}-status")
        self.content = html(f"{self.css}-content")
        self.children = [html(f"{self.css}-title", f"<h3>{esc(self.title)}</h3>"), self.status, self.content]
        self.actor: Actor | None = None
        self.view = None
        if actor is not None:
            self.show(actor)

    def show(self, actor: Actor) -> None:
        """Read the subject's records for ``actor`` (a logged read) and show them, or the refusal."""
        self.actor = actor
        self.status.value, self.content.value = "", ""
        self.view = call(self.sessions, self.status, self.service, actor, self.now)
        if self.view is not None:
            self.content.value = self.render(self.view)
