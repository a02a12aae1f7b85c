"""Innboks and e-konsultasjon: the subject's message threads with the GP office, one opened at a time
with a reply box, and a box to begin an e-consultation with the fastlege (§10.6).

Threads and their messages come from :mod:`helsekit.services.messages` (opening a thread marks the
office's messages in it read); writing goes through :mod:`helsekit.services.gp_services`, which checks
the policy, the text's length, the GP list and whether a thread can be answered (a notice cannot). Every
refusal is shown as its bokmål message; every text shown is escaped.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import ipywidgets as w

from helsekit.services import gp_services, messages
from helsekit.services.actors import Actor
from helsekit.widgets.common import SessionFactory, call, esc, html, note, now_of, session_factory, when

THREADS_SHOWN = 30
TOPIC_NB = {"e_konsultasjon": "E-konsultasjon", "kontakt_legekontoret": "Kontakt legekontoret", "fornyelse_resept": "Forny resept",
            "sporsmal_om_time": "Spørsmål om time", "varsel": "Varsel", "forlopskoordinator": "Forløpskoordinator",
            "samvalg": "Samvalg"}
SENDER_NB = {"innbygger": "Du", "legekontor": "Legekontoret", "sykehus": "Sykehuset"}
LIVE = "helsenorge"  # threads written on Min helse; only these can be answered here


@dataclass(frozen=True)
class ThreadSummary:
    """One thread as the list shows it: its latest message and whether anything in it is unread."""

    thread_id: int
    source: str
    topic: str
    last_at: dt.datetime
    unread: bool
    count: int

    @property
    def label(self) -> str:
        mark = " (ulest)" if self.unread else ""
        return f"{when(self.last_at)}: {TOPIC_NB.get(self.topic, self.topic)}, {self.count} meldinger{mark}"


def summarise(inbox: list[messages.Message], topics: tuple[str, ...] | None = None) -> list[ThreadSummary]:
    """The inbox's threads (optionally only ``topics``), newest first."""
    grouped: dict[tuple[str, int], list[messages.Message]] = {}
    for m in inbox:
        if topics is None or m.topic in topics:
            grouped.setdefault((m.source, m.thread_id), []).append(m)
    found = [ThreadSummary(thread_id, source, rows[0].topic, max(r.sent_at for r in rows), any(r.unread for r in rows), len(rows))
             for (source, thread_id), rows in grouped.items()]
    return sorted(found, key=lambda t: (t.last_at, t.thread_id), reverse=True)


def thread_html(shown: list[messages.Message]) -> str:
    """A thread's messages, oldest first, escaped; a generated message's text is not kept, only its place."""
    items = []
    for m in shown:
        body = esc(m.body) if m.body is not None else "<i>(meldingsteksten er ikke lagret i historikken)</i>"
        items.append(f'<li class="hk-message"><b>{esc(SENDER_NB.get(m.sender, m.sender))}</b>, {esc(when(m.sent_at))}:<br>{body}</li>')
    return '<ul class="hk-thread-messages">' + "".join(items) + "</ul>"


class MessageThreadsPanel(w.VBox):
    """The subject's threads with the GP office (``topics``: which to list; None lists every thread),
    with open, reply and, when ``e_consultation`` is True, a box to begin an e-consultation."""

    def __init__(self, db: SessionFactory | str, actor: Actor | None = None, now: dt.datetime | None = None,
                 topics: tuple[str, ...] | None = None, e_consultation: bool = True, title: str = "Innboks") -> None:
        super().__init__()
        self.add_class("hk-threads")
        self.sessions = session_factory(db)
        self.now = now_of(self.sessions, now)
        self.topics = topics
        self.actor: Actor | None = None
        self.threads: list[ThreadSummary] = []
        self.opened: ThreadSummary | None = None
        self.status = html("hk-threads-status")
        self.choice = w.Dropdown(description="Samtale", options=[], layout=w.Layout(width="40em"))
        self.open_button = w.Button(description="Åpne samtale")
        self.open_button.on_click(lambda _: self.open_thread(self.choice.value))
        self.messages = html("hk-thread")
        self.reply_text = w.Textarea(placeholder="Skriv et svar", layout=w.Layout(width="40em"))
        self.reply_button = w.Button(description="Send svar", button_style="primary")
        self.reply_button.on_click(lambda _: self.reply(self.reply_text.value))
        self.reply_box = w.VBox([self.reply_text, self.reply_button])
        self.reply_box.add_class("hk-reply")
        self.reply_box.layout.display = "none"
        self.new_text = w.Textarea(placeholder="Beskriv kort hva du trenger hjelp med", layout=w.Layout(width="40em"))
        self.start_button = w.Button(description="Send e-konsultasjon", button_style="primary")
        self.start_button.on_click(lambda _: self.start(self.new_text.value))
        self.new_box = w.VBox([html("hk-econsult-title", "<h3>Ny e-konsultasjon med fastlegen</h3>"), self.new_text, self.start_button])
        self.new_box.add_class("hk-econsult")
        if not e_consultation:
            self.new_box.layout.display = "none"
        self.children = [html("hk-threads-title", f"<h3>{esc(title)}</h3>"), self.status, w.HBox([self.choice, self.open_button]),
                         self.messages, self.reply_box, self.new_box]
        if actor is not None:
            self.show(actor)

    def show(self, actor: Actor) -> None:
        """Show ``actor``'s threads; nothing is open."""
        self.actor = actor
        self.status.value = ""
        self.opened = None
        self.messages.value = ""
        self.reply_box.layout.display = "none"
        self.refresh()

    def refresh(self) -> None:
        actor = self.actor
        found = call(self.sessions, self.status, messages.inbox, actor, self.now)
        self.threads = summarise(found or [], self.topics)[:THREADS_SHOWN]
        self.choice.options = [(t.label, (t.source, t.thread_id)) for t in self.threads]
        self.choice.index = 0 if self.threads else None  # ipywidgets selects nothing after new options
        if found is not None and not self.threads:
            self.status.value = note("Ingen samtaler ennå.")

    def _logged_in(self) -> bool:
        if self.actor is None:
            self.status.value = note("Logg inn først.", "error")
            return False
        return True

    def open_thread(self, key: object) -> list[messages.Message] | None:
        """Open the thread ``key`` (``(source, thread_id)``, one of the listed threads) and mark it read."""
        if not self._logged_in():
            return None
        chosen = next((t for t in self.threads if (t.source, t.thread_id) == key), None)
        if chosen is None:
            self.status.value = note("Velg en samtale fra listen.", "error")
            return None
        actor = self.actor
        shown = call(self.sessions, self.status, messages.open_thread, actor, chosen.thread_id, chosen.source, self.now)
        if shown is None:
            return None
        self.status.value = ""
        self.opened = chosen
        self.messages.value = f"<h4>{esc(TOPIC_NB.get(chosen.topic, chosen.topic))}</h4>" + thread_html(shown)
        self.reply_box.layout.display = None if chosen.source == LIVE and chosen.topic != "varsel" else "none"
        return shown

    def reply(self, text: object) -> gp_services.Thread | None:
        """Write ``text`` in the open thread."""
        if not self._logged_in():
            return None
        if self.opened is None:
            self.status.value = note("Åpne en samtale først.", "error")
            return None
        actor, opened = self.actor, self.opened
        done = call(self.sessions, self.status, gp_services.reply, actor, opened.thread_id, str(text), self.now)
        if done is not None:
            self.reply_text.value = ""
            self.refresh()
            self.open_thread((opened.source, opened.thread_id))
            self.status.value = note("Svaret er sendt.", "ok")
        return done

    def start(self, text: object) -> gp_services.Thread | None:
        """Begin an e-consultation with the fastlege with ``text`` as its first message."""
        if not self._logged_in():
            return None
        actor = self.actor
        done = call(self.sessions, self.status, gp_services.start_e_consultation, actor, str(text), self.now)
        if done is not None:
            self.new_text.value = ""
            self.refresh()
            self.open_thread((LIVE, done.thread_id))
            cost = f" Egenandel når legen svarer: {done.egenandel} kr." if done.egenandel else " Ingen egenandel."
            self.status.value = note("E-konsultasjonen er sendt til fastlegen." + cost, "ok")
        return done
