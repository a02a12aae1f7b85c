"""Kjernejournal, pasientjournal and the log of use (logg over bruk, §3.8, §5.3): opening the kjernejournal
or the hospital record is a read that lands in the subject's log, and the log table shows it at once,
next to health personnel's lookups."""

from __future__ import annotations

import datetime as dt

import ipywidgets as w

from helsekit.services import access_log, hospital_record, kjernejournal
from helsekit.services.actors import Actor
from helsekit.services.policy import Service
from helsekit.widgets.articles import ArticleLinks
from helsekit.widgets.common import SessionFactory, call, esc, html, note, now_of, session_factory, when

CRITICAL_NB = {"overfolsomhetsreaksjon": "Overfølsomhetsreaksjon", "komplikasjoner_ved_anestesi": "Komplikasjoner ved anestesi",
               "kritisk_medisinsk_tilstand": "Kritisk medisinsk tilstand", "pagaende_behandling_implantater": "Pågående behandling eller implantater",
               "smitte": "Smitte"}
OWN_NB = {"naermeste_parorende": "Nærmeste pårørende", "kommunikasjonsbehov": "Kommunikasjonsbehov", "sykdom": "Sykdommer",
          "donorkort": "Donorkort"}
SOURCE_NB = {access_log.HEALTH_PERSONNEL: "Helsepersonell", access_log.MIN_HELSE: "Helsenorge"}
BASIS_NB = {"self": "selv", "parent": "forelder", "fullmakt": "fullmakt"}
LOG_SHOWN = 50
DOCUMENTS_SHOWN = 50


def log_table(view: access_log.AccessLogView) -> str:
    """The log as an HTML table; every value is escaped."""
    if not view.entries:
        return note("Ingen har åpnet journalene dine.")
    rows = "".join(
        "<tr>" + "".join(f"<td>{esc(cell)}</td>" for cell in (
            when(e.at), SOURCE_NB.get(e.source, e.source), e.record, e.organisation_name or "", e.person_name or "",
            e.reason or BASIS_NB.get(e.basis or "", e.basis or ""))) + "</tr>"
        for e in view.entries)
    head = "".join(f"<th>{h}</th>" for h in ("Tidspunkt", "Hvor", "Journal", "Virksomhet", "Person", "Grunn"))
    return f'<table class="hk-log-table"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'


class AccessLogTable(w.VBox):
    """Who has opened the subject's kjernejournal and hospital record, newest first."""

    def __init__(self, db: SessionFactory | str, actor: Actor | None = None, now: dt.datetime | None = None) -> None:
        super().__init__()
        self.add_class("hk-access-log")
        self.sessions = session_factory(db)
        self.now = now_of(self.sessions, now)
        self.table = html("hk-log")
        self.status = html("hk-access-log-status")
        self.children = [html("hk-log-title", "<h3>Logg over bruk</h3>"), self.status, self.table, ArticleLinks(Service.ACCESS_LOG)]
        self.actor: Actor | None = None
        if actor is not None:
            self.show(actor)

    def show(self, actor: Actor) -> None:
        self.actor = actor
        self.status.value, self.table.value = "", ""

        found = call(self.sessions, self.status, access_log.view, actor, self.now, limit=LOG_SHOWN)
        if found is not None:
            self.table.value = log_table(found)


class KjernejournalPanel(w.VBox):
    """A button that opens the subject's kjernejournal (a logged read) and shows what it holds."""

    def __init__(self, db: SessionFactory | str, actor: Actor | None = None, now: dt.datetime | None = None,
                 log_table: AccessLogTable | None = None) -> None:
        super().__init__()
        self.add_class("hk-kjernejournal")
        self.sessions = session_factory(db)
        self.now = now_of(self.sessions, now)
        self.log_table = log_table
        self.actor = actor
        self.open_button = w.Button(description="Åpne kjernejournal")
        self.open_button.on_click(lambda _: self.open_record())
        self.content = html("hk-kjernejournal-content")
        self.status = html("hk-kjernejournal-status")
        self.children = [html("hk-kj-title", "<h3>Kjernejournal</h3>"), self.open_button, self.status, self.content,
                         ArticleLinks(Service.KJERNEJOURNAL)]

    def show(self, actor: Actor) -> None:
        self.actor = actor
        self.status.value, self.content.value = "", ""

    def open_record(self) -> kjernejournal.KjernejournalView | None:
        """Read the kjernejournal for the actor (written to the subject's log) and show it."""
        self.status.value, self.content.value = "", ""
        if self.actor is None:
            self.status.value = note("Logg inn først.", "error")
            return None
        actor = self.actor
        found = call(self.sessions, self.status, kjernejournal.view, actor, self.now)
        if found is None:
            return None
        critical = [f"{CRITICAL_NB.get(c.type, c.type)} (registrert {c.registered_on:%d.%m.%Y}, {'verifisert' if c.verified else 'ikke verifisert'})"
                    for c in found.critical_information]
        own = [f"{OWN_NB.get(o.kind, o.kind)} (registrert {o.registered_on:%d.%m.%Y})" for o in found.own_registrations]
        parts = ["<b>Kritisk informasjon</b>", _items(critical, "Ingen kritisk informasjon."),
                 "<b>Egne registreringer</b>", _items(own, "Ingen egne registreringer."),
                 "<b>Vaksiner</b>", _items([f"{v.given_on:%d.%m.%Y}: {v.name}, dose {v.dose}" for v in found.vaccinations], "Ingen registrerte vaksiner.")]
        self.content.value = "".join(parts)
        if self.log_table is not None:  # before the status, so a page that sees the status sees the log too
            self.log_table.show(actor)
        self.status.value = note("Kjernejournalen er åpnet; oppslaget står nå i logg over bruk.", "ok")
        return found


def document_table(found: hospital_record.HospitalRecordView, shown: int = DOCUMENTS_SHOWN) -> str:
    """The newest ``shown`` documents as an HTML table (the service gives them newest first); every value is escaped."""
    if not found.documents:
        return note("Ingen dokumenter fra sykehusjournalen vises på Helsenorge ennå.")
    rows = "".join(
        "<tr>" + "".join(f"<td>{esc(cell)}</td>" for cell in (
            f"{d.approved_at:%d.%m.%Y}", d.kind[:1].upper() + d.kind[1:], d.hospital_name or "", d.author_name or "")) + "</tr>"
        for d in found.documents[:shown])
    head = "".join(f"<th>{h}</th>" for h in ("Dato", "Dokument", "Sykehus", "Skrevet av"))
    more = note(f"Viser de {shown} nyeste av {len(found.documents)} dokumenter.") if len(found.documents) > shown else ""
    return f'{more}<table class="hk-document-table"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'


class HospitalRecordPanel(w.VBox):
    """A button that opens the subject's hospital record (pasientjournal, §5.1–§5.3): the documents the
    hospitals show on Helsenorge, newest first. Opening it is one logged read, shown at once in ``log_table``."""

    def __init__(self, db: SessionFactory | str, actor: Actor | None = None, now: dt.datetime | None = None,
                 log_table: AccessLogTable | None = None) -> None:
        super().__init__()
        self.add_class("hk-hospital-record")
        self.sessions = session_factory(db)
        self.now = now_of(self.sessions, now)
        self.log_table = log_table
        self.actor = actor
        self.open_button = w.Button(description="Åpne pasientjournal")
        self.open_button.on_click(lambda _: self.open_record())
        self.content = html("hk-hospital-record-content")
        self.status = html("hk-hospital-record-status")
        self.children = [html("hk-hr-title", "<h3>Pasientjournal fra sykehus</h3>"), self.open_button, self.status, self.content,
                         ArticleLinks(Service.HOSPITAL_RECORD)]

    def show(self, actor: Actor) -> None:
        self.actor = actor
        self.status.value, self.content.value = "", ""

    def open_record(self) -> hospital_record.HospitalRecordView | None:
        """Read the hospital record for the actor (written to the subject's log) and show its documents."""
        self.status.value, self.content.value = "", ""
        if self.actor is None:
            self.status.value = note("Logg inn først.", "error")
            return None
        actor = self.actor
        found = call(self.sessions, self.status, hospital_record.view, actor, self.now)
        if found is None:
            return None
        self.content.value = document_table(found)
        if self.log_table is not None:  # before the status, so a page that sees the status sees the log too
            self.log_table.show(actor)
        self.status.value = note("Pasientjournalen er åpnet; oppslaget står nå i logg over bruk.", "ok")
        return found


def _items(lines: list[str], empty: str) -> str:
    if not lines:
        return note(empty)
    return "<ul>" + "".join(f"<li>{esc(line)}</li>" for line in lines) + "</ul>"
