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
